#include "linux/scheduling.h"

#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's struct sched_attr (glibc 2.36 has no wrapper). */
struct husk_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_SHIFT 13

int process_set_scheduling(const struct spec_process *p, husk_error **err)
{
	if (p->has_scheduler) {
		const struct spec_scheduler *s = &p->scheduler;
		struct husk_sched_attr attr = {
			.size = sizeof(attr), .sched_policy = s->policy, .sched_flags = s->flags,
			.sched_nice = s->nice, .sched_priority = s->priority, .sched_runtime = s->runtime,
			.sched_deadline = s->deadline, .sched_period = s->period,
		};
		if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
			return husk_fail(err, errno, "set the scheduler");
	}
	if (p->has_io_priority &&
	    syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, (p->io_class << IOPRIO_CLASS_SHIFT) | p->io_priority) < 0)
		return husk_fail(err, errno, "set the I/O priority");
	return 0;
}

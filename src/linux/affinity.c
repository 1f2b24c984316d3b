#include "linux/affinity.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "spec/id_list.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#define CPU_WORDS (8192 / ID_LIST_WORD_BITS)

int affinity_check(const struct spec_exec_cpu_affinity *a, husk_error **err)
{
	if (a->initial == NULL && a->final == NULL)
		return 0;
	cleanup_free char *online = NULL;
	size_t len;
	unsigned long have[CPU_WORDS] = { 0 };
	char why[96];
	int r = read_file_at(AT_FDCWD, "/sys/devices/system/cpu/online", &online, &len, err);
	if (r < 0)
		return r;
	online[strcspn(online, "\n")] = '\0';
	if (id_list_parse(online, 8191, "CPU", have, CPU_WORDS, why, sizeof(why)) < 0)
		return husk_fail(err, 0, "/sys/devices/system/cpu/online: %s", why);
	const char *lists[2] = { a->initial, a->final }, *names[2] = { "initial", "final" };
	for (int i = 0; i < 2; i++) {
		unsigned long want[CPU_WORDS] = { 0 };
		if (lists[i] == NULL ||
		    id_list_parse(lists[i], 8191, "CPU", want, CPU_WORDS, why, sizeof(why)) < 0)
			continue; /* parse.c refused a bad list already */
		for (unsigned cpu = 0; cpu < 8192; cpu++)
			if (id_list_has(want, cpu) && !id_list_has(have, cpu))
				return husk_fail(err, 0, "process.execCPUAffinity.%s: CPU %u is not online on this host (online: %s)",
						 names[i], cpu, online);
	}
	return 0;
}

static int set_cpus(const char *list, const char *name, husk_error **err)
{
	unsigned long mask[CPU_WORDS];
	char why[96];
	if (list == NULL) {
		memset(mask, 0xff, sizeof(mask));
	} else {
		memset(mask, 0, sizeof(mask));
		if (id_list_parse(list, 8191, "CPU", mask, CPU_WORDS, why, sizeof(why)) < 0)
			return husk_fail(err, 0, "process.execCPUAffinity.%s: %s", name, why);
	}
	if (sched_setaffinity(0, sizeof(mask), (cpu_set_t *) mask) < 0)
		return husk_fail(err, errno, "process.execCPUAffinity.%s: set CPU affinity %s", name,
				 list ? list : "(the cgroup's)");
	log_debug("exec: %s CPU affinity %s", name, list ? list : "of the container's cgroup");
	return 0;
}

int affinity_apply_initial(const struct spec_exec_cpu_affinity *a, husk_error **err)
{
	return a->initial && *a->initial ? set_cpus(a->initial, "initial", err) : 0;
}

int affinity_apply_final(const struct spec_exec_cpu_affinity *a, husk_error **err)
{
	if (a->final && *a->final)
		return set_cpus(a->final, "final", err);
	return a->initial && *a->initial ? set_cpus(NULL, "final", err) : 0;
}

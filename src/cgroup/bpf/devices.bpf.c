/* The device filter husk attaches to a container's cgroup on cgroup v2
 * (BPF_PROG_TYPE_CGROUP_DEVICE): the kernel runs it at each open or mknod
 * of a device node by a process of the cgroup; 1 lets the access through.
 * Built with clang -target bpf and embedded in husk (see meson.build). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "cgroup/bpf/device_filter.h"

/* Filled in by husk before the load; read-only to the program, so the
 * verifier sees the rules as constants. */
const volatile struct device_filter filter = { 0 };

SEC("cgroup/dev")
int husk_devices(struct bpf_cgroup_dev_ctx *ctx)
{
	__u32 type = ctx->access_type & 0xffff;
	__u32 access = ctx->access_type >> 16;

	for (__u32 i = 0; i < DEVICE_FILTER_MAX; i++) {
		if (i >= filter.n)
			break;
		const volatile struct device_filter_rule *r = &filter.rule[i];
		if (r->type != 0 && r->type != type)
			continue;
		if (r->major != DEVICE_FILTER_ANY && r->major != ctx->major)
			continue;
		if (r->minor != DEVICE_FILTER_ANY && r->minor != ctx->minor)
			continue;
		/* An allow rule must cover the whole access, a deny rule any
		 * part of it; otherwise the rule before it is asked. */
		if (r->allow) {
			if ((access & ~(__u32) r->access) == 0)
				return 1;
		} else if (access & r->access) {
			return 0;
		}
	}
	/* No rule matched: denied. */
	return 0;
}

char LICENSE[] SEC("license") = "Apache-2.0";

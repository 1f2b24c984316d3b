/* The data of devices.bpf.c, shared with its loader (devices_v2.c): the
 * program's .rodata section is one struct device_filter, which husk fills
 * before loading it. */
#ifndef HUSK_CGROUP_BPF_DEVICE_FILTER_H
#define HUSK_CGROUP_BPF_DEVICE_FILTER_H

#include <linux/types.h>

#define DEVICE_FILTER_MAX 256
#define DEVICE_FILTER_ANY 0xffffffffu   /* major or minor: any */

struct device_filter_rule {
	__u32 type;     /* BPF_DEVCG_DEV_BLOCK or _CHAR; 0: any */
	__u32 major;
	__u32 minor;
	__u16 access;   /* BPF_DEVCG_ACC_* bits */
	__u16 allow;
};

struct device_filter {
	__u32 n;
	/* The config's rules last first: the first that matches decides. */
	struct device_filter_rule rule[DEVICE_FILTER_MAX];
};

#endif

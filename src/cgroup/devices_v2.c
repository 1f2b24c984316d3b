#include "cgroup/devices_v2.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/bpf/device_filter.h"
#include "cgroup/device_rules.h"
#include "util/cleanup.h"
#include "util/log.h"

/* bpf/devices.bpf.o, embedded at build time (bpf/embed.py). */
extern const unsigned char husk_devices_bpf[];
extern const size_t husk_devices_bpf_len;

/* The program's name, as the kernel reports it: how husk tells its own
 * filter from other programs attached to the cgroup. */
#define PROG_NAME "husk_devices"

_Static_assert((int) DEVICE_MKNOD == (int) BPF_DEVCG_ACC_MKNOD && (int) DEVICE_READ == (int) BPF_DEVCG_ACC_READ &&
		       (int) DEVICE_WRITE == (int) BPF_DEVCG_ACC_WRITE,
	       "device_rule's access bits are the kernel's");

/* libbpf's messages (the verifier's log among them) go to the debug log. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[4096];
	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_debug("libbpf: %s", buf);
	return 0;
}

static void bpf_object_closep(struct bpf_object **obj)
{
	bpf_object__close(*obj);
}

static int build_filter(json_object *list, struct device_filter *f, husk_error **err)
{
	cleanup_free struct device_rule *rules = NULL;
	size_t n;
	int r = device_rules_parse(list, &rules, &n, err);
	if (r < 0)
		return r;
	if (n > DEVICE_FILTER_MAX)
		return husk_fail(err, 0, "linux.resources.devices: %zu rules with the defaults, more than the %d a cgroup v2 filter holds",
				 n, DEVICE_FILTER_MAX);
	memset(f, 0, sizeof(*f));
	f->n = n;
	/* Last rule first: the program stops at the first match. */
	for (size_t i = 0; i < n; i++) {
		const struct device_rule *d = &rules[n - 1 - i];
		f->rule[i] = (struct device_filter_rule) {
			.type = d->type == 'b' ? BPF_DEVCG_DEV_BLOCK : d->type == 'c' ? BPF_DEVCG_DEV_CHAR : 0,
			.major = d->major < 0 ? DEVICE_FILTER_ANY : (__u32) d->major,
			.minor = d->minor < 0 ? DEVICE_FILTER_ANY : (__u32) d->minor,
			.access = d->access,
			.allow = d->allow,
		};
	}
	return 0;
}

/* Loads the program with f as its data; returns the object. */
static int load(const struct device_filter *f, struct bpf_object **ret, husk_error **err)
{
	libbpf_set_print(libbpf_log);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = PROG_NAME);
	struct bpf_object *obj = bpf_object__open_mem(husk_devices_bpf, husk_devices_bpf_len, &opts);
	if (obj == NULL)
		return husk_fail(err, errno, "cgroup v2 device filter: open the eBPF object");
	*ret = obj;
	struct bpf_map *data = bpf_object__find_map_by_name(obj, ".rodata");
	if (data == NULL)
		return husk_fail(err, ENOENT, "cgroup v2 device filter: no .rodata in the eBPF object");
	int r = bpf_map__set_initial_value(data, f, sizeof(*f));
	if (r < 0)
		return husk_fail(err, -r, "cgroup v2 device filter: set its rules");
	if ((r = bpf_object__load(obj)) < 0)
		return husk_fail(err, -r, "cgroup v2 device filter: load the eBPF program (husk --debug shows the verifier's log)");
	return 0;
}

/* The fds of the filters husk attached to the cgroup before, at most max. */
static size_t old_filters(int cg_fd, int *fds, size_t max)
{
	__u32 ids[64], count = 64, flags = 0;
	size_t n = 0;
	if (bpf_prog_query(cg_fd, BPF_CGROUP_DEVICE, 0, &flags, ids, &count) < 0)
		return 0;
	for (__u32 i = 0; i < count && n < max; i++) {
		int fd = bpf_prog_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && strcmp(info.name, PROG_NAME) == 0)
			fds[n++] = fd;
		else
			close(fd);
	}
	return n;
}

int devices_v2_apply(const char *dir, json_object *list, husk_error **err)
{
	struct device_filter f;
	__attribute__((cleanup(bpf_object_closep))) struct bpf_object *obj = NULL;
	int r;
	if ((r = build_filter(list, &f, err)) < 0 || (r = load(&f, &obj, err)) < 0)
		return r;
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, PROG_NAME);
	if (prog == NULL)
		return husk_fail(err, ENOENT, "cgroup v2 device filter: no program " PROG_NAME);
	cleanup_close int cg_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg_fd < 0)
		return husk_fail(err, errno, "open cgroup %s", dir);

	/* The new filter goes on before the old one comes off: in between,
	 * an access needs both to allow it, so nothing is let through that
	 * neither the old nor the new rules allow. */
	int old[16];
	size_t n_old = old_filters(cg_fd, old, sizeof(old) / sizeof(old[0]));
	r = bpf_prog_attach(bpf_program__fd(prog), cg_fd, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI);
	if (r < 0)
		r = husk_fail(err, -r, "attach the device filter to cgroup %s", dir);
	for (size_t i = 0; i < n_old; i++) {
		if (r >= 0 && bpf_prog_detach2(old[i], cg_fd, BPF_CGROUP_DEVICE) < 0)
			r = husk_fail(err, errno, "detach the previous device filter of cgroup %s", dir);
		close(old[i]);
	}
	return r;
}

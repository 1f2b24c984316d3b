/* restore: a container made again from a bundle's config and the images
 * of a checkpoint, as runc restores one.
 *
 * CRIU restores the process tree as a sibling of the criu process that
 * libcriu forks (rst_sibling).  husk forks a helper for that: the helper is
 * put in the container's cgroup before it runs criu (so criu, and the tree
 * it makes, start there, and CRIU's cgroup roots are that cgroup), and when
 * the helper exits the restored init is reparented to husk, a subreaper,
 * which waits for it in the foreground as `run` does. */
#include "core/container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/criu_common.h"
#include "core/internal.h"
#include "linux/terminal.h"
#include "util/cleanup.h"
#include "util/fdpass.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"

struct restoration {
	struct spec *spec;
	char *config_text;
	size_t config_len;
	char *bundle;
	char *rootfs;
	int root_fd;
	struct state_dir dir;
	bool reserved;
	struct cgroup cg;
	bool in_cgroup;
	char criu_root[PATH_MAX];  /* the rootfs bound where CRIU wants it */
	bool mounted;
	pid_t pid;
	sigset_t forwarded;
	struct criu_session s;
};

/* What the helper reports: the restored init's pid, or why it failed. */
struct helper_result {
	int pid;
	char msg[1024];
};

static int load_bundle(const struct criu_options *o, struct restoration *c, husk_error **err)
{
	int r = core_bundle_load(o->bundle, &c->bundle, &c->spec, &c->config_text, &c->config_len, err);
	return r < 0 ? r : core_rootfs_resolve(c->bundle, c->spec->root_path, &c->rootfs, err);
}

/* CRIU's root must be a mount point whose parent is not overmounted: the
 * rootfs is bound at <state dir>/criu-root (runc's place for it). */
static int bind_root(struct restoration *c, husk_error **err)
{
	char self[64], dir[PATH_MAX];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", c->dir.fd);
	ssize_t n = readlink(self, dir, sizeof(dir) - 1);
	if (n < 0)
		return husk_fail(err, errno, "state directory");
	dir[n] = '\0';
	snprintf(c->criu_root, sizeof(c->criu_root), "%s/criu-root", dir);
	if (mkdirat(c->dir.fd, "criu-root", 0755) < 0)
		return husk_fail(err, errno, "mkdir %s", c->criu_root);
	if (mount(c->rootfs, c->criu_root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return husk_fail(err, errno, "bind %s on %s", c->rootfs, c->criu_root);
	c->mounted = true;
	return 0;
}

static void unbind_root(struct restoration *c)
{
	if (c->mounted && umount2(c->criu_root, MNT_DETACH) < 0)
		log_warn("umount %s: %s", c->criu_root, strerror(errno));
	c->mounted = false;
	if (c->criu_root[0])
		unlinkat(c->dir.fd, "criu-root", AT_REMOVEDIR);
	c->criu_root[0] = '\0';
}

/* The helper's cgroups become CRIU's cgroup roots (runc reads them from
 * /proc/PID/cgroup of its criu likewise). */
static int add_cg_roots(struct criu_session *s, husk_error **err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/cgroup", "re");
	if (f == NULL)
		return husk_fail(err, errno, "/proc/self/cgroup");
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *ctrl = strchr(line, ':');
		char *path = ctrl ? strchr(ctrl + 1, ':') : NULL;
		if (path == NULL)
			continue;
		*path++ = '\0';
		ctrl++;
		if (s->lib.local_add_cg_root(s->opts, *ctrl ? ctrl : NULL, path) < 0)
			return husk_fail(err, ENOMEM, "criu cgroup root");
	}
	return 0;
}

/* The dumped stdio pipes are replaced by husk's own stdio (runc's
 * descriptors.json and inherit-fd). */
static int add_inherited_stdio(struct criu_session *s, husk_error **err)
{
	cleanup_free char *text = NULL;
	size_t len;
	int r = read_file_at(s->image_fd, CRIU_DESCRIPTORS, &text, &len, err);
	if (r < 0)
		return r;
	json_object *fds = json_tokener_parse(text);
	if (fds == NULL || !json_object_is_type(fds, json_type_array)) {
		json_object_put(fds);
		return husk_fail(err, 0, "%s: not a JSON array", CRIU_DESCRIPTORS);
	}
	for (size_t i = 0; i < json_object_array_length(fds) && i < 3; i++) {
		const char *key = json_object_get_string(json_object_array_get_idx(fds, i));
		if (key && strstr(key, "pipe:") && s->lib.local_add_inherit_fd(s->opts, (int) i, key) < 0) {
			json_object_put(fds);
			return husk_fail(err, ENOMEM, "criu inherit fd");
		}
	}
	json_object_put(fds);
	return 0;
}

static int notify_nothing(char *action, criu_notify_arg_t na)
{
	(void) action;
	(void) na;
	return 0;
}

/* In the helper: the options only it can know, then the restore. */
static int helper_restore(const struct criu_options *o, struct restoration *c, int netns_fd,
			  husk_error **err)
{
	struct criu_session *s = &c->s;
	const struct criu_lib *l = &s->lib;
	int r;
	if (l->local_set_root(s->opts, c->criu_root) < 0)
		return husk_fail(err, ENOMEM, "criu options");
	l->local_set_evasive_devices(s->opts, true);
	/* Notifications carry the terminal's master (orphan-pts-master). */
	l->local_set_notify_cb(s->opts, notify_nothing);
	if (netns_fd >= 0 && l->local_add_inherit_fd(s->opts, netns_fd, "extRootNetNS") < 0)
		return husk_fail(err, ENOMEM, "criu options");
	if ((r = add_cg_roots(s, err)) < 0 ||
	    (r = criu_add_ext_mounts(s, c->spec, c->bundle, c->cg.path, 0, err)) < 0 ||
	    (r = add_inherited_stdio(s, err)) < 0)
		return r;
	cleanup_close int console = -1;
	if (c->spec->process.terminal && (console = terminal_connect(o->console_socket, err)) < 0)
		return console;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int pid = l->local_restore_child(s->opts);
	if (pid <= 0)
		return criu_fail(s, pid, "restore", err);
	if (console >= 0) {
		int master = l->get_orphan_pts_master_fd();
		ssize_t n = master >= 0 ? fdpass_send(console, "", 0, master) : -EBADF;
		if (n < 0) {
			kill(pid, SIGKILL);
			return husk_fail(err, (int) -n, "send the terminal to the console socket");
		}
	}
	return pid;
}

static void helper_main(const struct criu_options *o, struct restoration *c, int go, int out,
			int netns_fd)
{
	struct helper_result res = { 0 };
	char b;
	if (read(go, &b, 1) != 1)
		_exit(1);
	husk_error *err = NULL;
	int r = helper_restore(o, c, netns_fd, &err);
	if (r > 0)
		res.pid = r;
	else
		snprintf(res.msg, sizeof(res.msg), "%s", err ? err->msg : "restore failed");
	ssize_t n = write(out, &res, sizeof(res));
	_exit(n == sizeof(res) ? 0 : 1);
}

/* Forks the helper, puts it in the container's cgroup, lets it restore. */
static int run_helper(const struct criu_options *o, struct restoration *c, husk_error **err)
{
	cleanup_close int netns_fd = -1;
	const char *netns = c->spec->namespaces[NS_NET].path;
	if (netns && (netns_fd = open(netns, O_RDONLY)) < 0)
		return husk_fail(err, errno, "network namespace %s", netns);
	int go[2], out[2];
	if (pipe2(go, O_CLOEXEC) < 0)
		return husk_fail(err, errno, "pipe");
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(go[0]);
		close(go[1]);
		return husk_fail(err, errno, "pipe");
	}
	pid_t helper = fork();
	if (helper == 0) {
		close(go[1]);
		close(out[0]);
		helper_main(o, c, go[0], out[1], netns_fd);
	}
	close(go[0]);
	close(out[1]);
	cleanup_close int go_w = go[1], out_r = out[0];
	if (helper < 0)
		return husk_fail(err, errno, "fork");
	int r;
	if ((r = c->cg.ops->enter(&c->cg, helper, c->spec->resources, err)) >= 0) {
		c->in_cgroup = true;
		r = c->cg.ops->apply(&c->cg, c->spec->resources, err);
	}
	if (r >= 0 && write(go_w, "g", 1) != 1)
		r = husk_fail(err, errno, "start the criu helper");
	closep(&go_w);
	struct helper_result res = { 0 };
	ssize_t n = r >= 0 ? read(out_r, &res, sizeof(res)) : 0;
	int status;
	waitpid(helper, &status, 0);
	if (r < 0)
		return r;
	if (n != sizeof(res))
		return husk_fail(err, 0, "the criu helper died");
	if (res.pid <= 0)
		return husk_fail(err, 0, "%s", res.msg);
	c->pid = res.pid;
	return 0;
}

static int record_state(const struct criu_options *o, struct restoration *c, husk_error **err)
{
	struct core_record rec = {
		.id = o->id, .pid = c->pid, .bundle = c->bundle, .rootfs = c->rootfs, .spec = c->spec,
		.config_text = c->config_text, .config_len = c->config_len, .cg = &c->cg, .pid_file = o->pid_file,
	};
	return core_record_state(&c->dir, &rec, err);
}

static int restore(const struct criu_options *o, struct restoration *c, husk_error **err)
{
	int r;
	if ((r = state_check_id(o->id, err)) < 0 || (r = load_bundle(o, c, err)) < 0)
		return r;
	if (c->spec->process.terminal && !o->console_socket)
		return husk_fail(err, 0, "process.terminal is set: --console-socket is needed");
	if ((r = criu_session_open(&c->s, o, false, "restore.log", err)) < 0 ||
	    (r = cgroup_init(&c->cg, c->spec->cgroups_path, o->id, o->systemd_cgroup, err)) < 0 ||
	    (r = state_open_root(o->root, true, &c->root_fd, err)) < 0)
		return r;
	if (!o->detach && core_block_signals(&c->forwarded) < 0)
		return husk_fail(err, errno, "block signals");
	if ((r = state_reserve(c->root_fd, o->id, &c->dir, err)) < 0)
		return r;
	c->reserved = true;
	/* The restored init comes back to husk when the helper exits. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return husk_fail(err, errno, "become a subreaper");
	if ((r = bind_root(c, err)) < 0 || (r = run_helper(o, c, err)) < 0)
		return r;
	log_debug("container %s: restored as pid %d", o->id, (int) c->pid);
	unbind_root(c);
	return record_state(o, c, err);
}

static void restoration_release(struct restoration *c, bool failed)
{
	if (failed && c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
	if (c->reserved)
		unbind_root(c);
	if (failed && c->in_cgroup)
		cgroup_destroy(&c->cg, true, NULL);
	if (failed && c->reserved)
		state_remove(&c->dir, NULL);
	if (c->reserved)
		state_dir_close(&c->dir);
	criu_session_close(&c->s);
	closep(&c->root_fd);
	spec_free(c->spec);
	free(c->config_text);
	free(c->bundle);
	free(c->rootfs);
}

int container_restore(const struct criu_options *o, int *ret_status, husk_error **err)
{
	sigset_t old;
	sigprocmask(SIG_SETMASK, NULL, &old);
	struct restoration c = { .root_fd = -1, .s = { .image_fd = -1, .work_fd = -1 } };
	int r = restore(o, &c, err);
	pid_t pid = c.pid;
	sigset_t forwarded = c.forwarded;
	restoration_release(&c, r < 0);
	*ret_status = 0;
	if (r < 0 || o->detach) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return r < 0 ? husk_wrap(err, "restore %s", o->id) : 0;
	}
	r = core_wait_forwarding(pid, &forwarded, -1, false, ret_status, err);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		return husk_wrap(err, "restore %s", o->id);
	cleanup_error husk_error *e = NULL;
	if (container_delete(o->root, o->id, true, &e) < 0)
		log_warn("delete %s: %s", o->id, e->msg);
	return 0;
}

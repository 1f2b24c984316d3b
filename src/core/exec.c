/* exec: a new process in a running container, described by --process or
 * by the container's own process with the command line's changes. */
#include "core/container.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/internal.h"
#include "linux/join.h"
#include "linux/lsm.h"
#include "linux/sync.h"
#include "linux/terminal.h"
#include "linux/seccomp_filter.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

static json_object *strings_array(char *const *v)
{
	json_object *a = json_object_new_array();
	for (; v && *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

/* Appends v's strings to the array at obj[key], creating it. */
static void append_strings(json_object *obj, const char *key, const char **v)
{
	json_object *a = json_member(obj, key);
	if (a == NULL || !json_is_array(a)) {
		a = json_object_new_array();
		json_object_object_add(obj, key, a);
	}
	for (; v && *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
}

static int parse_id(const char *s, const char *what, int64_t *ret, husk_error **err)
{
	char *end;
	errno = 0;
	long long n = strtoll(s, &end, 10);
	if (errno || end == s || (*end && *end != ':') || n < 0 || n >= UINT32_MAX)
		return husk_fail(err, 0, "exec: %s \"%s\" is not a numeric id", what, s);
	*ret = n;
	return 0;
}

static int apply_user(json_object *proc, const struct exec_options *o, husk_error **err)
{
	json_object *user = json_member(proc, "user");
	if (user == NULL) {
		user = json_object_new_object();
		json_object_object_add(proc, "user", user);
	}
	int64_t id = 0;
	int r;
	if (o->user) {
		if ((r = parse_id(o->user, "--user", &id, err)) < 0)
			return r;
		json_object_object_add(user, "uid", json_object_new_int64(id));
		const char *colon = strchr(o->user, ':');
		if (colon) {
			if ((r = parse_id(colon + 1, "--user gid", &id, err)) < 0)
				return r;
			json_object_object_add(user, "gid", json_object_new_int64(id));
		}
	}
	for (const char **g = o->additional_gids; g && *g; g++) {
		if ((r = parse_id(*g, "--additional-gids", &id, err)) < 0)
			return r;
		json_object *a = json_member(user, "additionalGids");
		if (a == NULL) {
			a = json_object_new_array();
			json_object_object_add(user, "additionalGids", a);
		}
		json_object_array_add(a, json_object_new_int64(id));
	}
	return 0;
}

/* The process object of the exec: --process as given, or the container's
 * process with the command line's changes. */
static int exec_process(const struct exec_options *o, const struct spec *container,
			json_object **ret, husk_error **err)
{
	json_object *proc = NULL;
	int r;
	if (o->process_file) {
		cleanup_free char *text = NULL;
		size_t len;
		if ((r = read_file_at(AT_FDCWD, o->process_file, &text, &len, err)) < 0 ||
		    (r = json_parse_text(text, len, &proc, err)) < 0)
			return husk_wrap(err, "exec: --process");
	} else if (json_object_deep_copy(json_member(container->json, "process"), &proc, NULL) < 0) {
		return husk_fail(err, ENOMEM, "exec");
	}
	if (!json_is_object(proc)) {
		json_object_put(proc);
		return husk_fail(err, 0, "exec: the process must be a JSON object");
	}
	/* What a --process file leaves out is the container's, as in runc. */
	static const char *const inherited[] = { "capabilities", "rlimits", "noNewPrivileges",
						  "apparmorProfile", "selinuxLabel" };
	json_object *cproc = json_member(container->json, "process");
	for (size_t i = 0; o->process_file && i < sizeof(inherited) / sizeof(*inherited); i++) {
		json_object *v = json_member(cproc, inherited[i]);
		if (v && json_member(proc, inherited[i]) == NULL)
			json_object_object_add(proc, inherited[i], json_object_get(v));
	}
	if (o->argv && o->argv[0])
		json_object_object_add(proc, "args", strings_array(o->argv));
	if (o->tty || !o->process_file)
		json_object_object_add(proc, "terminal", json_object_new_boolean(o->tty));
	if (o->cwd)
		json_object_object_add(proc, "cwd", json_object_new_string(o->cwd));
	append_strings(proc, "env", o->env);
	if (o->caps) {
		json_object *caps = json_member(proc, "capabilities");
		if (caps == NULL) {
			caps = json_object_new_object();
			json_object_object_add(proc, "capabilities", caps);
		}
		append_strings(caps, "bounding", o->caps);
		append_strings(caps, "effective", o->caps);
		append_strings(caps, "permitted", o->caps);
	}
	if (o->no_new_privs)
		json_object_object_add(proc, "noNewPrivileges", json_object_new_boolean(1));
	if (o->apparmor)
		json_object_object_add(proc, "apparmorProfile", json_object_new_string(o->apparmor));
	if (o->process_label)
		json_object_object_add(proc, "selinuxLabel", json_object_new_string(o->process_label));
	if ((r = apply_user(proc, o, err)) < 0) {
		json_object_put(proc);
		return r;
	}
	*ret = proc;
	return 0;
}

/* Parsed and validated by the config parser: wrapped in a minimal config. */
static int parse_exec_process(json_object *proc, struct spec **ret, husk_error **err)
{
	cleanup_json json_object *doc = json_object_new_object(), *root = json_object_new_object();
	json_object_object_add(doc, "ociVersion", json_object_new_string("1.0.2"));
	json_object_object_add(root, "path", json_object_new_string("/"));
	json_object_object_add(doc, "root", json_object_get(root));
	json_object_object_add(doc, "process", json_object_get(proc));
	cleanup_free char *text = json_to_string(doc, false);
	int r = spec_parse(text, strlen(text), ret, err);
	if (r >= 0 && (r = spec_validate(*ret, err)) < 0)
		spec_freep(ret);
	if (r < 0)
		return husk_wrap(err, "exec");
	return 0;
}

int container_exec(const struct exec_options *o, int *ret_status, husk_error **err)
{
	cleanup_handle struct core_handle h;
	int r = core_handle_open(o->root, o->id, false, &h, err);
	if (r < 0)
		return r;
	if (h.status == STATUS_PAUSED && !o->ignore_paused)
		return husk_fail(err, 0, "cannot exec in a paused container %s", o->id);
	if (h.status != STATUS_RUNNING && h.status != STATUS_CREATED && h.status != STATUS_PAUSED)
		return husk_fail(err, 0, "cannot exec in a %s container %s", status_name(h.status), o->id);

	cleanup_spec struct spec *container = NULL, *exec = NULL;
	cleanup_json json_object *proc = NULL;
	struct seccomp_program seccomp = { 0 };
	if ((r = spec_load(h.dir.fd, &container, NULL, NULL, err)) < 0 ||
	    (r = exec_process(o, container, &proc, err)) < 0 ||
	    (r = parse_exec_process(proc, &exec, err)) < 0)
		return r;
	if ((r = lsm_check(exec, err)) < 0)
		return husk_wrap(err, "exec in %s", o->id);
	/* The pty master goes to --console-socket, or to husk itself, which
	 * relays it in the foreground. */
	cleanup_close int console = -1, pty_peer = -1, pty = -1;
	if (exec->process.terminal) {
		if (o->console_socket) {
			if ((console = terminal_connect(o->console_socket, err)) < 0)
				return console;
		} else if (o->detach) {
			return husk_fail(err, 0, "exec: --tty with --detach needs --console-socket");
		} else {
			int sv[2];
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
				return husk_fail(err, errno, "socketpair");
			pty_peer = sv[0];
			console = sv[1];
		}
	}
	if ((r = seccomp_compile(container->seccomp, &seccomp, err)) < 0)
		return r;
	struct join_config jc = {
		.target = h.st.pid, .container = container,
		.setup = { .process = &exec->process, .seccomp = &seccomp,
			   .personality = container->personality_domain,
			   .in_userns = container->namespaces[NS_USER].present,
			   .preserve_fds = o->preserve_fds },
		.console_fd = console,
	};
	sigset_t set, old;
	sigprocmask(SIG_SETMASK, NULL, &old);
	if (!o->detach && core_block_signals(&set) < 0) {
		seccomp_program_free(&seccomp);
		return husk_fail(err, errno, "block signals");
	}
	pid_t pid = -1;
	cleanup_close int sync_fd = -1;
	r = spawn_in_container(&jc, &pid, &sync_fd, err);
	if (r >= 0)
		r = sync_wait_eof(sync_fd, "exec process", core_forward_notify, &h, err);
	seccomp_program_free(&seccomp);
	closep(&console);
	if (r >= 0 && pty_peer >= 0)
		r = pty = terminal_recv_master(pty_peer, err);
	if (r >= 0 && o->pid_file)
		r = core_write_pid_file(o->pid_file, pid, err);
	if (r < 0) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
		return husk_wrap(err, "exec in %s", o->id);
	}
	*ret_status = 0;
	if (!o->detach) {
		r = core_wait_forwarding(pid, &set, pty, ret_status, err);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	return r;
}

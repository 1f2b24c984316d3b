#include "linux/numa_policy.h"
#include "linux/process.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/caps.h"
#include "linux/fds.h"
#include "linux/raw_ids.h"
#include "linux/lsm.h"
#include "linux/scheduling.h"
#include "linux/sync.h"
#include "util/cleanup.h"

int process_set_rlimits(const struct spec_process *p, husk_error **err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };
		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return husk_fail(err, errno, "set rlimit %s", p->rlimits[i].type);
	}
	return 0;
}

/* Whether this process's user namespace has setgroups "deny" (one made
 * for the container, or the caller's own, as `unshare -r` makes). */
static bool setgroups_denied(void)
{
	char buf[8] = "";
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n >= 4 && strncmp(buf, "deny", 4) == 0;
}

int process_set_identity(const struct spec_process *p, husk_error **err)
{
	/* A user namespace whose setgroups is "deny" refuses even an empty
	 * list; that is only an error when groups were asked for (runc skips
	 * the call there too). */
	if (raw_setgroups(p->n_additional_gids, p->additional_gids) < 0 &&
	    !(errno == EPERM && p->n_additional_gids == 0 && setgroups_denied()))
		return husk_fail(err, errno, "setgroups");
	if (raw_setresgid(p->gid, p->gid, p->gid) < 0)
		return husk_fail(err, errno, "setgid %u", p->gid);
	if (raw_setresuid(p->uid, p->uid, p->uid) < 0)
		return husk_fail(err, errno, "setuid %u", p->uid);
	umask(p->has_umask ? p->umask : 022);
	const char *cwd = p->cwd ? p->cwd : "/";
	if (chdir(cwd) < 0)
		return husk_fail(err, errno, "chdir to cwd %s", cwd);
	/* A magic link such as /proc/self/fd/N still leads to whatever fd of
	 * husk's it names, outside the root (the CVE-2024-21626 class); the
	 * kernel tells by making getcwd() fail with ENOENT there. */
	char where[PATH_MAX];
	if (getcwd(where, sizeof(where)) == NULL || where[0] != '/')
		return husk_fail(err, errno == ENOENT ? 0 : errno,
				 "cwd %s: it is outside the container", cwd);
	return 0;
}

static const char *env_get(const char **env, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

/* false with errno set: a directory or device is EACCES, as execve says. */
static bool is_executable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return false;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return false;
	}
	return access(path, X_OK) == 0;
}

/* The failure to start the program, with the errno text in lower case as
 * Go prints it ("no such file or directory", "permission denied"): Docker
 * and podman find those words in the runtime's message to exit 127 or 126,
 * as a shell does, instead of their own error code. */
static int program_fail(husk_error **err, int errnum, const char *name)
{
	char why[128];
	bool ours = err && *err == NULL;
	snprintf(why, sizeof(why), "%s", strerror(errnum));
	why[0] = (char) tolower((unsigned char) why[0]);
	husk_fail(err, 0, "exec: \"%s\": %s", name, why);
	if (ours && *err)
		(*err)->errnum = errnum;
	return -errnum;
}

/* A program the container does not hold: a host file reached through
 * /proc/self/fd/N of an fd husk or its caller had open (issue 12.2). */
static int foreign_fail(husk_error **err, const char *name)
{
	return husk_fail(err, 0, "exec: \"%s\": a /proc magic link to a file outside the container", name);
}

static int find_program(const char *name, const char *path_env, int passed_fds, char **ret,
			husk_error **err)
{
	if (strchr(name, '/')) {
		if (fds_foreign_magic_link(name, passed_fds))
			return foreign_fail(err, name);
		if (!is_executable(name))
			return program_fail(err, errno, name);
		*ret = strdup(name);
		return *ret ? 0 : husk_fail(err, ENOMEM, "exec");
	}
	const char *dirs = path_env ? path_env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*dirs) {
		size_t n = strcspn(dirs, ":");
		char *cand = NULL;
		if (asprintf(&cand, "%.*s/%s", (int) n, n ? dirs : ".", name) < 0)
			return husk_fail(err, ENOMEM, "exec");
		if (is_executable(cand)) {
			if (fds_foreign_magic_link(cand, passed_fds)) {
				free(cand);
				return foreign_fail(err, name);
			}
			*ret = cand;
			return 0;
		}
		free(cand);
		dirs += n + (dirs[n] == ':');
	}
	return husk_fail(err, 0, "exec: \"%s\": executable file not found in $PATH", name);
}

/* HOME from the container's /etc/passwd (name:pw:uid:gid:gecos:home:shell),
 * "/" when there is none. */
static char *home_of(uid_t uid)
{
	cleanup_fclose FILE *f = fopen("/etc/passwd", "re");
	char line[1024];
	while (f && fgets(line, sizeof(line), f)) {
		char *fields[7] = { 0 }, *rest = line;
		line[strcspn(line, "\n")] = '\0';
		for (int i = 0; i < 7 && rest; i++)
			fields[i] = strsep(&rest, ":");
		if (fields[5] && *fields[5] && strtoul(fields[2], NULL, 10) == uid)
			return strdup(fields[5]);
	}
	return strdup("/");
}

int process_plan(const struct spec_process *p, int listen_fds, int preserve_fds,
		 struct exec_plan *plan, husk_error **err)
{
	int r = find_program(p->args[0], env_get(p->env, "PATH"), preserve_fds + listen_fds, &plan->path, err);
	if (r < 0)
		return r;
	plan->argv = (char **) p->args;
	size_t n = 0;
	while (p->env && p->env[n])
		n++;
	plan->envp = calloc(n + 4, sizeof(char *));
	if (plan->envp == NULL)
		return husk_fail(err, ENOMEM, "environment");
	memcpy(plan->envp, p->env ? p->env : (const char *[]) { NULL }, n * sizeof(char *));
	if (env_get(p->env, "HOME") == NULL) {
		cleanup_free char *home = home_of(p->uid);
		if (home == NULL || asprintf(&plan->envp[n++], "HOME=%s", home) < 0)
			return husk_fail(err, ENOMEM, "environment");
	}
	/* Socket activation: the fds follow the preserved ones, and the
	 * program is PID 1 of its namespace, or the caller's notion of it. */
	if (listen_fds > 0 && (asprintf(&plan->envp[n++], "LISTEN_FDS=%d", listen_fds) < 0 ||
			       (plan->envp[n++] = strdup("LISTEN_PID=1")) == NULL))
		return husk_fail(err, ENOMEM, "environment");
	return 0;
}

/* Installs the filter; a notify fd goes to husk over report_fd (husk
 * hands it to the listener) and is closed here. */
static int install_seccomp(const struct seccomp_program *prog, int report_fd, husk_error **err)
{
	int notify_fd;
	int r = seccomp_install(prog, &notify_fd, err);
	if (r < 0 || notify_fd < 0)
		return r;
	r = sync_send_fd(report_fd, SYNC_SECCOMP, notify_fd, err);
	close(notify_fd);
	return r;
}

/* The program starts with default dispositions and nothing blocked,
 * whatever husk had set for itself; done before the filter, whose profile
 * may refuse rt_sigaction and rt_sigprocmask. */
static void reset_signals(void)
{
	sigset_t none;
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int process_late_seccomp(const struct process_setup *ps, int report_fd, husk_error **err)
{
	reset_signals();
	if (ps->seccomp == NULL)
		return 0;
	return install_seccomp(ps->seccomp, report_fd, err);
}

/* Without no_new_privs the kernel wants CAP_SYS_ADMIN (in the container's
 * user namespace) to install a filter.  It is kept in the permitted and
 * effective sets until then, never in the inheritable, ambient or (unless
 * asked for) bounding ones: execve computes the program's capabilities
 * from those alone (capabilities(7)), so it leaves with the exec. */
static bool admin_until_exec(const struct process_setup *ps)
{
	return !ps->process->no_new_privileges && ps->seccomp && ps->seccomp->len > 0;
}

#define ADMIN_BIT (1ULL << CAP_SYS_ADMIN)

/* No capabilities in the config: the process keeps what it has, but a
 * switch to a non-root uid would clear it; CAP_SYS_ADMIN alone is kept
 * across it for the filter. */
static int keep_admin_only(husk_error **err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) < 0)
		return husk_fail(err, errno, "read capabilities");
	for (int i = 0; i < 2; i++)
		data[i].effective = data[i].permitted = (uint32_t) (ADMIN_BIT >> (32 * i));
	if (syscall(SYS_capset, &hdr, data) < 0)
		return husk_fail(err, errno, "keep CAP_SYS_ADMIN for the seccomp filter");
	return 0;
}

/* Every fd from 3 + preserve up is closed at exec; the ones to preserve
 * lose FD_CLOEXEC. */
static int prepare_fds(int preserve, husk_error **err)
{
	if (fds_cloexec_from(3 + (unsigned) preserve, err) < 0)
		return -1;
	for (int fd = 3; fd < 3 + preserve; fd++)
		if (fcntl(fd, F_SETFD, 0) < 0 && errno != EBADF)
			return husk_fail(err, errno, "preserve fd %d", fd);
	return 0;
}

int process_finalize(const struct process_setup *ps, struct exec_plan *plan,
		     husk_error **err)
{
	const struct spec_process *p = ps->process;
	int r;
	if ((r = process_set_rlimits(p, err)) < 0 || (r = process_set_scheduling(p, err)) < 0 ||
	    (r = mempolicy_apply(ps->memory_policy, err)) < 0)
		return r;
	/* The filter itself goes in last, just before exec (see
	 * process_late_seccomp), so that nothing husk does depends on what
	 * the profile allows. The bounding set is dropped while husk still
	 * has CAP_SETPCAP, and permitted caps survive setuid only through
	 * keep-caps. */
	bool admin = admin_until_exec(ps);
	bool admin_only = admin && !p->has_capabilities && p->uid != 0;
	struct caps caps;
	if (p->has_capabilities) {
		caps_resolve(p, &caps);
		if ((r = caps_before_identity(&caps, err)) < 0)
			return r;
		if (admin) {
			/* Not raised as ambient where the config did not permit it. */
			if (!(caps.sets[CAP_SET_PERMITTED] & ADMIN_BIT))
				caps.sets[CAP_SET_AMBIENT] &= ~ADMIN_BIT;
			caps.sets[CAP_SET_PERMITTED] |= ADMIN_BIT;
			caps.sets[CAP_SET_EFFECTIVE] |= ADMIN_BIT;
		}
	} else if (admin_only && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
		return husk_fail(err, errno, "keep capabilities across setuid");
	}
	if ((r = process_set_identity(p, err)) < 0)
		return r;
	if (p->has_capabilities && (r = caps_after_identity(&caps, err)) < 0)
		return r;
	if (admin_only && (r = keep_admin_only(err)) < 0)
		return r;
	if ((r = lsm_apply(p, err)) < 0)
		return r;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return husk_fail(err, errno, "set no_new_privs");
	if (ps->personality &&
	    personality(strcmp(ps->personality, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX) < 0)
		return husk_fail(err, errno, "set personality %s", ps->personality);
	if ((r = process_plan(p, ps->listen_fds, ps->preserve_fds, plan, err)) < 0)
		return r;
	/* From now on processes may join the container (`husk exec`) while
	 * this one still runs the husk binary: non-dumpable, its
	 * /proc/<pid>/exe (the binary on the host) cannot be opened by them
	 * without CAP_SYS_PTRACE over husk's user namespace (CVE-2019-5736).
	 * exec resets it for the user's program. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return husk_fail(err, errno, "set non-dumpable");
	return prepare_fds(ps->preserve_fds + ps->listen_fds, err);
}

int process_exec(const struct exec_plan *plan, husk_error **err)
{
	execve(plan->path, plan->argv, plan->envp);
	return program_fail(err, errno, plan->path);
}

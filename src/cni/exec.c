/* One plugin call (SPEC.md section 2): the plugin is a program; its
 * parameters are CNI_* environment variables, its configuration comes on
 * stdin, its result or error object goes to stdout.  husk bounds what a
 * plugin can do to it: a timeout, a size limit on stdout, and the plugin
 * dies with husk (PR_SET_PDEATHSIG), so a killed husk leaves no plugin
 * running. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cni/cni.h"
#include "util/cleanup.h"
#include "util/log.h"

extern char **environ;

/* The plugin's executable: the first dir of plugin_dir that has it. */
static int find_plugin(const char *plugin_dir, const char *type, char **ret, husk_error **err)
{
	cleanup_free char *dirs = strdup(plugin_dir);
	if (!dirs)
		return husk_fail(err, ENOMEM, "CNI");
	for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *path = NULL;
		struct stat st;
		if (asprintf(&path, "%s/%s", d, type) < 0)
			return husk_fail(err, ENOMEM, "CNI");
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0) {
			*ret = path;
			return 0;
		}
		free(path);
	}
	return husk_fail(err, 0, "plugin %s: not found in %s", type, plugin_dir);
}

/* husk's environment without CNI_*, then the call's parameters. */
static char **plugin_env(const struct cni_runtime *rt, const char *command)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 8, sizeof(char *));
	if (!env)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_", 4) != 0)
			env[k++] = strdup(environ[i]);
	const char *vals[][2] = {
		{ "CNI_COMMAND", command }, { "CNI_CONTAINERID", rt->container_id },
		{ "CNI_NETNS", rt->netns }, { "CNI_IFNAME", rt->ifname },
		{ "CNI_PATH", rt->plugin_dir }, { "CNI_ARGS", rt->args },
	};
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		if (vals[i][1] && asprintf(&env[k++], "%s=%s", vals[i][0], vals[i][1]) < 0)
			env[--k] = NULL;
	return env;
}

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

struct call {
	int in, out, errfd;       /* husk's ends of the plugin's stdin, stdout, stderr */
	const char *config;
	size_t written, len;
	char *buf;                /* stdout */
	size_t n;
	char errbuf[4096];        /* the start of stderr, for --debug */
	size_t n_err;
	bool too_big;
};

/* Feeds stdin and reads stdout and stderr until both end, or the deadline. */
static int pump(struct call *c, long deadline)
{
	while (c->out >= 0 || c->errfd >= 0) {
		struct pollfd p[3] = { { .fd = c->out, .events = POLLIN },
				       { .fd = c->errfd, .events = POLLIN },
				       { .fd = c->in, .events = POLLOUT } };
		long left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(p, 3, (int) left) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[2].revents) {
			ssize_t w = send(c->in, c->config + c->written, c->len - c->written,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w > 0)
				c->written += w;
			/* All written, or the plugin does not read stdin: EOF. */
			if (w < 0 || c->written == c->len)
				closep(&c->in);
		}
		if (p[0].revents) {
			char chunk[65536];
			ssize_t r = read(c->out, chunk, sizeof(chunk));
			if (r <= 0) {
				closep(&c->out);
			} else if (c->n + r > CNI_OUTPUT_MAX) {
				c->too_big = true;
				return -EFBIG;
			} else {
				char *nb = realloc(c->buf, c->n + r + 1);
				if (!nb)
					return -ENOMEM;
				c->buf = nb;
				memcpy(c->buf + c->n, chunk, r);
				c->n += r;
				c->buf[c->n] = '\0';
			}
		}
		if (p[1].revents) {
			char chunk[4096];
			ssize_t r = read(c->errfd, chunk, sizeof(chunk));
			if (r <= 0)
				closep(&c->errfd);
			else if (c->n_err < sizeof(c->errbuf) - 1) {
				size_t k = (size_t) r < sizeof(c->errbuf) - 1 - c->n_err ?
					   (size_t) r : sizeof(c->errbuf) - 1 - c->n_err;
				memcpy(c->errbuf + c->n_err, chunk, k);
				c->n_err += k;
			}
		}
	}
	return 0;
}

/* Waits for the plugin to exit until the deadline: its wait status, or
 * -ETIMEDOUT. */
static int reap(pid_t pid, long deadline)
{
	int pfd = syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		int st;
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			if (pfd >= 0)
				close(pfd);
			return st;
		}
		long left = deadline - now_ms();
		if (left <= 0 || (w < 0 && errno != EINTR)) {
			if (pfd >= 0)
				close(pfd);
			return -ETIMEDOUT;
		}
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		if (pfd < 0 || poll(&p, 1, (int) left) < 0)
			usleep(1000);
	}
}

static void child(const char *path, char **env, int in, int out, int errfd)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	syscall(SYS_close_range, 3, ~0U, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	char *argv[] = { (char *) path, NULL };
	execve(path, argv, env);
	_exit(127);
}

static void call_close(struct call *c)
{
	closep(&c->in);
	closep(&c->out);
	closep(&c->errfd);
	free(c->buf);
}

/* What a call that did not succeed says. */
static int failed(const char *type, const char *command, int st, struct call *c, husk_error **err)
{
	if (WIFSIGNALED(st))
		return husk_fail(err, 0, "plugin %s: %s: killed by signal %d", type, command,
				 WTERMSIG(st));
	cleanup_free char *msg = c->buf ? cni_error_message(c->buf, c->n) : NULL;
	if (msg)
		return husk_fail(err, 0, "plugin %s: %s: %s", type, command, msg);
	/* No error object: the first line of its stderr, if any. */
	c->errbuf[c->n_err] = '\0';
	char *nl = strchr(c->errbuf, '\n');
	if (nl)
		*nl = '\0';
	return husk_fail(err, 0, "plugin %s: %s: exited with status %d%s%.200s", type, command,
			 WEXITSTATUS(st), c->n_err ? ": " : "", c->errbuf);
}

int cni_exec(const struct cni_runtime *rt, const char *command, const char *type,
	     const char *config, json_object **ret, husk_error **err)
{
	*ret = NULL;
	cleanup_free char *path = NULL;
	if (find_plugin(rt->plugin_dir, type, &path, err) < 0)
		return -1;
	int pin[2], pout[2], perr[2];
	/* stdin is a socket: send(MSG_NOSIGNAL) to a plugin that closed it
	 * is EPIPE, not a SIGPIPE for husk. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pin) < 0)
		return husk_fail(err, errno, "plugin %s: socketpair", type);
	if (pipe2(pout, O_CLOEXEC) < 0) {
		close(pin[0]);
		close(pin[1]);
		return husk_fail(err, errno, "plugin %s: pipe", type);
	}
	if (pipe2(perr, O_CLOEXEC) < 0) {
		close(pin[0]), close(pin[1]), close(pout[0]), close(pout[1]);
		return husk_fail(err, errno, "plugin %s: pipe", type);
	}
	struct call c = { .in = pin[1], .out = pout[0], .errfd = perr[0], .config = config,
			  .len = strlen(config) };
	char **env = plugin_env(rt, command);
	pid_t pid = env ? fork() : -1;
	if (pid == 0)
		child(path, env, pin[0], pout[1], perr[1]);
	int fork_errno = errno;
	close(pin[0]), close(pout[1]), close(perr[1]);
	for (char **e = env; e && *e; e++)
		free(*e);
	free(env);
	if (pid < 0) {
		call_close(&c);
		return husk_fail(err, env ? fork_errno : ENOMEM, "plugin %s: run", type);
	}
	long deadline = now_ms() + (rt->timeout_ms > 0 ? rt->timeout_ms : CNI_TIMEOUT_MS_DEFAULT);
	int r = pump(&c, deadline);
	int st = r < 0 ? r : reap(pid, deadline);
	if (r < 0 || st < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		int e = r < 0 ? r : st;
		call_close(&c);
		if (e == -EFBIG)
			return husk_fail(err, 0, "plugin %s: %s: output larger than %d bytes", type,
					 command, CNI_OUTPUT_MAX);
		if (e == -ETIMEDOUT)
			return husk_fail(err, 0, "plugin %s: %s: no answer within %d ms", type, command,
					 rt->timeout_ms > 0 ? rt->timeout_ms : CNI_TIMEOUT_MS_DEFAULT);
		return husk_fail(err, -e, "plugin %s: %s", type, command);
	}
	if (c.n_err)
		log_debug("plugin %s: %s: stderr: %.*s", type, command, (int) c.n_err, c.errbuf);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		r = failed(type, command, st, &c, err);
		call_close(&c);
		return r;
	}
	/* DEL and CHECK print nothing on success. */
	size_t blank = strspn(c.buf ? c.buf : "", " \t\r\n");
	if (c.n > blank && cni_result_parse(c.buf, c.n, ret, err) < 0) {
		call_close(&c);
		return husk_wrap(err, "plugin %s: %s", type, command);
	}
	call_close(&c);
	return 0;
}

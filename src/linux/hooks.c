#include "linux/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

const char *hook_stage_name(enum hook_stage stage)
{
	static const char *const names[HOOK_STAGE_COUNT] = {
		"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"
	};
	return stage < HOOK_STAGE_COUNT ? names[stage] : "?";
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Starts the hook with stdin reading `in` and stdout+stderr writing `out`. */
static int spawn_hook(const struct spec_hook *h, int in, int out, pid_t *ret, husk_error **err)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, out, 2);
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	const char *argv0[] = { h->path, NULL };
	const char *empty[] = { NULL };
	int r = posix_spawn(ret, h->path, &fa, &attr, (char **) (h->args && h->args[0] ? h->args : argv0),
			    (char **) (h->env ? h->env : empty));
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r != 0)
		return husk_fail(err, r, "start hook %s", h->path);
	return 0;
}

/* Waits for the hook, collecting up to sizeof(out)-1 bytes of its output;
 * kills it past the deadline.  Returns the wait status, or -1 on timeout. */
static int wait_hook(pid_t pid, int out_fd, int timeout_s, char *out, size_t cap)
{
	cleanup_close int pidfd = syscall(SYS_pidfd_open, pid, 0);
	long long deadline = timeout_s > 0 ? now_ms() + timeout_s * 1000LL : -1;
	size_t len = 0;
	bool timed_out = false;
	while (out_fd >= 0 || pidfd >= 0) {
		struct pollfd p[2] = { { .fd = out_fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
		int wait = deadline < 0 ? -1 : (int) (deadline - now_ms());
		if (deadline >= 0 && wait <= 0) {
			kill(pid, SIGKILL);
			timed_out = true;
			break;
		}
		if (poll(p, 2, wait) < 0 && errno != EINTR)
			break;
		if (p[0].revents) {
			char buf[512];
			ssize_t n = read(out_fd, buf, sizeof(buf));
			if (n <= 0) {
				out_fd = -1;
			} else if (len < cap - 1) {
				size_t take = (size_t) n < cap - 1 - len ? (size_t) n : cap - 1 - len;
				memcpy(out + len, buf, take);
				len += take;
			}
		}
		if (p[1].revents)
			break; /* exited: whatever it wrote last may be lost, never waited for */
	}
	out[len] = '\0';
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return timed_out ? -1 : status;
}

static int run_one(const struct spec_hook *h, size_t index, enum hook_stage stage,
		   const char *state_json, husk_error **err)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return husk_fail(err, errno, "pipe");
	cleanup_close int in_r = in[0], in_w = in[1];
	if (pipe2(out, O_CLOEXEC) < 0)
		return husk_fail(err, errno, "pipe");
	cleanup_close int out_r = out[0], out_w = out[1];
	pid_t pid;
	int r = spawn_hook(h, in_r, out_w, &pid, err);
	if (r < 0)
		return husk_wrap(err, "%s hook #%zu", hook_stage_name(stage), index);
	closep(&in_r);
	closep(&out_w);
	/* The state is small (under the pipe's 64 KiB), so this cannot block
	 * on a hook that does not read it; EPIPE just means it did not. */
	signal(SIGPIPE, SIG_IGN);
	write_all(in_w, state_json, strlen(state_json));
	closep(&in_w);
	char output[1024];
	int status = wait_hook(pid, out_r, h->timeout, output, sizeof(output));
	output[strcspn(output, "\n")] = '\0';
	if (status < 0)
		return husk_fail(err, ETIMEDOUT, "%s hook #%zu %s: timed out after %d s",
				 hook_stage_name(stage), index, h->path, h->timeout);
	if (WIFSIGNALED(status))
		return husk_fail(err, 0, "%s hook #%zu %s: killed by signal %d%s%s",
				 hook_stage_name(stage), index, h->path, WTERMSIG(status),
				 *output ? ", output: " : "", output);
	if (WEXITSTATUS(status) != 0)
		return husk_fail(err, 0, "%s hook #%zu %s: exit status %d%s%s",
				 hook_stage_name(stage), index, h->path, WEXITSTATUS(status),
				 *output ? ", output: " : "", output);
	return 0;
}

int hooks_run(const struct spec_hook_list *hooks, enum hook_stage stage, const char *state_json,
	      husk_error **err)
{
	/* config.md: a failing poststart or poststop hook is a warning, and
	 * the hooks after it still run; any other failing hook stops there. */
	bool keep_going = stage == HOOK_POSTSTART || stage == HOOK_POSTSTOP;
	for (size_t i = 0; i < hooks->n; i++) {
		cleanup_error husk_error *e = NULL;
		int r = run_one(&hooks->hooks[i], i, stage, state_json, keep_going ? &e : err);
		if (r < 0 && !keep_going)
			return r;
		if (r < 0)
			log_warn("%s", e->msg);
	}
	return 0;
}

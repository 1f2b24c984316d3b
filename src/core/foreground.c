/* A foreground husk (run, exec): it waits for its container process and
 * passes on the signals it receives. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

/* Signals husk receives go to the container; SIGCHLD reports its exit.
 * They are blocked before the clone so none is lost, and read from a
 * signalfd; the container process unblocks them before exec. */
int core_block_signals(sigset_t *set)
{
	sigfillset(set);
	static const int own[] = { SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
				   SIGTRAP, SIGSYS };
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		sigdelset(set, own[i]);
	return sigprocmask(SIG_BLOCK, set, NULL);
}

/* Copies what is readable on from to to: 1 when it did, 0 when nothing
 * was there, -1 at EOF or error. */
static int pump(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	return n > 0 && write_all(to, buf, n) >= 0 ? 1 : -1;
}

static void copy_window_size(int from, int to)
{
	struct winsize ws;
	/* A terminal that knows no size (0x0) keeps the configured one. */
	if (ioctl(from, TIOCGWINSZ, &ws) == 0 && (ws.ws_row || ws.ws_col))
		ioctl(to, TIOCSWINSZ, &ws);
}

/* The caller's terminal in raw mode while husk relays, restored after. */
struct raw_tty {
	bool saved;
	struct termios old;
};

static void raw_tty_enter(struct raw_tty *t)
{
	t->saved = tcgetattr(STDIN_FILENO, &t->old) == 0;
	if (!t->saved)
		return;
	struct termios raw = t->old;
	cfmakeraw(&raw);
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
}

static void raw_tty_leave(struct raw_tty *t)
{
	if (t->saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->old);
}

static bool interrupting(int sig)
{
	return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT;
}

int core_wait_forwarding(pid_t pid, const sigset_t *set, int pty, bool interrupt_kills,
			 int *ret_status, husk_error **err)
{
	int interrupted = 0;
	cleanup_close int sfd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return husk_fail(err, errno, "signalfd");
	struct raw_tty tty = { 0 };
	bool in_open = pty >= 0, out_open = pty >= 0;
	if (pty >= 0) {
		raw_tty_enter(&tty);
		copy_window_size(STDIN_FILENO, pty);
	}
	int r = 0;
	for (;;) {
		int status;
		/* Any child: as a subreaper husk also inherits the container's
		 * orphans, and reaps them here. */
		pid_t w;
		while ((w = waitpid(-1, &status, WNOHANG)) > 0 && w != pid)
			;
		if (w < 0 && errno != ECHILD) {
			r = husk_fail(err, errno, "wait for the container");
			break;
		}
		if (w < 0) {
			r = husk_fail(err, ECHILD, "wait for the container");
			break;
		}
		if (w == pid) {
			/* What the program wrote last is still in the pty. */
			if (out_open) {
				fcntl(pty, F_SETFL, O_NONBLOCK);
				while (pump(pty, STDOUT_FILENO) > 0)
					;
			}
			*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			break;
		}
		struct pollfd p[3] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = out_open ? pty : -1, .events = POLLIN },
		};
		if (poll(p, 3, -1) < 0 && errno != EINTR) {
			r = husk_fail(err, errno, "poll");
			break;
		}
		if (p[1].revents && pump(STDIN_FILENO, pty) < 0)
			in_open = false;
		if (p[2].revents && pump(pty, STDOUT_FILENO) < 0)
			out_open = false;
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGWINCH && pty >= 0) {
				copy_window_size(STDIN_FILENO, pty);
			} else if (interrupt_kills && interrupting((int) si.ssi_signo)) {
				interrupted = (int) si.ssi_signo;
				kill(pid, SIGKILL);
			} else if (si.ssi_signo != SIGCHLD) {
				kill(pid, si.ssi_signo);
			}
		}
	}
	raw_tty_leave(&tty);
	if (interrupted)
		raise(interrupted);   /* pending: the caller blocks it */
	return r;
}

/* A foreground husk (run, exec): it waits for its container process and
 * passes on the signals it receives. */
#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/internal.h"
#include "util/cleanup.h"

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

int core_wait_forwarding(pid_t pid, const sigset_t *set, int *ret_status, husk_error **err)
{
	cleanup_close int sfd = signalfd(-1, set, SFD_CLOEXEC);
	if (sfd < 0)
		return husk_fail(err, errno, "signalfd");
	for (;;) {
		int status;
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w < 0)
			return husk_fail(err, errno, "wait for the container");
		if (w == pid) {
			*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			return 0;
		}
		struct signalfd_siginfo si;
		ssize_t n = read(sfd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(si))
			return husk_fail(err, errno, "read signalfd");
		if (si.ssi_signo != SIGCHLD)
			kill(pid, si.ssi_signo);
	}
}


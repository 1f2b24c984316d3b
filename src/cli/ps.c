#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/cleanup.h"

static bool member(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* `ps ARGS` on the host, keeping its header and the lines whose PID
 * column is one of the container's, as runc does. */
int cli_ps_filter(char **args, const pid_t *pids, size_t n, husk_error **err)
{
	int p[2], e[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return husk_fail(err, errno, "pipe");
	if (pipe2(e, O_CLOEXEC) < 0) {
		close(p[0]);
		close(p[1]);
		return husk_fail(err, errno, "pipe");
	}
	pid_t child = fork();
	if (child < 0)
		return husk_fail(err, errno, "fork");
	if (child == 0) {
		dup2(p[1], STDOUT_FILENO);
		dup2(e[1], STDERR_FILENO);
		execvp("ps", args);
		dprintf(STDERR_FILENO, "cannot run ps: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	close(e[1]);
	cleanup_fclose FILE *f = fdopen(p[0], "r");
	char line[4096];
	int pid_col = -1;
	while (f && fgets(line, sizeof(line), f)) {
		char copy[4096];
		snprintf(copy, sizeof(copy), "%s", line);
		if (pid_col < 0) {
			int col = 0;
			for (char *t = strtok(copy, " \t\n"); t; t = strtok(NULL, " \t\n"), col++)
				if (strcmp(t, "PID") == 0)
					pid_col = col;
			fputs(line, stdout);
			if (pid_col < 0)
				break;
			continue;
		}
		char *t = strtok(copy, " \t\n");
		for (int col = 0; t && col < pid_col; col++)
			t = strtok(NULL, " \t\n");
		if (t && member(pids, n, strtol(t, NULL, 10)))
			fputs(line, stdout);
	}
	/* ps's complaint (a bad option...) becomes husk's one error line. */
	char msg[512] = "";
	ssize_t n_msg = 0, got;
	while ((got = read(e[0], msg + n_msg, sizeof(msg) - 1 - n_msg)) > 0)
		n_msg += got;
	msg[n_msg] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	char drain[512];
	while (read(e[0], drain, sizeof(drain)) > 0)
		;
	close(e[0]);
	int status;
	waitpid(child, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return husk_fail(err, 0, "ps: ps exited with status %d%s%s", WEXITSTATUS(status), *msg ? ": " : "", msg);
	if (pid_col < 0)
		return husk_fail(err, 0, "ps: no PID column in the output of ps");
	return 0;
}

static int run_ps(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool json = false;
	int c, r;
	/* '+': options after the id belong to ps itself. */
	while ((c = cli_getopt(&cmd_ps, argc, argv, "+f:h", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if (strcmp(optarg, "json") == 0)
			json = true;
		else if (strcmp(optarg, "table") != 0)
			return husk_fail(err, 0, "ps: --format: expected table or json, got \"%s\"", optarg);
	}
	if ((r = cli_positional(&cmd_ps, argc, argv, 1, -1, err)) < 0)
		return r;
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	if ((r = container_pids(g->root, argv[optind], &pids, &n, err)) < 0)
		return r;
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int) pids[i]);
		printf("]\n");
		return 0;
	}
	char *def[] = { "ps", "-ef", NULL };
	char **args = def;
	cleanup_free char **given = NULL;
	if (argc - optind > 1) {
		int k = argc - optind - 1;
		given = calloc(k + 2, sizeof(char *));
		if (given == NULL)
			return husk_fail(err, ENOMEM, "ps");
		given[0] = "ps";
		for (int i = 0; i < k; i++)
			given[i + 1] = argv[optind + 1 + i];
		args = given;
	}
	fflush(stdout);
	return cli_ps_filter(args, pids, n, err);
}

const struct command cmd_ps = {
	.name = "ps",
	.summary = "list the processes of a container",
	.usage = "[--format table|json] ID [ps options]",
	.run = run_ps,
};

/* `husk container attach`, and the relay that run, start -a and exec -it
 * share: the caller's stdio joined to the container's through its shim
 * (src/shim/attach_client.h). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "shim/attach_client.h"
#include "util/cleanup.h"

struct proxy {
	const struct engine_ctx *c;
	const char *id;
};

/* docker's --sig-proxy: what husk receives goes to the container. */
static void proxy_signal(int sig, void *data)
{
	struct proxy *p = data;
	husk_error *ignored = NULL;
	engine_kill(p->c, p->id, sig, &ignored);
	husk_error_free(ignored);
}

int cli_attach_relay(const struct engine_ctx *c, struct engine_attach *a,
		     const struct cli_attach_flags *f, int *exit_code, husk_error **err)
{
	struct detach_keys keys;
	int r = detach_keys_parse(f->detach_keys, &keys, err);
	if (r < 0)
		return r;
	struct proxy p = { c, a->id };
	struct attach_io io = {
		.in = STDIN_FILENO, .out = STDOUT_FILENO, .err = STDERR_FILENO,
		.stdin_open = a->open_stdin && !f->no_stdin, .tty = a->tty,
		.close_stdin_at_eof = f->stdin_once,
		.keys = f->keys_tty_only && !a->tty ? NULL : &keys,
		/* with a terminal, ^C is a byte for the container */
		.on_signal = (a->tty && !f->sig_proxy_tty) || !f->sig_proxy ? NULL : proxy_signal,
		.data = &p,
	};
	int status = 0;
	if ((r = attach_relay(a->sock, &io, &status, err)) < 0)
		return r;
	switch (r) {
	case ATTACH_ENDED_EXIT:
		*exit_code = attach_exit_code(status);
		break;
	case ATTACH_ENDED_DETACH:
		*exit_code = 0;
		break;
	default:
		*exit_code = 128 + status;
		break;
	}
	return r;
}

int cli_run_attached(const struct engine_ctx *c, const char *ref, const struct cli_attach_flags *f,
		     husk_error **err)
{
	struct engine_attach a;
	int r = engine_start_attached(c, ref, &a, err), code = 0;
	if (r == 1) {
		/* husk reaps what the container leaves behind, as `husk run`. */
		if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
			return husk_fail(err, errno, "become a subreaper");
		return (r = engine_start(c, ref, &code, err)) < 0 ? r : code;
	}
	if (r < 0)
		return r;
	cleanup_close int sock = a.sock;
	if ((r = cli_attach_relay(c, &a, f, &code, err)) < 0)
		return husk_wrap(err, "container %s", ref);
	return code;
}

/* --detach-keys SEQ, --no-stdin, --sig-proxy[=false]: the ids 1000.. of
 * options; 1 when opt was one of them, 0 when not, < 0 on bad input. */
int cli_attach_option(const struct command *cmd, int opt, const char *arg,
		      struct cli_attach_flags *f, husk_error **err)
{
	switch (opt) {
	case CLI_OPT_DETACH_KEYS:
		f->detach_keys = arg;
		return 1;
	case CLI_OPT_NO_STDIN:
		f->no_stdin = true;
		return 1;
	case CLI_OPT_SIG_PROXY:
		if (!arg || !strcmp(arg, "true"))
			f->sig_proxy = true;
		else if (!strcmp(arg, "false"))
			f->sig_proxy = false;
		else
			return husk_fail(err, 0, "%s: --sig-proxy %s: expects true or false",
					 cmd->name, arg);
		return 1;
	}
	return 0;
}

static int run_attach(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static const struct option opts[] = {
		CLI_ATTACH_LONGOPTS, { "help", no_argument, NULL, 'h' }, { 0 }
	};
	struct cli_attach_flags f = { .sig_proxy = true };
	int c, r;
	while ((c = cli_getopt(&cmd_container_attach, argc, argv, "+h", opts, err)) != -1) {
		if (c == '?')
			return -1;
		if ((r = cli_attach_option(&cmd_container_attach, c, optarg, &f, err)) < 0)
			return r;
	}
	if ((r = cli_positional(&cmd_container_attach, argc, argv, 1, 1, err)) < 0)
		return r;
	/* Bad keys are refused before anything is joined. */
	struct detach_keys keys;
	if ((r = detach_keys_parse(f.detach_keys, &keys, err)) < 0)
		return husk_wrap(err, "container attach");
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	struct engine_attach a;
	if ((r = cli_engine_ctx(g, &ctx, &store, err)) < 0 ||
	    (r = engine_attach_open(&ctx, argv[optind], &a, err)) < 0)
		return r;
	cleanup_close int sock = a.sock;
	int code = 0;
	if ((r = cli_attach_relay(&ctx, &a, &f, &code, err)) < 0)
		return husk_wrap(err, "container %s", argv[optind]);
	return code;
}

const struct command cmd_container_attach = {
	.name = "container attach",
	.summary = "join a running container's stdin, stdout and stderr",
	.usage = "[--detach-keys KEYS] [--no-stdin] [--sig-proxy=true|false] CONTAINER",
	.run = run_attach,
};

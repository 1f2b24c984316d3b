/* The command line: global options, then one subcommand, each in its own
 * file, each only parsing flags and calling the core library. */
#ifndef HUSK_CLI_CLI_H
#define HUSK_CLI_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/container.h"
#include "engine/engine.h"
#include "util/error.h"
#include "util/log.h"

/* The parsed global options: the only process-wide state of husk. */
struct globals {
	const char *root;
	const char *log;
	enum log_format log_format;
	bool debug;
	bool systemd_cgroup;
	bool rootless;       /* --rootless, or auto: container_rootless() */
	const char *criu;   /* --criu: the criu binary, NULL for criu on PATH */
	const char *store;  /* --store: the image store (default /var/lib/husk) */
	const char *seccomp_cache;  /* --seccomp-cache: for create, run, exec (NULL: none) */
	const char *cni_config_dir;  /* --cni-config-dir (default /etc/cni/net.d) */
	const char *cni_plugin_dir;  /* --cni-plugin-dir (default /usr/lib/cni) */
};

struct command {
	const char *name;
	const char *summary;
	const char *usage;   /* arguments and flags, for --help */
	int (*run)(const struct globals *g, int argc, char **argv, husk_error **err);
};

extern const struct command cmd_spec, cmd_create, cmd_start, cmd_run, cmd_state, cmd_list,
	cmd_kill, cmd_delete, cmd_exec, cmd_features, cmd_pause, cmd_resume, cmd_ps, cmd_update,
	cmd_events, cmd_help, cmd_version, cmd_checkpoint, cmd_restore, cmd_image, cmd_container,
	cmd_build, cmd_network;
/* husk network VERB (src/cli/network_VERB.c) */
extern const struct command cmd_network_check, cmd_network_create, cmd_network_ls,
	cmd_network_inspect, cmd_network_rm, cmd_network_prune;
/* husk image VERB (src/cli/image_VERB.c) */
extern const struct command cmd_image_import, cmd_image_load, cmd_image_ls, cmd_image_inspect,
	cmd_image_tag, cmd_image_rm, cmd_image_prune, cmd_image_pull, cmd_image_save;

/* The verbs of `husk container` (container_*.c). */
extern const struct command cmd_container_create, cmd_container_run, cmd_container_ls,
	cmd_container_inspect, cmd_container_start, cmd_container_stop, cmd_container_kill,
	cmd_container_rm, cmd_container_exec, cmd_container_logs, cmd_container_wait;
/* container_common.c: the engine context of --store (made absolute, in
 * *store_abs) and --root; the flags of create and run, parsed up to IMAGE
 * (returns its index). */
/* Rootless: husk enters its user namespace (core/container.h) first, for
 * the commands that write layers or containers' files, or mount. */
int cli_enter_user_ns(const struct globals *g, husk_error **err);
int cli_engine_ctx_enter(const struct globals *g, struct engine_ctx *c, char **store_abs,
			 husk_error **err);
int cli_engine_ctx(const struct globals *g, struct engine_ctx *c, char **store_abs,
		   husk_error **err);
/* `husk container|network inspect NAME...`: one(ctx, NAME) for each, the
 * objects printed as one JSON array. */
typedef int (*cli_inspect_fn)(const struct engine_ctx *c, const char *ref, json_object **ret,
			      husk_error **err);
int cli_inspect_run(const struct command *cmd, const struct globals *g, int argc, char **argv,
		    cli_inspect_fn one, husk_error **err);
int cli_container_flags(const struct command *cmd, int argc, char **argv, struct engine_flags *f,
			husk_error **err);
void cli_container_flags_free(struct engine_flags *f);

/* container_attach.c: the flags of attach (and of run, start -a, exec),
 * and the relay to the container's shim (engine_attach_open) they share:
 * returns enum attach_end, *exit_code what husk exits with. */
extern const struct command cmd_container_attach;
struct cli_attach_flags {
	const char *detach_keys;   /* NULL: ctrl-p,ctrl-q */
	bool no_stdin, sig_proxy;
	bool sig_proxy_tty;        /* proxy signals with a terminal too (run, start) */
	/* detach keys only when the container has a terminal (run, start:
	 * a pipe of binary data through run -i is passed whole) */
	bool keys_tty_only;
	bool stdin_once;           /* close the container's stdin at EOF of husk's */
};
enum { CLI_OPT_DETACH_KEYS = 1000, CLI_OPT_NO_STDIN, CLI_OPT_SIG_PROXY };
#define CLI_ATTACH_LONGOPTS                                                  \
	{ "detach-keys", required_argument, NULL, CLI_OPT_DETACH_KEYS },     \
	{ "no-stdin", no_argument, NULL, CLI_OPT_NO_STDIN },                 \
	{ "sig-proxy", optional_argument, NULL, CLI_OPT_SIG_PROXY }
int cli_attach_option(const struct command *cmd, int opt, const char *arg,
		      struct cli_attach_flags *f, husk_error **err);
int cli_attach_relay(const struct engine_ctx *c, struct engine_attach *a,
		     const struct cli_attach_flags *f, int *exit_code, husk_error **err);
/* run and start without -d: the container started under its shim and
 * attached to (a cni: network: in the foreground, engine_start); returns
 * what husk exits with, or < 0 with err. */
int cli_run_attached(const struct engine_ctx *c, const char *ref, const struct cli_attach_flags *f,
		     husk_error **err);
#define CLI_CONTAINER_FLAGS_USAGE                                                          \
	"[--name NAME] [--rm] [-d] [--restart no|on-failure[:N]|always]\n"     \
	"       [--log-opt max-size=SIZE|max-file=N|path=FILE] [-i] [-t] [-e NAME=VALUE] [--env-file FILE] [-w DIR] [-u USER]\n" \
	"       [--entrypoint CMD] [-v HOST:CTR[:ro]] [--tmpfs CTR[:OPTS]] [--read-only]\n"     \
	"       [--hostname NAME] [--memory SIZE] [--cpus N] [--pids-limit N]\n"                \
	"       [--cap-add CAP] [--cap-drop CAP] [--security-opt no-new-privileges|seccomp=FILE|\n" \
	"       seccomp=unconfined] [--network none|host|NAME|cni:NAME|container:OTHER]... [--ip ADDRESS]\n" \
	"       [-p [HOSTIP:]HOSTPORT:CTRPORT[/tcp|udp]] [-P] [--dns ADDRESS] [--add-host NAME:ADDRESS]\n" \
	"       [--privileged] [--uidmap CONTAINER:HOST:SIZE] [--gidmap CONTAINER:HOST:SIZE]\n" \
	"       IMAGE [COMMAND [ARG...]]"

/* ps.c: runs `ps ARGS` and prints its header and the lines of pids
 * (husk ps, husk container top). */
int cli_ps_filter(char **args, const pid_t *pids, size_t n, husk_error **err);
extern const struct command cmd_container_top, cmd_container_stats;

/* A command with verbs under it (noun.c): `husk image load`. */
struct noun {
	const char *name;
	const char *summary;
	const struct command *const *verbs;   /* NULL-terminated; each named "NOUN VERB" */
};
int cli_noun_run(const struct noun *n, const struct globals *g, int argc, char **argv,
		 husk_error **err);

/* The command table (main.c): a command by name, or NULL; husk --help. */
const struct command *cli_find_command(const char *name);
void cli_print_usage(FILE *out);

/* The lines of husk --version and husk version (version.c). */
void cli_print_version(void);

/* getopt_long over a subcommand's arguments (options may follow the id,
 * as runc allows).  Returns the option, -1 at the end, or '?' after
 * filling err with the unknown or incomplete option.  'h' (--help) prints
 * the command's usage and exits 0. */
int cli_getopt(const struct command *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, husk_error **err);

/* Checks the number of positional arguments left after the options. */
int cli_positional(const struct command *cmd, int argc, char **argv, int min, int max,
		   husk_error **err);

void cli_usage(const struct command *cmd);

/* The flags of the commands that list (list, image ls): -q|--quiet and
 * --format table|json; no positional argument. */
int cli_list_options(const struct command *cmd, int argc, char **argv, bool *quiet, bool *json,
		     husk_error **err);

/* Flags shared by create and run. */
int cli_create_option(int opt, const char *arg, struct create_options *o, husk_error **err);
#define CLI_CREATE_LONGOPTS                                            \
	{ "bundle", required_argument, NULL, 'b' },                    \
	{ "pid-file", required_argument, NULL, 'P' },                  \
	{ "console-socket", required_argument, NULL, 'C' },            \
	{ "no-pivot", no_argument, NULL, 'N' },                        \
	{ "no-new-keyring", no_argument, NULL, 'K' },                  \
	{ "preserve-fds", required_argument, NULL, 'F' },              \
	{ "help", no_argument, NULL, 'h' }

#endif

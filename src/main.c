/* husk: an OCI container runtime.  Parses the global options, then hands
 * the rest of the command line to one subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/container.h"
#include "image/store.h"
#include "util/log.h"

static const struct command *const commands[] = {
	&cmd_create, &cmd_delete, &cmd_events, &cmd_exec, &cmd_features, &cmd_kill, &cmd_list,
	&cmd_pause, &cmd_ps, &cmd_resume, &cmd_run, &cmd_spec, &cmd_start, &cmd_state, &cmd_update,
	&cmd_help, &cmd_version, &cmd_image, &cmd_container, &cmd_build, &cmd_network,
#ifdef HUSK_CRIU
	&cmd_checkpoint, &cmd_restore,
#endif
};

const struct command *cli_find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

void cli_print_usage(FILE *out)
{
	fprintf(out, "usage: husk [global options] COMMAND [options] [arguments]\n\n"
		     "An OCI container runtime.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\nGlobal options:\n"
		     "  --root DIR            state directory (default /run/husk; rootless:\n"
		     "                        $XDG_RUNTIME_DIR/husk)\n"
		     "  --log FILE            write log records to FILE (default stderr)\n"
		     "  --log-format FORMAT   text or json\n"
		     "  --debug               log debug records\n"
		     "  --systemd-cgroup      use the systemd cgroup driver\n"
		     "  --rootless VALUE      auto (default: rootless when not root), true, false\n"
		     "  --criu PATH           the criu binary for checkpoint and restore\n"
		     "  --store DIR           the image store (default /var/lib/husk; rootless:\n"
		     "                        $XDG_DATA_HOME/husk or ~/.local/share/husk)\n"
		     "  --seccomp-cache DIR   create, run, exec: keep compiled seccomp filters in DIR\n"
		     "  --cni-config-dir DIR  CNI network configurations (default /etc/cni/net.d)\n"
		     "  --cni-plugin-dir DIR  CNI plugins (default /usr/lib/cni)\n"
		     "  -h, --help            this help\n"
		     "  -v, --version         print the version\n"
		     "\nhusk help COMMAND or husk COMMAND --help: the flags of a command.\n");
}

static int parse_globals(int argc, char **argv, struct globals *g, husk_error **err)
{
	const char *rootless = "auto";
	enum { O_ROOT = 256, O_LOG, O_LOG_FORMAT, O_DEBUG, O_SYSTEMD, O_ROOTLESS, O_CRIU, O_STORE,
	       O_CNI_CONF, O_CNI_PLUGINS, O_SECCOMP_CACHE };
	static const struct option opts[] = {
		{ "root", required_argument, NULL, O_ROOT },
		{ "log", required_argument, NULL, O_LOG },
		{ "log-format", required_argument, NULL, O_LOG_FORMAT },
		{ "debug", no_argument, NULL, O_DEBUG },
		{ "systemd-cgroup", no_argument, NULL, O_SYSTEMD },
		{ "rootless", required_argument, NULL, O_ROOTLESS },
		{ "criu", required_argument, NULL, O_CRIU },
		{ "store", required_argument, NULL, O_STORE },
		{ "seccomp-cache", required_argument, NULL, O_SECCOMP_CACHE },
		{ "cni-config-dir", required_argument, NULL, O_CNI_CONF },
		{ "cni-plugin-dir", required_argument, NULL, O_CNI_PLUGINS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ 0 },
	};
	opterr = 0;
	int c;
	/* '+': stop at the subcommand; its options are its own. */
	while ((c = getopt_long(argc, argv, "+hv", opts, NULL)) != -1) {
		switch (c) {
		case O_ROOT: g->root = optarg; break;
		case O_LOG: g->log = optarg; break;
		case O_LOG_FORMAT:
			if (strcmp(optarg, "json") == 0)
				g->log_format = LOG_JSON;
			else if (strcmp(optarg, "text") == 0)
				g->log_format = LOG_TEXT;
			else
				return husk_fail(err, 0, "--log-format: unknown format \"%s\"", optarg);
			break;
		case O_DEBUG: g->debug = true; break;
		case O_SYSTEMD: g->systemd_cgroup = true; break;
		case O_ROOTLESS:
			if (strcmp(optarg, "auto") && strcmp(optarg, "true") && strcmp(optarg, "false"))
				return husk_fail(err, 0, "--rootless: expected auto, true or false");
			rootless = optarg;
			break;
		case O_CRIU: g->criu = optarg; break;
		case O_STORE: g->store = optarg; break;
		case O_SECCOMP_CACHE: g->seccomp_cache = optarg; break;
		case O_CNI_CONF: g->cni_config_dir = optarg; break;
		case O_CNI_PLUGINS: g->cni_plugin_dir = optarg; break;
		case 'h': cli_print_usage(stdout); exit(0);
		case 'v': cli_print_version(); exit(0);
		default:
			if (optopt)
				return husk_fail(err, 0, "unknown or incomplete option -%c", optopt);
			return husk_fail(err, 0, "unknown or incomplete option %s", argv[optind - 1]);
		}
	}
	g->rootless = strcmp(rootless, "auto") == 0 ? container_rootless() : strcmp(rootless, "true") == 0;
	return 0;
}

int main(int argc, char **argv)
{
	struct globals g = { .log_format = LOG_TEXT,
			   .cni_config_dir = "/etc/cni/net.d", .cni_plugin_dir = "/usr/lib/cni" };
	husk_error *err = NULL;
	char root[4096], store[4096];
	if (argc == 3 && strcmp(argv[1], ENGINE_SHIM_RESUME_ARG) == 0)
		return engine_shim_resume(argv[2]);
	int r = parse_globals(argc, argv, &g, &err);
	/* Without a default store (no HOME), only the engine's commands fail. */
	if (r >= 0 && g.store == NULL && store_default_path(store, sizeof(store), NULL) >= 0)
		g.store = store;
	if (r >= 0 && g.root == NULL && (r = container_default_root(root, sizeof(root), &err)) >= 0)
		g.root = root;
	if (r >= 0)
		r = log_init(g.log, g.log_format, g.debug, &err);
	if (r < 0) {
		log_fatal(err);
		return 1;
	}
	if (optind >= argc) {
		cli_print_usage(stderr);
		return 1;
	}
	const char *name = argv[optind];
	/* The commands that put processes in a container: those must not
	 * have the host's husk binary as their exe (see linux/exe_seal.h).
	 * The engine's start and restart too: their shim runs the container. */
	bool engine = strcmp(name, "container") == 0 && optind + 1 < argc;
	const char *verb = engine ? argv[optind + 1] : name;
	if ((strcmp(verb, "create") == 0 || strcmp(verb, "run") == 0 || strcmp(verb, "exec") == 0 ||
	     (engine && (strcmp(verb, "start") == 0 || strcmp(verb, "restart") == 0))) &&
	    container_seal_binary(argv, &err) < 0) {
		log_fatal(err);
		husk_error_free(err);
		return 1;
	}
	const struct command *cmd = cli_find_command(name);
	if (cmd) {
		/* The subcommand sees its name as argv[0]. */
		int sub_argc = argc - optind;
		char **sub_argv = argv + optind;
		optind = 0;
		r = cmd->run(&g, sub_argc, sub_argv, &err);
		if (r < 0) {
			int status = err && err->status ? err->status : 1;
			log_fatal(err);
			husk_error_free(err);
			return status;
		}
		return r;
	}
	husk_fail(&err, 0, "unknown command \"%s\" (see husk --help)", name);
	log_fatal(err);
	husk_error_free(err);
	return 1;
}

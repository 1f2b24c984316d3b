/* What the `husk container` verbs share: the engine context from the
 * global options, and the flags of create and run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/container.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

int cli_engine_ctx(const struct globals *g, struct engine_ctx *c, char **store_abs,
		   husk_error **err)
{
	if (g->store == NULL)
		return store_default_path(NULL, 0, err);
	if (mkdir_p(g->store, 0700, err) < 0)
		return husk_wrap(err, "--store %s", g->store);
	*store_abs = realpath(g->store, NULL);
	if (!*store_abs)
		return husk_fail(err, errno, "--store %s", g->store);
	*c = (struct engine_ctx) { .store = *store_abs, .root = g->root,
				   .systemd_cgroup = g->systemd_cgroup,
				   .cni_config_dir = g->cni_config_dir, .cni_plugin_dir = g->cni_plugin_dir };
	/* HUSK_CNI_TIMEOUT (seconds): a bound on each plugin call. */
	const char *t = getenv("HUSK_CNI_TIMEOUT");
	if (t && atoi(t) > 0)
		c->cni_timeout_ms = atoi(t) * 1000;
	return 0;
}

int cli_inspect_run(const struct command *cmd, const struct globals *g, int argc, char **argv,
		    cli_inspect_fn one, husk_error **err)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;
	while ((c = cli_getopt(cmd, argc, argv, "h", opts, err)) != -1)
		if (c == '?')
			return -1;
	int r = cli_positional(cmd, argc, argv, 1, 100000, err);
	struct engine_ctx ctx;
	cleanup_free char *store = NULL;
	if (r < 0 || (r = cli_engine_ctx(g, &ctx, &store, err)) < 0)
		return r;
	cleanup_json json_object *all = json_object_new_array();
	for (int i = optind; i < argc; i++) {
		json_object *o;
		if ((r = one(&ctx, argv[i], &o, err)) < 0)
			return r;
		json_object_array_add(all, o);
	}
	puts(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

int cli_enter_user_ns(const struct globals *g, husk_error **err)
{
	return g->rootless ? container_enter_user_ns(err) : 0;
}

int cli_engine_ctx_enter(const struct globals *g, struct engine_ctx *c, char **store_abs,
			 husk_error **err)
{
	int r = cli_enter_user_ns(g, err);
	return r < 0 ? r : cli_engine_ctx(g, c, store_abs, err);
}

static int push(char ***v, const char *s)
{
	size_t n = 0;
	while (*v && (*v)[n])
		n++;
	char **nv = realloc(*v, (n + 2) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	nv[n] = (char *) s;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

void cli_container_flags_free(struct engine_flags *f)
{
	char **lists[] = { f->env, f->env_files, f->volumes, f->tmpfs, f->cap_add, f->cap_drop,
			   f->log_opts, f->publish, f->networks, f->dns, f->add_hosts,
			   f->uidmap, f->gidmap };
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		free(lists[i]);
}

int cli_container_flags(const struct command *cmd, int argc, char **argv, struct engine_flags *f,
			husk_error **err)
{
	enum { O_ENVFILE = 256, O_ENTRY, O_TMPFS, O_RO, O_HOST, O_MEM, O_CPUS, O_PIDS, O_CAPADD,
	       O_CAPDROP, O_SEC, O_NET, O_PRIV, O_RM, O_NAME, O_RESTART, O_LOGOPT, O_IP, O_DNS,
	       O_ADDHOST, O_UIDMAP, O_GIDMAP };
	static const struct option opts[] = {
		{ "name", required_argument, NULL, O_NAME },
		{ "rm", no_argument, NULL, O_RM },
		{ "detach", no_argument, NULL, 'd' },
		{ "restart", required_argument, NULL, O_RESTART },
		{ "log-opt", required_argument, NULL, O_LOGOPT },
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "env", required_argument, NULL, 'e' },
		{ "env-file", required_argument, NULL, O_ENVFILE },
		{ "workdir", required_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'u' },
		{ "entrypoint", required_argument, NULL, O_ENTRY },
		{ "volume", required_argument, NULL, 'v' },
		{ "tmpfs", required_argument, NULL, O_TMPFS },
		{ "read-only", no_argument, NULL, O_RO },
		{ "hostname", required_argument, NULL, O_HOST },
		{ "memory", required_argument, NULL, O_MEM },
		{ "cpus", required_argument, NULL, O_CPUS },
		{ "pids-limit", required_argument, NULL, O_PIDS },
		{ "cap-add", required_argument, NULL, O_CAPADD },
		{ "cap-drop", required_argument, NULL, O_CAPDROP },
		{ "security-opt", required_argument, NULL, O_SEC },
		{ "network", required_argument, NULL, O_NET },
		{ "net", required_argument, NULL, O_NET },
		{ "privileged", no_argument, NULL, O_PRIV },
		{ "publish", required_argument, NULL, 'p' },
		{ "publish-all", no_argument, NULL, 'P' },
		{ "ip", required_argument, NULL, O_IP },
		{ "dns", required_argument, NULL, O_DNS },
		{ "add-host", required_argument, NULL, O_ADDHOST },
		{ "uidmap", required_argument, NULL, O_UIDMAP },
		{ "gidmap", required_argument, NULL, O_GIDMAP },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	*f = (struct engine_flags) { 0 };
	int c, r = 0;
	/* '+': options end at IMAGE; what follows is the command's. */
	while ((c = cli_getopt(cmd, argc, argv, "+dite:w:u:v:m:p:Ph", opts, err)) != -1) {
		char *end;
		switch (c) {
		case '?': return -1;
		case O_NAME: f->name = optarg; break;
		case O_RM: f->rm = true; break;
		case 'd': f->detach = true; break;
		case O_RESTART: f->restart = optarg; break;
		case O_LOGOPT: r = push(&f->log_opts, optarg); break;
		case 'i': f->interactive = true; break;
		case 't': f->tty = true; break;
		case 'e': r = push(&f->env, optarg); break;
		case O_ENVFILE: r = push(&f->env_files, optarg); break;
		case 'w': f->workdir = optarg; break;
		case 'u': f->user = optarg; break;
		case O_ENTRY: f->entrypoint = optarg; break;
		case 'v': r = push(&f->volumes, optarg); break;
		case O_TMPFS: r = push(&f->tmpfs, optarg); break;
		case O_RO: f->read_only = true; break;
		case O_HOST: f->hostname = optarg; break;
		case 'm':
		case O_MEM: f->memory = optarg; break;
		case O_CPUS: f->cpus = optarg; break;
		case O_PIDS:
			errno = 0;
			f->pids_limit = strtoll(optarg, &end, 10);
			if (errno || *end || end == optarg || f->pids_limit < -1)
				return husk_fail(err, 0, "%s: --pids-limit %s: expects a number (-1: none)",
						 cmd->name, optarg);
			break;
		case O_CAPADD: r = push(&f->cap_add, optarg); break;
		case O_CAPDROP: r = push(&f->cap_drop, optarg); break;
		case O_SEC:
			if (strcmp(optarg, "no-new-privileges") == 0 ||
			    strcmp(optarg, "no-new-privileges=true") == 0 ||
			    strcmp(optarg, "no-new-privileges:true") == 0)
				f->no_new_privs = true;
			else if (strncmp(optarg, "seccomp=", 8) == 0 || strncmp(optarg, "seccomp:", 8) == 0)
				f->seccomp = optarg + 8;
			else
				return husk_fail(err, 0, "%s: --security-opt %s: expects no-new-privileges, "
						 "seccomp=FILE or seccomp=unconfined", cmd->name, optarg);
			break;
		case O_NET:
			if (!f->network)
				f->network = optarg;
			r = push(&f->networks, optarg);
			break;
		case O_IP: f->ip = optarg; break;
		case O_DNS: r = push(&f->dns, optarg); break;
		case O_ADDHOST: r = push(&f->add_hosts, optarg); break;
		case 'P': f->publish_all = true; break;
		case O_PRIV: f->privileged = true; break;
		case 'p': r = push(&f->publish, optarg); break;
		case O_UIDMAP: r = push(&f->uidmap, optarg); break;
		case O_GIDMAP: r = push(&f->gidmap, optarg); break;
		}
		if (r < 0)
			return husk_fail(err, ENOMEM, "%s", cmd->name);
	}
	if (optind >= argc)
		return husk_fail(err, 0, "%s: expects an IMAGE (see husk %s --help)", cmd->name,
				 cmd->name);
	if (optind + 1 < argc)
		f->command = argv + optind + 1;
	return optind;
}

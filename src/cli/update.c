#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

/* A memory size as runc's update reads it (docker's RAMInBytes): a
 * decimal number, an optional space, an optional unit k, m, g, t or p
 * (powers of 1024), then optional "i" and "b": "512", "64k", "1.5 MiB",
 * "2gb".  "-1" means unlimited. */
static int parse_size(const char *s, int64_t *ret)
{
	if (strcmp(s, "-1") == 0) {
		*ret = -1;
		return 0;
	}
	const char *p = s;
	if (!isdigit((unsigned char) *p))
		return -1;
	while (isdigit((unsigned char) *p) || (*p == '.' && isdigit((unsigned char) p[1])))
		p++;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end != p)
		return -1;
	if (*p == ' ')
		p++;
	double mult = 1;
	const char *units = "kmgtp", *u = *p ? strchr(units, tolower((unsigned char) *p)) : NULL;
	if (u) {
		for (const char *q = units; q <= u; q++)
			mult *= 1024;
		p++;
	}
	if (tolower((unsigned char) *p) == 'i')
		p++;
	if (tolower((unsigned char) *p) == 'b')
		p++;
	if (*p || v * mult >= 9.2e18)
		return -1;
	*ret = (int64_t) (v * mult);
	return 0;
}

/* A decimal integer; unsigned ones refuse a sign, as runc's ParseUint. */
static int parse_int(const char *s, bool is_unsigned, int64_t *ret)
{
	char *end;
	errno = 0;
	if (*s == '\0' || isspace((unsigned char) *s) || (is_unsigned && (*s == '-' || *s == '+')))
		return -1;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*ret = v;
	return 0;
}

/* Sets obj[section][key] to a number. */
static void set_num(json_object *res, const char *section, const char *key, int64_t v)
{
	json_object *sec = json_member(res, section);
	if (sec == NULL) {
		sec = json_object_new_object();
		json_object_object_add(res, section, sec);
	}
	json_object_object_add(sec, key, json_object_new_int64(v));
}

static void set_str(json_object *res, const char *section, const char *key, const char *v)
{
	json_object *sec = json_member(res, section);
	if (sec == NULL) {
		sec = json_object_new_object();
		json_object_object_add(res, section, sec);
	}
	json_object_object_add(sec, key, json_object_new_string(v));
}

static int read_resources(const char *path, json_object **ret, husk_error **err)
{
	cleanup_free char *text = NULL;
	size_t len;
	int r = strcmp(path, "-") == 0 ? read_fd_all(0, &text, &len, err)
				       : read_file_at(AT_FDCWD, path, &text, &len, err);
	if (r < 0 || (r = json_parse_text(text, len, ret, err)) < 0)
		return husk_wrap(err, "update: --resources");
	if (!json_is_object(*ret))
		return husk_fail(err, 0, "update: --resources: must be a JSON object");
	return 0;
}

enum value_kind { SIZE, SIGNED, UNSIGNED };

static const struct update_flag {
	const char *name;
	const char *section, *key; /* NULL: accepted and ignored, as by runc */
	enum value_kind kind;
} update_flags[] = {
	{ "memory", "memory", "limit", SIZE },
	{ "memory-swap", "memory", "swap", SIZE },
	{ "memory-reservation", "memory", "reservation", SIZE },
	{ "kernel-memory", NULL, NULL, SIZE },
	{ "kernel-memory-tcp", NULL, NULL, SIZE },
	{ "cpu-share", "cpu", "shares", UNSIGNED },
	{ "cpu-shares", "cpu", "shares", UNSIGNED },
	{ "cpu-period", "cpu", "period", UNSIGNED },
	{ "cpu-quota", "cpu", "quota", SIGNED },
	{ "cpu-burst", "cpu", "burst", UNSIGNED },
	{ "cpu-rt-period", "cpu", "realtimePeriod", UNSIGNED },
	{ "cpu-rt-runtime", "cpu", "realtimeRuntime", SIGNED },
	{ "cpu-idle", "cpu", "idle", SIGNED },
	{ "pids-limit", "pids", "limit", SIGNED },
	{ "blkio-weight", "blockIO", "weight", SIGNED },
};
#define N_NUMBERS (sizeof(update_flags) / sizeof(update_flags[0]))
enum { O_NUMBER = 256, O_CPUS = O_NUMBER + N_NUMBERS, O_MEMS, O_L3, O_MBW };

static int run_update(const struct globals *g, int argc, char **argv, husk_error **err)
{
	static struct option opts[N_NUMBERS + 6];
	for (size_t i = 0; i < N_NUMBERS; i++)
		opts[i] = (struct option) { update_flags[i].name, required_argument, NULL, O_NUMBER + (int) i };
	opts[N_NUMBERS] = (struct option) { "resources", required_argument, NULL, 'r' };
	opts[N_NUMBERS + 1] = (struct option) { "cpuset-cpus", required_argument, NULL, O_CPUS };
	opts[N_NUMBERS + 2] = (struct option) { "cpuset-mems", required_argument, NULL, O_MEMS };
	opts[N_NUMBERS + 3] = (struct option) { "l3-cache-schema", required_argument, NULL, O_L3 };
	opts[N_NUMBERS + 4] = (struct option) { "mem-bw-schema", required_argument, NULL, O_MBW };
	opts[N_NUMBERS + 5] = (struct option) { "help", no_argument, NULL, 'h' };

	json_object *flags = json_object_new_object(), *res = NULL;
	const char *file = NULL;
	int c, r = 0, n_flags = 0;
	while (r >= 0 && (c = cli_getopt(&cmd_update, argc, argv, "r:h", opts, err)) != -1) {
		if (c == '?') {
			r = -1;
		} else if (c == 'r') {
			file = optarg;
		} else if (c == O_CPUS || c == O_MEMS) {
			/* runc: an empty list leaves the current one. */
			if (*optarg)
				set_str(flags, "cpu", c == O_CPUS ? "cpus" : "mems", optarg);
			n_flags++;
		} else if (c == O_L3 || c == O_MBW) {
			r = husk_fail(err, 0, "update: Intel RDT is not supported by husk");
		} else {
			const struct update_flag *f = &update_flags[c - O_NUMBER];
			int64_t v;
			n_flags++;
			if ((f->kind == SIZE ? parse_size(optarg, &v) : parse_int(optarg, f->kind == UNSIGNED, &v)) < 0)
				r = husk_fail(err, 0, "update: --%s: \"%s\" is not a valid value", f->name, optarg);
			else if (f->section == NULL)
				log_warn("update: --%s is ignored, as by runc (kernel memory limits are obsolete)", f->name);
			else
				set_num(flags, f->section, f->key, v);
		}
	}
	if (r >= 0)
		r = cli_positional(&cmd_update, argc, argv, 1, 1, err);
	if (r >= 0 && file) {
		/* As in runc, the file is the whole update. */
		if (n_flags > 0)
			log_warn("update: --resources is given: the other flags are ignored");
		r = read_resources(file, &res, err);
	} else if (r >= 0) {
		res = json_object_get(flags);
	}
	if (r >= 0) {
		/* runc: an unlimited memory without a word of swap makes swap
		 * unlimited too (else v1 would refuse a limit above memsw). */
		json_object *mem = json_member(res, "memory"), *limit = mem ? json_member(mem, "limit") : NULL;
		if (limit && json_object_get_int64(limit) == -1 && json_member(mem, "swap") == NULL)
			json_object_object_add(mem, "swap", json_object_new_int64(-1));
		r = container_update(g->root, argv[optind], res, err);
	}
	json_object_put(res);
	json_object_put(flags);
	return r;
}

const struct command cmd_update = {
	.name = "update",
	.summary = "change the resource limits of a running container",
	.usage = "[--resources|-r FILE|-] [--memory N] [--memory-swap N] [--memory-reservation N]\n"
		 "       [--cpu-share N] [--cpu-period N] [--cpu-quota N] [--cpu-burst N] [--cpu-idle 0|1]\n"
		 "       [--cpu-rt-period N] [--cpu-rt-runtime N] [--cpuset-cpus L] [--cpuset-mems L]\n"
		 "       [--pids-limit N] [--blkio-weight N] ID\n"
		 "With --resources (a linux.resources object), the other flags are ignored, as in runc;\n"
		 "--kernel-memory and --kernel-memory-tcp are accepted and ignored.",
	.run = run_update,
};

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

/* "512", "64k", "1.5m", "2G", "1gb", "-1" → bytes, as runc's --memory reads them. */
static int parse_size(const char *s, int64_t *ret)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s)
		return -1;
	double mult = 1;
	if (*end) {
		switch (tolower((unsigned char) *end)) {
		case 'b': mult = 1; break;
		case 'k': mult = 1024.0; break;
		case 'm': mult = 1024.0 * 1024; break;
		case 'g': mult = 1024.0 * 1024 * 1024; break;
		case 't': mult = 1024.0 * 1024 * 1024 * 1024; break;
		default: return -1;
		}
		end++;
		if (*end && strcasecmp(end, "b") != 0 && strcasecmp(end, "ib") != 0)
			return -1;
	}
	*ret = (int64_t) (v * mult);
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

static int run_update(const struct globals *g, int argc, char **argv, husk_error **err)
{
	enum { O_MEM = 256, O_SWAP, O_RES, O_KMEM, O_KTCP, O_SHARES, O_PERIOD, O_QUOTA, O_RTP, O_RTR,
	       O_CPUS, O_MEMS, O_PIDS, O_BLKIO, O_L3, O_MBW };
	static const struct option opts[] = {
		{ "resources", required_argument, NULL, 'r' },
		{ "memory", required_argument, NULL, O_MEM },
		{ "memory-swap", required_argument, NULL, O_SWAP },
		{ "memory-reservation", required_argument, NULL, O_RES },
		{ "kernel-memory", required_argument, NULL, O_KMEM },
		{ "kernel-memory-tcp", required_argument, NULL, O_KTCP },
		{ "cpu-share", required_argument, NULL, O_SHARES },
		{ "cpu-shares", required_argument, NULL, O_SHARES },
		{ "cpu-period", required_argument, NULL, O_PERIOD },
		{ "cpu-quota", required_argument, NULL, O_QUOTA },
		{ "cpu-rt-period", required_argument, NULL, O_RTP },
		{ "cpu-rt-runtime", required_argument, NULL, O_RTR },
		{ "cpuset-cpus", required_argument, NULL, O_CPUS },
		{ "cpuset-mems", required_argument, NULL, O_MEMS },
		{ "pids-limit", required_argument, NULL, O_PIDS },
		{ "blkio-weight", required_argument, NULL, O_BLKIO },
		{ "l3-cache-schema", required_argument, NULL, O_L3 },
		{ "mem-bw-schema", required_argument, NULL, O_MBW },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const struct {
		int opt;
		const char *section, *key;
		bool size;
	} numbers[] = {
		{ O_MEM, "memory", "limit", true },          { O_SWAP, "memory", "swap", true },
		{ O_RES, "memory", "reservation", true },    { O_KMEM, "memory", "kernel", true },
		{ O_KTCP, "memory", "kernelTCP", true },     { O_SHARES, "cpu", "shares", false },
		{ O_PERIOD, "cpu", "period", false },        { O_QUOTA, "cpu", "quota", false },
		{ O_RTP, "cpu", "realtimePeriod", false },   { O_RTR, "cpu", "realtimeRuntime", false },
		{ O_PIDS, "pids", "limit", false },          { O_BLKIO, "blockIO", "weight", false },
	};
	json_object *flags = json_object_new_object(), *res = NULL;
	const char *file = NULL;
	int c, r = 0;
	while (r >= 0 && (c = cli_getopt(&cmd_update, argc, argv, "r:h", opts, err)) != -1) {
		if (c == '?') {
			r = -1;
		} else if (c == 'r') {
			file = optarg;
		} else if (c == O_CPUS || c == O_MEMS) {
			set_str(flags, "cpu", c == O_CPUS ? "cpus" : "mems", optarg);
		} else if (c == O_L3 || c == O_MBW) {
			r = husk_fail(err, 0, "update: Intel RDT is not supported by husk");
		} else {
			for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
				if (numbers[i].opt != c)
					continue;
				int64_t v;
				char *end;
				if (numbers[i].size)
					r = parse_size(optarg, &v);
				else
					v = strtoll(optarg, &end, 10), r = *end ? -1 : 0;
				if (r < 0)
					r = husk_fail(err, 0, "update: %s.%s: \"%s\" is not a valid value",
						      numbers[i].section, numbers[i].key, optarg);
				else
					set_num(flags, numbers[i].section, numbers[i].key, v);
			}
		}
	}
	if (r >= 0)
		r = cli_positional(&cmd_update, argc, argv, 1, 1, err);
	if (r >= 0 && file)
		r = read_resources(file, &res, err);
	if (r >= 0) {
		/* Flags win over the file, key by key, as in runc. */
		if (res == NULL) {
			res = json_object_get(flags);
		} else {
			json_object_object_foreach(flags, section, values)
			{
				json_object *sec = json_member(res, section);
				if (sec == NULL) {
					json_object_object_add(res, section, json_object_get(values));
					continue;
				}
				json_object_object_foreach(values, key, v)
				{
					json_object_object_add(sec, key, json_object_get(v));
				}
			}
		}
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
		 "       [--kernel-memory N] [--kernel-memory-tcp N] [--cpu-shares N] [--cpu-period N]\n"
		 "       [--cpu-quota N] [--cpu-rt-period N] [--cpu-rt-runtime N] [--cpuset-cpus L]\n"
		 "       [--cpuset-mems L] [--pids-limit N] [--blkio-weight N] ID",
	.run = run_update,
};

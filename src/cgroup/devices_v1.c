#include "cgroup/devices_v1.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "util/cleanup.h"
#include "util/fs.h"

void devices_v1_state_free(struct devices_v1_state *st)
{
	free(st->ex);
	*st = (struct devices_v1_state) { 0 };
}

static struct device_rule *find(const struct devices_v1_state *st, const struct device_rule *r)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->ex[i].type == r->type && st->ex[i].major == r->major && st->ex[i].minor == r->minor)
			return &st->ex[i];
	return NULL;
}

/* The kernel's dev_exception_add: merges the access bits of the same
 * device. */
static int add(struct devices_v1_state *st, const struct device_rule *r, husk_error **err)
{
	struct device_rule *e = find(st, r);
	if (e) {
		e->access |= r->access;
		return 0;
	}
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		struct device_rule *grown = realloc(st->ex, cap * sizeof(*grown));
		if (grown == NULL)
			return husk_fail(err, ENOMEM, "device rules");
		st->ex = grown;
		st->cap = cap;
	}
	st->ex[st->n] = *r;
	st->ex[st->n++].allow = !st->allow_all;
	return 0;
}

/* dev_exception_rm: clears the bits of the same device only (a wildcard
 * rule does not narrow the exceptions of single devices). */
static void rm(struct devices_v1_state *st, const struct device_rule *r)
{
	struct device_rule *e = find(st, r);
	if (e == NULL)
		return;
	e->access &= ~r->access;
	if (e->access == 0)
		*e = st->ex[--st->n];
}

int devices_v1_emulate(const struct device_rule *rules, size_t n, struct devices_v1_state *st,
		       husk_error **err)
{
	*st = (struct devices_v1_state) { 0 };
	for (size_t i = 0; i < n; i++) {
		const struct device_rule *r = &rules[i];
		if (r->type == 'a') {
			st->allow_all = r->allow;
			st->n = 0;
		} else if (r->allow != st->allow_all) {
			if (add(st, r, err) < 0) {
				devices_v1_state_free(st);
				return -1;
			}
		} else {
			rm(st, r);
		}
	}
	return 0;
}

static int parse_num(const char *s, char **end, int64_t *ret)
{
	if (*s == '*') {
		*ret = -1;
		*end = (char *) s + 1;
		return 0;
	}
	errno = 0;
	unsigned long long v = strtoull(s, end, 10);
	if (errno || *end == s || v > UINT32_MAX)
		return -1;
	*ret = (int64_t) v;
	return 0;
}

int devices_v1_parse_list(const char *text, struct devices_v1_state *st, husk_error **err)
{
	*st = (struct devices_v1_state) { 0 };
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t) (nl - line) : strlen(line);
		char buf[96];
		snprintf(buf, sizeof(buf), "%.*s", (int) (len < sizeof(buf) ? len : sizeof(buf) - 1), line);
		line += len + (nl != NULL);
		if (buf[0] == '\0')
			continue;
		struct device_rule r = { .type = buf[0] };
		char *p = buf + 1, *end;
		if (buf[1] != ' ' || parse_num(p + 1, &end, &r.major) < 0 || *end != ':' ||
		    parse_num(end + 1, &end, &r.minor) < 0 || *end != ' ')
			goto bad;
		for (p = end + 1; *p; p++) {
			const char *bit = strchr("mrw", *p);
			if (bit == NULL)
				goto bad;
			r.access |= 1u << (bit - "mrw");
		}
		/* Only an allow-all cgroup lists "a *:* rwm", and nothing else. */
		if (r.type == 'a') {
			st->allow_all = true;
			st->n = 0;
			return 0;
		}
		if (add(st, &r, err) < 0) {
			devices_v1_state_free(st);
			return -1;
		}
		continue;
	bad:
		devices_v1_state_free(st);
		return husk_fail(err, 0, "devices.list: cannot read \"%s\"", buf);
	}
	return 0;
}

static int emit(int (*fn)(const char *, const char *, void *), void *ctx, bool allow,
		const struct device_rule *r, unsigned access)
{
	struct device_rule w = *r;
	char line[96];
	w.access = access;
	device_rule_text(&w, line, sizeof(line));
	return fn(allow ? "devices.allow" : "devices.deny", line, ctx);
}

int devices_v1_transition(const struct devices_v1_state *cur, const struct devices_v1_state *target,
			  int (*fn)(const char *file, const char *line, void *ctx), void *ctx)
{
	int r;
	if (cur->allow_all || target->allow_all) {
		/* The exceptions of an allow-all cgroup are not shown: all of
		 * them are written again after the default. */
		static const struct device_rule all = { 'a', -1, -1, DEVICE_RWM, true };
		if ((r = emit(fn, ctx, target->allow_all, &all, DEVICE_RWM)) < 0)
			return r;
		for (size_t i = 0; i < target->n; i++)
			if ((r = emit(fn, ctx, !target->allow_all, &target->ex[i], target->ex[i].access)) < 0)
				return r;
		return 0;
	}
	/* Both deny by default: what is added goes first, so that in between
	 * the cgroup allows the union of the old and new rules, never less
	 * than both. */
	for (size_t i = 0; i < target->n; i++) {
		const struct device_rule *c = find(cur, &target->ex[i]);
		unsigned more = target->ex[i].access & ~(c ? c->access : 0);
		if (more && (r = emit(fn, ctx, true, &target->ex[i], more)) < 0)
			return r;
	}
	for (size_t i = 0; i < cur->n; i++) {
		const struct device_rule *t = find(target, &cur->ex[i]);
		unsigned less = cur->ex[i].access & ~(t ? t->access : 0);
		if (less && (r = emit(fn, ctx, false, &cur->ex[i], less)) < 0)
			return r;
	}
	return 0;
}

struct write_ctx {
	const char *dir;
	husk_error **err;
};

static int write_rule(const char *file, const char *line, void *ctx)
{
	struct write_ctx *w = ctx;
	return cgroup_write(w->dir, file, line, w->err);
}

int devices_v1_apply(const char *dir, json_object *list, husk_error **err)
{
	cleanup_free struct device_rule *rules = NULL;
	cleanup_free char *text = NULL;
	size_t n;
	int r = device_rules_parse(list, &rules, &n, err);
	if (r < 0)
		return r;
	struct devices_v1_state cur, target;
	if ((r = devices_v1_emulate(rules, n, &target, err)) < 0)
		return r;
	char path[1400];
	snprintf(path, sizeof(path), "%s/devices.list", dir);
	size_t len;
	if ((r = read_file_at(AT_FDCWD, path, &text, &len, err)) < 0) {
		devices_v1_state_free(&target);
		return r;
	}
	if ((r = devices_v1_parse_list(text, &cur, err)) < 0) {
		devices_v1_state_free(&target);
		return r;
	}
	struct write_ctx w = { dir, err };
	r = devices_v1_transition(&cur, &target, write_rule, &w);
	devices_v1_state_free(&cur);
	devices_v1_state_free(&target);
	return r;
}

/* The default seccomp profile: podman's (containers-common's
 * seccomp.json, embedded from src/engine/seccomp_default.json) turned into
 * the runtime spec's form for this architecture and the process's
 * capabilities, as podman does: a rule with includes.caps applies only
 * when the process has those capabilities, one with excludes.caps only
 * when it has none of them, includes.arches only on those architectures.
 * A --security-opt seccomp=FILE profile goes through the same conversion,
 * so both docker's form and the OCI form are accepted. */
#include <errno.h>
#include <string.h>

#include "engine/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

extern const unsigned char husk_seccomp_default[];
extern const size_t husk_seccomp_default_len;

#if defined(__x86_64__)
static const char *const own_arches[] = { "amd64", "x86", "x32", NULL };
static const char *const scmp_arches[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL };
#elif defined(__aarch64__)
static const char *const own_arches[] = { "arm64", "arm", NULL };
static const char *const scmp_arches[] = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL };
#else
static const char *const own_arches[] = { NULL };
static const char *const scmp_arches[] = { NULL };
#endif

static bool in_strings(json_object *a, const char *s)
{
	for (size_t i = 0; a && json_is_array(a) && i < json_object_array_length(a); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)), s) == 0)
			return true;
	return false;
}

static bool any_arch(json_object *arches)
{
	for (const char *const *a = own_arches; *a; a++)
		if (in_strings(arches, *a))
			return true;
	return false;
}

/* Whether a rule applies to this process. */
static bool applies(json_object *rule, json_object *caps)
{
	json_object *inc = json_member(rule, "includes"), *exc = json_member(rule, "excludes");
	json_object *v;
	if (inc && (v = json_member(inc, "arches")) && json_object_array_length(v) && !any_arch(v))
		return false;
	if (inc && (v = json_member(inc, "caps")))
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (!in_strings(caps, json_object_get_string(json_object_array_get_idx(v, i))))
				return false;
	if (exc && (v = json_member(exc, "arches")) && any_arch(v))
		return false;
	if (exc && (v = json_member(exc, "caps")))
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (in_strings(caps, json_object_get_string(json_object_array_get_idx(v, i))))
				return false;
	return true;
}

static int convert(json_object *in, json_object *caps, json_object **ret, husk_error **err)
{
	json_object *def = json_member(in, "defaultAction"), *rules = json_member(in, "syscalls");
	if (!def || !json_is_string(def) || (rules && !json_is_array(rules)))
		return husk_fail(err, 0, "seccomp profile: expects defaultAction and a syscalls array");
	json_object *out = json_object_new_object(), *arches = json_object_new_array();
	json_object *calls = json_object_new_array();
	json_object_object_add(out, "defaultAction", json_object_get(def));
	json_object *v;
	if ((v = json_member(in, "defaultErrnoRet")))
		json_object_object_add(out, "defaultErrnoRet", json_object_get(v));
	for (const char *const *a = scmp_arches; *a; a++)
		json_object_array_add(arches, json_object_new_string(*a));
	json_object_object_add(out, "architectures", arches);
	json_object_object_add(out, "syscalls", calls);
	for (size_t i = 0; rules && i < json_object_array_length(rules); i++) {
		json_object *r = json_object_array_get_idx(rules, i), *names = json_member(r, "names");
		if (!json_is_object(r) || !names || !json_is_array(names)) {
			json_object_put(out);
			return husk_fail(err, 0, "seccomp profile: syscalls[%zu] has no names", i);
		}
		if (!applies(r, caps))
			continue;
		json_object *c = json_object_new_object();
		static const char *const keep[] = { "names", "action", "errnoRet", "args", NULL };
		for (const char *const *k = keep; *k; k++)
			if ((v = json_member(r, *k)) && !json_object_is_type(v, json_type_null))
				json_object_object_add(c, *k, json_object_get(v));
		json_object_array_add(calls, c);
	}
	*ret = out;
	return 0;
}

int seccomp_profile(const char *file, json_object *caps, json_object **ret, husk_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = husk_seccomp_default_len;
	const char *text = (const char *) husk_seccomp_default;
	if (file) {
		if (read_file_at(-100 /* AT_FDCWD */, file, &buf, &len, err) < 0)
			return husk_wrap(err, "--security-opt seccomp=%s", file);
		text = buf;
	}
	cleanup_json json_object *in = NULL;
	if (json_parse_text(text, len, &in, err) < 0 || convert(in, caps, ret, err) < 0)
		return file ? husk_wrap(err, "--security-opt seccomp=%s", file) : -1;
	return 0;
}

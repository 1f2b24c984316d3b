/* config.json as `create` and `run` read it: parsed, validated, then every
 * part of the spec husk interprets before it changes the host (mount
 * options, seccomp, device rules, sysctls, capabilities, cgroupsPath,
 * resources as systemd unit properties). */
#include "fuzz.h"

#include "cgroup/cgroup.h"
#include "cgroup/device_rules.h"
#include "cgroup/systemd_unit.h"
#include "linux/caps.h"
#include "linux/mount_options.h"
#include "linux/seccomp_filter.h"
#include "linux/sysctls.h"
#include "spec/spec.h"
#include "util/error.h"
#include "util/json.h"

/* The rest of what create does with the spec; errors are expected and
 * dropped, crashes and leaks are what the fuzzer looks for. */
static void interpret(const struct spec *s)
{
	husk_error *err = NULL;
	for (size_t i = 0; i < s->n_mounts; i++) {
		struct mount_options mo = { 0 };
		if (mount_options_parse(s->mounts[i].options, &mo, &err) == 0)
			free(mo.data);
		husk_error_freep(&err);
	}
	struct seccomp_program sp;
	if (seccomp_compile(s->seccomp, &sp, &err) == 0)
		seccomp_program_free(&sp);
	husk_error_freep(&err);

	struct device_rule *rules = NULL;
	size_t n_rules = 0;
	if (device_rules_parse(s->resources ? json_member(s->resources, "devices") : NULL, &rules, &n_rules,
			       &err) == 0) {
		char text[64];
		for (size_t i = 0; i < n_rules; i++)
			device_rule_text(&rules[i], text, sizeof(text));
		free(rules);
	}
	husk_error_freep(&err);

	sysctl_validate(s, &err);
	husk_error_freep(&err);
	if (s->has_process) {
		struct caps caps;
		caps_resolve(&s->process, &caps);
	}

	struct cgroup cg = { 0 };
	cgroup_init(&cg, s->cgroups_path, "fuzz", false, &err);
	husk_error_freep(&err);
	systemd_parse_path(&cg, s->cgroups_path, "fuzz", &err);
	husk_error_freep(&err);
	for (int mode = CGROUP_V1; mode <= CGROUP_V2; mode++) {
		struct unit_props props = { 0 };
		systemd_resource_props(s->resources, mode, 252, true, &props, &err);
		unit_props_clear(&props);
		husk_error_freep(&err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (text == NULL)
		return 0;
	husk_error *err = NULL;
	struct spec *s = NULL;
	if (spec_parse(text, size, &s, &err) == 0 && spec_validate(s, &err) == 0)
		interpret(s);
	husk_error_free(err);
	spec_free(s);
	free(text);
	return 0;
}

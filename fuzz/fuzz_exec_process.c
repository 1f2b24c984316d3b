/* `exec`: the --process JSON merged with the container's process and the
 * command line's changes, then parsed and validated (exec_process_spec).
 *
 * The first byte picks the command line options (bit per option); with
 * bit 7 the rest is the container's config.json and exec has no --process
 * (the container's own process is the base), else the rest is the
 * --process file and the container is husk's default config. */
#include "fuzz.h"

#include "core/container.h"
#include "core/internal.h"
#include "spec/spec.h"
#include "util/error.h"
#include "util/json.h"

static struct spec *default_container(void)
{
	json_object *doc = spec_default(false, 0, 0);
	char *text = json_to_string(doc, false);
	json_object_put(doc);
	struct spec *s = NULL;
	husk_error *err = NULL;
	if (text == NULL || spec_parse(text, strlen(text), &s, &err) < 0)
		abort(); /* husk's own default must parse */
	free(text);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	char *text = fuzz_text(data + 1, size - 1);
	if (text == NULL)
		return 0;
	char *argv[] = { "sh", "-c", "true", NULL };
	const char *env[] = { "A=1", "PATH=/bin", NULL };
	const char *gids[] = { "10", "20", NULL };
	const char *caps[] = { "CAP_SYS_ADMIN", "CAP_NET_RAW", NULL };
	struct exec_options o = {
		.root = "/nonexistent", .id = "fuzz",
		.tty = flags & 1,
		.argv = flags & 2 ? argv : NULL,
		.cwd = flags & 4 ? "/tmp" : NULL,
		.env = flags & 8 ? env : NULL,
		.user = flags & 16 ? "1000:1000" : NULL,
		.additional_gids = flags & 16 ? gids : NULL,
		.caps = flags & 32 ? caps : NULL,
		.no_new_privs = flags & 64,
		.apparmor = flags & 64 ? "unconfined" : NULL,
		.process_label = flags & 64 ? "system_u:system_r:container_t:s0" : NULL,
	};
	husk_error *err = NULL;
	struct spec *container = NULL, *exec = NULL;
	if (flags & 128) {
		if (spec_parse(text, size - 1, &container, &err) == 0 && spec_validate(container, &err) == 0)
			exec_process_spec(&o, container, NULL, 0, &exec, &err);
	} else {
		container = default_container();
		o.process_file = "fuzz.json";
		exec_process_spec(&o, container, text, size - 1, &exec, &err);
	}
	husk_error_free(err);
	spec_free(exec);
	spec_free(container);
	free(text);
	return 0;
}

/* state.json as every command that opens a container reads it (state_read),
 * then what `state` and `list` make of it. */
#include "fuzz.h"

#include "cgroup/cgroup.h"
#include "state/state.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (text == NULL)
		return 0;
	husk_error *err = NULL;
	struct container_state st = { .id = strdup("fuzz") };
	if (state_parse(text, size, &st, &err) == 0) {
		/* The recorded cgroup, as delete and kill take it back. */
		struct cgroup cg = { 0 };
		cgroup_from_path(&cg, st.cgroup_path, st.systemd_unit, &err);
		husk_error_freep(&err);
		free(state_hook_json(st.id, "running", st.pid, st.bundle, st.annotations));
	}
	husk_error_free(err);
	container_state_clear(&st);
	free(text);
	return 0;
}

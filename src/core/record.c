#include <stdlib.h>

#include "core/internal.h"
#include "state/state.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/proc.h"

bool core_own_pidns(const struct spec *s)
{
	return s->namespaces[NS_PID].present && s->namespaces[NS_PID].path == NULL;
}

int core_record_state(struct state_dir *dir, const struct core_record *c, husk_error **err)
{
	cleanup_free char *created = state_timestamp();
	struct container_state st = {
		.id = (char *) c->id, .pid = c->pid, .pid_start = proc_start_time(c->pid),
		.bundle = (char *) c->bundle, .rootfs = (char *) c->rootfs, .created = created,
		.annotations = c->spec->annotations, .cgroup_path = (char *) c->cg->path,
		.shared_pidns = !core_own_pidns(c->spec), .systemd_unit = (char *) c->cg->unit,
	};
	for (int stage = 0; stage < HOOK_STAGE_COUNT; stage++)
		if (c->spec->hooks[stage].n)
			st.hooks |= 1u << stage;
	int r = write_file_at(dir->fd, "config.json", c->config_text, c->config_len, 0600, err);
	if (r < 0 || (r = state_write_identity(dir, &st, err)) < 0 || (r = state_write(dir, &st, err)) < 0)
		return r;
	if (c->pid_file && (r = core_write_pid_file(c->pid_file, c->pid, err)) < 0)
		return r;
	return 0;
}

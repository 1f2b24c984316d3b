/* spec_parse() and spec_validate(): config.json into struct spec, and the
 * checks that refuse a config before anything is created.  Every refusal
 * must name the field at fault, since that is all a user gets to fix it. */
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include "spec/spec.h"
#include "tap.h"

/* JSON is written with single quotes here for legibility: J() turns them
 * into double quotes (no test string needs a real single quote). */
static char *J(const char *s)
{
	char *d = strdup(s);
	for (char *p = d; *p; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

/* The smallest config that validates. */
static const char BASE[] =
	"{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}, 'hostname': 'h',"
	" 'process': {'args': ['sh'], 'cwd': '/', 'env': ['PATH=/bin']},"
	" 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'mount'}, {'type': 'uts'}]}}";

/* RFC 7386 merge patch: objects merge, null deletes, anything else replaces. */
static void merge_patch(json_object *target, json_object *patch)
{
	json_object_object_foreach(patch, key, value) {
		json_object *cur = NULL;
		if (value == NULL) {
			json_object_object_del(target, key);
		} else if (json_object_is_type(value, json_type_object) &&
			   json_object_object_get_ex(target, key, &cur) &&
			   json_object_is_type(cur, json_type_object)) {
			merge_patch(cur, value);
		} else {
			json_object_object_add(target, key, json_object_get(value));
		}
	}
}

/* BASE with patch (single-quoted JSON) applied, as text; caller frees. */
static char *patched(const char *patch)
{
	char *b = J(BASE), *p = J(patch);
	json_object *doc = json_tokener_parse(b), *pj = json_tokener_parse(p);
	if (doc == NULL || pj == NULL) {
		diag("BUG IN TEST: cannot parse %s", doc ? p : b);
		abort();
	}
	merge_patch(doc, pj);
	char *out = strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
	json_object_put(doc);
	json_object_put(pj);
	free(b);
	free(p);
	return out;
}

static struct spec *parse_text(const char *text, char **msg)
{
	struct spec *s = NULL;
	husk_error *err = NULL;
	int r = spec_parse(text, strlen(text), &s, &err);
	*msg = NULL;
	if (r < 0) {
		*msg = strdup(err && err->msg ? err->msg : "(no message)");
		if (s != NULL)
			*msg = strdup("spec_parse failed but set *ret");
		s = NULL;
	}
	husk_error_free(err);
	return s;
}

static char *validate_msg(const struct spec *s)
{
	husk_error *err = NULL;
	char *msg = NULL;
	if (spec_validate(s, &err) < 0)
		msg = strdup(err && err->msg ? err->msg : "(no message)");
	husk_error_free(err);
	return msg;
}

/* text must fail to parse with an error naming field.  Two tests. */
static void parse_fails_text(const char *text, const char *field, const char *name)
{
	char *msg;
	struct spec *s = parse_text(text, &msg);
	if (!ok(s == NULL && msg != NULL, "parse refuses %s", name))
		diag("config: %s", text);
	like(msg, field, "%s: the error names %s", name, field);
	spec_free(s);
	free(msg);
}

static void parse_fails(const char *patch, const char *field, const char *name)
{
	char *text = patched(patch);
	parse_fails_text(text, field, name);
	free(text);
}

/* BASE + patch must parse, then fail validation naming field.  Two tests. */
static void validate_fails(const char *patch, const char *field, const char *name)
{
	char *text = patched(patch), *msg, *vmsg = NULL;
	struct spec *s = parse_text(text, &msg);
	if (s)
		vmsg = validate_msg(s);
	if (!ok(s != NULL && vmsg != NULL, "validate refuses %s", name)) {
		diag("config: %s", text);
		if (msg)
			diag("parse error: %s", msg);
	}
	like(vmsg, field, "%s: the error names %s", name, field);
	spec_free(s);
	free(msg);
	free(vmsg);
	free(text);
}

/* BASE + patch must be refused by spec_parse or by spec_validate, either
 * being a fine place for the check, naming field.  Two tests. */
static void config_fails(const char *patch, const char *field, const char *name)
{
	char *text = patched(patch), *msg;
	struct spec *s = parse_text(text, &msg);
	if (s)
		msg = validate_msg(s);
	if (!ok(msg != NULL, "parse or validate refuses %s", name))
		diag("config: %s", text);
	like(msg, field, "%s: the error names %s", name, field);
	spec_free(s);
	free(msg);
	free(text);
}

/* BASE + patch must parse and validate.  One test. */
static void validates(const char *patch, const char *name)
{
	char *text = patched(patch), *msg, *vmsg = NULL;
	struct spec *s = parse_text(text, &msg);
	if (s)
		vmsg = validate_msg(s);
	if (!ok(s != NULL && vmsg == NULL, "%s: parses and validates", name)) {
		diag("config: %s", text);
		diag("error: %s", msg ? msg : vmsg);
	}
	spec_free(s);
	free(msg);
	free(vmsg);
	free(text);
}

static size_t strv_len(const char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* v (NULL-terminated) equals want, a list joined with ",". */
static int strv_is(const char **v, const char *want)
{
	char buf[1024] = "";
	for (size_t i = 0; v && v[i]; i++) {
		if (i)
			strncat(buf, ",", sizeof(buf) - strlen(buf) - 1);
		strncat(buf, v[i], sizeof(buf) - strlen(buf) - 1);
	}
	if (v == NULL)
		return want == NULL;
	if (want == NULL || strcmp(buf, want) != 0) {
		diag("got [%s], expected [%s]", buf, want ? want : "NULL");
		return 0;
	}
	return 1;
}

static const char FULL[] =
	"{\n"
	" 'ociVersion': '1.0.2-dev',\n"
	" 'root': {'path': 'rootfs', 'readonly': true},\n"
	" 'process': {\n"
	"  'terminal': true,\n"
	"  'consoleSize': {'height': 25, 'width': 80},\n"
	"  'user': {'uid': 1000, 'gid': 1001, 'umask': 18, 'additionalGids': [5, 6, 4294967294]},\n"
	"  'args': ['sh', '-c', 'echo hi'],\n"
	"  'env': ['PATH=/usr/bin:/bin', 'TERM=xterm', 'EMPTY='],\n"
	"  'cwd': '/home/user',\n"
	"  'capabilities': {\n"
	"   'bounding': ['CAP_KILL', 'CAP_CHOWN', 'CAP_NET_BIND_SERVICE'],\n"
	"   'effective': ['CAP_KILL'],\n"
	"   'inheritable': [],\n"
	"   'permitted': ['CAP_KILL', 'CAP_NET_BIND_SERVICE'],\n"
	"   'ambient': ['CAP_NET_BIND_SERVICE']\n"
	"  },\n"
	"  'rlimits': [\n"
	"   {'type': 'RLIMIT_NOFILE', 'hard': 1024, 'soft': 512},\n"
	"   {'type': 'RLIMIT_CORE', 'hard': 18446744073709551615, 'soft': 18446744073709551615},\n"
	"   {'type': 'RLIMIT_NPROC', 'hard': 4294967296, 'soft': 0}\n"
	"  ],\n"
	"  'noNewPrivileges': true,\n"
	"  'oomScoreAdj': -500,\n"
	"  'apparmorProfile': 'husk-default',\n"
	"  'selinuxLabel': 'system_u:system_r:container_t:s0'\n"
	" },\n"
	" 'hostname': 'box',\n"
	" 'domainname': 'example.org',\n"
	" 'mounts': [\n"
	"  {'destination': '/proc', 'type': 'proc', 'source': 'proc'},\n"
	"  {'destination': '/dev', 'type': 'tmpfs', 'source': 'tmpfs',\n"
	"   'options': ['nosuid', 'strictatime', 'mode=755', 'size=65536k']},\n"
	"  {'destination': '/data', 'source': '/srv/data', 'options': ['rbind', 'ro']}\n"
	" ],\n"
	" 'hooks': {\n"
	"  'prestart': [{'path': '/usr/bin/prestart', 'args': ['prestart', '--x'], 'env': ['A=1'], 'timeout': 5}],\n"
	"  'createRuntime': [{'path': '/bin/cr1'}, {'path': '/bin/cr2'}],\n"
	"  'createContainer': [{'path': '/bin/cc'}],\n"
	"  'startContainer': [{'path': '/bin/sc'}],\n"
	"  'poststart': [{'path': '/bin/ps'}],\n"
	"  'poststop': [{'path': '/bin/pst', 'timeout': 30}]\n"
	" },\n"
	" 'annotations': {'org.example.key': 'value', 'com.example.empty': ''},\n"
	" 'linux': {\n"
	"  'namespaces': [{'type': 'pid'}, {'type': 'network', 'path': '/var/run/netns/x'}, {'type': 'ipc'},\n"
	"                 {'type': 'uts'}, {'type': 'mount'}, {'type': 'user'}, {'type': 'cgroup'}],\n"
	"  'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],\n"
	"  'gidMappings': [{'containerID': 0, 'hostID': 200000, 'size': 1000},\n"
	"                  {'containerID': 1000, 'hostID': 1000, 'size': 1}],\n"
	"  'devices': [\n"
	"   {'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229, 'fileMode': 438, 'uid': 0, 'gid': 5},\n"
	"   {'path': '/dev/sda', 'type': 'b', 'major': 8, 'minor': 0},\n"
	"   {'path': '/dev/fifo', 'type': 'p'}\n"
	"  ],\n"
	"  'maskedPaths': ['/proc/kcore', '/sys/firmware'],\n"
	"  'readonlyPaths': ['/proc/sys'],\n"
	"  'rootfsPropagation': 'rslave',\n"
	"  'cgroupsPath': '/husk/box',\n"
	"  'mountLabel': 'system_u:object_r:container_file_t:s0',\n"
	"  'sysctl': {'net.ipv4.ip_forward': '1', 'kernel.msgmax': '65536'},\n"
	"  'resources': {'memory': {'limit': 1048576}},\n"
	"  'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW'}\n"
	" }\n"
	"}\n";

static const char *member_string(json_object *o, const char *key)
{
	json_object *v = NULL;
	return o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

static void test_full(void)
{
	char *text = J(FULL), *msg;
	struct spec *s = parse_text(text, &msg);
	free(text);
	if (!ok(s != NULL, "a full config parses")) {
		diag("error: %s", msg);
		free(msg);
		return;
	}
	char *vmsg = validate_msg(s);
	if (!ok(vmsg == NULL, "the full config validates"))
		diag("error: %s", vmsg);
	free(vmsg);

	ok(json_object_is_type(s->json, json_type_object), "spec->json holds the document");
	is_str(s->oci_version, "1.0.2-dev", "ociVersion");
	is_str(s->root_path, "rootfs", "root.path");
	ok(s->root_readonly, "root.readonly");
	is_str(s->hostname, "box", "hostname");
	is_str(s->domainname, "example.org", "domainname");

	const struct spec_process *p = &s->process;
	ok(s->has_process, "process is present");
	ok(p->terminal, "process.terminal");
	is_int(p->console_height, 25, "process.consoleSize.height");
	is_int(p->console_width, 80, "process.consoleSize.width");
	is_int(p->uid, 1000, "process.user.uid");
	is_int(p->gid, 1001, "process.user.gid");
	ok(p->has_umask, "process.user.umask is given");
	is_int(p->umask, 022, "process.user.umask");
	is_int(p->n_additional_gids, 3, "process.user.additionalGids: count");
	if (p->n_additional_gids == 3 && p->additional_gids)
		ok(p->additional_gids[0] == 5 && p->additional_gids[1] == 6 &&
		   p->additional_gids[2] == 4294967294u, "process.user.additionalGids: values");
	else
		ok(0, "process.user.additionalGids: values");
	ok(strv_is(p->args, "sh,-c,echo hi"), "process.args");
	ok(strv_is(p->env, "PATH=/usr/bin:/bin,TERM=xterm,EMPTY="), "process.env");
	is_str(p->cwd, "/home/user", "process.cwd");
	ok(p->has_capabilities, "process.capabilities is given");
	ok(strv_is(p->capabilities[CAP_SET_BOUNDING], "CAP_KILL,CAP_CHOWN,CAP_NET_BIND_SERVICE"),
	   "process.capabilities.bounding");
	ok(strv_is(p->capabilities[CAP_SET_EFFECTIVE], "CAP_KILL"), "process.capabilities.effective");
	ok(p->capabilities[CAP_SET_INHERITABLE] != NULL && p->capabilities[CAP_SET_INHERITABLE][0] == NULL,
	   "process.capabilities.inheritable: given and empty");
	ok(strv_is(p->capabilities[CAP_SET_PERMITTED], "CAP_KILL,CAP_NET_BIND_SERVICE"),
	   "process.capabilities.permitted");
	ok(strv_is(p->capabilities[CAP_SET_AMBIENT], "CAP_NET_BIND_SERVICE"), "process.capabilities.ambient");
	ok(p->no_new_privileges, "process.noNewPrivileges");
	ok(p->has_oom_score_adj, "process.oomScoreAdj is given");
	is_int(p->oom_score_adj, -500, "process.oomScoreAdj");
	is_str(p->apparmor_profile, "husk-default", "process.apparmorProfile");
	is_str(p->selinux_label, "system_u:system_r:container_t:s0", "process.selinuxLabel");

	if (is_int(p->n_rlimits, 3, "process.rlimits: count") && p->rlimits) {
		is_str(p->rlimits[0].type, "RLIMIT_NOFILE", "process.rlimits[0].type");
		is_int(p->rlimits[0].resource, RLIMIT_NOFILE, "process.rlimits[0] is RLIMIT_NOFILE");
		is_uint(p->rlimits[0].soft, 512, "process.rlimits[0].soft");
		is_uint(p->rlimits[0].hard, 1024, "process.rlimits[0].hard");
		is_int(p->rlimits[1].resource, RLIMIT_CORE, "process.rlimits[1] is RLIMIT_CORE");
		is_uint(p->rlimits[1].soft, RLIM_INFINITY, "process.rlimits[1].soft 18446744073709551615 is RLIM_INFINITY");
		is_uint(p->rlimits[1].hard, RLIM_INFINITY, "process.rlimits[1].hard 18446744073709551615 is RLIM_INFINITY");
		is_int(p->rlimits[2].resource, RLIMIT_NPROC, "process.rlimits[2] is RLIMIT_NPROC");
		is_uint(p->rlimits[2].hard, 4294967296ull, "process.rlimits[2].hard above 32 bits");
		is_uint(p->rlimits[2].soft, 0, "process.rlimits[2].soft 0");
	}

	if (is_int(s->n_mounts, 3, "mounts: count") && s->mounts) {
		const struct spec_mount *m = s->mounts;
		is_str(m[0].destination, "/proc", "mounts[0].destination");
		is_str(m[0].type, "proc", "mounts[0].type");
		is_str(m[0].source, "proc", "mounts[0].source");
		ok(m[0].options == NULL, "mounts[0].options: absent is NULL");
		is_str(m[1].destination, "/dev", "mounts[1].destination");
		ok(strv_is(m[1].options, "nosuid,strictatime,mode=755,size=65536k"), "mounts[1].options");
		is_str(m[2].type, NULL, "mounts[2].type: absent is NULL");
		is_str(m[2].source, "/srv/data", "mounts[2].source");
		ok(strv_is(m[2].options, "rbind,ro"), "mounts[2].options");
	}

	is_int(s->hooks[HOOK_PRESTART].n, 1, "hooks.prestart: count");
	if (s->hooks[HOOK_PRESTART].n == 1) {
		const struct spec_hook *h = &s->hooks[HOOK_PRESTART].hooks[0];
		is_str(h->path, "/usr/bin/prestart", "hooks.prestart[0].path");
		ok(strv_is(h->args, "prestart,--x"), "hooks.prestart[0].args");
		ok(strv_is(h->env, "A=1"), "hooks.prestart[0].env");
		is_int(h->timeout, 5, "hooks.prestart[0].timeout");
	}
	if (is_int(s->hooks[HOOK_CREATE_RUNTIME].n, 2, "hooks.createRuntime: count")) {
		is_str(s->hooks[HOOK_CREATE_RUNTIME].hooks[1].path, "/bin/cr2", "hooks.createRuntime[1].path");
		is_int(s->hooks[HOOK_CREATE_RUNTIME].hooks[1].timeout, 0, "hooks.createRuntime[1].timeout: absent is 0");
		ok(s->hooks[HOOK_CREATE_RUNTIME].hooks[1].args == NULL, "hooks.createRuntime[1].args: absent is NULL");
	}
	ok(s->hooks[HOOK_CREATE_CONTAINER].n == 1 &&
	   strcmp(s->hooks[HOOK_CREATE_CONTAINER].hooks[0].path, "/bin/cc") == 0, "hooks.createContainer");
	ok(s->hooks[HOOK_START_CONTAINER].n == 1 &&
	   strcmp(s->hooks[HOOK_START_CONTAINER].hooks[0].path, "/bin/sc") == 0, "hooks.startContainer");
	ok(s->hooks[HOOK_POSTSTART].n == 1 && strcmp(s->hooks[HOOK_POSTSTART].hooks[0].path, "/bin/ps") == 0,
	   "hooks.poststart");
	ok(s->hooks[HOOK_POSTSTOP].n == 1 && s->hooks[HOOK_POSTSTOP].hooks[0].timeout == 30,
	   "hooks.poststop (with timeout 30)");

	is_str(member_string(s->annotations, "org.example.key"), "value", "annotations[org.example.key]");
	is_str(member_string(s->annotations, "com.example.empty"), "", "annotations[com.example.empty]");

	static const enum ns_type given[] = { NS_PID, NS_NET, NS_IPC, NS_UTS, NS_MNT, NS_USER, NS_CGROUP };
	int present = 0;
	for (size_t i = 0; i < sizeof(given) / sizeof(given[0]); i++)
		present += s->namespaces[given[i]].present;
	is_int(present, 7, "linux.namespaces: the seven listed are present");
	ok(!s->namespaces[NS_TIME].present, "linux.namespaces: time is not present");
	is_str(s->namespaces[NS_NET].path, "/var/run/netns/x", "linux.namespaces[1].path (network)");
	is_str(s->namespaces[NS_PID].path, NULL, "linux.namespaces[0] (pid) has no path");

	if (is_int(s->n_uid_mappings, 1, "linux.uidMappings: count"))
		ok(s->uid_mappings[0].container_id == 0 && s->uid_mappings[0].host_id == 100000 &&
		   s->uid_mappings[0].size == 65536, "linux.uidMappings[0]");
	if (is_int(s->n_gid_mappings, 2, "linux.gidMappings: count")) {
		ok(s->gid_mappings[0].container_id == 0 && s->gid_mappings[0].host_id == 200000 &&
		   s->gid_mappings[0].size == 1000, "linux.gidMappings[0]");
		ok(s->gid_mappings[1].container_id == 1000 && s->gid_mappings[1].host_id == 1000 &&
		   s->gid_mappings[1].size == 1, "linux.gidMappings[1]");
	}

	if (is_int(s->n_devices, 3, "linux.devices: count")) {
		const struct spec_device *d = s->devices;
		is_str(d[0].path, "/dev/fuse", "linux.devices[0].path");
		is_int(d[0].type, 'c', "linux.devices[0].type");
		ok(d[0].major == 10 && d[0].minor == 229, "linux.devices[0] major 10, minor 229");
		ok(d[0].has_file_mode && d[0].file_mode == 0666, "linux.devices[0].fileMode 0666");
		ok(d[0].has_uid && d[0].uid == 0 && d[0].has_gid && d[0].gid == 5, "linux.devices[0] uid 0, gid 5");
		ok(d[1].type == 'b' && d[1].major == 8 && d[1].minor == 0, "linux.devices[1]: block 8:0");
		ok(!d[1].has_file_mode && !d[1].has_uid && !d[1].has_gid, "linux.devices[1]: no mode, uid, gid");
		ok(d[2].type == 'p' && strcmp(d[2].path, "/dev/fifo") == 0, "linux.devices[2]: a fifo needs no numbers");
	}

	ok(strv_is(s->masked_paths, "/proc/kcore,/sys/firmware"), "linux.maskedPaths");
	ok(strv_is(s->readonly_paths, "/proc/sys"), "linux.readonlyPaths");
	is_str(s->rootfs_propagation, "rslave", "linux.rootfsPropagation");
	is_str(s->cgroups_path, "/husk/box", "linux.cgroupsPath");
	is_str(s->mount_label, "system_u:object_r:container_file_t:s0", "linux.mountLabel");
	is_str(member_string(s->sysctl, "net.ipv4.ip_forward"), "1", "linux.sysctl[net.ipv4.ip_forward]");
	is_int(s->sysctl ? json_object_object_length(s->sysctl) : -1, 2, "linux.sysctl: two entries");
	ok(json_object_is_type(s->resources, json_type_object), "linux.resources is kept as an object");
	is_str(member_string(s->seccomp, "defaultAction"), "SCMP_ACT_ALLOW", "linux.seccomp is kept as an object");

	spec_free(s);
}

static void test_base(void)
{
	char *text = J(BASE), *msg;
	struct spec *s = parse_text(text, &msg);
	free(text);
	if (!ok(s != NULL, "the minimal config parses")) {
		diag("error: %s", msg);
		free(msg);
		return;
	}
	char *vmsg = validate_msg(s);
	if (!ok(vmsg == NULL, "the minimal config validates"))
		diag("error: %s", vmsg);
	free(vmsg);
	ok(!s->root_readonly, "root.readonly: absent is false");
	ok(!s->process.has_umask && !s->process.has_oom_score_adj && !s->process.has_capabilities,
	   "absent umask, oomScoreAdj, capabilities are not given");
	ok(s->process.uid == 0 && s->process.gid == 0, "absent user is uid 0, gid 0");
	ok(s->n_mounts == 0 && s->mounts == NULL, "absent mounts: none");
	ok(s->annotations == NULL && s->sysctl == NULL, "absent annotations and sysctl are NULL");
	ok(!s->namespaces[NS_NET].present && !s->namespaces[NS_USER].present, "unlisted namespaces are not present");
	spec_free(s);
}

/* JSON null is the same as leaving the field out. */
static void test_nulls(void)
{
	char *text = J("{'ociVersion': '1.0.2', 'root': {'path': 'rootfs', 'readonly': null},"
		       " 'process': {'args': ['sh'], 'cwd': null, 'env': null, 'terminal': null, 'user': null,"
		       "  'capabilities': null, 'rlimits': null, 'consoleSize': null, 'oomScoreAdj': null,"
		       "  'noNewPrivileges': null, 'apparmorProfile': null, 'selinuxLabel': null},"
		       " 'hostname': null, 'domainname': null, 'mounts': null, 'hooks': null, 'annotations': null,"
		       " 'linux': {'namespaces': null, 'uidMappings': null, 'gidMappings': null, 'devices': null,"
		       "  'maskedPaths': null, 'readonlyPaths': null, 'rootfsPropagation': null, 'cgroupsPath': null,"
		       "  'mountLabel': null, 'sysctl': null, 'resources': null, 'seccomp': null}}");
	char *msg;
	struct spec *s = parse_text(text, &msg);
	free(text);
	if (!ok(s != NULL, "null for every optional field parses"))
		diag("error: %s", msg);
	free(msg);
	if (s) {
		char *vmsg = validate_msg(s);
		if (!ok(vmsg == NULL, "null for every optional field validates"))
			diag("error: %s", vmsg);
		free(vmsg);
		ok(s->hostname == NULL && s->domainname == NULL && s->process.cwd == NULL &&
		   s->process.env == NULL && s->rootfs_propagation == NULL, "null strings and arrays are NULL");
		ok(!s->process.has_capabilities && !s->process.has_oom_score_adj && s->process.n_rlimits == 0,
		   "null capabilities, oomScoreAdj, rlimits are absent");
		ok(s->n_mounts == 0 && s->annotations == NULL && s->sysctl == NULL && s->resources == NULL &&
		   s->seccomp == NULL, "null mounts, annotations, sysctl, resources, seccomp are absent");
		spec_free(s);
	}

	text = J("{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}, 'process': {'args': ['sh']},"
		 " 'mounts': [{'destination': '/tmp', 'type': null, 'source': null, 'options': null}],"
		 " 'hooks': {'prestart': null, 'poststop': [{'path': '/bin/true', 'args': null, 'timeout': null}]},"
		 " 'linux': {'namespaces': [{'type': 'mount', 'path': null}]}}");
	s = parse_text(text, &msg);
	free(text);
	if (!ok(s != NULL, "null inside mounts, hooks and namespaces parses"))
		diag("error: %s", msg);
	free(msg);
	if (s) {
		ok(s->n_mounts == 1 && s->mounts[0].type == NULL && s->mounts[0].source == NULL &&
		   s->mounts[0].options == NULL, "mounts[0]: null type, source, options are NULL");
		ok(s->hooks[HOOK_PRESTART].n == 0 && s->hooks[HOOK_POSTSTOP].n == 1 &&
		   s->hooks[HOOK_POSTSTOP].hooks[0].timeout == 0, "hooks: null stage is empty, null timeout is 0");
		ok(s->namespaces[NS_MNT].present && s->namespaces[NS_MNT].path == NULL,
		   "linux.namespaces[0]: null path means a new namespace");
		spec_free(s);
	}

	text = J("{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}, 'process': null, 'linux': null}");
	s = parse_text(text, &msg);
	free(text);
	ok(s != NULL && !s->has_process, "\"process\": null parses as no process");
	char *vmsg = s ? validate_msg(s) : NULL;
	like(vmsg, "process", "\"process\": null then fails validation naming process");
	free(vmsg);
	free(msg);
	spec_free(s);

	/* An empty namespace path is no path (runc does the same). */
	validates("{'linux': {'namespaces': [{'type': 'pid', 'path': ''}, {'type': 'mount'}, {'type': 'uts'}]}}",
		  "an empty namespace path");
}

static void test_malformed(void)
{
	char *text = J("{'ociVersion': '1.0.2',\n 'root': {'path': 'rootfs'},\n 'process': {'args': [,]}}");
	parse_fails_text(text, "line", "malformed JSON on line 3");
	char *msg;
	struct spec *s = parse_text(text, &msg);
	like(msg, "line 3", "malformed JSON: the error has the line number");
	like(msg, "column 23", "malformed JSON: the error has the column");
	spec_free(s);
	free(msg);
	free(text);

	parse_fails_text("", "line", "an empty file");
	parse_fails_text("{\"ociVersion\": \"1.0.2\"", "line", "a truncated document");
	text = J("{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}, 'process': {'args': ['sh']}} x");
	parse_fails_text(text, "column", "trailing garbage after the object");
	free(text);
	text = J("{'ociVersion': '1.0.2'}\n{'ociVersion': '1.0.2'}");
	parse_fails_text(text, "line 2", "two JSON objects");
	free(text);
	text = J("{'ociVersion': '1.0.2'}}");
	parse_fails_text(text, "column", "an extra closing brace");
	free(text);

	parse_fails_text("[]", "object", "a top-level array");
	parse_fails_text("\"config\"", "object", "a top-level string");

	text = J("{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}, 'process': {'args': ['sh']}}\n\n");
	s = parse_text(text, &msg);
	ok(s != NULL, "trailing new lines after the object are fine");
	spec_free(s);
	free(msg);
	free(text);
}

static void test_wrong_types(void)
{
	/* the examples of the brief */
	parse_fails("{'process': {'args': ['sh', 1]}}", "process.args[1]", "a number in process.args");
	parse_fails("{'mounts': [{'destination': 5}]}", "mounts[0].destination", "a numeric mount destination");
	parse_fails("{'linux': {'namespaces': [{'type': 'pid'}, {'type': 'mount'}, {'type': 7}]}}",
		    "linux.namespaces[2].type", "a numeric namespace type");
	parse_fails("{'linux': {'namespaces': [{'type': 'pid'}, {'type': 'mount'}, {'type': 'bogus'}]}}",
		    "linux.namespaces[2].type", "an unknown namespace type");
	parse_fails("{'linux': {'namespaces': [{'path': '/proc/1/ns/net'}]}}", "linux.namespaces[0].type",
		    "a namespace without a type");

	/* top level */
	parse_fails("{'ociVersion': 1}", "ociVersion", "a numeric ociVersion");
	parse_fails("{'root': 'rootfs'}", "root", "root as a string");
	parse_fails("{'root': {'path': 7}}", "root.path", "a numeric root.path");
	parse_fails("{'root': {'path': 'rootfs', 'readonly': 'yes'}}", "root.readonly", "root.readonly as a string");
	parse_fails("{'hostname': 5}", "hostname", "a numeric hostname");
	parse_fails("{'domainname': false}", "domainname", "a boolean domainname");
	parse_fails("{'annotations': ['a=b']}", "annotations", "annotations as an array");
	parse_fails("{'annotations': {'a': 1}}", "annotations", "an annotation whose value is not a string");
	parse_fails("{'process': []}", "process", "process as an array");
	parse_fails("{'linux': 'x'}", "linux", "linux as a string");
	parse_fails("{'mounts': {'destination': '/x'}}", "mounts", "mounts as an object");
	parse_fails("{'hooks': []}", "hooks", "hooks as an array");

	/* process */
	parse_fails("{'process': {'args': 'sh'}}", "process.args", "process.args as a string");
	parse_fails("{'process': {'terminal': 1}}", "process.terminal", "a numeric process.terminal");
	parse_fails("{'process': {'env': ['A=1', null]}}", "process.env[1]", "null in process.env");
	parse_fails("{'process': {'cwd': ['/']}}", "process.cwd", "process.cwd as an array");
	parse_fails("{'process': {'noNewPrivileges': 'true'}}", "process.noNewPrivileges",
		    "process.noNewPrivileges as a string");
	parse_fails("{'process': {'user': 0}}", "process.user", "process.user as a number");
	parse_fails("{'process': {'user': {'uid': '0'}}}", "process.user.uid", "process.user.uid as a string");
	parse_fails("{'process': {'user': {'uid': -1}}}", "process.user.uid", "a negative process.user.uid");
	parse_fails("{'process': {'user': {'uid': 1.5}}}", "process.user.uid", "a fractional process.user.uid");
	parse_fails("{'process': {'user': {'gid': 4294967296}}}", "process.user.gid", "process.user.gid above 32 bits");
	parse_fails("{'process': {'user': {'umask': 512}}}", "process.user.umask", "process.user.umask above 0777");
	parse_fails("{'process': {'user': {'additionalGids': [1, 'x']}}}", "process.user.additionalGids[1]",
		    "a string in process.user.additionalGids");
	parse_fails("{'process': {'user': {'additionalGids': [-1]}}}", "process.user.additionalGids[0]",
		    "a negative additional gid");
	parse_fails("{'process': {'capabilities': ['CAP_KILL']}}", "process.capabilities",
		    "process.capabilities as an array");
	parse_fails("{'process': {'capabilities': {'bounding': ['CAP_KILL', 3]}}}",
		    "process.capabilities.bounding[1]", "a number in process.capabilities.bounding");
	parse_fails("{'process': {'capabilities': {'effective': 'CAP_KILL'}}}", "process.capabilities.effective",
		    "process.capabilities.effective as a string");
	parse_fails("{'process': {'capabilities': {'ambient': [null]}}}", "process.capabilities.ambient[0]",
		    "null in process.capabilities.ambient");
	parse_fails("{'process': {'oomScoreAdj': 1001}}", "process.oomScoreAdj", "process.oomScoreAdj above 1000");
	parse_fails("{'process': {'oomScoreAdj': '5'}}", "process.oomScoreAdj", "process.oomScoreAdj as a string");
	parse_fails("{'process': {'consoleSize': {'height': 'x'}}}", "process.consoleSize.height",
		    "process.consoleSize.height as a string");
	parse_fails("{'process': {'consoleSize': {'width': 65536}}}", "process.consoleSize.width",
		    "process.consoleSize.width above 65535");

	/* process.rlimits */
	parse_fails("{'process': {'rlimits': [{'type': 'RLIMIT_BOGUS', 'soft': 1, 'hard': 1}]}}",
		    "process.rlimits[0].type", "an unknown rlimit type");
	parse_fails("{'process': {'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1},"
		    " {'type': 'nofile', 'soft': 1, 'hard': 1}]}}",
		    "process.rlimits[1].type", "an rlimit type without RLIMIT_");
	parse_fails("{'process': {'rlimits': [{'type': 5, 'soft': 1, 'hard': 1}]}}", "process.rlimits[0].type",
		    "a numeric rlimit type");
	parse_fails("{'process': {'rlimits': [{'soft': 1, 'hard': 1}]}}", "process.rlimits[0]",
		    "an rlimit without a type");
	parse_fails("{'process': {'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': -1, 'hard': 1}]}}",
		    "process.rlimits[0].soft", "a negative rlimit");
	parse_fails("{'process': {'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': '1'}]}}",
		    "process.rlimits[0].hard", "an rlimit as a string");
	parse_fails("{'process': {'rlimits': ['RLIMIT_NOFILE']}}", "process.rlimits[0]", "an rlimit as a string");
	parse_fails("{'process': {'rlimits': {'type': 'RLIMIT_NOFILE'}}}", "process.rlimits",
		    "process.rlimits as an object");

	/* mounts */
	parse_fails("{'mounts': [{'type': 'tmpfs', 'source': 'tmpfs'}]}", "mounts[0]", "a mount without destination");
	parse_fails("{'mounts': [{'destination': '/a'}, {'destination': '/b', 'source': 1}]}", "mounts[1].source",
		    "a numeric mount source");
	parse_fails("{'mounts': [{'destination': '/a', 'type': []}]}", "mounts[0].type", "a mount type as an array");
	parse_fails("{'mounts': [{'destination': '/x', 'options': 'ro'}]}", "mounts[0].options",
		    "mount options as a string");
	parse_fails("{'mounts': [{'destination': '/x', 'options': ['ro', false]}]}", "mounts[0].options[1]",
		    "a boolean in mount options");
	parse_fails("{'mounts': ['/x']}", "mounts[0]", "a mount as a string");

	/* hooks */
	parse_fails("{'hooks': {'prestart': [{'path': 1}]}}", "hooks.prestart[0].path", "a numeric hook path");
	parse_fails("{'hooks': {'poststop': [{'path': '/a'}, {'args': ['x']}]}}", "hooks.poststop[1]",
		    "a hook without path");
	parse_fails("{'hooks': {'createRuntime': {'path': '/x'}}}", "hooks.createRuntime",
		    "a hook stage as an object");
	parse_fails("{'hooks': {'prestart': [{'path': '/x', 'timeout': 0}]}}", "hooks.prestart[0].timeout",
		    "a hook timeout of 0");
	parse_fails("{'hooks': {'poststart': [{'path': '/x', 'args': [1]}]}}", "hooks.poststart[0].args[0]",
		    "a number in hook args");
	parse_fails("{'hooks': {'startContainer': [{'path': '/x', 'env': 'A=1'}]}}", "hooks.startContainer[0].env",
		    "hook env as a string");

	/* linux */
	parse_fails("{'linux': {'namespaces': {'type': 'pid'}}}", "linux.namespaces", "namespaces as an object");
	parse_fails("{'linux': {'namespaces': ['pid']}}", "linux.namespaces[0]", "a namespace as a string");
	parse_fails("{'linux': {'namespaces': [{'type': 'pid', 'path': 5}]}}", "linux.namespaces[0].path",
		    "a numeric namespace path");
	parse_fails("{'linux': {'uidMappings': [{'containerID': 0, 'hostID': 1000}]}}", "linux.uidMappings[0]",
		    "a uid mapping without size");
	parse_fails("{'linux': {'gidMappings': [{'containerID': 0, 'hostID': '1', 'size': 1}]}}",
		    "linux.gidMappings[0].hostID", "a gid mapping hostID as a string");
	parse_fails("{'linux': {'uidMappings': [{'containerID': 0, 'hostID': 0, 'size': 0}]}}",
		    "linux.uidMappings[0].size", "a uid mapping of size 0");
	parse_fails("{'linux': {'uidMappings': [{'containerID': -1, 'hostID': 0, 'size': 1}]}}",
		    "linux.uidMappings[0].containerID", "a negative containerID");
	parse_fails("{'linux': {'devices': [{'path': '/dev/x', 'type': 'x', 'major': 1, 'minor': 1}]}}",
		    "linux.devices[0]", "an unknown device type");
	parse_fails("{'linux': {'devices': [{'path': '/dev/x', 'type': 'cc', 'major': 1, 'minor': 1}]}}",
		    "linux.devices[0]", "a two-letter device type");
	parse_fails("{'linux': {'devices': [{'path': '/dev/x', 'type': 'c'}]}}", "linux.devices[0]",
		    "a character device without numbers");
	parse_fails("{'linux': {'devices': [{'type': 'c', 'major': 1, 'minor': 3}]}}", "linux.devices[0]",
		    "a device without path");
	parse_fails("{'linux': {'devices': [{'path': '/dev/x', 'type': 'c', 'major': 1, 'minor': 1, 'fileMode': '0666'}]}}",
		    "linux.devices[0].fileMode", "a device fileMode as a string");
	parse_fails("{'linux': {'devices': [{'path': '/dev/x', 'type': 'c', 'major': -1, 'minor': 1}]}}",
		    "linux.devices[0].major", "a negative device major");
	parse_fails("{'linux': {'maskedPaths': ['/a', 2]}}", "linux.maskedPaths[1]", "a number in maskedPaths");
	parse_fails("{'linux': {'readonlyPaths': '/proc'}}", "linux.readonlyPaths", "readonlyPaths as a string");
	parse_fails("{'linux': {'rootfsPropagation': true}}", "linux.rootfsPropagation",
		    "a boolean rootfsPropagation");
	parse_fails("{'linux': {'cgroupsPath': 1}}", "linux.cgroupsPath", "a numeric cgroupsPath");
	parse_fails("{'linux': {'sysctl': ['net.ipv4.ip_forward=1']}}", "linux.sysctl", "sysctl as an array");
	parse_fails("{'linux': {'sysctl': {'net.ipv4.ip_forward': 1}}}", "linux.sysctl",
		    "a sysctl whose value is not a string");
	parse_fails("{'linux': {'resources': []}}", "linux.resources", "resources as an array");
	parse_fails("{'linux': {'seccomp': 'unconfined'}}", "linux.seccomp", "seccomp as a string");
}

static void test_duplicates(void)
{
	parse_fails("{'linux': {'namespaces': [{'type': 'pid'}, {'type': 'mount'}, {'type': 'pid'}]}}",
		    "linux.namespaces[2]", "a namespace type listed twice");
	parse_fails("{'linux': {'namespaces': [{'type': 'network'}, {'type': 'network', 'path': '/proc/1/ns/net'}]}}",
		    "network", "a new and a joined network namespace");
}

static void test_validate(void)
{
	validate_fails("{'ociVersion': null}", "ociVersion", "a missing ociVersion");
	validate_fails("{'ociVersion': ''}", "ociVersion", "an empty ociVersion");
	validate_fails("{'ociVersion': '2.0'}", "ociVersion", "ociVersion 2.0");
	validate_fails("{'ociVersion': '10.0.0'}", "ociVersion", "ociVersion 10.0.0");
	validate_fails("{'root': null}", "root.path", "a missing root");
	validate_fails("{'root': {'path': ''}}", "root.path", "an empty root.path");
	validate_fails("{'root': {'path': null, 'readonly': true}}", "root.path", "a root without path");
	validate_fails("{'process': null}", "process", "no process");
	validate_fails("{'process': {'args': []}}", "process.args", "empty process.args");
	validate_fails("{'process': {'args': null}}", "process.args", "no process.args");
	validate_fails("{'process': {'args': ['']}}", "process.args", "an empty program name");
	validate_fails("{'process': {'cwd': 'tmp'}}", "process.cwd", "a relative process.cwd");
	validate_fails("{'process': {'env': ['A=1', 'NOEQUALS']}}", "process.env[1]", "an env entry without '='");
	validate_fails("{'mounts': [{'destination': '/proc', 'type': 'proc', 'source': 'proc'},"
		       " {'destination': 'tmp', 'type': 'tmpfs'}]}",
		       "mounts[1].destination", "a relative mount destination");
	validate_fails("{'mounts': [{'destination': ''}]}", "mounts[0].destination", "an empty mount destination");
	validate_fails("{'linux': {'namespaces': [{'type': 'pid'}, {'type': 'mount'}]}}", "hostname",
		       "a hostname without a uts namespace");
	validate_fails("{'linux': {'namespaces': [{'type': 'pid'}, {'type': 'mount'},"
		       " {'type': 'uts', 'path': '/proc/1/ns/uts'}]}}",
		       "hostname", "a hostname with a joined uts namespace");
	validate_fails("{'hostname': null, 'domainname': 'example.org', 'linux': {'namespaces': [{'type': 'mount'}]}}",
		       "domainname", "a domainname without a uts namespace");
	validate_fails("{'linux': {'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}],"
		       " 'gidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}]}}",
		       "linux.uidMappings", "uid mappings without a user namespace");
	validate_fails("{'linux': {'gidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}]}}",
		       "linux.gidMappings", "gid mappings alone without a user namespace");
	validate_fails("{'linux': {'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}],"
		       " 'gidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}],"
		       " 'namespaces': [{'type': 'mount'}, {'type': 'uts'}, {'type': 'user', 'path': '/proc/1/ns/user'}]}}",
		       "linux.uidMappings", "mappings with a joined user namespace");
	validate_fails("{'linux': {'namespaces': [{'type': 'mount'}, {'type': 'uts'}, {'type': 'user'}]}}",
		       "linux.uidMappings", "a new user namespace without mappings");
	validate_fails("{'linux': {'namespaces': [{'type': 'mount'}, {'type': 'uts'}, {'type': 'user'}],"
		       " 'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}]}}",
		       "linux.gidMappings", "a new user namespace without gid mappings");
	validate_fails("{'linux': {'namespaces': [{'type': 'mount'}, {'type': 'uts'}, {'type': 'network', 'path': 'netns'}]}}",
		       "linux.namespaces", "a relative namespace path");
	validate_fails("{'linux': {'maskedPaths': ['/proc/kcore', 'proc/keys']}}", "linux.maskedPaths[1]",
		       "a relative maskedPaths entry");
	validate_fails("{'linux': {'readonlyPaths': ['proc/sys']}}", "linux.readonlyPaths[0]",
		       "a relative readonlyPaths entry");
	validate_fails("{'linux': {'rootfsPropagation': 'sideways'}}", "linux.rootfsPropagation",
		       "an unknown rootfsPropagation");
	validate_fails("{'linux': {'devices': [{'path': 'dev/null', 'type': 'c', 'major': 1, 'minor': 3}]}}",
		       "linux.devices[0].path", "a relative device path");
	validate_fails("{'hooks': {'poststart': [{'path': '/bin/ok'}, {'path': 'bin/hook'}]}}",
		       "hooks.poststart[1].path", "a relative hook path");
	validate_fails("{'hooks': {'prestart': [{'path': 'hook'}]}}", "hooks.prestart[0].path",
		       "a relative prestart hook path");
	/* runtime-spec config.md: "If rlimits contains duplicated entries with
	 * same type, the runtime MUST generate an error." */
	config_fails("{'process': {'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1},"
		     " {'type': 'RLIMIT_CORE', 'soft': 0, 'hard': 0}, {'type': 'RLIMIT_NOFILE', 'soft': 2, 'hard': 2}]}}",
		     "process.rlimits[2]", "an rlimit type listed twice");

	/* and what must pass */
	static const char *const props[] = { "private", "rprivate", "slave", "rslave", "shared",
					     "rshared", "unbindable", "runbindable" };
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		char patch[128], name[64];
		snprintf(patch, sizeof(patch), "{'linux': {'rootfsPropagation': '%s'}}", props[i]);
		snprintf(name, sizeof(name), "rootfsPropagation %s", props[i]);
		validates(patch, name);
	}
	validates("{'root': {'path': '/var/lib/rootfs'}}", "an absolute root.path");
	validates("{'ociVersion': '1.1.0'}", "ociVersion 1.1.0");
	validates("{'hostname': null, 'linux': {'namespaces': [{'type': 'mount'}]}}",
		  "no hostname and no uts namespace");
	validates("{'linux': {'namespaces': [{'type': 'mount'}, {'type': 'uts'}, {'type': 'user'}],"
		  " 'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}],"
		  " 'gidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}]}}",
		  "a new user namespace with mappings");
	validates("{'linux': {'namespaces': [{'type': 'mount'}, {'type': 'uts'}, {'type': 'network', 'path': '/var/run/netns/a'}]}}",
		  "an absolute namespace path");
	validates("{'process': {'env': ['A=', '=B', 'C=D=E']}}", "env entries with '=' anywhere");
	validates("{'linux': {'devices': [{'path': '/dev/fifo', 'type': 'p'}]}}", "a fifo device");
}

/* The default config (what `husk spec` writes) parses back and validates. */
static struct spec *default_spec(bool rootless, uid_t uid, gid_t gid, const char *name)
{
	json_object *d = spec_default(rootless, uid, gid);
	if (!ok(d != NULL, "%s: spec_default returns a document", name))
		return NULL;
	const char *text = json_object_to_json_string(d);
	char *msg;
	struct spec *s = parse_text(text, &msg);
	if (!ok(s != NULL, "%s: parses", name))
		diag("error: %s", msg);
	free(msg);
	if (s) {
		char *vmsg = validate_msg(s);
		if (!ok(vmsg == NULL, "%s: validates", name))
			diag("error: %s", vmsg);
		free(vmsg);
	}
	json_object_put(d);
	return s;
}

static int has_option(const struct spec *s, const char *dest, const char *opt)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (strcmp(s->mounts[i].destination, dest) == 0)
			for (size_t k = 0; s->mounts[i].options && s->mounts[i].options[k]; k++)
				if (strcmp(s->mounts[i].options[k], opt) == 0)
					return 1;
	return 0;
}

static void test_default(void)
{
	struct spec *s = default_spec(false, 0, 0, "the default spec");
	if (s) {
		is_str(s->oci_version, SPEC_OCI_VERSION, "default: ociVersion");
		ok(s->root_path && strcmp(s->root_path, "rootfs") == 0 && s->root_readonly,
		   "default: root is rootfs, read-only");
		ok(strv_is(s->process.args, "sh"), "default: args are sh");
		ok(s->process.uid == 0 && s->process.gid == 0, "default: runs as root");
		ok(s->process.n_rlimits == 1 && s->process.rlimits[0].resource == RLIMIT_NOFILE &&
		   s->process.rlimits[0].soft == 1024, "default: RLIMIT_NOFILE 1024");
		ok(s->namespaces[NS_PID].present && s->namespaces[NS_NET].present && s->namespaces[NS_IPC].present &&
		   s->namespaces[NS_UTS].present && s->namespaces[NS_MNT].present,
		   "default: pid, network, ipc, uts and mount namespaces");
		ok(!s->namespaces[NS_USER].present && s->n_uid_mappings == 0, "default: no user namespace");
		is_int(s->n_mounts, 7, "default: seven mounts");
		ok(has_option(s, "/dev/pts", "gid=5"), "default: /dev/pts has gid=5");
		ok(s->resources != NULL, "default: has linux.resources");
		ok(strv_len(s->masked_paths) > 0 && strv_len(s->readonly_paths) > 0,
		   "default: masked and read-only paths");
		spec_free(s);
	}

	s = default_spec(true, 1000, 1000, "the rootless default spec");
	if (s) {
		ok(s->namespaces[NS_USER].present && s->namespaces[NS_USER].path == NULL,
		   "rootless: a new user namespace");
		ok(!s->namespaces[NS_NET].present, "rootless: no network namespace");
		if (is_int(s->n_uid_mappings, 1, "rootless: one uid mapping"))
			ok(s->uid_mappings[0].container_id == 0 && s->uid_mappings[0].host_id == 1000 &&
			   s->uid_mappings[0].size == 1, "rootless: uid 0 maps to 1000");
		if (is_int(s->n_gid_mappings, 1, "rootless: one gid mapping"))
			ok(s->gid_mappings[0].container_id == 0 && s->gid_mappings[0].host_id == 1000 &&
			   s->gid_mappings[0].size == 1, "rootless: gid 0 maps to 1000");
		ok(!has_option(s, "/dev/pts", "gid=5"), "rootless: /dev/pts without gid=5 (unmapped)");
		ok(has_option(s, "/sys", "rbind"), "rootless: /sys is bound from the host");
		ok(s->resources == NULL, "rootless: no linux.resources");
		spec_free(s);
	}

	s = default_spec(true, 4294967294u, 12345, "the rootless default spec for uid 4294967294");
	if (s) {
		ok(s->n_uid_mappings == 1 && s->uid_mappings[0].host_id == 4294967294u &&
		   s->n_gid_mappings == 1 && s->gid_mappings[0].host_id == 12345,
		   "rootless: large host uid and other gid are mapped");
		spec_free(s);
	}
}

static void test_ns_names(void)
{
	static const struct {
		const char *name;
		int type;
	} names[] = {
		{ "pid", NS_PID }, { "network", NS_NET }, { "mount", NS_MNT }, { "ipc", NS_IPC },
		{ "uts", NS_UTS }, { "user", NS_USER }, { "cgroup", NS_CGROUP }, { "time", NS_TIME },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		is_int(ns_type_from_name(names[i].name), names[i].type, "ns_type_from_name(\"%s\")", names[i].name);
		is_str(ns_type_name(names[i].type), names[i].name, "ns_type_name(%d)", names[i].type);
	}
	is_int(ns_type_from_name("net"), -1, "ns_type_from_name(\"net\") is unknown (the spec says network)");
	is_int(ns_type_from_name("mnt"), -1, "ns_type_from_name(\"mnt\") is unknown (the spec says mount)");
	is_int(ns_type_from_name(""), -1, "ns_type_from_name(\"\") is unknown");
	is_int(ns_type_from_name("PID"), -1, "ns_type_from_name(\"PID\") is unknown (case matters)");
}

int main(void)
{
	tap_init();
	tap_group(test_full);
	tap_group(test_base);
	tap_group(test_nulls);
	tap_group(test_malformed);
	tap_group(test_wrong_types);
	tap_group(test_duplicates);
	tap_group(test_validate);
	tap_group(test_default);
	tap_group(test_ns_names);
	return tap_done();
}

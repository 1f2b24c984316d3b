/* An image's config as `husk container create IMAGE` applies it to the
 * default config.json (Entrypoint, Cmd, Env, User, WorkingDir, Labels,
 * StopSignal), with the image's /etc/passwd and /etc/group through which a
 * User name resolves.  The input is up to four parts separated by NUL
 * bytes: the config JSON, passwd, group, and a -u value. */
#include "fuzz.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "engine/engine.h"
#include "engine/internal.h"
#include "image/store.h"
#include "spec/spec.h"
#include "util/error.h"
#include "util/json.h"

static char top[64];

static void remove_top(void)
{
	fuzz_rmtree(top);
}

static void write_at(int dirfd, const char *name, const char *text, size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (len && write(fd, text, len) != (ssize_t) len))
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (text == NULL)
		return 0;
	if (top[0] == '\0') {
		strcpy(top, "/tmp/husk-fuzz-config.XXXXXX");
		char etc[96];
		if (mkdtemp(top) == NULL || snprintf(etc, sizeof(etc), "%s/etc", top) < 0 ||
		    mkdir(etc, 0755) < 0)
			abort();
		atexit(remove_top);
	}
	char *p = text, *end = text + size;
	size_t len = 0;
	const char *conf = fuzz_part(&p, end, &len);
	size_t conf_len = len;
	int rootfd = open(top, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int etc = openat(rootfd, "etc", O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 || etc < 0)
		abort();
	const char *s = fuzz_part(&p, end, &len);
	write_at(etc, "passwd", s ? s : "", s ? len : 0);
	s = fuzz_part(&p, end, &len);
	write_at(etc, "group", s ? s : "", s ? len : 0);
	close(etc);
	const char *user = fuzz_part(&p, end, &len);

	husk_error *err = NULL;
	json_object *config = NULL;
	if (json_parse_text(conf, conf_len, &config, &err) == 0) {
		struct store_image img = { .config = config };
		struct engine_flags f = { .user = user };
		json_object *spec = spec_default(false, 0, 0), *meta = json_object_new_object();
		if (image_config_apply(spec, meta, &img, &f, rootfd, &err) == 0)
			free(strdup(json_object_to_json_string(spec)));
		json_object_put(spec);
		json_object_put(meta);
		json_object_put(config);
	}
	husk_error_free(err);
	close(rootfd);
	free(text);
	return 0;
}

/* `husk container create`: a container directory from an image. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/internal.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"

static void store_image_freep(struct store_image **p)
{
	if (*p)
		store_image_free(*p);
}

static int make_dirs(int cfd, const char *id, const char *image_id, husk_error **err)
{
	if (mkdirat(cfd, id, 0700) < 0)
		return husk_fail(err, errno, "container %.12s", id);
	cleanup_close int dfd = openat(cfd, id, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return husk_fail(err, errno, "container %.12s", id);
	static const char *const sub[] = { "upper", "work", "rootfs", NULL };
	for (const char *const *s = sub; *s; s++)
		if (mkdirat(dfd, *s, 0755) < 0)
			return husk_fail(err, errno, "container %.12s: %s", id, *s);
	/* `husk image rm` reads it: an image some container uses stays. */
	return write_file_at(dfd, "image", image_id, strlen(image_id), 0600, err);
}

static json_object *new_meta(const char *id, const char *name, const char *ref,
			     const struct store_image *img, const struct engine_flags *f)
{
	char now[40];
	cdir_now(now);
	json_object *m = json_object_new_object(), *st = json_object_new_object();
	json_object_object_add(m, "id", json_object_new_string(id));
	json_object_object_add(m, "name", json_object_new_string(name));
	json_object_object_add(m, "image", json_object_new_string(ref));
	json_object_object_add(m, "imageId", json_object_new_string(img->id));
	json_object_object_add(m, "created", json_object_new_string(now));
	json_object_object_add(m, "rm", json_object_new_boolean(f->rm));
	json_object_object_add(st, "status", json_object_new_string("created"));
	json_object_object_add(st, "exitCode", json_object_new_int(0));
	json_object_object_add(st, "oomKilled", json_object_new_boolean(0));
	json_object_object_add(st, "startedAt", json_object_new_string("0001-01-01T00:00:00Z"));
	json_object_object_add(st, "finishedAt", json_object_new_string("0001-01-01T00:00:00Z"));
	json_object_object_add(m, "state", st);
	return m;
}

static int create_locked(const struct engine_ctx *c, struct store *sp, const struct store_image *img,
			 const char *image, const struct engine_flags *f, char id[ENGINE_ID_LEN + 1],
			 husk_error **err);

static int write_bundle(const struct engine_ctx *c, const struct store_image *img, const struct engine_flags *f, const char *id,
			const char *cdir, json_object *meta, husk_error **err)
{
	cleanup_json json_object *spec = spec_default(false, 0, 0);
	char hostname[ENGINE_ID_LEN + 1];
	snprintf(hostname, 13, "%s", id);
	const char *net = f->network ? f->network : "none";
	if (!f->hostname && strcmp(net, "host") == 0)
		gethostname(hostname, sizeof(hostname));
	struct engine_flags fl = *f;
	if (!fl.hostname)
		fl.hostname = hostname;
	json_object_object_add(spec, "hostname", json_object_new_string(fl.hostname));
	char rootfs[4096];
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", cdir);
	cleanup_close int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return husk_fail(err, errno, "open %s", rootfs);
	if (image_config_apply(spec, meta, img, &fl, rootfd, err) < 0 ||
	    host_flags_apply(spec, meta, &fl, cdir, err) < 0 || userns_apply(spec, meta, err) < 0 ||
	    network_prepare(c, &fl, img, spec, meta, err) < 0 ||
	    etc_files_write(spec, meta, cdir, strcmp(net, "host") == 0, err) < 0)
		return -1;
	json_object *conf = json_member(meta, "config");
	json_object_object_add(conf, "Hostname", json_object_new_string(fl.hostname));
	json_object_object_add(conf, "Image", json_object_new_string(json_object_get_string(
					      json_member(meta, "image"))));
	cleanup_close int dfd = open(cdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *text = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PLAIN);
	if (dfd < 0)
		return husk_fail(err, errno, "open %s", cdir);
	return write_file_at(dfd, "config.json", text, strlen(text), 0600, err);
}

int engine_create(const struct engine_ctx *c, const char *image, const struct engine_flags *f,
		  char id[ENGINE_ID_LEN + 1], husk_error **err)
{
	/* The store's shared lock is held until the container records its
	 * image: `image rm` (exclusive) sees it or runs before. */
	struct store opened;
	int r = store_open(c->store, false, &opened, err);
	if (r < 0)
		return r;
	cleanup_store struct store s = opened;
	struct store_image *img __attribute__((cleanup(store_image_freep))) = NULL;
	if ((r = store_image_resolve(&s, image, &img, err)) < 0)
		return r;
	return create_locked(c, &s, img, image, f, id, err);
}

int engine_create_image(const struct engine_ctx *c, const struct store_image *img, const char *ref,
			const struct engine_flags *f, char id[ENGINE_ID_LEN + 1], husk_error **err)
{
	struct store opened;
	int r = store_open(c->store, false, &opened, err);
	if (r < 0)
		return r;
	cleanup_store struct store s = opened;
	return create_locked(c, &s, img, ref, f, id, err);
}

static int create_locked(const struct engine_ctx *c, struct store *sp, const struct store_image *img,
			 const char *image, const struct engine_flags *f, char id[ENGINE_ID_LEN + 1],
			 husk_error **err)
{
	struct store s = *sp;
	int r = 0;
	cleanup_close int cfd = -1;
	if ((r = cdir_open(c->store, &cfd, err)) < 0)
		return r;
	cdir_new_id(id);
	char defname[20];
	snprintf(defname, sizeof(defname), "husk-%.12s", id);
	const char *name = f->name ? f->name : defname;
	int creating = -1;
	if ((r = cdir_creating_begin(cfd, id, name, &creating, err)) < 0)
		return r;
	if ((r = cdir_name_claim(cfd, name, id, err)) < 0) {
		cdir_creating_end(cfd, id, creating);
		return r;
	}
	cleanup_free char *cdir = cdir_path(c->store, id, NULL);
	cleanup_json json_object *meta = new_meta(id, name, image, img, f);
	if (!cdir)
		r = husk_fail(err, ENOMEM, "container");
	if (r >= 0)
		r = run_options_apply(meta, f, err);
	if (r >= 0)
		r = userns_flags(meta, f, err);
	if (r >= 0)
		r = make_dirs(cfd, id, img->id, err);
	bool mounted = false;
	if (r >= 0 && (r = overlay_mount(&s, img, cdir, f->rm, meta, err)) >= 0)
		mounted = true;
	if (r >= 0)
		r = write_bundle(c, img, f, id, cdir, meta, err);
	if (r >= 0)
		r = userns_prepare_dirs(c->store, cdir, meta, err);
	if (r >= 0)
		r = cdir_meta_write(cfd, id, meta, err);
	if (r >= 0) {
		cdir_creating_end(cfd, id, creating);
		return 0;
	}
	husk_error *ignored = NULL;
	if (mounted)
		overlay_unmount(cdir, &ignored);
	husk_error_free(ignored);
	ignored = NULL;
	cdir_remove(cfd, id, &ignored);
	husk_error_free(ignored);
	cdir_name_release(cfd, name);
	cdir_creating_end(cfd, id, creating);
	return r;
}

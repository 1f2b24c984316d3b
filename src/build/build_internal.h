/* What the files of husk build share (not for callers: see build.h). */
#ifndef HUSK_BUILD_BUILD_INTERNAL_H
#define HUSK_BUILD_BUILD_INTERNAL_H

#include <json-c/json.h>
#include <stdio.h>

#include "build/build.h"
#include "build/ignore.h"
#include "build/parse.h"
#include "build/shlex.h"

/* The image so far of a stage. */
struct bstate {
	json_object *config;               /* the image config (OCI image-spec) */
	char (*blobs)[DIGEST_LEN];         /* its layers' compressed blobs, bottom first */
	size_t n_blobs;
	char key[DIGEST_LEN];              /* the cache key that made it */
	char **shell;                      /* SHELL; NULL: /bin/sh -c */
};

struct stage {
	char *name;                        /* AS name (lower case), or NULL */
	struct bstate st;
	bool built;
};

struct build {
	const struct engine_ctx *c;
	const struct build_options *o;
	struct containerfile cf;
	int ctxfd;                         /* the context, O_PATH */
	struct ignore ign;
	struct stage *stages;
	size_t n_stages, cur;
	char **global_args;                /* ARG before the first FROM: "K=V" or "K" */
	char **args;                       /* the ARGs of the current stage, "K=V" */
	int step, n_steps;
	int64_t epoch;                     /* the timestamp, or -1 */
	FILE *out;                         /* progress (NULL: --quiet) */
	struct bstate *lookup_st;          /* whose ENV build_shlex looks in (NULL: global ARGs) */
	bool cmd_set;                      /* CMD given in this stage (ENTRYPOINT keeps it) */
	char owner[64];                    /* the step containers' image reference (leftovers.c) */
};

/* leftovers.c: "husk-build pid=P start=T" of this process. */
void build_owner(char out[64]);

/* state.c */
void bstate_clear(struct bstate *s);
int bstate_copy(const struct bstate *from, struct bstate *to, husk_error **err);
/* The cache entry of key: 1 found (its blobs and layers present), 0 not. */
int cache_load(struct build *b, const char *key, struct bstate *st, husk_error **err);
int cache_save(struct build *b, const struct bstate *st, husk_error **err);
/* RFC 3339 of the build's time (the timestamp, or now). */
void build_time(const struct build *b, char out[40]);
/* Appends a history entry; empty: no layer came of the step. */
void bstate_history(struct build *b, struct bstate *st, const char *created_by, bool empty);
/* Adds a layer (diffID and blob) to the config. */
int bstate_add_layer(struct bstate *st, const char *diff_id, const char *blob, husk_error **err);
/* The state as the engine takes an image: config, chain ids (malloc'd). */
struct store_image;
int bstate_image(const struct bstate *st, struct store_image *img, husk_error **err);
/* The "config" object of the image config (made when missing). */
json_object *bstate_section(struct bstate *st);

/* vars.c: the variable lookup of the current stage (ENV, then ARG). */
struct shlex build_shlex(struct build *b, struct bstate *st);
const char *build_arg_value(const struct build *b, const char *name, bool *given);

/* step_config.c: ENV, ARG, LABEL, WORKDIR, USER, CMD, ENTRYPOINT, EXPOSE,
 * VOLUME, STOPSIGNAL, SHELL, MAINTAINER; desc: the step as history says it. */
int step_config(struct build *b, const struct instr *in, struct bstate *st, husk_error **err);
/* The text of a step after substitution (for the key and the history). */
int step_describe(struct build *b, const struct instr *in, struct bstate *st, char **desc,
		  husk_error **err);

/* step_docker.c: HEALTHCHECK and ONBUILD into the config; step_triggers
 * runs (with run) and clears the ONBUILD triggers st starts with (FROM at
 * line). */
int step_healthcheck(struct build *b, const struct instr *in, struct bstate *st, husk_error **err);
int step_onbuild(struct build *b, const struct instr *in, struct bstate *st, husk_error **err);
int step_triggers(struct build *b, struct bstate *st, int line,
		  int (*run)(struct build *, const struct instr *, struct bstate *, husk_error **),
		  husk_error **err);

/* step_run.c: RUN in a container from st; st gets the layer. */
int step_run(struct build *b, const struct instr *in, struct bstate *st, husk_error **err);
/* A container made from st (for COPY/ADD, --from): its id and root path. */
int step_container(struct build *b, const struct bstate *st, char id[65], char **rootfs,
		   husk_error **err);
void step_container_rm(struct build *b, const char *id);
/* The upper dir of a container as a layer on top of st. */
int step_commit_dir(struct build *b, struct bstate *st, const char *dir, bool run,
		    const char *desc, husk_error **err);

/* step_copy.c: COPY and ADD; extra gets the hash of the sources (for the
 * key) when run is false, else the files are copied. */
int step_copy_key(struct build *b, const struct instr *in, struct bstate *st, char **words,
		  char extra[DIGEST_LEN], husk_error **err);
int step_copy(struct build *b, const struct instr *in, struct bstate *st, char **words,
	      const char *desc, husk_error **err);
/* base.c: the state FROM ref starts from (an earlier stage, scratch, an
 * image of the store, pulled when missing). */
int build_base(struct build *b, const char *ref, struct bstate *st, husk_error **err);
/* The stage or image of --from (its state, malloc'd into *ret). */
int step_from_ref(struct build *b, const char *ref, struct bstate *ret, husk_error **err);

#endif

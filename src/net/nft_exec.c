#include "net/nft_exec.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "net/nft_lazy.h"
#include "util/json.h"

struct nft_exec {
	const struct nft_lazy *lib;
	struct nft_ctx *ctx;
};

struct nft_exec *nft_exec_new(husk_error **err)
{
	const struct nft_lazy *lib = nft_lazy_load(err);
	if (lib == NULL)
		return NULL;
	struct nft_exec *x = calloc(1, sizeof(*x));
	if (x == NULL) {
		husk_fail(err, ENOMEM, "nftables");
		return NULL;
	}
	x->lib = lib;
	x->ctx = lib->ctx_new(NFT_CTX_DEFAULT);
	if (x->ctx == NULL || lib->ctx_buffer_output(x->ctx) < 0 || lib->ctx_buffer_error(x->ctx) < 0) {
		nft_exec_free(x);
		husk_fail(err, ENOMEM, "nftables: cannot make a context");
		return NULL;
	}
	return x;
}

void nft_exec_free(struct nft_exec *x)
{
	if (x == NULL)
		return;
	if (x->ctx != NULL)
		x->lib->ctx_free(x->ctx);
	free(x);
}

void nft_exec_freep(struct nft_exec **x)
{
	nft_exec_free(*x);
	*x = NULL;
}

/* nftables prints "Error: <why>" lines followed by the offending command
 * and carets; husk keeps the first error line.  The kernel's errno only
 * shows as its strerror() in that line. */
static int exec_fail(struct nft_exec *x, husk_error **err)
{
	const char *buf = x->lib->ctx_get_error_buffer(x->ctx);
	if (buf == NULL)
		buf = "";
	const char *line = strstr(buf, "Error: ");
	line = line != NULL ? line + strlen("Error: ") : buf;
	size_t len = strcspn(line, "\n");
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	int errnum = 0;
	if (memmem(line, len, strerror(EEXIST), strlen(strerror(EEXIST))) != NULL)
		errnum = EEXIST;
	else if (memmem(line, len, strerror(ENOENT), strlen(strerror(ENOENT))) != NULL)
		errnum = ENOENT;
	husk_fail(err, 0, "nftables: %.*s", (int) (len > 0 ? len : strlen("failed")),
		  len > 0 ? line : "failed");
	if (*err != NULL)
		(*err)->errnum = errnum;
	return errnum != 0 ? -errnum : -EINVAL;
}

/* libnftables 1.0 reads JSON input only while its output is JSON too. */
static int run(struct nft_exec *x, const char *cmd, bool json, husk_error **err)
{
	x->lib->ctx_output_set_flags(x->ctx, json ? NFT_CTX_OUTPUT_JSON : 0);
	if (x->lib->run_cmd_from_buffer(x->ctx, cmd) != 0)
		return exec_fail(x, err);
	return 0;
}

int nft_exec_text(struct nft_exec *x, const char *text, husk_error **err)
{
	return run(x, text, false, err);
}

int nft_exec_json(struct nft_exec *x, json_object *cmd, husk_error **err)
{
	const char *text = json_object_to_json_string_ext(cmd, JSON_C_TO_STRING_PLAIN);
	if (text == NULL)
		return husk_fail(err, ENOMEM, "nftables");
	return run(x, text, true, err);
}

int nft_exec_list(struct nft_exec *x, const char *what, json_object **ret, husk_error **err)
{
	*ret = NULL;
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "list %s", what != NULL ? what : "table " NFT_TABLE);
	cleanup_error husk_error *e = NULL;
	int r = run(x, cmd, true, &e);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		*err = e;
		e = NULL;
		return r;
	}
	const char *out = x->lib->ctx_get_output_buffer(x->ctx);
	cleanup_json json_object *doc = NULL;
	if (json_parse_text(out, strlen(out), &doc, err) < 0)
		return husk_wrap(err, "nftables: its listing of %s", cmd + 5);
	json_object *list = json_member(doc, "nftables");
	if (list == NULL || !json_is_array(list))
		return husk_fail(err, 0, "nftables: its listing of %s has no \"nftables\" array", cmd + 5);
	*ret = json_object_get(list);
	return 0;
}

int nft_buf_open(struct nft_buf *b, husk_error **err)
{
	b->text = NULL;
	b->len = 0;
	b->f = open_memstream(&b->text, &b->len);
	if (b->f == NULL)
		return husk_fail(err, errno, "nftables: open_memstream");
	return 0;
}

int nft_buf_close(struct nft_buf *b, husk_error **err)
{
	bool failed = ferror(b->f);
	if (fclose(b->f) != 0)
		failed = true;
	b->f = NULL;
	if (failed)
		return husk_fail(err, ENOMEM, "nftables: building a transaction");
	return 0;
}

void nft_buf_freep(struct nft_buf *b)
{
	if (b->f != NULL)
		fclose(b->f);
	free(b->text);
	b->text = NULL;
}

/* GETs against a registry over libcurl: TLS verified (system CAs or
 * --tls-ca), timeouts, redirects to blob storage, and one answer to an
 * auth challenge per request. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/curl_lazy.h"
#include "image/registry.h"
#include "util/cleanup.h"

#define C (&curl_lazy)

/* One transfer: the headers of the last response (a redirect starts a new
 * one), the body into the sink when the status is 200, else a little of it
 * for the error. */
struct xfer {
	registry_sink sink;
	void *ctx;
	husk_error *sink_err;
	long status;
	char *content_type, *digest, *www_auth;
	char body[1024];
	size_t body_len;
};

static void xfer_clear(struct xfer *x)
{
	free(x->content_type);
	free(x->digest);
	free(x->www_auth);
	x->content_type = x->digest = x->www_auth = NULL;
	husk_error_free(x->sink_err);
	x->sink_err = NULL;
	x->body_len = 0;
	x->status = 0;
}

static char *header_value(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);
	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return NULL;
	const char *v = line + k + 1, *end = line + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	return strndup(v, end - v);
}

static size_t on_header(char *buf, size_t size, size_t n, void *p)
{
	struct xfer *x = p;
	size_t len = size * n;
	char *v;
	if (len > 5 && strncmp(buf, "HTTP/", 5) == 0) {
		husk_error *keep = steal_ptr(x->sink_err);
		xfer_clear(x);
		x->sink_err = keep;
		const char *sp = memchr(buf, ' ', len);
		x->status = sp ? strtol(sp + 1, NULL, 10) : 0;
	} else if ((v = header_value(buf, len, "content-type")) != NULL) {
		free(x->content_type);
		x->content_type = v;
	} else if ((v = header_value(buf, len, "docker-content-digest")) != NULL) {
		free(x->digest);
		x->digest = v;
	} else if ((v = header_value(buf, len, "www-authenticate")) != NULL) {
		free(x->www_auth);
		x->www_auth = v;
	}
	return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *p)
{
	struct xfer *x = p;
	size_t len = size * n;
	if (x->status != 200) {
		size_t room = sizeof(x->body) - 1 - x->body_len;
		size_t k = len < room ? len : room;
		memcpy(x->body + x->body_len, buf, k);
		x->body_len += k;
		x->body[x->body_len] = '\0';
		return len;
	}
	if (x->sink(x->ctx, buf, len, &x->sink_err) < 0)
		return 0;   /* CURLE_WRITE_ERROR */
	return len;
}

static void append_header(struct curl_slist **l, const char *fmt, const char *v)
{
	char line[8192];
	snprintf(line, sizeof(line), fmt, v);
	*l = C->slist_append(*l, line);
}

/* One GET of url; *x gets the response.  Fails only when there is no HTTP
 * answer (or the sink failed). */
static int perform(struct registry *r, const char *url, const char *accept, const char *bearer,
		   const char *basic, struct xfer *x, husk_error **err)
{
	CURL *h = C->easy_init();
	if (h == NULL)
		return husk_fail(err, ENOMEM, "curl_easy_init");
	struct curl_slist *hdrs = NULL;
	if (accept != NULL)
		append_header(&hdrs, "Accept: %s", accept);
	if (bearer != NULL)
		append_header(&hdrs, "Authorization: Bearer %s", bearer);
	char errbuf[CURL_ERROR_SIZE] = "";
	long timeout = r->opt->timeout > 0 ? r->opt->timeout : 30;
	C->easy_setopt(h, CURLOPT_URL, url);
	C->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	C->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	C->easy_setopt(h, CURLOPT_USERAGENT, "husk");
	C->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	C->easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* Blobs are often served by a redirect to storage elsewhere; curl does
	 * not send the credentials to another host. */
	C->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	C->easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	C->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout);
	C->easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	C->easy_setopt(h, CURLOPT_LOW_SPEED_TIME, timeout);
	if (r->opt->tls_ca != NULL)
		C->easy_setopt(h, CURLOPT_CAINFO, r->opt->tls_ca);
	if (basic != NULL) {
		C->easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		C->easy_setopt(h, CURLOPT_USERPWD, basic);
	}
	C->easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	C->easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	C->easy_setopt(h, CURLOPT_HEADERDATA, x);
	C->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	C->easy_setopt(h, CURLOPT_WRITEDATA, x);
	CURLcode rc = C->easy_perform(h);
	C->easy_cleanup(h);
	C->slist_free_all(hdrs);
	if (rc == CURLE_OK)
		return 0;
	if (x->sink_err != NULL) {
		*err = steal_ptr(x->sink_err);
		return husk_error_code(*err);
	}
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return husk_fail(err, 0, "%s: timed out (no answer for %ld s)", url, timeout);
	return husk_fail(err, 0, "%s: %s", url, errbuf[0] ? errbuf : C->easy_strerror(rc));
}

struct membuf {
	char *data;
	size_t len, max;
};

static int mem_sink(void *p, const void *buf, size_t len, husk_error **err)
{
	struct membuf *m = p;
	if (m->len + len > m->max)
		return husk_fail(err, EFBIG, "token response larger than %zu bytes", m->max);
	char *d = realloc(m->data, m->len + len + 1);
	if (d == NULL)
		return husk_fail(err, ENOMEM, "token response");
	memcpy(d + m->len, buf, len);
	m->data = d;
	m->len += len;
	d[m->len] = '\0';
	return 0;
}

/* The registry's message from an error body ({"errors":[{"code","message"}]}). */
static void error_detail(const struct xfer *x, char *out, size_t n)
{
	out[0] = '\0';
	json_object *j = json_tokener_parse(x->body), *errs, *e, *code, *msg;
	if (j != NULL && json_object_object_get_ex(j, "errors", &errs) &&
	    json_object_is_type(errs, json_type_array) && json_object_array_length(errs) > 0 &&
	    (e = json_object_array_get_idx(errs, 0)) != NULL) {
		const char *c = json_object_object_get_ex(e, "code", &code) ? json_object_get_string(code) : "";
		const char *m = json_object_object_get_ex(e, "message", &msg) ? json_object_get_string(msg) : "";
		snprintf(out, n, ": %s: %s", c, m);
	}
	json_object_put(j);
}

/* GET realm?service=..&scope=.. -> {"token": ...} (or "access_token"). */
static int fetch_token(struct registry *r, const struct auth_challenge *ch, char **ret,
		       husk_error **err)
{
	if (ch->realm == NULL)
		return husk_fail(err, 0, "denied: a Bearer challenge without a realm");
	char scope[1024];
	snprintf(scope, sizeof(scope), "repository:%s:pull", r->repo);
	CURL *h = C->easy_init();
	if (h == NULL)
		return husk_fail(err, ENOMEM, "curl_easy_init");
	char *svc = ch->service ? C->easy_escape(h, ch->service, 0) : NULL;
	char *sc = C->easy_escape(h, ch->scope ? ch->scope : scope, 0);
	C->easy_cleanup(h);
	size_t n = strlen(ch->realm) + (svc ? strlen(svc) : 0) + strlen(sc ? sc : "") + 32;
	cleanup_free char *url = malloc(n);
	if (url == NULL || sc == NULL) {
		C->free(svc);
		C->free(sc);
		return husk_fail(err, ENOMEM, "token request");
	}
	snprintf(url, n, "%s%sscope=%s%s%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?", sc,
		 svc ? "&service=" : "", svc ? svc : "");
	C->free(svc);
	C->free(sc);

	struct membuf m = { .max = 1 << 20 };
	struct xfer x = { .sink = mem_sink, .ctx = &m };
	int rc = perform(r, url, "application/json", NULL, r->userpass, &x, err);
	if (rc >= 0 && x.status != 200) {
		char detail[512];
		error_detail(&x, detail, sizeof(detail));
		rc = husk_fail(err, 0, "denied: the token endpoint answered %ld%s", x.status, detail);
	}
	xfer_clear(&x);
	if (rc < 0) {
		free(m.data);
		return rc;
	}
	json_object *j = json_tokener_parse(m.data ? m.data : ""), *t;
	free(m.data);
	if (j == NULL || !((json_object_object_get_ex(j, "token", &t) ||
			    json_object_object_get_ex(j, "access_token", &t)) &&
			   json_object_is_type(t, json_type_string) && *json_object_get_string(t))) {
		json_object_put(j);
		return husk_fail(err, 0, "denied: the token endpoint %s sent no token", ch->realm);
	}
	*ret = strdup(json_object_get_string(t));
	json_object_put(j);
	return *ret ? 0 : husk_fail(err, ENOMEM, "token");
}

/* After a 401: whether to try again (with what the challenge asked). */
static int answer_challenge(struct registry *r, const char *www_auth, const char *used_token,
			    bool used_basic, husk_error **err)
{
	struct auth_challenge ch;
	if (www_auth == NULL || auth_challenge_parse(www_auth, &ch) < 0)
		return 0;
	int rc = 0;
	if (strcasecmp(ch.scheme, "Bearer") == 0) {
		char *tok = NULL;
		if ((rc = fetch_token(r, &ch, &tok, err)) == 0) {
			pthread_mutex_lock(&r->lock);
			/* The same token refused again: asking again will not help. */
			rc = used_token == NULL || strcmp(used_token, tok) != 0;
			free(r->token);
			r->token = tok;
			pthread_mutex_unlock(&r->lock);
		}
	} else if (strcasecmp(ch.scheme, "Basic") == 0 && r->userpass != NULL && !used_basic) {
		pthread_mutex_lock(&r->lock);
		r->use_basic = true;
		pthread_mutex_unlock(&r->lock);
		rc = 1;
	}
	auth_challenge_clear(&ch);
	return rc;
}

int registry_get(struct registry *r, const char *path, const char *accept, registry_sink sink,
		 void *ctx, struct registry_response *resp, husk_error **err)
{
	char url[4096];
	snprintf(url, sizeof(url), "%s://%s/v2/%s/%s", r->opt->insecure ? "http" : "https", r->host,
		 r->repo, path);
	struct xfer x = { .sink = sink, .ctx = ctx };
	for (int attempt = 0;; attempt++) {
		pthread_mutex_lock(&r->lock);
		cleanup_free char *token = r->token ? strdup(r->token) : NULL;
		bool basic = r->use_basic && token == NULL;
		pthread_mutex_unlock(&r->lock);
		xfer_clear(&x);
		int rc = perform(r, url, accept, token, basic ? r->userpass : NULL, &x, err);
		if (rc < 0) {
			xfer_clear(&x);
			return rc;
		}
		if (x.status != 401 || attempt >= 2)
			break;
		if ((rc = answer_challenge(r, x.www_auth, token, basic, err)) < 0) {
			xfer_clear(&x);
			return rc;
		}
		if (rc == 0)
			break;
	}
	int rc = 0;
	if (x.status != 200) {
		char detail[512];
		error_detail(&x, detail, sizeof(detail));
		const char *what = x.status == 404			  ? "not found"
				   : x.status == 401 || x.status == 403 ? "denied"
									: "refused";
		rc = husk_fail(err, 0, "%s: %s (HTTP %ld%s)", path, what, x.status, detail);
	} else if (resp != NULL) {
		resp->status = x.status;
		resp->content_type = steal_ptr(x.content_type);
		resp->digest = steal_ptr(x.digest);
	}
	xfer_clear(&x);
	return rc;
}

void registry_response_clear(struct registry_response *r)
{
	free(r->content_type);
	free(r->digest);
	r->content_type = r->digest = NULL;
}

int registry_init(struct registry *r, const char *host, const char *repo,
		  const struct registry_options *opt, husk_error **err)
{
	memset(r, 0, sizeof(*r));
	int rc = curl_lazy_load(err);
	if (rc < 0)
		return rc;
	pthread_mutex_init(&r->lock, NULL);
	r->opt = opt;
	r->host = strdup(strcmp(host, "docker.io") == 0 ? "registry-1.docker.io" : host);
	r->repo = strdup(repo);
	if (r->host == NULL || r->repo == NULL)
		return husk_fail(err, ENOMEM, "registry");
	return registry_auth_lookup(opt->authfile, r->host, &r->userpass, err);
}

void registry_clear(struct registry *r)
{
	free(r->host);
	free(r->repo);
	if (r->userpass)
		explicit_bzero(r->userpass, strlen(r->userpass));
	free(r->userpass);
	free(r->token);
	pthread_mutex_destroy(&r->lock);
	memset(r, 0, sizeof(*r));
}

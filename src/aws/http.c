/* http.c - libcurl multi transport, timers, retrying generic calls. See http.h. */
#include "aws/http.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "aws/endpoint.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/str.h"

#define DEFAULT_CONNECT_MS   10000L
#define DEFAULT_TOTAL_MS     60000L
#define DEFAULT_MAX_RESPONSE ((size_t)16 * 1024 * 1024)
#define DEFAULT_PARALLEL     16
#define BACKOFF_BASE_MS      100L
#define BACKOFF_CAP_MS       20000L

enum xfer_state { XF_QUEUED, XF_ACTIVE, XF_DONE };

struct http_xfer {
	struct http_ctx *ctx;
	struct http_xfer *next, *prev;
	enum xfer_state state;
	CURL *easy;
	struct curl_slist *hdrs;
	char *url, *method, *label;
	char *body;
	size_t body_len;
	http_xfer_fn fn;
	void *ud;
	struct http_response resp;
	bool too_large;
	bool sent;         /* connected (TLS included) and the request handed to the socket */
	bool never_resend; /* http_request.never_resend */
	int sends;         /* times libcurl was about to send it (on_prereq) */
	bool resend_refused;
	long long t0;
	CURLcode result;
	enum cx_status pre_status; /* CX_OK, or an error decided before/without curl */
	struct cx_err pre_err;
	char errbuf[CURL_ERROR_SIZE];
};

static int on_prereq(void *ud, char *primary_ip, char *local_ip, int primary_port, int local_port);

struct http_timer {
	struct http_timer *next;
	unsigned long id;
	bool when_sent; /* http_ctx_when_sent: due once every active transfer has sent */
	long long due;
	http_timer_fn fn;
	void *ud;
};

struct http_ctx {
	CURLM *multi;
	CURLSH *share;
	struct http_opts opts;
	char *ca_bundle;
	const char *trust_file;  /* ca_bundle, or libcurl's built-in CA file; NULL: defaults */
	struct http_xfer *xfers; /* all transfers, any state; appended at the tail */
	struct http_xfer *tail;
	int nactive;
	struct http_timer *timers;
	unsigned long next_timer_id;
	unsigned epoch;
};

/* ---------- responses ---------- */

void http_response_free(struct http_response *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	if (r->body.data)
		secmem_wipe(r->body.data, r->body.len); /* may hold a new secret key */
	buf_free(&r->body);
	memset(r, 0, sizeof(*r));
}

const char *http_response_header(const struct http_response *r, const char *name)
{
	if (!r)
		return NULL;
	for (size_t i = r->nheaders; i > 0; i--)
		if (strcasecmp(r->headers[i - 1].name, name) == 0)
			return r->headers[i - 1].value;
	return NULL;
}

void http_response_move(struct http_response *dst, struct http_response *src)
{
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

static void resp_add_header(struct http_response *r, const char *name, size_t nlen, const char *val,
                            size_t vlen)
{
	r->headers = xrealloc(r->headers, (r->nheaders + 1) * sizeof(*r->headers));
	r->headers[r->nheaders].name = xstrndup(name, nlen);
	r->headers[r->nheaders].value = xstrndup(val, vlen);
	r->nheaders++;
}

/* ---------- clock, random, helpers ---------- */

long long http_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	if (rng_state == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		rng_state = ((uint64_t)ts.tv_nsec << 16) ^ (uint64_t)ts.tv_sec ^
		            (uint64_t)getpid() ^ 0x9E3779B97F4A7C15ULL;
	}
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

long http_backoff_ms(int attempt, long retry_after_ms)
{
	if (attempt < 1)
		attempt = 1;
	long ceil_ms = BACKOFF_BASE_MS;
	for (int i = 1; i < attempt && ceil_ms < BACKOFF_CAP_MS; i++)
		ceil_ms *= 2;
	if (ceil_ms > BACKOFF_CAP_MS)
		ceil_ms = BACKOFF_CAP_MS;
	long d = (long)(rng_next() % (uint64_t)(ceil_ms + 1));
	if (retry_after_ms > 0) {
		if (retry_after_ms > BACKOFF_CAP_MS)
			retry_after_ms = BACKOFF_CAP_MS;
		if (d < retry_after_ms)
			d = retry_after_ms;
	}
	return d;
}

long long http_parse_date(const char *s)
{
	if (!s || !*s)
		return -1;
	time_t t = curl_getdate(s, NULL);
	return t == (time_t)-1 ? -1 : (long long)t;
}

long http_retry_after_ms(const struct http_response *r)
{
	const char *v = http_response_header(r, "Retry-After");
	if (!v || !*v)
		return 0;
	char *end = NULL;
	long secs = strtol(v, &end, 10);
	if (end != v && (*end == '\0' || *end == ' ' || *end == '\r')) {
		if (secs < 0)
			return 0;
		if (secs > 3600)
			secs = 3600;
		return secs * 1000;
	}
	long long t = http_parse_date(v);
	if (t < 0)
		return 0;
	long long d = t - (long long)time(NULL);
	return d > 0 ? (long)(d > 3600 ? 3600000 : d * 1000) : 0;
}

void http_url_origin(const char *url, char *out, size_t outsz)
{
	if (!out || outsz == 0)
		return;
	out[0] = '\0';
	if (!url)
		return;
	const char *p = strstr(url, "://");
	const char *hs = p ? p + 3 : url;
	size_t hl = strcspn(hs, "/?#");
	const char *at = memchr(hs, '@', hl); /* never show userinfo */
	if (at) {
		hl -= (size_t)(at + 1 - hs);
		hs = at + 1;
	}
	size_t sl = p ? (size_t)(p - url) : 0;
	bool https = sl == 5 && strncasecmp(url, "https", 5) == 0;
	bool has_port = false;
	if (hl > 0 && hs[0] == '[') {
		const char *rb = memchr(hs, ']', hl);
		has_port = rb && (size_t)(rb - hs) + 1 < hl && rb[1] == ':';
	} else {
		has_port = memchr(hs, ':', hl) != NULL;
	}
	snprintf(out, outsz, "%.*s://%.*s%s", (int)(sl ? sl : 5), sl ? url : "https", (int)hl, hs,
	         has_port ? "" : (https || !sl ? ":443" : ":80"));
}

/* ---------- context ---------- */

struct http_ctx *http_ctx_new(const struct http_opts *opts, struct cx_err *err)
{
	static bool global_done;
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			cx_err_set(err, CX_E_INTERNAL, "libcurl initialisation failed");
			return NULL;
		}
		global_done = true;
	}
	struct http_ctx *ctx = xcalloc(1, sizeof(*ctx));
	if (opts)
		ctx->opts = *opts;
	if (ctx->opts.connect_timeout_ms <= 0)
		ctx->opts.connect_timeout_ms = DEFAULT_CONNECT_MS;
	if (ctx->opts.total_timeout_ms <= 0)
		ctx->opts.total_timeout_ms = DEFAULT_TOTAL_MS;
	if (ctx->opts.max_response == 0)
		ctx->opts.max_response = DEFAULT_MAX_RESPONSE;
	if (ctx->opts.max_parallel <= 0)
		ctx->opts.max_parallel = DEFAULT_PARALLEL;
	ctx->ca_bundle = xstrdup(opts ? opts->ca_bundle : NULL);
	ctx->opts.ca_bundle = ctx->ca_bundle;
	const curl_version_info_data *vi = curl_version_info(CURLVERSION_NOW);
	ctx->trust_file = ctx->ca_bundle                                      ? ctx->ca_bundle
	                  : vi && vi->cainfo && access(vi->cainfo, R_OK) == 0 ? vi->cainfo
	                                                                      : NULL;
	ctx->multi = curl_multi_init();
	ctx->share = curl_share_init();
	if (!ctx->multi || !ctx->share) {
		cx_err_set(err, CX_E_INTERNAL, "libcurl multi handle could not be created");
		http_ctx_free(ctx);
		return NULL;
	}
	curl_share_setopt(ctx->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(ctx->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_multi_setopt(ctx->multi, CURLMOPT_MAXCONNECTS, (long)(ctx->opts.max_parallel * 2));
	ctx->next_timer_id = 1;
	return ctx;
}

const struct http_opts *http_ctx_opts(const struct http_ctx *ctx)
{
	return &ctx->opts;
}

static void xfer_unlink(struct http_ctx *ctx, struct http_xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		ctx->xfers = x->next;
	if (x->next)
		x->next->prev = x->prev;
	else
		ctx->tail = x->prev;
	x->next = x->prev = NULL;
}

static void xfer_detach_curl(struct http_ctx *ctx, struct http_xfer *x)
{
	if (x->easy) {
		if (x->state == XF_ACTIVE) {
			curl_multi_remove_handle(ctx->multi, x->easy);
			ctx->nactive--;
		}
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
}

static void xfer_free(struct http_xfer *x)
{
	if (!x)
		return;
	curl_slist_free_all(x->hdrs); /* may hold secret header values */
	free(x->url);
	free(x->method);
	free(x->label);
	if (x->body) {
		secmem_wipe(x->body, x->body_len);
		free(x->body);
	}
	http_response_free(&x->resp);
	free(x);
}

void http_ctx_free(struct http_ctx *ctx)
{
	if (!ctx)
		return;
	http_ctx_cancel_all(ctx);
	/* deliver cancellations so owners can release their state */
	for (int i = 0; i < 8 && http_ctx_busy(ctx); i++)
		http_ctx_perform(ctx);
	while (ctx->xfers) {
		struct http_xfer *x = ctx->xfers;
		xfer_unlink(ctx, x);
		xfer_detach_curl(ctx, x);
		xfer_free(x);
	}
	while (ctx->timers) {
		struct http_timer *t = ctx->timers;
		ctx->timers = t->next;
		free(t);
	}
	if (ctx->multi)
		curl_multi_cleanup(ctx->multi);
	if (ctx->share)
		curl_share_cleanup(ctx->share);
	free(ctx->ca_bundle);
	free(ctx);
}

/* ---------- timers ---------- */

/* Inserts t in due order. */
static void timer_insert(struct http_ctx *ctx, struct http_timer *t)
{
	struct http_timer **pp = &ctx->timers;
	while (*pp && (*pp)->due <= t->due)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
}

static unsigned long timer_new(struct http_ctx *ctx, long long due, bool when_sent,
                               http_timer_fn fn, void *ud)
{
	struct http_timer *t = xcalloc(1, sizeof(*t));
	t->id = ctx->next_timer_id++;
	t->due = due;
	t->when_sent = when_sent;
	t->fn = fn;
	t->ud = ud;
	timer_insert(ctx, t);
	return t->id;
}

unsigned long http_timer_add(struct http_ctx *ctx, long delay_ms, http_timer_fn fn, void *ud)
{
	return timer_new(ctx, http_now_ms() + (delay_ms > 0 ? delay_ms : 0), false, fn, ud);
}

unsigned long http_ctx_when_sent(struct http_ctx *ctx, http_timer_fn fn, void *ud)
{
	return timer_new(ctx, LLONG_MAX, true, fn, ud); /* due: check_when_sent */
}

/* The http_ctx_when_sent timers become due when no transfer in curl's hands is still
 * connecting or about to send its request. */
static void check_when_sent(struct http_ctx *ctx)
{
	bool waiting = false;
	for (struct http_timer *t = ctx->timers; t && !waiting; t = t->next)
		waiting = t->when_sent;
	if (!waiting)
		return;
	for (struct http_xfer *x = ctx->xfers; x; x = x->next)
		if (x->state == XF_ACTIVE && !x->sent)
			return;
	long long now = http_now_ms();
	struct http_timer *due = NULL;
	for (struct http_timer **pp = &ctx->timers; *pp;) {
		struct http_timer *t = *pp;
		if (!t->when_sent) {
			pp = &t->next;
			continue;
		}
		*pp = t->next;
		t->when_sent = false;
		t->due = now;
		t->next = due;
		due = t;
	}
	while (due) {
		struct http_timer *t = due;
		due = t->next;
		timer_insert(ctx, t);
	}
}

void http_timer_cancel(struct http_ctx *ctx, unsigned long id)
{
	for (struct http_timer **pp = &ctx->timers; *pp; pp = &(*pp)->next) {
		if ((*pp)->id == id) {
			struct http_timer *t = *pp;
			*pp = t->next;
			free(t);
			return;
		}
	}
}

/* ---------- transfers ---------- */

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct http_xfer *x = ud;
	size_t n = size * nmemb;
	if (x->resp.body.len + n > x->ctx->opts.max_response) {
		x->too_large = true;
		return 0;
	}
	buf_append(&x->resp.body, ptr, n);
	return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct http_xfer *x = ud;
	size_t n = size * nmemb;
	if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
		/* a new response (after 100-continue or similar): start over */
		for (size_t i = 0; i < x->resp.nheaders; i++) {
			free(x->resp.headers[i].name);
			free(x->resp.headers[i].value);
		}
		x->resp.nheaders = 0;
		return n;
	}
	const char *colon = memchr(ptr, ':', n);
	if (!colon)
		return n;
	size_t nl = (size_t)(colon - ptr);
	const char *v = colon + 1;
	const char *end = ptr + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	if (x->resp.nheaders >= 200)
		return n;
	if (nl == 14 && strncasecmp(ptr, "Content-Length", 14) == 0) {
		unsigned long long cl = strtoull(v, NULL, 10);
		if (cl > x->ctx->opts.max_response) {
			x->too_large = true;
			return 0;
		}
	}
	resp_add_header(&x->resp, ptr, nl, v, (size_t)(end - v));
	return n;
}

static bool url_is_plain_http(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0;
}

static enum cx_status xfer_setup(struct http_ctx *ctx, struct http_xfer *x,
                                 const struct http_request *req)
{
	CURL *e = curl_easy_init();
	if (!e)
		return cx_err_set(&x->pre_err, CX_E_INTERNAL, "curl_easy_init failed");
	x->easy = e;
	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(e, CURLOPT_PREREQDATA, x);
	curl_easy_setopt(e, CURLOPT_SHARE, ctx->share);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ctx->opts.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, ctx->opts.total_timeout_ms);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "certerox-aws-setup/" CX_VERSION);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	x->never_resend = req->never_resend;
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	/* One trust source, a CA file, so that libcurl parses it once and keeps the store for
	 * every later connection of the multi handle (CURLOPT_CA_CACHE_TIMEOUT, 24 h by default).
	 * libcurl caches it only when no CA directory is set (lib/vtls/openssl.c,
	 * Curl_ssl_setup_x509_store), and Debian's libcurl sets /etc/ssl/certs as its default
	 * CA path: without this, each new connection parsed the whole bundle again on the event
	 * loop, one after another. The file: the configured bundle (AWS_CA_BUNDLE), else
	 * libcurl's built-in one, which on Debian holds the directory's certificates
	 * (update-ca-certificates); without a built-in file the defaults stay. */
	if (ctx->trust_file) {
		curl_easy_setopt(e, CURLOPT_CAINFO, ctx->trust_file);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);

	bool has_ct = false;
	for (size_t i = 0; i < req->nheaders; i++) {
		if (strncasecmp(req->headers[i], "Content-Type:", 13) == 0)
			has_ct = true;
		x->hdrs = curl_slist_append(x->hdrs, req->headers[i]);
	}
	x->hdrs = curl_slist_append(x->hdrs, "Expect:");
	if (!has_ct)
		x->hdrs = curl_slist_append(x->hdrs, "Content-Type:");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);

	if (strcmp(x->method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (strcmp(x->method, "GET") == 0 && x->body_len == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else {
		if (x->body_len > 0 || strcmp(x->method, "GET") != 0) {
			curl_easy_setopt(e, CURLOPT_POST, 1L);
			curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
			curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body ? x->body : "");
		}
		if (strcmp(x->method, "POST") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, x->method);
	}
	return CX_OK;
}

struct http_xfer *http_xfer_start(struct http_ctx *ctx, const struct http_request *req,
                                  http_xfer_fn fn, void *ud)
{
	struct http_xfer *x = xcalloc(1, sizeof(*x));
	x->ctx = ctx;
	x->fn = fn;
	x->ud = ud;
	x->url = xstrdup(req->url ? req->url : "");
	x->method = xstrdup(req->method ? req->method : "GET");
	x->label = xstrdup(req->label ? req->label : x->method);
	if (req->body_len > 0) {
		x->body = xmalloc(req->body_len + 1);
		memcpy(x->body, req->body, req->body_len);
		x->body[req->body_len] = '\0';
		x->body_len = req->body_len;
	}
	x->state = XF_QUEUED;
	cx_err_clear(&x->pre_err);
	char origin[300];
	http_url_origin(x->url, origin, sizeof(origin));
	if (strncasecmp(x->url, "https://", 8) != 0 && !url_is_plain_http(x->url)) {
		x->pre_status =
		    cx_err_set(&x->pre_err, CX_E_INPUT,
		               "unsupported URL scheme in %s (https:// required)", origin);
	} else if (url_is_plain_http(x->url) && !endpoint_is_loopback(origin)) {
		x->pre_status = cx_err_set(
		    &x->pre_err, CX_E_INPUT,
		    "plain http:// is accepted only for a loopback host, not %s", origin);
	} else {
		x->pre_status = xfer_setup(ctx, x, req);
	}
	if (x->pre_status != CX_OK)
		x->state = XF_DONE;
	/* append */
	x->prev = ctx->tail;
	if (ctx->tail)
		ctx->tail->next = x;
	else
		ctx->xfers = x;
	ctx->tail = x;
	return x;
}

void http_xfer_cancel(struct http_ctx *ctx, struct http_xfer *x)
{
	if (!x)
		return;
	xfer_unlink(ctx, x);
	xfer_detach_curl(ctx, x);
	xfer_free(x);
}

static bool is_tls_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_USE_SSL_FAILED:
		return true;
	default:
		return false;
	}
}

static enum cx_status xfer_result(struct http_xfer *x, struct cx_err *err)
{
	cx_err_clear(err);
	if (x->pre_status != CX_OK) {
		*err = x->pre_err;
		return x->pre_status;
	}
	char origin[300];
	http_url_origin(x->url, origin, sizeof(origin));
	const char *msg = x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->result);
	if (x->too_large)
		return cx_err_set(err, CX_E_TOO_LARGE,
		                  "response from %s is larger than the %zu-byte limit", origin,
		                  x->ctx->opts.max_response);
	if (x->resend_refused)
		return cx_err_set(err, CX_E_NETWORK,
		                  "network error talking to %s: the connection closed before the "
		                  "answer (not sent again: the request may have taken effect)",
		                  origin);
	switch (x->result) {
	case CURLE_OK:
		return CX_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return cx_err_set(err, CX_E_TIMEOUT, "timed out talking to %s: %s", origin, msg);
	default:
		break;
	}
	if (is_tls_error(x->result))
		return cx_err_set(err, CX_E_TLS, "TLS error talking to %s: %s", origin, msg);
	return cx_err_set(err, CX_E_NETWORK, "network error talking to %s: %s", origin, msg);
}

/* libcurl: connected (TLS included), the request goes out now. */
static int on_prereq(void *ud, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
	(void)primary_ip, (void)local_ip, (void)primary_port, (void)local_port;
	struct http_xfer *x = ud;
	/* libcurl sends a request again, on a new connection, when the reused one it went out
	 * on closed before any answer (lib/transfer.c Curl_retry_request); each send passes
	 * here. A request that must never go out twice (it may have taken effect) stops at the
	 * second: its caller finds out what the first did. */
	if (++x->sends > 1 && x->never_resend) {
		x->resend_refused = true;
		return CURL_PREREQFUNC_ABORT;
	}
	x->sent = true;
	return CURL_PREREQFUNC_OK;
}

/* --log: where a request's time went (libcurl's phases, from the hand-over to curl). */
static void log_timing(struct http_xfer *x)
{
	if (!log_enabled(LOG_DEBUG))
		return;
	curl_off_t conn = 0, tls = 0, sent = 0, first = 0, total = 0;
	long new_conns = 0, port = 0;
	curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME_T, &conn);
	curl_easy_getinfo(x->easy, CURLINFO_APPCONNECT_TIME_T, &tls);
	curl_easy_getinfo(x->easy, CURLINFO_PRETRANSFER_TIME_T, &sent);
	curl_easy_getinfo(x->easy, CURLINFO_STARTTRANSFER_TIME_T, &first);
	curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &total);
	curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &new_conns);
	curl_easy_getinfo(x->easy, CURLINFO_LOCAL_PORT, &port);
	log_debug("http timing %s: %s connection (local port %ld), connected %.1f ms, TLS %.1f ms, "
	          "sending %.1f ms, first byte %.1f ms, done %.1f ms after curl got it",
	          x->label ? x->label : x->url, new_conns ? "new" : "reused", port, conn / 1e3,
	          tls / 1e3, sent / 1e3, first / 1e3, total / 1e3);
}

static void start_queued(struct http_ctx *ctx)
{
	for (struct http_xfer *x = ctx->xfers; x && ctx->nactive < ctx->opts.max_parallel;
	     x = x->next) {
		if (x->state != XF_QUEUED)
			continue;
		x->t0 = http_now_ms();
		if (curl_multi_add_handle(ctx->multi, x->easy) != CURLM_OK) {
			x->pre_status =
			    cx_err_set(&x->pre_err, CX_E_INTERNAL, "curl_multi_add_handle failed");
			x->state = XF_DONE;
			continue;
		}
		x->state = XF_ACTIVE;
		ctx->nactive++;
	}
}

static struct http_xfer *find_done(struct http_ctx *ctx)
{
	for (struct http_xfer *x = ctx->xfers; x; x = x->next)
		if (x->state == XF_DONE)
			return x;
	return NULL;
}

static void deliver_done(struct http_ctx *ctx)
{
	struct http_xfer *x;
	while ((x = find_done(ctx)) != NULL) {
		xfer_unlink(ctx, x);
		if (x->easy) {
			long code = 0;
			curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
			long nconn = 0;
			curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &nconn);
			x->resp.status = code;
			x->resp.new_connection = nconn > 0;
		}
		x->resp.ms = x->t0 ? (long)(http_now_ms() - x->t0) : 0;
		/* detach curl (it was removed from the multi when marked done) */
		if (x->easy) {
			curl_easy_cleanup(x->easy);
			x->easy = NULL;
		}
		struct cx_err err;
		enum cx_status st = xfer_result(x, &err);
		if (st != CX_OK && st != CX_E_TOO_LARGE)
			x->resp.status = x->result == CURLE_OK ? x->resp.status : 0;
		if (x->fn)
			x->fn(x->ud, st, &x->resp, &err);
		xfer_free(x);
	}
}

static void fire_timers(struct http_ctx *ctx)
{
	long long now = http_now_ms();
	unsigned long maxid = ctx->next_timer_id;
	for (;;) {
		struct http_timer **pp = &ctx->timers;
		while (*pp && ((*pp)->due > now || (*pp)->id >= maxid))
			pp = &(*pp)->next;
		struct http_timer *t = *pp;
		if (!t || t->due > now)
			return;
		*pp = t->next;
		http_timer_fn fn = t->fn;
		void *ud = t->ud;
		free(t);
		fn(ud);
	}
}

int http_ctx_perform(struct http_ctx *ctx)
{
	start_queued(ctx);
	int running = 0;
	curl_multi_perform(ctx->multi, &running);
	CURLMsg *m;
	int left = 0;
	while ((m = curl_multi_info_read(ctx->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct http_xfer *x = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (!x)
			continue;
		x->result = m->data.result;
		x->sent = true;
		log_timing(x);
		curl_multi_remove_handle(ctx->multi, x->easy);
		ctx->nactive--;
		x->state = XF_DONE;
	}
	deliver_done(ctx);
	fire_timers(ctx);
	deliver_done(ctx);
	start_queued(ctx);
	check_when_sent(ctx);
	int n = 0;
	for (struct http_xfer *x = ctx->xfers; x; x = x->next)
		n++;
	for (struct http_timer *t = ctx->timers; t; t = t->next)
		n++;
	return n;
}

bool http_ctx_busy(const struct http_ctx *ctx)
{
	return ctx->xfers != NULL || ctx->timers != NULL;
}

long http_ctx_next_timeout(struct http_ctx *ctx)
{
	long best = -1;
	if (find_done(ctx))
		return 0;
	if (ctx->timers) {
		long long d = ctx->timers->due - http_now_ms();
		best = d < 0 ? 0 : (long)d;
	}
	long ct = -1;
	if (ctx->nactive > 0 && curl_multi_timeout(ctx->multi, &ct) == CURLM_OK && ct >= 0 &&
	    (best < 0 || ct < best))
		best = ct;
	for (struct http_xfer *x = ctx->xfers; x; x = x->next)
		if (x->state == XF_QUEUED && ctx->nactive < ctx->opts.max_parallel)
			return 0;
	return best;
}

int http_ctx_poll(struct http_ctx *ctx, int timeout_ms, struct http_waitfd *extra, unsigned nextra)
{
	for (unsigned i = 0; i < nextra; i++)
		extra[i].revents = 0;
	long t = http_ctx_next_timeout(ctx);
	if (!http_ctx_busy(ctx) && nextra == 0)
		return 0;
	if (t < 0 || (timeout_ms >= 0 && t > timeout_ms))
		t = timeout_ms;
	if (t < 0)
		t = 1000; /* nothing scheduled: wake up now and then anyway */
	if (t == 0 && nextra == 0)
		return 0;
	struct curl_waitfd wfds[16];
	unsigned n = nextra > 16 ? 16 : nextra;
	for (unsigned i = 0; i < n; i++) {
		wfds[i].fd = extra[i].fd;
		wfds[i].events =
		    (short)(((extra[i].events & HTTP_POLL_IN) ? CURL_WAIT_POLLIN : 0) |
		            ((extra[i].events & HTTP_POLL_PRI) ? CURL_WAIT_POLLPRI : 0) |
		            ((extra[i].events & HTTP_POLL_OUT) ? CURL_WAIT_POLLOUT : 0));
		wfds[i].revents = 0;
	}
	int numfds = 0;
	if (curl_multi_poll(ctx->multi, n ? wfds : NULL, n, (int)t, &numfds) != CURLM_OK)
		return -1;
	int ready = 0;
	for (unsigned i = 0; i < n; i++) {
		short r = 0;
		if (wfds[i].revents & CURL_WAIT_POLLIN)
			r |= HTTP_POLL_IN;
		if (wfds[i].revents & CURL_WAIT_POLLPRI)
			r |= HTTP_POLL_PRI;
		if (wfds[i].revents & CURL_WAIT_POLLOUT)
			r |= HTTP_POLL_OUT;
		extra[i].revents = r;
		if (r)
			ready++;
	}
	return ready;
}

void http_ctx_run_until(struct http_ctx *ctx, const bool *done)
{
	while (!*done) {
		if (!http_ctx_busy(ctx))
			break;
		http_ctx_poll(ctx, 1000, NULL, 0);
		http_ctx_perform(ctx);
	}
}

void http_ctx_cancel_all(struct http_ctx *ctx)
{
	ctx->epoch++;
	for (struct http_xfer *x = ctx->xfers; x; x = x->next) {
		if (x->state == XF_DONE)
			continue;
		if (x->state == XF_ACTIVE) {
			curl_multi_remove_handle(ctx->multi, x->easy);
			ctx->nactive--;
		}
		x->state = XF_DONE;
		x->pre_status = cx_err_set(&x->pre_err, CX_E_CANCELLED, "cancelled");
	}
	/* timers fire at once; their owners see the new epoch and stop */
	for (struct http_timer *t = ctx->timers; t; t = t->next)
		t->due = 0;
}

/* Exposed to aws/client.c through a declaration there (not public API). */
unsigned http_ctx_epoch_(const struct http_ctx *ctx);
unsigned http_ctx_epoch_(const struct http_ctx *ctx)
{
	return ctx->epoch;
}

/* ---------- generic retrying call ---------- */

struct http_call {
	struct http_ctx *ctx;
	char *method, *url, *label;
	char **headers; /* secmem copies */
	size_t nheaders;
	char *body;
	size_t body_len;
	struct http_call_opts opts;
	http_call_fn done;
	void *ud;
	int attempt;
	struct http_xfer *xfer;
	unsigned long timer;
	unsigned epoch;
	struct http_response resp;
	enum cx_status st;
	struct cx_err err;
	bool finished;
	bool delivered;
};

static void call_attempt(struct http_call *c);

static void call_finish(struct http_call *c)
{
	c->finished = true;
	c->xfer = NULL;
	c->timer = 0;
	if (!c->delivered) {
		c->delivered = true;
		if (c->done)
			c->done(c, c->ud);
	}
}

static void call_timer(void *ud)
{
	struct http_call *c = ud;
	c->timer = 0;
	if (c->finished) {
		call_finish(c);
		return;
	}
	if (c->epoch != c->ctx->epoch) {
		c->st = cx_err_set(&c->err, CX_E_CANCELLED, "cancelled");
		call_finish(c);
		return;
	}
	call_attempt(c);
}

static bool call_should_retry(struct http_call *c, enum cx_status st, const char **reason)
{
	if (c->attempt >= c->opts.max_attempts)
		return false;
	if (st == CX_E_NETWORK) {
		*reason = "connection error";
		return true;
	}
	if (st == CX_E_TIMEOUT) {
		*reason = "timeout";
		return true;
	}
	if (st != CX_OK)
		return false;
	long s = c->resp.status;
	if (s == 429) {
		*reason = "HTTP 429";
		return true;
	}
	if (!c->opts.no_retry_5xx && (s == 500 || s == 502 || s == 503 || s == 504)) {
		*reason = s == 500   ? "HTTP 500"
		          : s == 502 ? "HTTP 502"
		          : s == 503 ? "HTTP 503"
		                     : "HTTP 504";
		return true;
	}
	return false;
}

static void call_xfer_done(void *ud, enum cx_status st, struct http_response *resp,
                           const struct cx_err *err)
{
	struct http_call *c = ud;
	c->xfer = NULL;
	http_response_free(&c->resp);
	http_response_move(&c->resp, resp);
	c->st = st;
	c->err = *err;
	char host[300];
	http_url_origin(c->url, host, sizeof(host));
	log_debug("http %s host=%s status=%ld ms=%ld attempt=%d%s%s", c->label, host,
	          c->resp.status, c->resp.ms, c->attempt, st != CX_OK ? " error=" : "",
	          st != CX_OK ? cx_status_name(st) : "");
	const char *reason = NULL;
	if (st != CX_E_CANCELLED && c->epoch == c->ctx->epoch &&
	    call_should_retry(c, st, &reason)) {
		long delay =
		    http_backoff_ms(c->attempt, st == CX_OK ? http_retry_after_ms(&c->resp) : 0);
		if (c->opts.on_retry)
			c->opts.on_retry(c->opts.retry_ud, c->label, c->attempt, reason, delay);
		log_debug("http %s retrying (%s) in %ld ms", c->label, reason, delay);
		c->timer = http_timer_add(c->ctx, delay, call_timer, c);
		return;
	}
	call_finish(c);
}

static void call_attempt(struct http_call *c)
{
	c->attempt++;
	struct http_request rq = {.method = c->method,
	                          .url = c->url,
	                          .headers = (const char *const *)c->headers,
	                          .nheaders = c->nheaders,
	                          .body = c->body,
	                          .body_len = c->body_len,
	                          .label = c->label};
	c->xfer = http_xfer_start(c->ctx, &rq, call_xfer_done, c);
}

struct http_call *http_call_start(struct http_ctx *ctx, const struct http_request *req,
                                  const struct http_call_opts *opts, http_call_fn done, void *ud)
{
	struct http_call *c = xcalloc(1, sizeof(*c));
	c->ctx = ctx;
	c->method = xstrdup(req->method ? req->method : "GET");
	c->url = xstrdup(req->url ? req->url : "");
	c->label = xstrdup(req->label ? req->label : c->method);
	c->nheaders = req->nheaders;
	c->headers = xcalloc(req->nheaders + 1, sizeof(char *));
	for (size_t i = 0; i < req->nheaders; i++)
		c->headers[i] = secmem_strdup(req->headers[i]);
	if (req->body_len > 0) {
		c->body = xmalloc(req->body_len);
		memcpy(c->body, req->body, req->body_len);
		c->body_len = req->body_len;
	}
	if (opts)
		c->opts = *opts;
	if (c->opts.max_attempts <= 0)
		c->opts.max_attempts = 5;
	c->done = done;
	c->ud = ud;
	c->epoch = ctx->epoch;
	cx_err_clear(&c->err);
	call_attempt(c);
	return c;
}

enum cx_status http_call_status(const struct http_call *call, struct cx_err *err)
{
	if (err)
		*err = call->err;
	return call->st;
}

struct http_response *http_call_response(struct http_call *call)
{
	return &call->resp;
}

int http_call_attempts(const struct http_call *call)
{
	return call->attempt;
}

bool http_call_done(const struct http_call *call)
{
	return call->delivered;
}

void http_call_cancel(struct http_call *c)
{
	if (!c || c->finished)
		return;
	if (c->xfer) {
		http_xfer_cancel(c->ctx, c->xfer);
		c->xfer = NULL;
	}
	if (c->timer)
		http_timer_cancel(c->ctx, c->timer);
	c->st = cx_err_set(&c->err, CX_E_CANCELLED, "cancelled");
	c->finished = true;
	c->timer = http_timer_add(c->ctx, 0, call_timer, c);
}

void http_call_free(struct http_call *c)
{
	if (!c)
		return;
	if (c->xfer)
		http_xfer_cancel(c->ctx, c->xfer);
	if (c->timer)
		http_timer_cancel(c->ctx, c->timer);
	for (size_t i = 0; i < c->nheaders; i++)
		secmem_free(c->headers[i]);
	free(c->headers);
	if (c->body) {
		secmem_wipe(c->body, c->body_len);
		free(c->body);
	}
	free(c->method);
	free(c->url);
	free(c->label);
	http_response_free(&c->resp);
	free(c);
}

static void sync_done(struct http_call *call, void *ud)
{
	(void)call;
	*(bool *)ud = true;
}

enum cx_status http_request_sync(struct http_ctx *ctx, const struct http_request *req,
                                 const struct http_call_opts *opts, struct http_response *out,
                                 struct cx_err *err)
{
	bool done = false;
	memset(out, 0, sizeof(*out));
	struct http_call *c = http_call_start(ctx, req, opts, sync_done, &done);
	http_ctx_run_until(ctx, &done);
	enum cx_status st;
	if (!done) {
		st = cx_err_set(err, CX_E_INTERNAL, "request did not complete");
	} else {
		st = http_call_status(c, err);
		http_response_move(out, &c->resp);
	}
	http_call_free(c);
	return st;
}

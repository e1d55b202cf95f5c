/* client.c - AWS op engine: sign, send, retry, paginate, S3 region redirects. See client.h. */
#include "aws/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/sigv4.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/str.h"

#define MAX_ATTEMPTS  5
#define MAX_REDIRECTS 3
#define MAX_PAGES     10000

/* http.c (not public API): bumps on http_ctx_cancel_all */
unsigned http_ctx_epoch_(const struct http_ctx *ctx);

struct region_entry {
	char *bucket;
	char region[32];
};

struct aws_client {
	struct http_ctx *ctx;
	struct aws_config *cfg;
	aws_event_fn ev_fn;
	void *ev_ud;
	struct region_entry *regions;
	size_t nregions;
	long skew;
};

struct aws_op {
	const struct aws_op_def *def;
	void *st;
	void (*free_state)(void *);
	struct aws_client *c;
	aws_op_fn done;
	void *ud;
	void *user;
	char *detail;
	enum cx_status status;
	struct cx_err err;
	int attempt; /* of the current page's request */
	int total_attempts;
	int pages;
	int redirects;
	bool skew_retried;
	bool no_transport_retry; /* see aws_op_set_transport_retry */
	struct http_xfer *xfer;
	unsigned long timer;
	unsigned epoch;
	bool started, finished, delivered;
	struct aws_req rq;
	char used_region[32];
};

/* ---------- helpers ---------- */

static bool is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static void encode_to(struct buf *b, const char *s, bool keep_slash, bool plus_space)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (plus_space && *p == ' ') {
			buf_putc(b, '+');
		} else if (is_unreserved(*p) || (keep_slash && *p == '/')) {
			buf_putc(b, (char)*p);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			buf_append(b, e, 3);
		}
	}
}

void aws_form_add(struct buf *b, const char *name, const char *value)
{
	/* as botocore (urlencode): space is '+', the rest RFC 3986 */
	buf_putc(b, '&');
	encode_to(b, name, false, true);
	buf_putc(b, '=');
	encode_to(b, value, false, true);
}

void aws_query_add(struct buf *b, const char *name, const char *value)
{
	if (b->len > 0)
		buf_putc(b, '&');
	encode_to(b, name, false, false);
	buf_putc(b, '=');
	encode_to(b, value, false, false);
}

/* The decoding of SigV4's canonical query (sigv4.c) serves S3's encoding-type=url too. */
char *aws_url_decode(const char *s, bool plus_is_space)
{
	return s ? sigv4_uri_decode(s, plus_is_space) : NULL;
}

xmlDoc *aws_xml_doc(const struct http_response *r, struct cx_err *err)
{
	return xml_parse(r->body.data, r->body.len, (size_t)64 * 1024 * 1024, err);
}

cJSON *aws_json_doc(const struct http_response *r, struct cx_err *err)
{
	cJSON *j = json_parse(r->body.data ? r->body.data : "", r->body.len, err);
	if (j && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		cx_err_set(err, CX_E_PARSE, "JSON answer is not an object");
		return NULL;
	}
	return j;
}

void aws_req_json(struct aws_req *rq, const cJSON *j)
{
	char *s = json_compact(j);
	buf_reset(&rq->body);
	buf_puts(&rq->body, s);
	free(s);
}

static void req_reset(struct aws_req *rq)
{
	buf_free(&rq->path);
	buf_free(&rq->query);
	buf_free(&rq->params);
	buf_free(&rq->body);
	free(rq->bucket);
	free(rq->region);
	for (size_t i = 0; i < rq->nextra; i++)
		free(rq->extra[i]);
	memset(rq, 0, sizeof(*rq));
}

static const char *query_version(enum aws_service s)
{
	switch (s) {
	case AWS_STS:
		return "2011-06-15";
	case AWS_IAM:
		return "2010-05-08";
	case AWS_EC2:
		return "2016-11-15";
	default:
		return "";
	}
}

static const char *json_target_prefix(enum aws_service s)
{
	switch (s) {
	case AWS_ORGANIZATIONS:
		return "AWSOrganizationsV20161128";
	case AWS_CUR:
		return "AWSOrigamiServiceGatewayService";
	case AWS_BCM_DATA_EXPORTS:
		return "AWSBillingAndCostManagementDataExports";
	default:
		return "";
	}
}

/* ---------- client ---------- */

struct aws_client *aws_client_new(struct http_ctx *ctx, struct aws_config *cfg)
{
	struct aws_client *c = xcalloc(1, sizeof(*c));
	c->ctx = ctx;
	c->cfg = cfg;
	return c;
}

void aws_client_free(struct aws_client *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nregions; i++)
		free(c->regions[i].bucket);
	free(c->regions);
	free(c);
}

struct http_ctx *aws_client_ctx(const struct aws_client *c)
{
	return c->ctx;
}

const struct aws_config *aws_client_config(const struct aws_client *c)
{
	return c->cfg;
}

void aws_client_set_events(struct aws_client *c, aws_event_fn fn, void *ud)
{
	c->ev_fn = fn;
	c->ev_ud = ud;
}

void aws_client_set_bucket_region(struct aws_client *c, const char *bucket, const char *region)
{
	if (!bucket || !region || !*region || strlen(region) >= sizeof(c->regions[0].region))
		return;
	for (size_t i = 0; i < c->nregions; i++) {
		if (strcmp(c->regions[i].bucket, bucket) == 0) {
			str_copy(c->regions[i].region, sizeof(c->regions[i].region), region);
			return;
		}
	}
	c->regions = xrealloc(c->regions, (c->nregions + 1) * sizeof(*c->regions));
	c->regions[c->nregions].bucket = xstrdup(bucket);
	str_copy(c->regions[c->nregions].region, sizeof(c->regions[c->nregions].region), region);
	c->nregions++;
}

const char *aws_client_bucket_region(const struct aws_client *c, const char *bucket)
{
	if (!bucket)
		return NULL;
	for (size_t i = 0; i < c->nregions; i++)
		if (strcmp(c->regions[i].bucket, bucket) == 0)
			return c->regions[i].region;
	return NULL;
}

long aws_client_clock_skew(const struct aws_client *c)
{
	return c->skew;
}

void aws_client_set_clock_skew(struct aws_client *c, long seconds)
{
	c->skew = seconds;
}

/* ---------- ops ---------- */

struct aws_op *aws_op_new(const struct aws_op_def *def, void *state, void (*free_state)(void *))
{
	struct aws_op *op = xcalloc(1, sizeof(*op));
	op->def = def;
	op->st = state;
	op->free_state = free_state;
	cx_err_clear(&op->err);
	return op;
}

void *aws_op_state(const struct aws_op *op)
{
	return op->st;
}

void aws_op_set_detail(struct aws_op *op, const char *detail)
{
	free(op->detail);
	op->detail = xstrdup(detail);
}

void aws_op_set_user(struct aws_op *op, void *user)
{
	op->user = user;
}

void *aws_op_user(const struct aws_op *op)
{
	return op->user;
}

bool aws_op_done(const struct aws_op *op)
{
	return op->delivered;
}

enum cx_status aws_op_status(const struct aws_op *op)
{
	return op->status;
}

const struct cx_err *aws_op_error(const struct aws_op *op)
{
	return &op->err;
}

void aws_op_set_transport_retry(struct aws_op *op, bool on)
{
	op->no_transport_retry = !on;
}

int aws_op_attempts(const struct aws_op *op)
{
	return op->total_attempts;
}

const char *aws_op_service(const struct aws_op *op)
{
	return aws_service_name(op->def->svc);
}

const char *aws_op_operation(const struct aws_op *op)
{
	return op->def->name;
}

static void op_set_where(struct aws_op *op)
{
	cx_err_where(&op->err, "%s %s%s%s", aws_service_name(op->def->svc), op->def->name,
	             op->detail ? " " : "", op->detail ? op->detail : "");
}

static void op_deliver_timer(void *ud);

static void op_finish(struct aws_op *op, enum cx_status st)
{
	op->status = st;
	op->err.status = st;
	if (st != CX_OK)
		op_set_where(op);
	else
		cx_err_clear(&op->err);
	op->finished = true;
	op->xfer = NULL;
	if (!op->delivered) {
		op->delivered = true;
		if (op->done)
			op->done(op, op->ud);
	}
}

static void op_deliver_timer(void *ud)
{
	struct aws_op *op = ud;
	op->timer = 0;
	op_finish(op, op->status);
}

static void op_send(struct aws_op *op);
static void op_xfer_done(void *ud, enum cx_status status, struct http_response *resp,
                         const struct cx_err *err);

static void op_retry_timer(void *ud)
{
	struct aws_op *op = ud;
	op->timer = 0;
	if (op->epoch != http_ctx_epoch_(op->c->ctx)) {
		cx_err_set(&op->err, CX_E_CANCELLED, "cancelled");
		op_finish(op, CX_E_CANCELLED);
		return;
	}
	op_send(op);
}

static void op_event(struct aws_op *op, const char *reason, long delay)
{
	log_debug("aws %s %s retrying after attempt %d (%s) in %ld ms",
	          aws_service_name(op->def->svc), op->def->name, op->attempt, reason, delay);
	if (op->c->ev_fn) {
		struct aws_event ev = {.service = aws_service_name(op->def->svc),
		                       .operation = op->def->name,
		                       .detail = op->detail ? op->detail : "",
		                       .attempt = op->attempt,
		                       .reason = reason,
		                       .delay_ms = delay};
		op->c->ev_fn(op->c->ev_ud, &ev);
	}
}

static void op_schedule(struct aws_op *op, long delay)
{
	op->timer = http_timer_add(op->c->ctx, delay, op_retry_timer, op);
}

static void op_start_page(struct aws_op *op)
{
	if (op->pages >= MAX_PAGES) {
		cx_err_set(&op->err, CX_E_PARSE, "more than %d pages; giving up", MAX_PAGES);
		op_finish(op, CX_E_PARSE);
		return;
	}
	op->pages++;
	req_reset(&op->rq);
	op->def->build(op->st, &op->rq);
	op->attempt = 0;
	op->redirects = 0;
	op_send(op);
}

/* Fails the op from inside op_send (deferred so callbacks never run from aws_op_start). */
static void op_fail_deferred(struct aws_op *op, enum cx_status st)
{
	op->status = st;
	op->finished = true;
	op->timer = http_timer_add(op->c->ctx, 0, op_deliver_timer, op);
}

static const char *base_path(const char *base)
{
	const char *p = strstr(base, "://");
	p = p ? p + 3 : base;
	const char *s = strchr(p, '/');
	return s ? s : "";
}

static void op_send(struct aws_op *op)
{
	struct aws_client *c = op->c;
	struct aws_req *rq = &op->rq;
	const struct aws_op_def *def = op->def;
	struct aws_endpoint ep;
	struct cx_err e2;
	cx_err_clear(&e2);
	char *url = NULL, *path = NULL, *auth = NULL, *hdr_lines[16] = {0};
	size_t nh = 0;
	struct sigv4_result sres;
	memset(&sres, 0, sizeof(sres));
	struct buf form = BUF_INIT;

	op->attempt++;
	op->total_attempts++;

	if (c->cfg->creds.expiration != 0 && aws_config_refresh(c->cfg, &e2) != CX_OK) {
		op->err = e2;
		op_fail_deferred(op, e2.status);
		goto out;
	}

	const char *region = NULL;
	if (def->svc == AWS_S3) {
		region = rq->region;
		if (!region)
			region = aws_client_bucket_region(c, rq->bucket);
		if (!region)
			region = c->cfg->region;
	} else {
		region = c->cfg->region;
	}
	str_copy(op->used_region, sizeof(op->used_region), region ? region : "");
	if (endpoint_resolve(c->cfg, def->svc, region, def->svc == AWS_S3 ? rq->bucket : NULL, &ep,
	                     &e2) != CX_OK) {
		op->err = e2;
		op_fail_deferred(op, e2.status);
		goto out;
	}

	/* path and URL */
	struct buf p = BUF_INIT;
	buf_puts(&p, base_path(ep.base));
	if (def->svc == AWS_S3) {
		if (rq->bucket && ep.path_style) {
			buf_putc(&p, '/');
			encode_to(&p, rq->bucket, false, false);
		}
		buf_append(&p, rq->path.data ? rq->path.data : "", rq->path.len);
	} else {
		buf_puts(&p, "/");
	}
	if (p.len == 0 || p.data[0] != '/') {
		struct buf q = BUF_INIT;
		buf_putc(&q, '/');
		buf_puts(&q, buf_str(&p));
		buf_free(&p);
		p = q;
	}
	path = buf_steal(&p);
	size_t blen = strlen(ep.base) - strlen(base_path(ep.base));
	const char *query = def->svc == AWS_S3 && rq->query.len ? rq->query.data : NULL;
	url =
	    xasprintf("%.*s%s%s%s", (int)blen, ep.base, path, query ? "?" : "", query ? query : "");

	/* body */
	const char *method = rq->method ? rq->method : "POST";
	const char *ctype = NULL;
	const char *body = NULL;
	size_t body_len = 0;
	char target[160] = "";
	if (def->proto == AWS_PROTO_QUERY || def->proto == AWS_PROTO_EC2) {
		buf_printf(&form, "Action=%s&Version=%s", def->name, query_version(def->svc));
		buf_append(&form, rq->params.data ? rq->params.data : "", rq->params.len);
		body = form.data;
		body_len = form.len;
		ctype = "application/x-www-form-urlencoded; charset=utf-8";
	} else if (def->proto == AWS_PROTO_JSON) {
		if (rq->body.len == 0)
			buf_puts(&rq->body, "{}");
		body = rq->body.data;
		body_len = rq->body.len;
		ctype = "application/x-amz-json-1.1";
		snprintf(target, sizeof(target), "%s.%s", json_target_prefix(def->svc), def->name);
	} else {
		body = rq->body.len ? rq->body.data : NULL;
		body_len = rq->body.len;
		ctype = rq->content_type;
	}

	char amz_date[17];
	sigv4_amz_date(time(NULL) + c->skew, amz_date);
	char payload[65];
	sigv4_sha256_hex(body ? body : "", body_len, payload);

	struct sigv4_header sh[16];
	size_t ns = 0;
	sh[ns++] = (struct sigv4_header){"host", ep.host};
	sh[ns++] = (struct sigv4_header){"x-amz-date", amz_date};
	if (ctype)
		sh[ns++] = (struct sigv4_header){"content-type", ctype};
	if (target[0])
		sh[ns++] = (struct sigv4_header){"x-amz-target", target};
	if (def->svc == AWS_S3)
		sh[ns++] = (struct sigv4_header){"x-amz-content-sha256", payload};
	char extra_names[4][64];
	for (size_t i = 0; i < rq->nextra && ns < 14; i++) {
		const char *colon = strchr(rq->extra[i], ':');
		if (!colon)
			continue;
		size_t nl = (size_t)(colon - rq->extra[i]);
		if (nl >= sizeof(extra_names[i]))
			continue;
		for (size_t k = 0; k < nl; k++)
			extra_names[i][k] = (char)(rq->extra[i][k] >= 'A' && rq->extra[i][k] <= 'Z'
			                               ? rq->extra[i][k] + 32
			                               : rq->extra[i][k]);
		extra_names[i][nl] = '\0';
		const char *v = colon + 1;
		while (*v == ' ')
			v++;
		sh[ns++] = (struct sigv4_header){extra_names[i], v};
	}
	if (c->cfg->creds.session_token)
		sh[ns++] =
		    (struct sigv4_header){"x-amz-security-token", c->cfg->creds.session_token};

	struct sigv4_request sreq = {.method = method,
	                             .path = path,
	                             .query = query,
	                             .headers = sh,
	                             .nheaders = ns,
	                             .body = body,
	                             .body_len = body_len,
	                             .payload_hash = payload};
	struct sigv4_params sp = {.access_key_id = c->cfg->creds.access_key_id,
	                          .secret_access_key = c->cfg->creds.secret_access_key,
	                          .region = ep.signing_region,
	                          .service = ep.signing_name,
	                          .amz_date = amz_date,
	                          .s3 = def->svc == AWS_S3};
	if (sigv4_sign(&sreq, &sp, &sres, &e2) != CX_OK) {
		op->err = e2;
		op_fail_deferred(op, e2.status ? e2.status : CX_E_INTERNAL);
		goto out;
	}
	for (size_t i = 0; i < ns; i++)
		hdr_lines[nh++] = xasprintf("%s: %s", sh[i].name, sh[i].value);
	auth = xasprintf("Authorization: %s", sres.authorization);
	hdr_lines[nh++] = auth;
	auth = NULL;

	char label[160];
	snprintf(label, sizeof(label), "%s %s", aws_service_name(def->svc), def->name);
	struct http_request hr = {.method = method,
	                          .url = url,
	                          .headers = (const char *const *)hdr_lines,
	                          .nheaders = nh,
	                          .body = body,
	                          .body_len = body_len,
	                          .label = label,
	                          .never_resend = op->no_transport_retry};
	op->xfer = http_xfer_start(c->ctx, &hr, op_xfer_done, op);
out:
	for (size_t i = 0; i < nh; i++) {
		if (hdr_lines[i])
			memset(hdr_lines[i], 0, strlen(hdr_lines[i])); /* may hold the token */
		free(hdr_lines[i]);
	}
	free(auth);
	sigv4_result_free(&sres);
	buf_free(&form);
	free(url);
	free(path);
}

static void host_of(const struct aws_op *op, char *out, size_t outsz)
{
	struct aws_endpoint ep;
	struct cx_err e;
	if (endpoint_resolve(op->c->cfg, op->def->svc, op->used_region,
	                     op->def->svc == AWS_S3 ? op->rq.bucket : NULL, &ep, &e) == CX_OK)
		str_copy(out, outsz, ep.host);
	else
		str_copy(out, outsz, "?");
}

static void op_xfer_done(void *ud, enum cx_status status, struct http_response *resp,
                         const struct cx_err *xerr)
{
	struct aws_op *op = ud;
	struct aws_client *c = op->c;
	const struct aws_op_def *def = op->def;
	op->xfer = NULL;
	char host[256];
	char reqid[128] = "";
	host_of(op, host, sizeof(host));

	if (status == CX_OK)
		awserr_request_id(def->proto, resp, reqid, sizeof(reqid));
	if (def->svc == AWS_S3 && op->rq.bucket && status == CX_OK) {
		const char *br = http_response_header(resp, "x-amz-bucket-region");
		if (br && *br && resp->status < 300)
			aws_client_set_bucket_region(c, op->rq.bucket, br);
	}

	if (status != CX_OK) {
		log_debug("aws service=%s op=%s host=%s status=0 ms=%ld attempt=%d error=%s",
		          aws_service_name(def->svc), def->name, host, resp->ms, op->attempt,
		          cx_status_name(status));
		op->err = *xerr;
		if (status == CX_E_CANCELLED || op->epoch != http_ctx_epoch_(c->ctx)) {
			cx_err_set(&op->err, CX_E_CANCELLED, "cancelled");
			op_finish(op, CX_E_CANCELLED);
			return;
		}
		if ((status == CX_E_NETWORK || status == CX_E_TIMEOUT) && !op->no_transport_retry &&
		    op->attempt < MAX_ATTEMPTS) {
			long d = http_backoff_ms(op->attempt, 0);
			op_event(op, status == CX_E_TIMEOUT ? "timeout" : "connection error", d);
			op_schedule(op, d);
			return;
		}
		op_finish(op, status);
		return;
	}

	if (resp->status >= 200 && resp->status < 300) {
		log_debug(
		    "aws service=%s op=%s host=%s status=%ld ms=%ld attempt=%d request_id=%s%s",
		    aws_service_name(def->svc), def->name, host, resp->status, resp->ms,
		    op->attempt, reqid, resp->new_connection ? " new_connection" : "");
		bool more = false;
		struct cx_err perr;
		cx_err_clear(&perr);
		enum cx_status pst = def->parse(op->st, resp, &more, &perr);
		if (pst != CX_OK) {
			op->err = perr;
			op->err.http_status = (int)resp->status;
			str_copy(op->err.request_id, sizeof(op->err.request_id), reqid);
			op_finish(op, pst);
			return;
		}
		if (def->svc == AWS_S3 && op->rq.bucket && op->rq.region)
			aws_client_set_bucket_region(c, op->rq.bucket, op->rq.region);
		if (more) {
			if (op->epoch != http_ctx_epoch_(c->ctx)) {
				cx_err_set(&op->err, CX_E_CANCELLED, "cancelled");
				op_finish(op, CX_E_CANCELLED);
				return;
			}
			op_start_page(op);
			return;
		}
		op_finish(op, CX_OK);
		return;
	}

	struct aws_error e;
	awserr_parse(def->proto, resp, &e);
	if (!e.request_id[0])
		str_copy(e.request_id, sizeof(e.request_id), reqid);
	log_debug("aws service=%s op=%s host=%s status=%ld ms=%ld attempt=%d request_id=%s "
	          "error=%s",
	          aws_service_name(def->svc), def->name, host, resp->status, resp->ms, op->attempt,
	          e.request_id, e.code);
	if (strcmp(e.code, "SignatureDoesNotMatch") == 0 && log_enabled(LOG_DEBUG) &&
	    resp->body.len < 65536) {
		char *p = str_printable(resp->body.data, 4000);
		log_debug("aws SignatureDoesNotMatch details: %s", p);
		free(p);
	}

	if (def->on_error && def->on_error(op->st, &e)) {
		op_finish(op, CX_OK);
		return;
	}

	/* S3: wrong region -> re-sign for the bucket's region */
	if (def->svc == AWS_S3 && op->rq.bucket && e.region[0] && !op->rq.region &&
	    strcmp(e.region, op->used_region) != 0 &&
	    (resp->status == 301 || resp->status == 307 || resp->status == 400 ||
	     strcmp(e.code, "AuthorizationHeaderMalformed") == 0 ||
	     strcmp(e.code, "PermanentRedirect") == 0) &&
	    op->redirects < MAX_REDIRECTS) {
		op->redirects++;
		aws_client_set_bucket_region(c, op->rq.bucket, e.region);
		op_event(op, "bucket region", 0);
		op->attempt--; /* a redirect is not a failed attempt */
		op_schedule(op, 0);
		return;
	}
	if (def->svc == AWS_S3 && op->rq.bucket && e.region[0])
		aws_client_set_bucket_region(c, op->rq.bucket, e.region);

	/* clock skew: correct from Date and re-sign once. A HEAD answer has no body to name the
	 * error, so a 400/403 whose Date is more than 5 minutes from our clock counts too. */
	long long server = http_parse_date(http_response_header(resp, "Date"));
	long long local = (long long)time(NULL) + c->skew;
	bool far = server > 0 && (server - local > 300 || local - server > 300);
	bool skewed = awserr_is_clock_skew(e.code, e.message) ||
	              (far && (resp->status == 400 || resp->status == 403) && resp->body.len == 0);
	if (skewed && !op->skew_retried) {
		if (server > 0) {
			long skew = (long)(server - (long long)time(NULL));
			op->skew_retried = true;
			c->skew = skew;
			log_info("aws clock skew corrected: server time differs by %ld s", skew);
			op_event(op, "clock skew", 0);
			op_schedule(op, 0);
			return;
		}
	}

	if (awserr_retryable(e.code, (int)resp->status) && op->attempt < MAX_ATTEMPTS) {
		long d = http_backoff_ms(op->attempt, http_retry_after_ms(resp));
		char reason[112];
		if (awserr_is_throttle(e.code) || strncmp(e.code, "Http", 4) != 0)
			snprintf(reason, sizeof(reason), "%s", e.code);
		else
			snprintf(reason, sizeof(reason), "HTTP %ld", resp->status);
		op_event(op, reason, d);
		op_schedule(op, d);
		return;
	}

	char action[128];
	snprintf(action, sizeof(action), "%s:%s",
	         def->svc == AWS_S3 ? "s3" : aws_service_name(def->svc), def->name);
	cx_err_clear(&op->err);
	enum cx_status st = awserr_to_cx(&e, action, &op->err);
	op_finish(op, st);
}

void aws_op_start(struct aws_client *c, struct aws_op *op, aws_op_fn done, void *ud)
{
	if (op->started)
		return;
	op->started = true;
	op->c = c;
	op->done = done;
	op->ud = ud;
	op->epoch = http_ctx_epoch_(c->ctx);
	op_start_page(op);
}

static void run_done(struct aws_op *op, void *ud)
{
	(void)op;
	*(bool *)ud = true;
}

enum cx_status aws_op_run(struct aws_client *c, struct aws_op *op, struct cx_err *err)
{
	bool done = false;
	aws_op_start(c, op, run_done, &done);
	http_ctx_run_until(c->ctx, &done);
	if (!done) {
		cx_err_set(&op->err, CX_E_INTERNAL, "operation did not complete");
		op->status = CX_E_INTERNAL;
	}
	if (err)
		*err = op->err;
	return op->status;
}

enum cx_status aws_op_feed(struct aws_op *op, const struct http_response *r, bool *more,
                           struct cx_err *err)
{
	cx_err_clear(err);
	*more = false;
	if (r->status >= 200 && r->status < 300)
		return op->def->parse(op->st, r, more, err);
	struct aws_error e;
	awserr_parse(op->def->proto, r, &e);
	if (op->def->on_error && op->def->on_error(op->st, &e))
		return CX_OK;
	char action[128];
	snprintf(action, sizeof(action), "%s:%s",
	         op->def->svc == AWS_S3 ? "s3" : aws_service_name(op->def->svc), op->def->name);
	return awserr_to_cx(&e, action, err);
}

void aws_op_cancel(struct aws_op *op)
{
	if (!op || !op->started || op->finished)
		return;
	if (op->xfer) {
		http_xfer_cancel(op->c->ctx, op->xfer);
		op->xfer = NULL;
	}
	if (op->timer)
		http_timer_cancel(op->c->ctx, op->timer);
	cx_err_set(&op->err, CX_E_CANCELLED, "cancelled");
	op_fail_deferred(op, CX_E_CANCELLED);
}

void aws_op_free(struct aws_op *op)
{
	if (!op)
		return;
	if (op->c) {
		if (op->xfer)
			http_xfer_cancel(op->c->ctx, op->xfer);
		if (op->timer)
			http_timer_cancel(op->c->ctx, op->timer);
	}
	req_reset(&op->rq);
	if (op->free_state)
		op->free_state(op->st);
	free(op->detail);
	free(op);
}

/* client.h - AWS operations on the shared http_ctx: signing, retries, pagination, S3 bucket
 * region discovery, clock-skew correction, events. No threads.
 *
 * Every operation of sts.h, iam.h, s3.h, bcm.h, cur.h, ec2.h, org.h exists in two forms:
 *   synchronous:  enum cx_status iam_create_user(c, name, path, &user, &err);
 *   asynchronous: struct aws_op *op = iam_create_user_op(name, path);
 *                 aws_op_start(c, op, done_cb, ud);     // returns at once
 *                 ... the caller's loop drives http_ctx_poll/http_ctx_perform ...
 *                 done_cb(op, ud): aws_op_status(op), aws_op_error(op),
 *                                  iam_create_user_result(op) (owned by op)
 *                 aws_op_free(op);
 * The synchronous form is aws_op_start + loop until done. An op is one logical operation:
 * every page of a listing, retries with backoff timers, a re-signed request after an S3
 * region redirect or a clock-skew correction. Transfers beyond 8 at once are queued by the
 * http_ctx.
 *
 * Retries (at most 5 attempts per request): throttling codes, RequestTimeout,
 * PriorRequestNotComplete, 500/502/503/504, connection resets/refusals and timeouts;
 * full-jitter exponential backoff (base 100 ms, cap 20 s), Retry-After honoured. Never IAM
 * LimitExceeded nor other 4xx. Clock skew (RequestTimeTooSkewed, RequestExpired,
 * "Signature expired"): the offset is taken from the response Date, the request is
 * re-signed and sent once more; the offset is kept for later requests.
 * Each retry is reported to the event callback. Each attempt is logged at debug level:
 * service, operation, host, status, ms, attempt, request id (never Authorization/secrets). */
#ifndef CX_AWS_CLIENT_H
#define CX_AWS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/awserr.h"
#include "aws/config.h"
#include "aws/endpoint.h"
#include "aws/http.h"
#include "aws/xml.h"
#include "util/json.h"
#include "util/buf.h"
#include "util/err.h"

struct aws_client;
struct aws_op;

/* A retry about to happen. */
struct aws_event {
	const char *service;   /* "iam" */
	const char *operation; /* "CreateUser" */
	const char *detail;    /* the op's subject ("certerox-billing"), may be "" */
	int attempt;           /* the attempt that failed, 1-based */
	const char *reason;    /* error code ("Throttling"), "HTTP 503", "connection error",
	                          "timeout", "clock skew", "bucket region" */
	long delay_ms;         /* wait before the next attempt */
};
typedef void (*aws_event_fn)(void *ud, const struct aws_event *ev);

/* Creates a client on ctx for cfg (both borrowed; they must outlive the client; cfg's
 * credentials may be refreshed through credential_process). Several clients (e.g. the
 * administrator's and the new user's key) may share one ctx. */
struct aws_client *aws_client_new(struct http_ctx *ctx, struct aws_config *cfg);
/* Frees the client; ops still running on it must have been freed first. NULL ok. */
void aws_client_free(struct aws_client *c);
struct http_ctx *aws_client_ctx(const struct aws_client *c);
const struct aws_config *aws_client_config(const struct aws_client *c);
/* Event callback for retries (NULL to remove). */
void aws_client_set_events(struct aws_client *c, aws_event_fn fn, void *ud);
/* Region cache per bucket (filled by HeadBucket, redirects, x-amz-bucket-region, CreateBucket). */
void aws_client_set_bucket_region(struct aws_client *c, const char *bucket, const char *region);
const char *aws_client_bucket_region(const struct aws_client *c, const char *bucket);
/* Current clock offset (server - local) in seconds. */
long aws_client_clock_skew(const struct aws_client *c);
void aws_client_set_clock_skew(struct aws_client *c, long seconds);

/* ---- generic op interface ---- */
typedef void (*aws_op_fn)(struct aws_op *op, void *ud);

/* Starts op on c; done(op, ud) runs once from http_ctx_perform (never from aws_op_start).
 * An op is started at most once. */
void aws_op_start(struct aws_client *c, struct aws_op *op, aws_op_fn done, void *ud);
/* Synchronous: start and drive the ctx until op is done. Returns its status (err filled). */
enum cx_status aws_op_run(struct aws_client *c, struct aws_op *op, struct cx_err *err);
bool aws_op_done(const struct aws_op *op);
/* CX_OK or the error class; valid once done. */
enum cx_status aws_op_status(const struct aws_op *op);
/* Error detail (code, message, HTTP status, request id, where = "iam CreateUser x"). */
const struct cx_err *aws_op_error(const struct aws_op *op);
/* Whether a connection reset or timeout is retried (default true). Off for operations that
 * are not idempotent (CreateAccessKey, CreatePolicyVersion): the caller then finds out what
 * the lost request did before sending it again; libcurl never sends it twice either (see
 * http_request.never_resend). Call before aws_op_start. */
void aws_op_set_transport_retry(struct aws_op *op, bool on);
/* Requests sent in total (all pages and retries). */
int aws_op_attempts(const struct aws_op *op);
const char *aws_op_service(const struct aws_op *op);   /* "iam" */
const char *aws_op_operation(const struct aws_op *op); /* "CreateUser" */
/* Cancels a running op: done runs with CX_E_CANCELLED from the next http_ctx_perform. */
void aws_op_cancel(struct aws_op *op);
/* Cancels all in-flight ops of every client on ctx: http_ctx_cancel_all(ctx). */
/* Frees op and its result (cancelling it silently when still running). NULL ok. */
void aws_op_free(struct aws_op *op);
/* For tests and fuzzing (no network): feeds one answer r to op as if it had arrived:
 * a 2xx goes to the op's parser (*more = another page would be requested), anything else
 * through awserr_parse, the op's own error hook, and awserr_to_cx. Returns the status. */
enum cx_status aws_op_feed(struct aws_op *op, const struct http_response *r, bool *more,
                           struct cx_err *err);
/* Opaque per-op user pointer, for front ends (not used by the client). */
void aws_op_set_user(struct aws_op *op, void *user);
void *aws_op_user(const struct aws_op *op);

/* ---- for the service modules (sts.c, iam.c, ...) ---- */

/* One page's request, filled by aws_op_def.build. */
struct aws_req {
	const char *method;       /* static string; default "POST" */
	struct buf path;          /* S3: "" or "/<encoded key>" after the bucket; others: "/" */
	struct buf query;         /* S3 query, already encoded, without '?' */
	struct buf params;        /* query/ec2 form parameters after Action/Version ("&A=b...") */
	struct buf body;          /* JSON 1.1 body or S3 body */
	const char *content_type; /* S3 only (JSON/query set theirs) */
	char *bucket;             /* S3 bucket, or NULL */
	char *region;   /* S3: region to use regardless of cache (CreateBucket), or NULL */
	char *extra[4]; /* extra signed headers "name: value" (content-md5, range) */
	size_t nextra;
};

struct aws_op_def {
	enum aws_service svc;
	enum aws_proto proto;
	const char *name; /* wire operation name, "CreateUser" */
	/* Fills the request of the next page (called once per page). */
	void (*build)(void *st, struct aws_req *rq);
	/* Parses a 2xx answer; *more = another page is needed. */
	enum cx_status (*parse)(void *st, const struct http_response *r, bool *more,
	                        struct cx_err *err);
	/* Optional: an error answer that means success for this op (DryRunOperation,
	 * AWSOrganizationsNotInUseException): record it in st and return true. */
	bool (*on_error)(void *st, const struct aws_error *e);
};

/* Creates an op; state is owned by it and released with free_state(state) (may be NULL)
 * when the op is freed. */
struct aws_op *aws_op_new(const struct aws_op_def *def, void *state, void (*free_state)(void *));
void *aws_op_state(const struct aws_op *op);
/* Subject shown in errors/events ("certerox-billing"). */
void aws_op_set_detail(struct aws_op *op, const char *detail);

/* Form/URI helpers. */
void aws_form_add(struct buf *b, const char *name, const char *value);  /* "&name=value" */
void aws_query_add(struct buf *b, const char *name, const char *value); /* S3 query */
/* Parses an XML answer body (CX_E_PARSE in err when malformed). Free with xml_free. */
xmlDoc *aws_xml_doc(const struct http_response *r, struct cx_err *err);
/* Parses a JSON object answer body (CX_E_PARSE when malformed or not an object). */
cJSON *aws_json_doc(const struct http_response *r, struct cx_err *err);
/* Sets rq->body to the compact form of j. */
void aws_req_json(struct aws_req *rq, const cJSON *j);
/* Decodes a "%XX" / '+' (space) encoded string (S3 encoding-type=url). New string. */
char *aws_url_decode(const char *s, bool plus_is_space);

#endif

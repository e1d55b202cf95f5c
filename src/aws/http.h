/* http.h - HTTPS transport on one libcurl multi handle: connection reuse, timeouts, size cap,
 * retries with backoff, timers, and a poll/perform loop that front ends drive. No threads.
 *
 * One struct http_ctx per run. Everything (AWS operations of aws/client.h, CerteroX REST
 * calls, timers) runs on it; the caller's loop is:
 *
 *     while (http_ctx_busy(ctx)) {
 *             http_ctx_poll(ctx, 100, extra_fds, nextra);   // waits on curl + extra fds
 *             http_ctx_perform(ctx);                        // progresses, fires callbacks
 *             ... handle extra_fds[i].revents (e.g. the tty) ...
 *     }
 *
 * Completion callbacks run only inside http_ctx_perform (never inside start functions), so
 * a callback may start new requests or free the finished one.
 *
 * Generic request API (for the CerteroX client; same TLS/CA/timeouts/size cap/retry rules as
 * the AWS client):
 *
 *     const char *hdrs[] = {"Content-Type: application/json", "Authorization: Bearer ..."};
 *     struct http_request rq = {.method = "POST", .url = "https://host/api/v2/x",
 *                               .headers = hdrs, .nheaders = 2, .body = json, .body_len = n,
 *                               .label = "certerox POST /api/v2/x"};
 *     struct http_response resp;
 *     enum cx_status st = http_request_sync(ctx, &rq, NULL, &resp, &err);
 *     // st == CX_OK whenever an HTTP answer arrived (any status: check resp.status);
 *     // otherwise CX_E_TLS / CX_E_NETWORK / CX_E_TIMEOUT / CX_E_TOO_LARGE / CX_E_CANCELLED.
 *     http_response_free(&resp);
 *
 * or asynchronously: call = http_call_start(ctx, &rq, NULL, done_cb, ud); in done_cb read
 * http_call_status(call, &err) and http_call_response(call), then http_call_free(call).
 * Header values are copied (secret ones are wiped after use) and never logged. */
#ifndef CX_AWS_HTTP_H
#define CX_AWS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

struct http_ctx;
struct http_call;

/* Context options; zero fields take the defaults. */
struct http_opts {
	long connect_timeout_ms; /* default 10000 */
	long total_timeout_ms;   /* per attempt; default 60000 */
	size_t max_response;     /* body cap; default 16 MiB; larger = CX_E_TOO_LARGE */
	const char *ca_bundle;   /* PEM file; NULL = system store. Verification is always on. */
	int max_parallel;        /* transfers in flight; default 16 (more are queued) */
};

struct http_header {
	char *name;
	char *value;
};

/* A received answer. Owned by whoever holds it; release with http_response_free. */
struct http_response {
	long status;                 /* HTTP status; 0 when no answer */
	struct http_header *headers; /* as received, in order (last response only) */
	size_t nheaders;
	struct buf body;     /* NUL-terminated; may hold binary data; len is exact */
	long ms;             /* duration of the attempt */
	bool new_connection; /* a new TCP/TLS connection was opened for it */
};

void http_response_free(struct http_response *r);
/* Value of the last header named name (case-insensitive), or NULL. */
const char *http_response_header(const struct http_response *r, const char *name);
/* Moves src into dst (dst must be free/empty); src becomes empty. */
void http_response_move(struct http_response *dst, struct http_response *src);

/* ---- context and loop ---- */

/* Creates the context (one per run). Returns NULL with err set when curl cannot start. */
struct http_ctx *http_ctx_new(const struct http_opts *opts, struct cx_err *err);
/* Cancels everything in flight (callbacks run with CX_E_CANCELLED) and frees. NULL ok. */
void http_ctx_free(struct http_ctx *ctx);
const struct http_opts *http_ctx_opts(const struct http_ctx *ctx);

/* Extra descriptor to wait on with the curl sockets (e.g. the tty). */
#define HTTP_POLL_IN  0x1
#define HTTP_POLL_PRI 0x2
#define HTTP_POLL_OUT 0x4
struct http_waitfd {
	int fd;
	short events;  /* HTTP_POLL_* */
	short revents; /* set by http_ctx_poll */
};

/* Waits until a curl socket or an extra fd is ready, a timer is due, or timeout_ms passes
 * (-1 = until something happens; with nothing in flight and no extra fd, returns at once).
 * Returns the number of extra fds with revents set, or -1 on error. */
int http_ctx_poll(struct http_ctx *ctx, int timeout_ms, struct http_waitfd *extra, unsigned nextra);
/* Progresses transfers, fires due timers, runs completion callbacks. Returns the number of
 * things still pending (transfers, queued transfers, timers). */
int http_ctx_perform(struct http_ctx *ctx);
/* True while transfers or timers are pending. */
bool http_ctx_busy(const struct http_ctx *ctx);
/* Milliseconds until the next timer or curl timeout (-1 = none). */
long http_ctx_next_timeout(struct http_ctx *ctx);
/* Runs poll/perform until *done becomes true (set by a callback) or nothing is pending. */
void http_ctx_run_until(struct http_ctx *ctx, const bool *done);
/* Cancels every call in flight (their callbacks run with CX_E_CANCELLED during the next
 * http_ctx_perform) and every timer's pending retry. Safe from a callback. */
void http_ctx_cancel_all(struct http_ctx *ctx);
/* Monotonic clock in milliseconds. */
long long http_now_ms(void);

/* ---- timers ---- */
typedef void (*http_timer_fn)(void *ud);
/* Calls fn(ud) from http_ctx_perform after delay_ms. Returns an id > 0. */
unsigned long http_timer_add(struct http_ctx *ctx, long delay_ms, http_timer_fn fn, void *ud);
void http_timer_cancel(struct http_ctx *ctx, unsigned long id);
/* Calls fn(ud) from http_ctx_perform once every transfer in libcurl's hands has connected
 * (TLS included) and sent its request (at once when there is none): for work that competes
 * for the CPU with signing, handshakes and sending (a key derivation), so that it runs while
 * the requests are on the network. The id cancels it with http_timer_cancel; cancel_all
 * fires it at once. */
unsigned long http_ctx_when_sent(struct http_ctx *ctx, http_timer_fn fn, void *ud);

/* ---- one request ---- */

struct http_request {
	const char *method;         /* "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE" */
	const char *url;            /* https:// (http:// only for a loopback host) */
	const char *const *headers; /* "Name: value" lines; values may be secrets */
	size_t nheaders;
	const void *body; /* may be NULL when body_len is 0 */
	size_t body_len;
	const char *label; /* for logs and events, e.g. "certerox POST /api/v2/x" */
	/* Never sent twice: libcurl silently sends a request again, on a new connection, when
	 * the reused connection it went out on dies before an answer, which a write that is
	 * not idempotent (CreateAccessKey) must never do. Such a request still goes out on a
	 * pooled (warm) connection, with no handshake on its way; should libcurl try to send
	 * it again, the attempt is stopped before anything is sent and the transfer ends with
	 * CX_E_NETWORK ("not sent again"). */
	bool never_resend;
};

/* Retry policy of a generic call. Zero = defaults. */
struct http_call_opts {
	int max_attempts;  /* default 5; 1 = never retry */
	bool no_retry_5xx; /* retry only transport errors and 429 */
	/* Optional: told about each retry (attempt that failed, reason, delay). */
	void (*on_retry)(void *ud, const char *label, int attempt, const char *reason,
	                 long delay_ms);
	void *retry_ud;
};

typedef void (*http_call_fn)(struct http_call *call, void *ud);

/* Starts req (copied) on ctx. Retries transport errors (resets, timeouts, refused),
 * 429 and 500/502/503/504 with exponential backoff and full jitter (base 100 ms, cap 20 s,
 * Retry-After honoured), at most opts->max_attempts attempts. TLS errors are never retried.
 * done(call, ud) runs once from http_ctx_perform. Never NULL: an invalid request (e.g.
 * http:// to a non-loopback host) completes with CX_E_INPUT. */
struct http_call *http_call_start(struct http_ctx *ctx, const struct http_request *req,
                                  const struct http_call_opts *opts, http_call_fn done, void *ud);
/* After completion: CX_OK when an HTTP answer arrived (whatever its status), else the
 * transport error with err filled (message names the URL's scheme://host:port). */
enum cx_status http_call_status(const struct http_call *call, struct cx_err *err);
/* After completion: the last answer (status 0 when none). Owned by the call. */
struct http_response *http_call_response(struct http_call *call);
int http_call_attempts(const struct http_call *call);
bool http_call_done(const struct http_call *call);
/* Cancels; the callback runs with CX_E_CANCELLED (from http_ctx_perform). */
void http_call_cancel(struct http_call *call);
/* Frees a completed call (or cancels and frees silently one still running). NULL ok. */
void http_call_free(struct http_call *call);
/* Synchronous form: start + run until done; the answer is moved into *out (free with
 * http_response_free; out is always initialised). */
enum cx_status http_request_sync(struct http_ctx *ctx, const struct http_request *req,
                                 const struct http_call_opts *opts, struct http_response *out,
                                 struct cx_err *err);

/* ---- single attempts (used by the AWS client, which re-signs between attempts) ---- */
struct http_xfer;
/* status: CX_OK (an answer in resp), or the transport error (err filled). resp is owned by
 * the transfer and freed after the callback returns unless moved out. */
typedef void (*http_xfer_fn)(void *ud, enum cx_status status, struct http_response *resp,
                             const struct cx_err *err);
/* Starts one attempt (req copied). Invalid requests complete with CX_E_INPUT. */
struct http_xfer *http_xfer_start(struct http_ctx *ctx, const struct http_request *req,
                                  http_xfer_fn fn, void *ud);
/* Cancels; the callback does not run. */
void http_xfer_cancel(struct http_ctx *ctx, struct http_xfer *x);

/* ---- retry helpers shared with the AWS client ---- */
/* Backoff before retry number `attempt` (1 = after the first failure): uniform in
 * [0, min(20000, 100 * 2^(attempt-1))] ms; at least retry_after_ms when > 0 (capped 20 s). */
long http_backoff_ms(int attempt, long retry_after_ms);
/* Retry-After header of r in ms (delta-seconds or HTTP date), 0 when absent. */
long http_retry_after_ms(const struct http_response *r);
/* Parses an HTTP date (Date header) into epoch seconds; -1 when malformed. */
long long http_parse_date(const char *s);
/* "scheme://host:port" of url into out (for error messages). */
void http_url_origin(const char *url, char *out, size_t outsz);

#endif

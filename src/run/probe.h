/* probe.h - the key check: after CreateAccessKey, wait until AWS accepts the new key, then
 * prove with that key each permission CerteroX needs.
 *
 * 1. Wait: sts GetCallerIdentity signed with the new key (a second aws_client on the same
 *    http_ctx), repeated until AWS accepts it. Attempts start poll_min_ms apart (start to
 *    start) for the first poll_fast_ms, then the interval doubles up to poll_max_ms; after
 *    wait_max_ms the probe gives up (CX_E_TIMEOUT). Rejections of an unknown key
 *    (InvalidClientTokenId, UnrecognizedClientException, InvalidAccessKeyId, ... i.e. status
 *    CX_E_CREDENTIALS) are expected while waiting; any other error stops the probe. When
 *    account_id is given, the key must act in that account.
 * 2. Prove, in parallel, with the new key:
 *      root:   s3:ListBucket (ListObjectsV2 of <prefix>/, 1 key), s3:GetBucketLocation,
 *              bcm-data-exports:ListExports (legacy: cur:DescribeReportDefinitions)
 *              -- granted by the ReadOnly policy;
 *      always: ec2:DescribeRegions (DryRun; DryRunOperation = allowed), s3:ListAllMyBuckets
 *              (ListBuckets), iam:ListUsers -- granted by the Discover Resources policy.
 *    IAM is eventually consistent: AccessDenied (or a rejected key) within denied_retry_ms of
 *    the key's acceptance is retried (500 ms, doubling to 2 s) before it counts.
 *    The checks are sent with the first GetCallerIdentity (optimistic: a key AWS already
 *    accepts costs one round trip); one that the key fails before AWS has accepted it is
 *    sent again once it has. The outcome waits for the key's acceptance in any case.
 * Outcome: CX_OK; CX_E_DENIED with a message naming the action, the policy that grants it
 * and the fix ("... may not perform s3:ListBucket on arn:aws:s3:::b: attach policy
 * CerteroXReadOnly to user certerox-billing ..."); CX_E_TIMEOUT (key never accepted);
 * CX_E_CANCELLED; or the error of a failed call. The secret is never in messages or events. */
#ifndef CX_RUN_PROBE_H
#define CX_RUN_PROBE_H

#include <stdbool.h>

#include "aws/client.h"
#include "aws/config.h"
#include "aws/http.h"
#include "util/err.h"

struct probe;

enum probe_phase {
	PROBE_WAITING = 0,   /* an attempt with the new key was rejected; waiting goes on */
	PROBE_KEY_VALID,     /* AWS accepted the key (attempt, elapsed_ms) */
	PROBE_CHECK_STARTED, /* a permission check started (check, detail) */
	PROBE_CHECK_OK,      /* allowed */
	PROBE_CHECK_RETRY,   /* denied within the IAM propagation window: retried (detail) */
	PROBE_CHECK_DENIED   /* denied for good, or failed otherwise (e.g. NoSuchBucket): detail =
	                        the message, policy = the policy that should grant it */
};

/* Strings valid during the callback only; never a secret. */
struct probe_event {
	enum probe_phase phase;
	int attempt;        /* GetCallerIdentity attempts so far (waiting phases) or the
	                       check's attempt */
	long elapsed_ms;    /* since probe_start */
	const char *check;  /* the action ("s3:ListBucket") for PROBE_CHECK_*, else "" */
	const char *detail; /* resource, the AWS error code of a rejection, or the message */
	const char *policy; /* the policy that grants the action (PROBE_CHECK_*), else "" */
	long delay_ms;      /* PROBE_WAITING / PROBE_CHECK_RETRY: wait before the next attempt */
};
typedef void (*probe_progress_fn)(void *ud, const struct probe_event *ev);
typedef void (*probe_done_fn)(struct probe *p, void *ud);

struct probe_opts {
	const char *access_key_id;     /* the new key (required) */
	const char *secret_access_key; /* its secret (required; copied into secmem at start) */
	const char *user;              /* IAM user name for messages (NULL = "the user") */
	const char *account_id;        /* expected account of the key, NULL = not checked */
	bool linked;                   /* only the Discover Resources checks */
	bool billing_only;             /* root: no Discover Resources checks (a data source whose
	                                  user was never given them: rotate, migrate) */
	bool legacy;                   /* cur:DescribeReportDefinitions instead of ListExports */
	const char *bucket;            /* root: NULL = none yet (CerteroX creates it): not probed */
	const char *prefix;            /* root: "" / NULL = the whole bucket */
	const char *bucket_region;     /* known region of the bucket, or NULL */
	const char *readonly_policy;   /* names for messages; NULL = "CerteroXReadOnly" */
	const char *discover_policy;   /* NULL = "CerteroXDiscoverResources" */
	long wait_max_ms;              /* 0 = 120000 */
	long poll_min_ms;           /* 0 = 150: answers within ~150 ms + a round trip of validity */
	long poll_max_ms;           /* 0 = 2000 */
	long poll_fast_ms;          /* time polled at poll_min_ms before backing off; 0 = 15000 */
	long denied_retry_ms;       /* 0 = 15000; < 0 = a denial counts at once */
	probe_progress_fn progress; /* may be NULL */
	void *progress_ud;
};

/* Starts the probe on ctx. base gives region, endpoint and CA bundle (its credentials are
 * not used; borrowed only during this call); opts strings are copied. done(p, ud) runs once
 * from http_ctx_perform; probe_free may be called there. Never NULL. */
struct probe *probe_start(struct http_ctx *ctx, const struct aws_config *base,
                          const struct probe_opts *opts, probe_done_fn done, void *ud);
void probe_cancel(struct probe *p);
bool probe_done(const struct probe *p);
enum cx_status probe_status(const struct probe *p, struct cx_err *err);
/* Milliseconds from probe_start until AWS accepted the key (-1 when it did not). */
long probe_key_valid_ms(const struct probe *p);
/* GetCallerIdentity attempts made while waiting. */
int probe_attempts(const struct probe *p);
/* Cancels when still running; wipes the secret; frees. NULL ok. */
void probe_free(struct probe *p);

/* Synchronous form. key_valid_ms (may be NULL) as probe_key_valid_ms. */
enum cx_status probe_run(struct http_ctx *ctx, const struct aws_config *base,
                         const struct probe_opts *opts, long *key_valid_ms, struct cx_err *err);

#endif

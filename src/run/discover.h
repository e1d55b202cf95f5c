/* discover.h - read-only discovery: the AWS (and CerteroX) facts the plan is built from.
 *
 * Everything runs on the shared http_ctx of the administrator's aws_client, without threads:
 * sts GetCallerIdentity and every read that needs no account id go out at once (at most
 * max_parallel, default 16, in flight; the rest wait in a queue); the reads that need an
 * answer follow it; each fact read exactly once. discovery_depth in the facts is the longest
 * chain of reads it took (1 on an empty account):
 *   - organizations DescribeOrganization -> org_role, its manager compared with the account
 *     id (errors leave it "unknown", a warning);
 *   - root connect / migrate with a bucket: s3 HeadBucket (exists + region from
 *     x-amz-bucket-region; GetBucketLocation only when HeadBucket did not tell it; the region
 *     stays cached in the client) and s3 GetBucketPolicy (text, or none);
 *   - the exports: bcm-data-exports ListExports + GetExport of each (cur2), or
 *     cur DescribeReportDefinitions (legacy); migrate reads the CUR 2.0 exports, and the
 *     legacy reports only when asked to delete the legacy one;
 *   - setup "existing": s3 ListObjectsV2 under <prefix>/<name>/ of the export (started at
 *     once for the answers' bucket/prefix, again for the export's own destination only when
 *     that differs) -> delivered when a data file (.csv.gz, .csv.zip, .snappy.parquet) exists;
 *   - our IAM policies (root: ReadOnly + Discover Resources; linked: Discover Resources;
 *     migrate: ReadOnly), arn:aws:iam::<account>:policy/<name>: one page (100) of iam
 *     ListPolicies Scope=Local goes out with GetCallerIdentity; a policy it does not list is
 *     absent, one it lists gets ListPolicyVersions (count, oldest non-default) and
 *     GetPolicyVersion of the listed default (the document) at once. When the listing is
 *     denied, fails or has more pages, each policy is read by ARN instead: ListPolicyVersions
 *     (NoSuchEntity = absent), then GetPolicyVersion of the default;
 *   - connect: the user: iam ListAttachedUserPolicies and ListAccessKeys (NoSuchEntity =
 *     absent user), in_vault from the vault when given;
 *   - opts.list_buckets (the wizard's bucket picker): s3 ListBuckets with max-buckets (so S3
 *     gives each bucket's region), with GetCallerIdentity; its failure is kept for
 *     discover_take_buckets, never a discovery error;
 *   - with a CerteroX client: the organization's AWS data sources (organization from
 *     answers.certerox.organization_id, else the only one the token sees). For migrate
 *     without export.bucket the bucket reads start when the data source names its bucket.
 * NoSuchEntity / NoSuchBucket / NoSuchBucketPolicy / ResourceNotFound are facts, not errors.
 * Errors: the first failing read's status and detail (AccessDenied: CX_E_DENIED naming the
 * action, e.g. "not authorized to perform s3:GetBucketPolicy"); the remaining reads are
 * cancelled. For connect, an unreachable/refusing CerteroX is a warning (data sources
 * unknown); for migrate it is an error. */
#ifndef CX_RUN_DISCOVER_H
#define CX_RUN_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "aws/client.h"
#include "aws/s3.h"
#include "certerox/certerox.h"
#include "core/answers.h"
#include "core/plan.h"
#include "core/strv.h"
#include "util/err.h"
#include "vault/vault.h"

struct discover;

enum discover_phase {
	DISCOVER_STARTED = 0, /* the request of this read is being sent */
	DISCOVER_DONE,        /* answered (including "absent" facts) */
	DISCOVER_FAILED       /* failed: err says why (the whole discovery stops) */
};

/* One read starting or ending. Strings are valid during the callback only. */
struct discover_event {
	enum discover_phase phase;
	int id;                /* 1, 2, ... in start order; the same id for start and end */
	const char *service;   /* "iam", "s3", "sts", "organizations", "bcm-data-exports", "cur",
	                          "certerox" */
	const char *operation; /* "ListPolicyVersions", "GET /organizations/{id}/cloud_accounts" */
	const char *subject;   /* "CerteroXReadOnly", the bucket, ... ("" when none) */
	const char *label;     /* "iam ListPolicyVersions CerteroXReadOnly" */
	const char *outcome; /* DONE: short fact ("absent", "exists in eu-west-1", "3 versions") */
	long ms;             /* DONE/FAILED: duration */
	int started;         /* reads started so far (this one included) */
	int finished;        /* reads finished so far (this one included when it ended) */
	int queued;          /* reads known but not started yet */
	const struct cx_err *err; /* FAILED only */
};
typedef void (*discover_progress_fn)(void *ud, const struct discover_event *ev);
typedef void (*discover_done_fn)(struct discover *d, void *ud);

struct discover_opts {
	struct aws_client *aws;    /* the administrator's client (required; borrowed) */
	struct certerox *certerox; /* NULL = the data sources stay unknown (borrowed) */
	struct vault *vault;       /* NULL = no key is in the vault (borrowed) */
	int max_parallel;          /* reads in flight; 0 = 16*/
	/* also list the account's buckets (s3 ListBuckets with their regions, in the first
	 * wave; a failure is no discovery error): discover_take_buckets */
	bool list_buckets;
	/* list the destination of every export read (ListObjectsV2 under <prefix>/<name>/, as for
	 * setup "existing"), not only the answered one's: the wizard's export list shows each
	 * one's delivered files as soon as they are known (discover_export_delivery). The facts'
	 * delivered stays the answered export's only. */
	bool every_delivery;
	discover_progress_fn progress; /* may be NULL */
	void *progress_ud;
};

/* Starts discovery for the answers a (copied; they should have passed validate_answers).
 * Everything in opts is borrowed and must outlive d. done(d, ud) runs once, from
 * http_ctx_perform of the client's ctx (never from discover_start); the caller drives the
 * ctx (http_ctx_poll/perform) and calls discover_free afterwards (also allowed inside done).
 * Never NULL. */
struct discover *discover_start(const struct answers *a, const struct discover_opts *opts,
                                discover_done_fn done, void *ud);
/* Cancels: in-flight reads are cancelled, done runs with CX_E_CANCELLED. */
void discover_cancel(struct discover *d);
bool discover_done(const struct discover *d);
/* Outcome once done; err (may be NULL) gets the detail. */
enum cx_status discover_status(const struct discover *d, struct cx_err *err);
/* The facts (owned by d; complete only when the status is CX_OK). */
const struct plan_facts *discover_facts(const struct discover *d);
/* Moves the facts into *out (which is overwritten, not freed); d's copy becomes empty. */
void discover_take_facts(struct discover *d, struct plan_facts *out);
/* Non-fatal findings (org role unknown, CerteroX unreachable for connect, a listing that was
 * refused...). Owned by d. */
const struct strv *discover_warnings(const struct discover *d);
/* The CerteroX organization whose data sources were listed (the answers' one, else the one
 * the token sees alone); NULL when they were not listed. Owned by d. */
const char *discover_certerox_org(const struct discover *d);
/* Sets in_vault on each of f's keys from v (NULL: none is) and returns how many are: for
 * a caller that discovers before its vault is open. */
size_t discover_mark_vault_keys(struct plan_facts *f, const struct vault *v);
/* With opts.list_buckets, once its read answered: the account's buckets moved into *out (which
 * is overwritten, not freed; s3_bucket_list_free). Returns CX_OK when they were listed, the
 * read's status (err filled, e.g. CX_E_DENIED for s3:ListAllMyBuckets) when it failed, and
 * CX_E_NOT_FOUND when they were not read (not asked, not answered yet, or taken). */
enum cx_status discover_take_buckets(struct discover *d, struct s3_bucket_list *out,
                                     struct cx_err *err);
/* Whether export i of discover_facts(d) has delivered files, as known now (during discovery
 * too: each export's state comes with its own listing's answer). */
enum discover_delivery {
	DISCOVER_DELIVERY_UNREAD = 0, /* not listed: its definition is not known (yet), or no
	                                 listing was asked for it */
	DISCOVER_DELIVERY_READING,    /* its listing is under way */
	DISCOVER_DELIVERY_NONE,       /* listed: no data file yet */
	DISCOVER_DELIVERY_FILES,      /* listed: data files delivered */
	DISCOVER_DELIVERY_UNKNOWN     /* the listing failed (a warning says why) */
};
enum discover_delivery discover_export_delivery(const struct discover *d, size_t i);
/* Reads sent (each AWS/CerteroX operation once; pages/retries not counted separately). */
int discover_reads(const struct discover *d);
/* Cancels when still running, frees. NULL ok. */
void discover_free(struct discover *d);

/* Synchronous form: start and drive the ctx until done. On CX_OK *out holds the facts
 * (plan_facts_free); on error *out is empty and err set. warnings (may be NULL) receives
 * copies of the warnings. */
enum cx_status discover_run(const struct answers *a, const struct discover_opts *opts,
                            struct plan_facts *out, struct strv *warnings, struct cx_err *err);

/* The facts as JSON in exactly the format plan_facts_from_json reads (round trip equal);
 * bucket.policy is the text as AWS returned it. Caller cJSON_Deletes it. (A successful
 * discovery also logs this JSON at debug level, for --log.) */
cJSON *discover_facts_to_json(const struct plan_facts *f);

#endif

/* discover_int.h - what discovery's own files share: the reads' kinds and records, struct
 * discover, and the calls between discover.c (the read scheduler and the public calls),
 * discover_answers.c (each read's answer turned into facts and follow-up reads) and
 * discover_json.c (the facts as JSON). Nothing outside src/run/discover*.c includes it. */
#ifndef CX_RUN_DISCOVER_INT_H
#define CX_RUN_DISCOVER_INT_H

#include "run/discover.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "aws/bcm.h"
#include "aws/cur.h"
#include "aws/iam.h"
#include "aws/org.h"
#include "aws/s3.h"
#include "aws/sts.h"
#include "core/owner.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/str.h"
#define DEFAULT_PARALLEL  16
#define DELIVERY_LIST_MAX 100 /* keys looked at under <prefix>/<name>/ */
#define LIST_POLICIES_MAX 100 /* one page: more customer policies -> our policies by ARN */

enum rkind {
	R_STS = 0,
	R_ORG,
	R_HEAD_BUCKET,
	R_LOCATION,
	R_BUCKET_POLICY,
	R_LIST_EXPORTS,
	R_GET_EXPORT,
	R_REPORTS,
	R_DELIVERED,
	R_LIST_POLICIES,
	R_POLICY_VERSIONS,
	R_POLICY_DOC,
	R_USER_ATTACHED,
	R_USER_KEYS,
	R_USER_TAGS,
	R_CX_ORGS,
	R_CX_DS,
	R_CX_PROBE,
	R_LIST_BUCKETS
};

enum rstate { RS_QUEUED = 0, RS_FLIGHT, RS_DONE };

struct rd {
	struct discover *d;
	enum rkind kind;
	enum rstate state;
	int id;
	size_t idx; /* policy, export or delivery index */
	char *subject;
	char *aux; /* version id (policy doc) */
	struct aws_op *op;
	struct certerox_call *call;
	long long t0;
	int depth; /* 1 + the depth of the read whose answer asked for this one */
};

struct delivery {
	char *bucket;
	char *key_prefix; /* "<prefix>/<name>/" */
	bool done, delivered;
	bool failed; /* the listing failed: delivered unknown */
};

struct discover {
	struct answers a;
	struct discover_opts o;
	discover_done_fn done;
	void *ud;
	struct plan_facts f;
	struct strv warnings;
	enum cx_status status;
	struct cx_err err;
	bool finished, failed, cancelled;
	struct rd **rds;
	size_t nrds;
	int inflight, started, nfinished;
	/* what to read */
	bool root; /* bucket and exports of a root connect */
	bool want_cur2, want_legacy;
	bool want_delivery; /* setup "existing": delivered files of the answered export */
	char *bucket;       /* the bucket whose facts are read (NULL = none yet) */
	bool bucket_started;
	bool identity_done; /* GetCallerIdentity answered (well or not) */
	bool held;          /* a read failed before it: its failure waits (held_*) */
	enum cx_status held_st;
	struct cx_err held_err;
	char *certerox_org;   /* the organization whose data sources are listed */
	bool certerox_listed; /* ... and they were */
	struct delivery *dlv;
	size_t ndlv;
	/* opts.list_buckets: the account's buckets (discover_buckets.c) */
	bool buckets_done;
	enum cx_status buckets_st;
	struct cx_err buckets_err;
	struct s3_bucket_list buckets;
	int answering; /* depth of the read whose answer is being handled (0: none) */
	/* our policies: a one-page listing sent with GetCallerIdentity tells which exist (and
	 * their default version) without the account id; unusable (denied, truncated): by ARN */
	enum { PL_FLIGHT = 0, PL_DONE, PL_UNUSABLE } plist;
	struct iam_policy_list listed;
	bool policies_named; /* after_identity has named them (ARNs known) */
	bool doc_queued[3];  /* GetPolicyVersion of policy i is queued */
	char *org_master;    /* DescribeOrganization's MasterAccountId, when sent before STS */
	bool org_answered;   /* ... it has answered, role pending on the account id */
	struct iam_tag_list user_tags; /* ListUserTags of the answers' user */
	bool tags_done, keys_done;     /* both known: ownership marked (mark_owned) */
	bool attached_done;            /* with tags_done and keys_done: f.user_read is set */
};

bool dsc_migrate(const struct discover *d);
struct rd *dsc_enqueue(struct discover *d, enum rkind k, size_t idx, const char *subject);
bool dsc_data_file(const char *key);
void dsc_export_known(struct discover *d, size_t i);
size_t dsc_export_add(struct discover *d, bool legacy, const char *name);
void dsc_bucket_reads(struct discover *d);
void dsc_policy_reads(struct discover *d);
void dsc_org_role_of(struct discover *d);
void dsc_after_identity(struct discover *d);
enum cx_status dsc_absent(bool *exists, char *outcome, size_t on);
enum cx_status dsc_on_sts(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                          size_t on, struct cx_err *err);
enum cx_status dsc_on_org(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                          size_t on);
enum cx_status dsc_on_head(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                           size_t on, struct cx_err *err);
enum cx_status dsc_on_location(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                               size_t on, struct cx_err *err);
enum cx_status dsc_on_bucket_policy(struct discover *d, struct rd *r, enum cx_status st,
                                    char *outcome, size_t on, struct cx_err *err);
enum cx_status dsc_on_list_exports(struct discover *d, struct rd *r, enum cx_status st,
                                   char *outcome, size_t on, struct cx_err *err);
enum cx_status dsc_on_get_export(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                                 size_t on, struct cx_err *err);
enum cx_status dsc_on_reports(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                              size_t on, struct cx_err *err);
enum cx_status dsc_on_delivered(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                                size_t on);
enum cx_status dsc_on_buckets(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                              size_t on);
enum cx_status dsc_on_list_policies(struct discover *d, struct rd *r, enum cx_status st,
                                    char *outcome, size_t on);
enum cx_status dsc_on_policy_versions(struct discover *d, struct rd *r, enum cx_status st,
                                      char *outcome, size_t on, struct cx_err *err);
enum cx_status dsc_on_policy_doc(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                                 size_t on, struct cx_err *err);
enum cx_status dsc_on_user_attached(struct discover *d, struct rd *r, enum cx_status st,
                                    char *outcome, size_t on, struct cx_err *err);
int dsc_age_days(const char *date);
enum cx_status dsc_on_user_tags(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                                size_t on, struct cx_err *err);
enum cx_status dsc_on_user_keys(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                                size_t on, struct cx_err *err);
enum cx_status dsc_on_cx_probe(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                               size_t on);
enum cx_status dsc_on_cx_orgs(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                              size_t on, struct cx_err *err);
enum cx_status dsc_on_cx_ds(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                            size_t on, struct cx_err *err);

#endif

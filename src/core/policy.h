/* policy.h - IAM and bucket policy documents from the data/policies templates, the
 * bucket-policy merge (upsert by Sid, diff, lint), and policy comparisons. */
#ifndef CX_CORE_POLICY_H
#define CX_CORE_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/strv.h"
#include "util/err.h"

#define POLICY_BUCKET_SID        "EnableAWSDataExportsToWriteToS3AndCheckPolicy"
#define POLICY_LEGACY_CREATE_SID "CerteroXCreateLegacyReport"
#define POLICY_BUCKET_LIMIT      20480 /* S3 bucket policy size limit in bytes */

/* Templates (data/policies/NAME.json, loaded through paths_data_file), with ${BUCKET} and
 * ${ACCOUNT_ID} replaced (values JSON-escaped). NULL + CX_E_IO/CX_E_PARSE when the template
 * cannot be read. Caller frees each with cJSON_Delete. */
/* The guide's bucket-policy statement (one object with Sid POLICY_BUCKET_SID). */
cJSON *policy_bucket_statement(const char *bucket, const char *account_id, struct cx_err *err);
/* A whole bucket policy {"Version", "Statement": [statement]}. */
cJSON *policy_bucket_document(const char *bucket, const char *account_id, struct cx_err *err);
/* The guide's ReadOnly policy; legacy_create appends the statement of
 * data/policies/readonly-legacy-create.json (cur:PutReportDefinition), which CerteroX needs
 * to create a legacy CUR report itself (setup "certerox" with a legacy export). */
cJSON *policy_readonly(const char *bucket, bool legacy_create, struct cx_err *err);
/* The guide's Discover Resources policy (the only one of a linked connection). */
cJSON *policy_discover(struct cx_err *err);
/* Any template by relative path ("policies/readonly.json"). */
cJSON *policy_template(const char *rel, const char *bucket, const char *account_id,
                       struct cx_err *err);

/* Two policy documents mean the same (json_equal loose: "a" == ["a"], arrays as sets). */
bool policy_equal(const cJSON *a, const cJSON *b);
/* Parses a document as IAM/S3 return it (JSON text; NULL + err when invalid). */
cJSON *policy_parse(const char *text, struct cx_err *err);

/* ---- IAM policy merge ---- */

/* A shared IAM policy is never narrowed: ours (the template for this run) merged with the
 * current document. Each current statement equal to one of ours adds nothing; one with the
 * Sid of ours and the same Effect, Principal and Condition adds its Action and Resource to
 * ours (so the GetObject statement covers every bucket either names); any other is kept as
 * it is (renamed SidKept when ours holds its Sid). current NULL: a copy of ours. Caller
 * frees. */
cJSON *policy_merge_grants(const cJSON *current, const cJSON *ours);

/* ---- bucket policy merge ---- */

enum policy_merge_action {
	POLICY_MERGE_NEW = 0,    /* no policy before: a new document with our statement */
	POLICY_MERGE_ADDED,      /* our statement appended after the others */
	POLICY_MERGE_SID_TAKEN,  /* our Sid was there with other content: theirs kept, ours added
	                            under its own Sid (POLICY_BUCKET_SID + "2", "3", ...) */
	POLICY_MERGE_PRESENT,    /* our Sid was there with equal content: unchanged */
	POLICY_MERGE_EQUIVALENT, /* an equal statement under another Sid: unchanged */
};

struct policy_merge {
	enum policy_merge_action action;
	bool changed;         /* the document differs from the existing one */
	cJSON *document;      /* the resulting policy (owned) */
	char *old_text;       /* json_pretty of the existing policy, "" when none (owned) */
	char *new_text;       /* json_pretty of document (owned) */
	char *diff;           /* diff_unified(old_text, new_text), "" when unchanged (owned) */
	size_t size;          /* bytes of document as sent (json_compact) */
	char *equivalent_sid; /* POLICY_MERGE_EQUIVALENT: the other statement's Sid or "#N" */
	struct strv warnings; /* lint: Deny of the delivery services, non-us-east-1 SourceArn */
};

/* Upserts statement (ours, not consumed) into the existing policy text (NULL or "" = no
 * policy). Every other statement, its order and every key stay unchanged; a statement
 * given as a single object becomes a one-element array plus ours. bucket is used by the
 * Deny lint. Errors (CX_E_INPUT, out->document NULL): existing text not valid JSON or not
 * a policy object ("...; the current policy is left unchanged"). Size over
 * POLICY_BUCKET_LIMIT, or a statement that denies the delivery services with no Condition
 * (it always applies): CX_E_INPUT naming it, with out fully filled (so the plan can show
 * it). A statement with our Sid is never rewritten. Free
 * out with policy_merge_free in every case. */
enum cx_status policy_merge_bucket(const char *existing, const cJSON *statement, const char *bucket,
                                   struct policy_merge *out, struct cx_err *err);
void policy_merge_free(struct policy_merge *m);
/* The lint alone on a parsed bucket policy: appends warnings. */
void policy_lint_bucket(const cJSON *doc, const char *bucket, struct strv *warnings);

/* ---- grants ---- */

/* What of required (a policy document: its Allow statements' Action x Resource) doc does
 * not grant: appends "<action> on <resource>" to missing, in required's order. Wildcards
 * (* ?) in doc's Action/Resource are honoured, actions case-insensitively; NotAction,
 * NotResource and Deny statements of doc count; Conditions are ignored. Returns true when
 * nothing is missing. For the TUI's edit of the IAM policies. */
bool policy_missing_actions(const cJSON *doc, const cJSON *required, struct strv *missing);
/* The bucket policy lets the delivery service(s) write: s3:PutObject on the objects and
 * s3:GetBucketPolicy on the bucket for billingreports.amazonaws.com (legacy) and/or
 * bcm-data-exports.amazonaws.com (cur2), with no Deny covering them. */
bool policy_bucket_permits_delivery(const cJSON *doc, const char *bucket, bool legacy, bool cur2);
/* The ReadOnly document lacks Data Exports rights (bcm-data-exports:ListExports, GetExport
 * or CreateExport on "*"): the migrate flow upgrades it. */
bool policy_lacks_data_exports(const cJSON *readonly_doc);

#endif

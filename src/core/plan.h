/* plan.h - answers + facts -> a DAG of "ensure" steps (what the engine executes and what
 * --dry-run prints). Pure: no I/O except the data/ templates. The plan holds no secret. */
#ifndef CX_CORE_PLAN_H
#define CX_CORE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/answers.h"
#include "core/strv.h"
#include "util/err.h"

/* ---- facts (filled by discovery with read-only calls; every pointer owned) ---- */

enum plan_org_role {
	PLAN_ORG_UNKNOWN = 0,
	PLAN_ORG_MANAGEMENT,
	PLAN_ORG_MEMBER,
	PLAN_ORG_STANDALONE
};

struct plan_export_fact {
	bool legacy;       /* legacy CUR report (ReportDefinition) rather than a Data Export */
	char *name;        /* ExportName / ReportName */
	char *arn;         /* Data Export ARN (NULL for legacy) */
	cJSON *definition; /* GetExport's Export object / the ReportDefinition (NULL unknown) */
	char *status;      /* ExportStatus.StatusCode / ReportStatus.lastStatus (NULL unknown) */
	bool delivered;    /* report files exist under <prefix>/<name>/ (section 7 layout) */
};

struct plan_policy_fact {
	char *arn; /* arn:aws:iam::<account>:policy/<name> */
	bool exists;
	char *default_version;   /* "v3" */
	cJSON *document;         /* the default version's document (parsed, URL-decoded) */
	int versions;            /* number of versions (IAM keeps at most 5) */
	char *oldest_nondefault; /* VersionId of the oldest non-default version, NULL if none */
};

struct plan_key_fact {
	char *id;      /* AccessKeyId */
	char *status;  /* Active | Inactive */
	bool in_vault; /* the vault holds this key's secret */
	bool owned;    /* certerox-aws-setup made it: the user has a tag whose key is this id and
	                  whose value is our description (core/owner.h) */
	char *create_date; /* CreateDate as IAM gives it (NULL unknown) */
	int age_days;      /* days since create_date when discovery ran (-1 unknown) */
};

struct plan_data_source_fact {
	char *id;
	char *name;
	char *account_id;
	bool linked;
	int cur_version; /* 2 = CUR 2.0, else legacy */
	char *bucket;
	char *prefix;
	char *report_name;
	char *config_scheme;
	char *access_key_id; /* the key CerteroX uses (config.access_key_id; NULL unknown) */
};

struct plan_life; /* core/plan_life.h: the data source rotate/disconnect/migrate act on */

struct plan_facts {
	char *account_id; /* sts GetCallerIdentity Account (required) */
	char *caller_arn;
	enum plan_org_role org_role;
	bool bucket_exists;
	char *bucket_region;              /* the bucket's region when it exists */
	char *bucket_policy;              /* current bucket policy text, NULL when none */
	struct plan_export_fact *exports; /* Data Exports and legacy reports of the account */
	size_t nexports;
	/* Data Exports on the first page of ListExports (sent without MaxResults, as OptScale
	 * sends it) when more pages followed; 0: all on one page or unknown (core/cxrules.h) */
	size_t exports_first_page;
	struct plan_policy_fact *policies; /* our policies by ARN (missing ones may be absent) */
	size_t npolicies;
	bool user_exists;
	bool user_owned;    /* the user has the tag certerox-aws-setup (core/owner.h) */
	bool vault_unknown; /* a vault exists but was not opened (--dry-run without the
	                       passphrase): in_vault says nothing */
	char **attached;    /* policy ARNs attached to the user */
	size_t nattached;
	char *user_read;      /* the user whose keys, tags and attached policies discovery read
	                         (all three answered): later reads of that user reuse them */
	char **user_tag_keys; /* that user's tag keys */
	size_t nuser_tag_keys;
	struct plan_key_fact *keys; /* the user's access keys */
	size_t nkeys;
	bool data_sources_known; /* the organization's data sources were listed */
	struct plan_data_source_fact *data_sources;
	size_t ndata_sources;
	int discovery_depth;     /* reads discovery made one after another to learn these facts (the
	                            longest chain of a read waiting on another's answer; 0 unknown) */
	unsigned cx_unsupported; /* config keys CerteroX refuses (PLAN_CX_NO_*), from its answer
	                            to a key probe (cloud_account_verify) */
	struct plan_life *life;  /* run/resolve: the data source acted on (NULL: none) */
};
#define PLAN_CX_NO_CUR_VERSION      1u /* an OptScale before 2024-08: no CUR 2.0 */
#define PLAN_CX_NO_USE_EDP_DISCOUNT 2u /* an OptScale before 2024-10 */

/* Frees every member; f becomes zero. */
void plan_facts_free(struct plan_facts *f);
/* Reads facts from JSON (the format of tests/unit/data/facts-*.json and of discovery's
 * debug output):
 *  {"account_id", "caller_arn", "org_role": "management"|"member"|"standalone"|"unknown",
 *   "bucket": {"exists", "region", "policy": text or object},
 *   "exports": [{"legacy", "name", "arn", "definition", "status", "delivered"}],
 *   "policies": [{"arn", "exists" (default true), "default_version", "document",
 *                 "versions", "oldest_nondefault"}],
 *   "user": {"exists", "owned", "attached": [arn], "keys": [{"id", "status", "in_vault",
 *            "owned", "create_date", "age_days"}]},
 *   "data_sources": [{"id", "name", "account_id", "linked", "cur_version", "bucket",
 *                     "prefix", "report_name", "config_scheme", "access_key_id"}],
 *   "life": {...} (core/plan_life.h),
 *   "exports_first_page": N, "discovery_depth": N, "certerox_unsupported_keys": ["cur_version",
 * "use_edp_discount"]} (data_sources present = data_sources_known). CX_E_INPUT naming the path on
 * error. */
enum cx_status plan_facts_from_json(struct plan_facts *f, const cJSON *j, struct cx_err *err);
/* Lookups (NULL when absent). */
const struct plan_policy_fact *plan_facts_policy(const struct plan_facts *f, const char *arn);
const struct plan_export_fact *plan_facts_export(const struct plan_facts *f, const char *name,
                                                 bool legacy);

/* ---- the plan ---- */

enum plan_kind { PLAN_READ = 0, PLAN_CREATE, PLAN_UPDATE, PLAN_DELETE, PLAN_SKIP };

/* Step ids (one each at most): "bucket", "bucket-policy", "policy-readonly-prune",
 * "policy-readonly", "policy-discover-prune", "policy-discover", "user", "attach-readonly",
 * "attach-discover", "key-delete-<AccessKeyId>", "key", "key-check", "export", "certerox",
 * "legacy-delete".
 *
 * Requests (AWS parameter names; documents inline as JSON objects, the engine serialises
 * them compactly):
 *   s3 CreateBucket {Bucket, Region[, CreateBucketConfiguration{LocationConstraint}]}
 *   s3 PutBucketPolicy {Bucket, Region, Policy}
 *   iam CreatePolicy {PolicyName, PolicyDocument} | CreatePolicyVersion {PolicyArn,
 *     PolicyDocument, SetAsDefault true} | DeletePolicyVersion {PolicyArn, VersionId}
 *   iam CreateUser {UserName} | AttachUserPolicy {UserName, PolicyArn} |
 *     CreateAccessKey {UserName} | DeleteAccessKey {UserName, AccessKeyId}
 *   sts CheckKey {UserName (null for migrate), AccessKeyId (null), KeySource ("created":
 *     the key of step "key", or the vault's key when that step was skipped; "vault": the
 *     data source's key in the vault, migrate), Bucket, Prefix, Legacy, Linked}: run/probe
 *     (wait until the key works, prove each permission)
 *   bcm-data-exports CreateExport {Export} | UpdateExport {ExportArn, Export}
 *   cur PutReportDefinition {ReportDefinition} | ModifyReportDefinition {ReportName,
 *     ReportDefinition} | DeleteReportDefinition {ReportName}
 *   certerox CreateDataSource {organization_id (null = the only one), body {name, type,
 *     config}} | UpdateDataSource {data_source_id, body {config}}: body.config lacks
 *     access_key_id and secret_access_key, which the engine adds (from the new key or
 *     the vault). */
struct plan_step {
	char *id;
	char *title;           /* "iam CreateUser certerox-billing" */
	const char *service;   /* "s3" "iam" "sts" "bcm-data-exports" "cur" "certerox" */
	const char *operation; /* see above */
	enum plan_kind kind;
	cJSON *request; /* owned; also present for skipped steps (what would be sent) */
	char **deps;    /* ids of steps that must finish first (owned) */
	size_t ndeps;
	char *skip_reason;       /* PLAN_SKIP: why (owned) */
	bool destructive;        /* replaces or deletes something: needs --yes or consent */
	int requests;            /* sequential requests on the critical path (0 when skipped) */
	int server_requests;     /* certerox steps: the AWS calls CerteroX makes one after another
	                            with the submitted key before it answers (certerox-api.md
	                            section 4; plan_server_chain); the client waits for them */
	char *diff;              /* unified diff of the document change, NULL when none */
	struct strv differences; /* UpdateExport/Modify: "path: theirs -> ours" */
};

struct plan_target {
	char *account_id;
	bool legacy;  /* the export is a legacy CUR report */
	char *bucket; /* NULL for linked */
	char *prefix;
	char *region;
	char *export_name;
	char *config_scheme; /* "create_report" | "bucket_only" | "find_report" | NULL (linked) */
};

struct plan {
	struct plan_step *steps; /* in a topological order (every dep comes earlier) */
	size_t n;
	struct plan_target target;
	struct strv warnings; /* for the review page / summary */
	int discovery_depth;  /* facts.discovery_depth */
	int depth;            /* critical path D in requests (plan_depth) */
};

/* Where the critical path lies, in requests one after another: the discovery reads the plan
 * was built from, the plan's own requests, and CerteroX's calls before it answers. */
struct plan_path {
	int discovery;
	int requests;
	int server;
	int total; /* discovery + requests + server = plan_depth */
};

struct plan_options {
	bool delete_unknown_keys; /* plan DeleteAccessKey for keys the vault lacks that the
	                             wizard made and no data source uses (--yes) */
	/* --yes also consents to deactivating a key the wizard did not make (rotate) and to
	 * deleting the oldest non-default policy version (migrate). */
};

/* Builds the plan. answers must have passed validate_answers; facts->account_id is
 * required. opt may be NULL. Errors (plan empty): CX_E_INPUT for answers that cannot work
 * with these facts (message names the field: missing bucket, existing export that
 * CerteroX would refuse with its reasons, invalid current bucket policy, bucket policy
 * over 20 KB, unknown data source for migrate); CX_E_CONFLICT for a user with two access
 * keys the vault does not know (the message gives the choices). */
enum cx_status plan_build(struct plan *p, const struct answers *a, const struct plan_facts *f,
                          const struct plan_options *opt, struct cx_err *err);
void plan_free(struct plan *p);
/* Step by id, NULL when absent. */
const struct plan_step *plan_find(const struct plan *p, const char *id);
/* The critical path of a whole run: discovery's depth, then the dependency chain of steps
 * with the largest sum of requests + server_requests (ties: the first in step order). */
void plan_critical_path(const struct plan *p, struct plan_path *out);
/* Its total, D: the round trips a run waits for one after another. */
int plan_depth(const struct plan *p);
/* The AWS calls CerteroX makes one after another with the submitted key before it answers a
 * data source create or PATCH (certerox-api.md section 4): sts GetCallerIdentity; linked:
 * nothing else; otherwise by config_scheme, with `exports` the exports of the kind (legacy
 * or CUR 2.0) the account will have by then and `named` whether one is called `report`:
 *  - find_report: the listing (its first page: one DescribeReportDefinitions; ListExports +
 *    GetExport of each), then s3 ListObjectsV2 and, when files were delivered, the test
 *    download (boto3 download_fileobj: HeadObject, GetObject);
 *  - create_report: s3 GetBucketLocation (+ CreateBucket, GetCallerIdentity and
 *    PutBucketPolicy when the bucket is missing), the listing, the create when no export is
 *    `named`, ListObjectsV2 and the test download when delivered;
 *  - bucket_only: GetBucketLocation twice, ListObjectsV2 of <prefix>/<report>/ by folder and,
 *    when delivered, one ListObjectsV2 per folder (CUR 2.0: data/ and metadata/; legacy: the
 *    month) and the test download. (OptScale tools/cloud_adapter/clouds/aws.py) */
int plan_server_chain(bool linked, const char *scheme, bool legacy, size_t exports, bool named,
                      bool bucket_exists, bool delivered);
/* Number of steps that write (kind create/update/delete). */
size_t plan_writes(const struct plan *p);
/* True when a step is destructive and not skipped. */
bool plan_needs_confirmation(const struct plan *p);
const char *plan_kind_name(enum plan_kind k); /* "read" "create" "update" "delete" "skip" */
const char *plan_org_role_name(enum plan_org_role r);

#endif

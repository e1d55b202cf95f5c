/* plan_life.h - the facts about one existing data source that rotate, disconnect, migrate and
 * the reconciliation of a connect by key are planned from (filled by run/resolve after
 * discovery), and the plans built from them (core/plan_rotate.c, core/plan_disconnect.c).
 * Pure: no I/O. */
#ifndef CX_CORE_PLAN_LIFE_H
#define CX_CORE_PLAN_LIFE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/strv.h"
#include "util/err.h"

struct plan_life_key {
	char *id;
	char *status; /* Active | Inactive */
};

struct plan_life_policy {
	char *arn;
	char *name;
	bool local;              /* a customer-managed policy of the account (not AWS managed) */
	cJSON *document;         /* the default version's document (NULL unknown) */
	char *default_version;   /* "v2" */
	int versions;            /* number of versions */
	char *oldest_nondefault; /* NULL when none */
	struct strv nondefault;  /* every non-default VersionId (for DeletePolicy) */
	long attachment_count;   /* users, groups and roles it is attached to */
	bool made;               /* the wizard made it (tag, vault or journal) */
};

struct plan_life {
	char *data_source_id; /* the data source acted on */
	char *account_id;     /* the AWS account of the run */
	char *access_key_id;  /* its access key in CerteroX (NULL when CerteroX does not say) */
	bool use_edp_discount;
	char *region_name;
	char *user;        /* its IAM user; NULL when neither AWS nor the vault tells it */
	char *user_source; /* "iam GetAccessKeyLastUsed" | "vault" */
	bool user_exists;
	bool user_made;             /* the wizard made the user (tag or vault/journal record) */
	struct plan_life_key *keys; /* the user's access keys */
	size_t nkeys;
	bool key_in_vault;     /* the vault holds the secret of access_key_id */
	struct strv made_keys; /* access key ids the wizard made (vault, journal, user tags) */
	struct plan_life_policy *policies; /* the user's attached policies */
	size_t npolicies;
	struct strv inline_names; /* the user's inline policies */
	cJSON *inline_docs;       /* their documents, an array in the same order */
	bool export_made;         /* the wizard made the data source's export / report */
	char *export_arn;         /* its ARN (Data Export) */
	bool bucket_shared;       /* another data source delivers to the same bucket */
	bool export_shared;       /* another data source uses the same export / report */
};

void plan_life_free(struct plan_life *l); /* frees l too; NULL ok */
/* The "life" object of the facts JSON (see plan_facts_from_json): {"data_source_id",
 * "access_key_id", "use_edp_discount", "region_name", "user", "user_source", "user_exists",
 * "user_made", "keys": [{"id", "status"}], "key_in_vault", "made_keys": [id], "policies":
 * [{"arn", "name", "local", "document", "default_version", "versions", "oldest_nondefault",
 * "nondefault": [id], "attachment_count", "made"}], "inline": [{"name", "document"}],
 * "export_made", "export_arn", "bucket_shared", "export_shared"}. NULL on a wrong type (err
 * names the path). */
struct plan_life *plan_life_from_json(const cJSON *j, struct cx_err *err);
cJSON *plan_life_to_json(const struct plan_life *l);

/* The data source's key is a live key (Active, of its user) whose secret the vault holds. */
bool plan_life_key_live(const struct plan_life *l);
/* The access key status in AWS: "Active", "Inactive", or NULL when the user has no such key. */
const char *plan_life_key_status(const struct plan_life *l, const char *id);
bool plan_life_made_key(const struct plan_life *l, const char *id);

#endif

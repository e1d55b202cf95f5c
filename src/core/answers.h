/* answers.h - the answers model shared by the TUI, `--answers FILE` and the summary.
 *
 * JSON form (every key optional; defaults in answers_init):
 *   {"action": "connect"|"migrate"|"organization",
 *    "connection": "root"|"linked",
 *    "data_source": {"name": "...", "use_edp_discount": false},
 *    "export": {"type": "cur2"|"legacy", "setup": "wizard"|"certerox"|"existing"|"detect",
 *               "name", "bucket", "prefix", "create_bucket", "bucket_region",
 *               "granularity": "HOURLY"|"DAILY", "format": "csv"|"parquet",
 *               "split_cost_allocation": true},
 *    "iam": {"user", "readonly_policy", "discover_policy",
 *            "existing_user": "refuse"|"use"},
 *    "certerox": {"url", "organization_id"},
 *    "migrate": {"data_source_id", "export_name", "delete_legacy_report"},
 *    "rotate": {"data_source_id"},
 *    "disconnect": {"data_source_id", "delete_aws_resources": false},
 *    "organization": {...}}  (action "organization"; see core/organs.h)
 * ("action": "rotate"|"disconnect"|"organization" too.)
 * Loading checks structure only (types, unknown keys, sizes, encoding); field rules and
 * cross-field rules are in core/validate (validate_answers). */
#ifndef CX_CORE_ANSWERS_H
#define CX_CORE_ANSWERS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "util/err.h"

#define ANSWERS_MAX_FILE   (64 * 1024) /* bytes of an answers file */
#define ANSWERS_MAX_STRING 1024        /* bytes of one string value */

enum answers_action {
	ANSWERS_CONNECT = 0,
	ANSWERS_MIGRATE,
	ANSWERS_ROTATE,
	ANSWERS_DISCONNECT,
	ANSWERS_ORGANIZATION
};
enum answers_connection { ANSWERS_ROOT = 0, ANSWERS_LINKED };
enum answers_export_type { ANSWERS_CUR2 = 0, ANSWERS_LEGACY };
enum answers_setup { ANSWERS_WIZARD = 0, ANSWERS_SETUP_CERTEROX, ANSWERS_EXISTING, ANSWERS_DETECT };
/* MONTHLY is representable only so that validate_answers can refuse it with the reason. */
enum answers_granularity { ANSWERS_DAILY = 0, ANSWERS_HOURLY, ANSWERS_MONTHLY };
enum answers_format { ANSWERS_CSV = 0, ANSWERS_PARQUET };
/* An existing IAM user that certerox-aws-setup did not create (no tag certerox-aws-setup):
 * refused unless the answer is "use"; even then its other access keys are never touched. */
enum answers_existing_user { ANSWERS_EXISTING_USER_REFUSE = 0, ANSWERS_EXISTING_USER_USE };

struct answers_export {
	enum answers_export_type type; /* default cur2 */
	enum answers_setup setup;      /* default wizard */
	char *name;          /* default "certerox-cur2" (cur2) / "certerox-cur" (legacy) */
	char *bucket;        /* NULL = not given (required unless setup detect) */
	char *prefix;        /* default "reports"; "" allowed */
	bool create_bucket;  /* default false */
	char *bucket_region; /* default "us-east-1"; discovered for existing buckets */
	enum answers_granularity granularity; /* default DAILY */
	enum answers_format format;           /* default csv */
	bool split_cost_allocation;           /* default true */
};

struct answers {
	enum answers_action action;         /* default connect */
	enum answers_connection connection; /* default root */
	struct {
		char *name; /* NULL = "AWS <account id>" (answers_fill_defaults) */
		bool use_edp_discount;
	} data_source;
	struct answers_export export;
	struct {
		char *user;                               /* default "certerox-billing" */
		char *readonly_policy;                    /* default "CerteroXReadOnly" */
		char *discover_policy;                    /* default "CerteroXDiscoverResources" */
		enum answers_existing_user existing_user; /* default refuse */
	} iam;
	struct {
		char *url;             /* NULL = not given */
		char *organization_id; /* NULL = not given */
	} certerox;
	struct {
		char *data_source_id; /* NULL = not given (required for migrate) */
		char *export_name;    /* default "certerox-cur2" */
		bool delete_legacy_report;
	} migrate;
	struct {
		char *data_source_id; /* required for rotate */
	} rotate;
	struct {
		char *data_source_id; /* required for disconnect */
		bool delete_aws_resources;
	} disconnect;
	/* Which sections / keys the file gave (for the cross-field rules and the summary). */
	bool has_export;      /* an "export" object was present */
	bool has_migrate;     /* a "migrate" object was present */
	bool has_export_name; /* "export.name" was given (else the default follows the type) */
	/* "export.split_cost_allocation" was given: its default (true) is for CUR 2.0; a legacy
	 * report gets SPLIT_COST_ALLOCATION_DATA only when asked for explicitly (core/export.h) */
	bool has_split;
	/* The "organization" object as given (action organization), checked and read by
	 * core/organs.h; NULL when absent. Owned. */
	cJSON *organization;
};

/* Fills every default; strings are owned by a (free with answers_free). */
void answers_init(struct answers *a);
void answers_free(struct answers *a);
/* Deep copy into dst (dst is overwritten, not freed). */
void answers_copy(struct answers *dst, const struct answers *src);

/* Loads answers from JSON text of n bytes over the defaults already in a (call answers_init
 * first). Errors (CX_E_INPUT, message "<json path>: <problem>", e.g.
 * "export.bucket: must be a string"): text larger than ANSWERS_MAX_FILE, not UTF-8, not
 * JSON, not an object, unknown or duplicate keys, wrong types, unknown enum values, strings
 * longer than ANSWERS_MAX_STRING or with control characters. On error a is unchanged. */
enum cx_status answers_load_text(struct answers *a, const char *text, size_t n, struct cx_err *err);
/* Reads path (at most ANSWERS_MAX_FILE bytes) and calls answers_load_text; err->where
 * names the file. */
enum cx_status answers_load_file(struct answers *a, const char *path, struct cx_err *err);

/* Command-line overrides (NULL = keep). */
void answers_override(struct answers *a, const char *certerox_url, const char *certerox_org);
/* Replaces *field with a copy of value (NULL clears). For the TUI. */
void answers_set(char **field, const char *value);
/* Fills what discovery knows: data_source.name "AWS <account_id>" when unset, bucket_region
 * from the bucket's real region when bucket_region_found != NULL. */
void answers_fill_defaults(struct answers *a, const char *account_id,
                           const char *bucket_region_found);

/* The answers as JSON (keys in the documented order; unset strings omitted; the export
 * section only for root connect, the migrate section only for migrate). Caller frees. The
 * result loads back into equal answers. No secrets exist in answers. */
cJSON *answers_to_json(const struct answers *a);
/* answers_to_json pretty-printed (2 spaces, trailing newline). Caller frees. */
char *answers_to_text(const struct answers *a);

/* Wire names of the enums ("connect", "linked", "cur2", "existing", "DAILY", "parquet"). */
const char *answers_action_name(enum answers_action v);
const char *answers_connection_name(enum answers_connection v);
const char *answers_type_name(enum answers_export_type v);
const char *answers_setup_name(enum answers_setup v);
const char *answers_granularity_name(enum answers_granularity v);
const char *answers_format_name(enum answers_format v);
/* The effective export name (export.name, or migrate.export_name for migrate). */
const char *answers_export_name(const struct answers *a);

#endif

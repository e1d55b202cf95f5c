/* certerox.h - REST client of CerteroX Cloud Management (OptScale-compatible API), see
 * ../shared/spec/certerox-api.md: login, organizations, AWS data sources (cloud_accounts).
 *
 * Runs on the shared struct http_ctx (aws/http.h): TLS always verified with the ctx's CA
 * bundle, retries of transport errors/429/5xx with backoff. Every call exists in two forms:
 *
 *     st = certerox_list_ds(c, org, &list, &err);                 // synchronous
 *
 *     call = certerox_list_ds_start(c, org, done, ud);            // asynchronous
 *     // done(call, ud) runs from http_ctx_perform; there read certerox_call_status(call,&err)
 *     // and certerox_call_result(call) (fields may be moved out), then certerox_call_free(call).
 *
 * Errors (struct cx_err): code = CerteroX error_code ("OE0402"), http_status, msg = the
 * CerteroX reason verbatim (create/patch: "CerteroX refused the data source: <reason> (<code>)"),
 * where = the step ("certerox create data source prod"). Status classification:
 *   401 (OE0235/OE0237), 403 OA0037 (login), 403 OE0433 (AWS key rejected) -> CX_E_CREDENTIALS
 *   other 403 -> CX_E_DENIED; 400 -> CX_E_INVALID; 404 -> CX_E_NOT_FOUND; 409 -> CX_E_CONFLICT
 *   5xx/429 after retries, transport errors after retries -> CX_E_UNAVAILABLE
 *   TLS failure -> CX_E_TLS (message names the endpoint); non-JSON/truncated body -> CX_E_PARSE.
 * Secrets (token, password, secret access key) live in secmem, are registered with
 * log_redact_add, never appear in error text or logs; request bodies are never echoed. */
#ifndef CX_CERTEROX_H
#define CX_CERTEROX_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/http.h"
#include "util/err.h"

struct certerox;
struct certerox_call;

/* ---- client ---- */

/* Validates base_url (https://host[:port][/path], or http:// only for a loopback host; no
 * user info, query or fragment; trailing '/' trimmed) and creates a client on http (not
 * owned; must outlive the client). NULL with err (CX_E_INPUT) when the URL is refused. */
struct certerox *certerox_new(struct http_ctx *http, const char *base_url, struct cx_err *err);
/* Frees the client and wipes its token. Calls still running must be freed first. NULL ok. */
void certerox_free(struct certerox *c);
/* The validated base URL (no trailing '/'). */
const char *certerox_base_url(const struct certerox *c);
/* Same validation as certerox_new, into a new string (free()) or NULL with err. */
char *certerox_url_normalize(const char *base_url, struct cx_err *err);
/* Retry policy of every call of c (copied; zero fields = http defaults: 5 attempts). */
void certerox_set_call_opts(struct certerox *c, const struct http_call_opts *opts);

/* Uses token (copied into secmem, registered with log_redact_add). NULL clears it. */
void certerox_set_token(struct certerox *c, const char *token);
bool certerox_has_token(const struct certerox *c);
/* Reads the first line of path (trailing whitespace trimmed) into *out_secmem (free with
 * secmem_free) and registers it for redaction. Refuses an empty first line or a file over
 * 64 KiB (CX_E_INPUT), unreadable files (CX_E_IO). */
enum cx_status certerox_token_from_file(const char *path, char **out_secmem, struct cx_err *err);

/* ---- results ---- */

struct certerox_org {
	char *id;
	char *name;
};

struct certerox_org_list {
	struct certerox_org *items;
	size_t n;
};

/* The config of a data source as CerteroX returns it (never holds the secret). */
struct certerox_config {
	char *access_key_id;
	bool linked;         /* absent = false (Root) */
	int cur_version;     /* 2 = CUR 2.0; 0 when absent */
	char *config_scheme; /* NULL when absent */
	char *bucket_name;
	char *bucket_prefix;
	char *report_name;
	char *region_name;
	bool use_edp_discount;
	/* role access (action organization): the key assumes
	 * arn:aws:iam::<assume_role_account_id>:role/<assume_role_name>; NULL when absent */
	char *assume_role_account_id;
	char *assume_role_name;
};

struct certerox_ds {
	char *id;
	char *name;
	char *type; /* "aws_cnr", "azure_cnr", ... */
	char *organization_id;
	char *account_id; /* 12-digit AWS account; NULL when absent */
	char *last_import_attempt_error;
	long long created_at;             /* epoch seconds, 0 when absent */
	long long last_import_at;         /* 0 when never */
	long long last_import_attempt_at; /* 0 when never */
	bool has_config;
	struct certerox_config config;
};

struct certerox_ds_list {
	struct certerox_ds *items;
	size_t n;
};

void certerox_org_list_free(struct certerox_org_list *l);
void certerox_ds_free(struct certerox_ds *ds); /* frees the members; ds itself is the caller's */
void certerox_ds_list_free(struct certerox_ds_list *l);

/* ---- data source config (request side) ---- */

enum certerox_scheme {
	CERTEROX_SCHEME_FIND_REPORT = 0, /* "Automatically detect existing Data Exports" */
	CERTEROX_SCHEME_CREATE_REPORT,   /* "Create new Data Export" */
	CERTEROX_SCHEME_BUCKET_ONLY      /* "Connect only to data in bucket" */
};

/* Typed input of a config; strings are borrowed. */
struct certerox_config_in {
	/* The config-key probe (certerox_probe_config): access_key_id is sent as the number 0,
	 * not as a string (access_key_id below is then ignored). */
	bool probe;
	const char *access_key_id;
	const char *secret_access_key; /* should point into secmem */
	bool linked;                   /* Linked: only the key pair (and linked:true) is sent */
	int cur_version;               /* 2 = CUR 2.0, otherwise 1 (legacy CUR) is sent */
	enum certerox_scheme config_scheme;
	const char *bucket_name;   /* create_report, bucket_only */
	const char *bucket_prefix; /* create_report, bucket_only; "" allowed */
	const char *report_name;   /* create_report, bucket_only */
	bool use_edp_discount;     /* Root */
	/* Keys the server does not accept (an older OptScale answers OE0212 for them, see
	 * certerox_probe_keys): left out of the config. */
	bool omit_cur_version;
	bool omit_use_edp_discount;
	/* Linked by assumed role (newest OptScale, tools/cloud_adapter/clouds/aws.py): the server
	 * calls sts:AssumeRole with the key into arn:aws:iam::<account_id>:role/<name>; NULL =
	 * not sent. */
	const char *assume_role_account_id;
	const char *assume_role_name;
};

/* Config keys an OptScale release may not know (bit values of certerox_unsupported_keys). */
#define CERTEROX_KEY_CUR_VERSION      1u /* accepted since 2024-08 (CUR 2.0) */
#define CERTEROX_KEY_USE_EDP_DISCOUNT 2u /* accepted since 2024-10 */
#define CERTEROX_KEY_ASSUME_ROLE      4u /* assume_role_*: OptScale 2025-07 (#721, OSN-962) */
/* The keys an answer to certerox_probe_config names as unexpected: OE0212 "Unexpected
 * parameters: ['cur_version', ...]" (OptScale validate_config lists every unexpected key).
 * 0 for any other answer. */
unsigned certerox_unsupported_keys(const struct cx_err *err);
/* Whether an answer to the probe says the server knows every key it was sent: OE0214
 * "access_key_id should be a string" (its type check, which OptScale runs after the check of
 * unexpected keys), or OE0433 (a server that went on to AWS with the key). */
bool certerox_probe_all_known(enum cx_status st, const struct cx_err *err);
/* Whether that answer cost the server a call to AWS (OE0433: sts GetCallerIdentity). */
bool certerox_probe_asked_aws(enum cx_status st, const struct cx_err *err);
/* The config of the key probe: every optional key the wizard may send, with an access_key_id
 * that is not a string. OptScale (controllers/cloud_account.py CloudAccountController
 * validate_config, validate_part) checks required keys, then unexpected keys (OE0212), then
 * the types (OE0214) before handle_config calls AWS: the probe costs one round trip, no call
 * to AWS, and changes nothing. */
void certerox_probe_config(struct certerox_config_in *out);

/* "find_report", "create_report", "bucket_only". */
const char *certerox_scheme_name(enum certerox_scheme s);
/* Parses a scheme name; false when unknown. */
bool certerox_scheme_parse(const char *name, enum certerox_scheme *out);
/* The config object exactly as the web UI sends it for the connection kind (spec section 3),
 * as compact JSON in secmem (free with secmem_free):
 *   linked:        {access_key_id, secret_access_key, linked:true}
 *   find_report:   {access_key_id, secret_access_key, linked:false, use_edp_discount,
 *                   cur_version, config_scheme}
 *   create_report / bucket_only: the same plus bucket_name, bucket_prefix, report_name
 *                   (a NULL string field is left out). */
char *certerox_config_build(const struct certerox_config_in *in);
/* Client-side checks before anything is sent (key pair present, required fields of the
 * scheme, 1..255 characters): CX_E_INPUT naming the field. */
enum cx_status certerox_config_check(const struct certerox_config_in *in, struct cx_err *err);

/* ---- synchronous calls (run the shared ctx until the call completes) ---- */

/* POST /auth/v2/tokens; on success c keeps the token (secmem, registered for redaction).
 * Wrong email/password (OA0037): CX_E_CREDENTIALS with CerteroX's reason. */
enum cx_status certerox_login(struct certerox *c, const char *email, const char *password,
                              struct cx_err *err);
/* GET /restapi/v2/organizations. *out is filled (free with certerox_org_list_free). */
enum cx_status certerox_list_orgs(struct certerox *c, struct certerox_org_list *out,
                                  struct cx_err *err);
/* Lists the organizations and picks one (certerox_org_pick); *out_id is new (free()). */
enum cx_status certerox_pick_org(struct certerox *c, const char *wanted, char **out_id,
                                 struct cx_err *err);
/* GET /restapi/v2/organizations/{org}/cloud_accounts. */
enum cx_status certerox_list_ds(struct certerox *c, const char *org_id,
                                struct certerox_ds_list *out, struct cx_err *err);
/* GET /restapi/v2/cloud_accounts/{id}. */
enum cx_status certerox_get_ds(struct certerox *c, const char *id, struct certerox_ds *out,
                               struct cx_err *err);
/* POST /restapi/v2/organizations/{org}/cloud_accounts {"name","type":"aws_cnr","config"}.
 * out may be NULL. */
enum cx_status certerox_create_ds(struct certerox *c, const char *org_id, const char *name,
                                  const struct certerox_config_in *cfg, struct certerox_ds *out,
                                  struct cx_err *err);
/* PATCH /restapi/v2/cloud_accounts/{id} {"config": full config}. out may be NULL. */
enum cx_status certerox_patch_ds(struct certerox *c, const char *id,
                                 const struct certerox_config_in *cfg, struct certerox_ds *out,
                                 struct cx_err *err);
/* DELETE /restapi/v2/cloud_accounts/{id} (204). */
enum cx_status certerox_delete_ds(struct certerox *c, const char *id, struct cx_err *err);
/* POST /restapi/v2/cloud_account_verify {"type":"aws_cnr","config"}: dry run of the checks. */
enum cx_status certerox_verify_config(struct certerox *c, const struct certerox_config_in *cfg,
                                      struct cx_err *err);

/* ---- asynchronous calls ---- */

enum certerox_op {
	CERTEROX_OP_LOGIN,
	CERTEROX_OP_LIST_ORGS,
	CERTEROX_OP_LIST_DS,
	CERTEROX_OP_GET_DS,
	CERTEROX_OP_CREATE_DS,
	CERTEROX_OP_PATCH_DS,
	CERTEROX_OP_DELETE_DS,
	CERTEROX_OP_VERIFY
};

/* What a completed call produced; owned by the call, fields may be moved out (set them to
 * NULL / zero after taking them). */
struct certerox_result {
	enum certerox_op op;
	struct certerox_org_list orgs; /* LIST_ORGS */
	struct certerox_ds_list list;  /* LIST_DS */
	struct certerox_ds ds;         /* GET_DS, CREATE_DS, PATCH_DS */
};

/* done(call, ud) runs once, from http_ctx_perform (never inside the start function). */
typedef void (*certerox_done_fn)(struct certerox_call *call, void *ud);

/* Each returns a call that is never NULL (invalid arguments complete with CX_E_INPUT).
 * Strings are copied; secrets go to secmem and are wiped once sent. */
struct certerox_call *certerox_login_start(struct certerox *c, const char *email,
                                           const char *password, certerox_done_fn done, void *ud);
struct certerox_call *certerox_list_orgs_start(struct certerox *c, certerox_done_fn done, void *ud);
struct certerox_call *certerox_list_ds_start(struct certerox *c, const char *org_id,
                                             certerox_done_fn done, void *ud);
struct certerox_call *certerox_get_ds_start(struct certerox *c, const char *id,
                                            certerox_done_fn done, void *ud);
struct certerox_call *certerox_create_ds_start(struct certerox *c, const char *org_id,
                                               const char *name,
                                               const struct certerox_config_in *cfg,
                                               certerox_done_fn done, void *ud);
struct certerox_call *certerox_patch_ds_start(struct certerox *c, const char *id,
                                              const struct certerox_config_in *cfg,
                                              certerox_done_fn done, void *ud);
struct certerox_call *certerox_delete_ds_start(struct certerox *c, const char *id,
                                               certerox_done_fn done, void *ud);
struct certerox_call *certerox_verify_config_start(struct certerox *c,
                                                   const struct certerox_config_in *cfg,
                                                   certerox_done_fn done, void *ud);

/* After completion: the outcome (err filled when not CX_OK; err may be NULL). */
enum cx_status certerox_call_status(const struct certerox_call *call, struct cx_err *err);
struct certerox_result *certerox_call_result(struct certerox_call *call);
bool certerox_call_done(const struct certerox_call *call);
enum certerox_op certerox_call_op(const struct certerox_call *call);
/* Cancels: the callback runs with CX_E_CANCELLED (from http_ctx_perform). */
void certerox_call_cancel(struct certerox_call *call);
/* Frees a completed call (or cancels and frees silently one still running). NULL ok. */
void certerox_call_free(struct certerox_call *call);

/* ---- pure helpers (also used by tests and the fuzzer) ---- */

/* Picks an organization: wanted (an id, or a name that exactly one has) must exist; with
 * wanted NULL/"" the only one; otherwise CX_E_INPUT listing them ("the token sees 3
 * organizations: a (id), b (id), c (id): choose one with --certerox-org"). *out_id new. */
enum cx_status certerox_org_pick(const struct certerox_org_list *orgs, const char *wanted,
                                 char **out_id, struct cx_err *err);
/* True when the list has an AWS data source (type aws_cnr) that is not Linked. */
bool certerox_has_root_aws(const struct certerox_ds_list *list);
/* The warning the web UI shows for a Linked data source without a Root. */
#define CERTEROX_NO_ROOT_WARNING                                                                   \
	"AWS Root Account is missing. AWS Linked Account relies on billing data from its AWS "     \
	"Root Account."

/* Response parsers (body of length n, not necessarily NUL-terminated). CX_E_PARSE with a
 * message naming the field on malformed input; out is filled only on CX_OK. */
enum cx_status certerox_parse_orgs(const char *body, size_t n, struct certerox_org_list *out,
                                   struct cx_err *err);
enum cx_status certerox_parse_ds(const char *body, size_t n, struct certerox_ds *out,
                                 struct cx_err *err);
enum cx_status certerox_parse_ds_list(const char *body, size_t n, struct certerox_ds_list *out,
                                      struct cx_err *err);
/* An error answer (HTTP status >= 400) into err: code, http_status, msg (reason verbatim,
 * control characters escaped), status classified as above. refused = true formats the
 * message as "CerteroX refused the data source: <reason> (<code>)". Returns err->status. */
enum cx_status certerox_parse_error(long http_status, const char *body, size_t n, bool refused,
                                    struct cx_err *err);

/* Checks the values of a data source's config that the wizard uses (bucket, prefix, report
 * name) with the answers' rules (core/validate.h): CX_E_INPUT naming the field, the
 * value and the rule. Absent or empty values pass. */
enum cx_status certerox_read_config_check(const struct certerox_config *c, struct cx_err *err);

#endif

/* config.h - the administrator's AWS settings and credentials, found as the AWS SDKs find
 * them: options, then environment, then the shared config/credentials files.
 *
 * Precedence: credentials: --profile (files only) > AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
 * [/AWS_SESSION_TOKEN] > AWS_PROFILE or "default" profile in AWS_SHARED_CREDENTIALS_FILE
 * (~/.aws/credentials, section [name]) then AWS_CONFIG_FILE (~/.aws/config, section
 * [profile name] or [default]), including credential_process. Region: --region >
 * AWS_REGION > AWS_DEFAULT_REGION > profile region > "us-east-1". CA bundle: --ca-bundle >
 * AWS_CA_BUNDLE > profile ca_bundle. Endpoint: --endpoint-url > AWS_ENDPOINT_URL_<SERVICE> >
 * AWS_ENDPOINT_URL > profile endpoint_url. */
#ifndef CX_AWS_CONFIG_H
#define CX_AWS_CONFIG_H

#include <stdbool.h>
#include <time.h>

#include "util/err.h"

struct aws_creds {
	char *access_key_id;     /* ordinary memory */
	char *secret_access_key; /* secmem */
	char *session_token;     /* secmem, NULL when none */
	time_t expiration;       /* 0 = does not expire (credential_process may set it) */
	char source[160];        /* where they came from, e.g. "environment", "profile prod in
	                            /home/u/.aws/credentials", "credential_process of profile x" */
};

/* Inputs from the command line; NULL = not given. */
struct aws_config_opts {
	const char *profile;
	const char *region;
	const char *endpoint_url;
	const char *ca_bundle;
};

struct aws_config {
	char *profile;      /* the profile used, "default" when none named */
	char *region;       /* never NULL after aws_config_load */
	char *ca_bundle;    /* NULL = system default */
	char *endpoint_url; /* global override (option > env AWS_ENDPOINT_URL > profile), or NULL */
	char *credential_process; /* from the profile, or NULL */
	struct aws_creds creds;
	/* Added by the implementation (additive): endpoint_url came from --endpoint-url (it then
	 * beats AWS_ENDPOINT_URL_<SERVICE>); AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the profile's
	 * ignore_configured_endpoint_urls) is true: only --endpoint-url counts. */
	bool endpoint_url_is_option;
	bool ignore_configured_endpoints;
};

/* Resolves settings and credentials. Errors: CX_E_CREDENTIALS when no credentials are found
 * (the message lists every place looked at), CX_E_INPUT for a malformed file (file:line). */
enum cx_status aws_config_load(const struct aws_config_opts *opts, struct aws_config *out,
                               struct cx_err *err);
void aws_config_free(struct aws_config *c);
/* Runs credential_process again when the credentials expire within 5 minutes. */
enum cx_status aws_config_refresh(struct aws_config *c, struct cx_err *err);
/* Builds credentials from explicit values (for the new user's key); secrets are copied into
 * secure memory and registered with log_redact_add. c is overwritten without being freed
 * (call aws_creds_free first when it held credentials); expiration is set to 0. */
void aws_creds_set(struct aws_creds *c, const char *akid, const char *secret, const char *token,
                   const char *source);
void aws_creds_free(struct aws_creds *c);

/* One parsed INI file of the AWS formats (comments '#' and ';', whitespace, continuation
 * lines for nested keys). Exposed for tests and fuzzing. Caller frees with
 * aws_ini_free. */
struct aws_ini;
struct aws_ini *aws_ini_parse(const char *text, size_t n, const char *fname, struct cx_err *err);
/* Value of key in section (exact section title: "default", "profile x", "x"), or NULL. */
const char *aws_ini_get(const struct aws_ini *ini, const char *section, const char *key);
void aws_ini_free(struct aws_ini *ini);

#endif

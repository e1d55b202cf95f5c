#include "core/validate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/str.h"

const char validate_legacy_create_warning[] =
    "export.setup: CerteroX creates the legacy CUR report with cur:PutReportDefinition, which "
    "the guide's ReadOnly policy does not grant; the plan adds a statement allowing "
    "cur:PutReportDefinition to the ReadOnly policy";

static enum cx_status fail(struct cx_err *err, const char *field, const char *v, const char *rule)
{
	char *p = str_printable(v ? v : "", 80);
	size_t n = v ? strlen(v) : 0;
	cx_err_set(err, CX_E_INPUT, "%s: \"%s%s\" %s", field, p, n > 80 ? "..." : "", rule);
	free(p);
	return CX_E_INPUT;
}

static enum cx_status missing(struct cx_err *err, const char *field)
{
	return cx_err_set(err, CX_E_INPUT, "%s: is required", field);
}

static bool all_in(const char *v, const char *extra, bool letters, bool upper)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p >= '0' && *p <= '9')
			continue;
		if (letters && *p >= 'a' && *p <= 'z')
			continue;
		if (letters && upper && *p >= 'A' && *p <= 'Z')
			continue;
		if (strchr(extra, *p))
			continue;
		return false;
	}
	return true;
}

enum cx_status validate_account_id(const char *field, const char *v, struct cx_err *err)
{
	field = field ? field : "account_id";
	if (!v)
		return missing(err, field);
	if (strlen(v) != 12 || !all_in(v, "", false, false))
		return fail(err, field, v, "must be a 12-digit AWS account id (digits only)");
	return CX_OK;
}

static bool looks_like_ip(const char *v)
{
	int a, b, c, d;
	char tail;
	return sscanf(v, "%d.%d.%d.%d%c", &a, &b, &c, &d, &tail) == 4 &&
	       all_in(v, ".", false, false);
}

enum cx_status validate_bucket(const char *field, const char *v, struct cx_err *err)
{
	field = field ? field : "export.bucket";
	if (!v)
		return missing(err, field);
	size_t n = strlen(v);
	if (n < 3 || n > 63)
		return fail(err, field, v,
		            "must be 3 to 63 characters long (S3 bucket naming rules)");
	if (!all_in(v, ".-", true, false))
		return fail(
		    err, field, v,
		    "may contain only lowercase letters, digits, dots and hyphens (S3 bucket "
		    "naming rules)");
	if (!isalnum((unsigned char)v[0]) || !isalnum((unsigned char)v[n - 1]))
		return fail(err, field, v,
		            "must begin and end with a letter or digit (S3 bucket naming rules)");
	if (strstr(v, ".."))
		return fail(err, field, v,
		            "must not contain two adjacent dots (S3 bucket naming rules)");
	if (looks_like_ip(v))
		return fail(err, field, v,
		            "must not be formatted as an IP address (S3 bucket naming rules)");
	static const char *const bad_prefix[] = {"xn--", "sthree-", "amzn-s3-demo-", NULL};
	for (size_t i = 0; bad_prefix[i]; i++)
		if (str_starts_with(v, bad_prefix[i])) {
			char rule[128];
			snprintf(rule, sizeof(rule),
			         "must not begin with \"%s\" (S3 bucket naming rules)",
			         bad_prefix[i]);
			return fail(err, field, v, rule);
		}
	static const char *const bad_suffix[] = {"-s3alias", "--ol-s3", ".mrap", "--x-s3", NULL};
	for (size_t i = 0; bad_suffix[i]; i++)
		if (str_ends_with(v, bad_suffix[i])) {
			char rule[128];
			snprintf(rule, sizeof(rule),
			         "must not end with \"%s\" (S3 bucket naming rules)",
			         bad_suffix[i]);
			return fail(err, field, v, rule);
		}
	return CX_OK;
}

char *validate_prefix_normalize(const char *v)
{
	if (!v)
		return NULL;
	char *p = xstrdup(v);
	size_t n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		p[--n] = '\0';
	return p;
}

enum cx_status validate_prefix(const char *field, const char *v, bool legacy, struct cx_err *err)
{
	field = field ? field : "export.prefix";
	if (!v)
		return missing(err, field);
	if (v[0] == '/')
		return fail(err, field, v, "must not begin with \"/\"");
	char *p = validate_prefix_normalize(v);
	enum cx_status st = CX_OK;
	size_t max = legacy ? 256 : 1024;
	if (strlen(p) > max) {
		char rule[96];
		snprintf(rule, sizeof(rule), "must be at most %zu characters long", max);
		st = fail(err, field, v, rule);
	} else if (legacy && !all_in(p, "!-_.*'()/", true, true)) {
		st =
		    fail(err, field, v,
		         "may contain only ASCII letters, digits and ! - _ . * ' ( ) / (legacy CUR "
		         "S3Prefix pattern)");
	} else if (!legacy && !all_in(p, "!'()*+,-./:;<=>?@[\\_|", true, true)) {
		st = fail(
		    err, field, v,
		    "may contain only ASCII letters, digits and ! ' ( ) * + , - . / : ; < = > ? "
		    "@ [ \\ _ | (CerteroX prefix format)");
	}
	free(p);
	return st;
}

enum cx_status validate_export_name(const char *field, const char *v, struct cx_err *err)
{
	field = field ? field : "export.name";
	if (!v)
		return missing(err, field);
	size_t n = strlen(v);
	if (n < 1 || n > 128 || !all_in(v, "_-", true, true))
		return fail(err, field, v,
		            "must be 1 to 128 ASCII letters, digits, hyphens and underscores (Data "
		            "Export name rules)");
	return CX_OK;
}

enum cx_status validate_report_name(const char *field, const char *v, struct cx_err *err)
{
	field = field ? field : "export.name";
	if (!v)
		return missing(err, field);
	size_t n = strlen(v);
	if (n < 1 || n > 256 || !all_in(v, "!-_.*'()", true, true))
		return fail(
		    err, field, v,
		    "must be 1 to 256 ASCII letters, digits and ! - _ . * ' ( ) (legacy CUR "
		    "report name rules)");
	return CX_OK;
}

static enum cx_status iam_name(const char *field, const char *v, size_t max, const char *what,
                               struct cx_err *err)
{
	if (!v)
		return missing(err, field);
	size_t n = strlen(v);
	if (n < 1 || n > max || !all_in(v, "_+=,.@-", true, true)) {
		char rule[160];
		snprintf(
		    rule, sizeof(rule),
		    "must be 1 to %zu ASCII letters, digits and + = , . @ _ - (IAM %s name rules)",
		    max, what);
		return fail(err, field, v, rule);
	}
	return CX_OK;
}

enum cx_status validate_iam_user(const char *field, const char *v, struct cx_err *err)
{
	return iam_name(field ? field : "iam.user", v, 64, "user", err);
}

enum cx_status validate_iam_policy(const char *field, const char *v, struct cx_err *err)
{
	return iam_name(field ? field : "iam.readonly_policy", v, 128, "policy", err);
}

enum cx_status validate_data_source_name(const char *field, const char *v, struct cx_err *err)
{
	field = field ? field : "data_source.name";
	if (!v)
		return missing(err, field);
	size_t n = strlen(v);
	if (n < 1 || n > 255)
		return fail(err, field, v, "must be 1 to 255 characters long");
	if (!str_is_clean_utf8(v, n))
		return fail(err, field, v,
		            str_has_bidi(v, n)
		                ? "must not contain bidi overrides or isolates "
		                  "(U+202A-U+202E, U+2066-U+2069)"
		                : "must not contain control characters or invalid UTF-8");
	bool blank = true;
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)v[i]))
			blank = false;
	if (blank)
		return fail(err, field, v, "must not be only whitespace");
	return CX_OK;
}

static const char *const regions[] = {"af-south-1",     "ap-east-1",
                                      "ap-east-2",      "ap-northeast-1",
                                      "ap-northeast-2", "ap-northeast-3",
                                      "ap-south-1",     "ap-south-2",
                                      "ap-southeast-1", "ap-southeast-2",
                                      "ap-southeast-3", "ap-southeast-4",
                                      "ap-southeast-5", "ap-southeast-7",
                                      "ca-central-1",   "ca-west-1",
                                      "eu-central-1",   "eu-central-2",
                                      "eu-north-1",     "eu-south-1",
                                      "eu-south-2",     "eu-west-1",
                                      "eu-west-2",      "eu-west-3",
                                      "il-central-1",   "me-central-1",
                                      "me-south-1",     "mx-central-1",
                                      "sa-east-1",      "us-east-1",
                                      "us-east-2",      "us-west-1",
                                      "us-west-2",      NULL};

const char *const *validate_regions(void)
{
	return regions;
}

enum cx_status validate_region(const char *field, const char *v, struct cx_err *err)
{
	field = field ? field : "export.bucket_region";
	if (!v)
		return missing(err, field);
	for (size_t i = 0; regions[i]; i++)
		if (strcmp(regions[i], v) == 0)
			return CX_OK;
	return fail(err, field, v, "is not a known AWS commercial region (e.g. \"us-east-1\")");
}

static bool is_loopback(const char *host, size_t n)
{
	if ((n == 9 && strncmp(host, "localhost", 9) == 0) ||
	    (n == 5 && strncmp(host, "[::1]", 5) == 0))
		return true;
	if (n < 9 || strncmp(host, "127.", 4) != 0)
		return false;
	char tmp[32];
	if (n >= sizeof(tmp))
		return false;
	memcpy(tmp, host, n);
	tmp[n] = '\0';
	return looks_like_ip(tmp);
}

enum cx_status validate_certerox_url(const char *field, const char *v, struct cx_err *err)
{
	field = field ? field : "certerox.url";
	if (!v)
		return missing(err, field);
	bool https = str_starts_with(v, "https://");
	bool http = str_starts_with(v, "http://");
	if (!https && !http)
		return fail(err, field, v, "must start with https://");
	const char *host = v + (https ? 8 : 7);
	size_t hn = strcspn(host, "/:?#");
	if (host[0] == '[') {
		const char *rb = strchr(host, ']');
		hn = rb ? (size_t)(rb - host) + 1 : strlen(host);
	}
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return fail(err, field, v,
			            "must not contain spaces, control or non-ASCII characters");
	if (hn == 0)
		return fail(err, field, v, "has no host name");
	if (memchr(host, '@', strcspn(host, "/?#")))
		return fail(err, field, v, "must not contain user information (\"user@\")");
	if (http && !is_loopback(host, hn))
		return fail(
		    err, field, v,
		    "must start with https:// (http:// is allowed only for a loopback address)");
	return CX_OK;
}

enum cx_status validate_answers(const struct answers *a, struct strv *warnings, struct cx_err *err)
{
	enum cx_status st;
	const struct answers_export *e = &a->export;
	bool root = a->action == ANSWERS_CONNECT && a->connection == ANSWERS_ROOT;

	if (a->data_source.name &&
	    (st = validate_data_source_name(NULL, a->data_source.name, err)) != CX_OK)
		return st;
	if ((st = validate_iam_user(NULL, a->iam.user, err)) != CX_OK ||
	    (st = validate_iam_policy("iam.readonly_policy", a->iam.readonly_policy, err)) !=
	        CX_OK ||
	    (st = validate_iam_policy("iam.discover_policy", a->iam.discover_policy, err)) != CX_OK)
		return st;
	if (str_case_eq(a->iam.readonly_policy, a->iam.discover_policy))
		return fail(err, "iam.discover_policy", a->iam.discover_policy,
		            "must differ from iam.readonly_policy (IAM policy names are "
		            "case-insensitive)");
	if (a->certerox.url && (st = validate_certerox_url(NULL, a->certerox.url, err)) != CX_OK)
		return st;
	if (a->certerox.organization_id && !a->certerox.organization_id[0])
		return fail(err, "certerox.organization_id", "", "must not be empty");

	if (a->action == ANSWERS_CONNECT && a->connection == ANSWERS_LINKED && a->has_export)
		return cx_err_set(
		    err, CX_E_INPUT,
		    "export: must be absent for a linked connection (a linked account's "
		    "billing data comes through its root account's export)");
	if (a->action == ANSWERS_MIGRATE) {
		if (!a->migrate.data_source_id || !a->migrate.data_source_id[0])
			return missing(err, "migrate.data_source_id");
		if ((st = validate_export_name("migrate.export_name", a->migrate.export_name,
		                               err)) != CX_OK)
			return st;
	}
	if (a->action == ANSWERS_ROTATE &&
	    (!a->rotate.data_source_id || !a->rotate.data_source_id[0]))
		return missing(err, "rotate.data_source_id");
	if (a->action == ANSWERS_DISCONNECT &&
	    (!a->disconnect.data_source_id || !a->disconnect.data_source_id[0]))
		return missing(err, "disconnect.data_source_id");
	if (!root && a->action != ANSWERS_MIGRATE)
		return CX_OK;
	bool legacy = root && e->type == ANSWERS_LEGACY;
	if (root) {
		st = legacy ? validate_report_name(NULL, e->name, err)
		            : validate_export_name(NULL, e->name, err);
		if (st != CX_OK)
			return st;
	}
	if (e->bucket && (st = validate_bucket(NULL, e->bucket, err)) != CX_OK)
		return st;
	if (root && !e->bucket && e->setup != ANSWERS_DETECT)
		return missing(err, "export.bucket");
	if (e->prefix && (st = validate_prefix(NULL, e->prefix, legacy, err)) != CX_OK)
		return st;
	if (e->bucket_region && (st = validate_region(NULL, e->bucket_region, err)) != CX_OK)
		return st;
	if (e->granularity == ANSWERS_MONTHLY)
		return fail(err, "export.granularity", "MONTHLY",
		            "is refused: CerteroX imports only DAILY or HOURLY exports");
	/* issue 13 C8: only the wizard makes a legacy report with split data (OptScale creates
	 * and finds reports with AdditionalSchemaElements ['RESOURCES'] only: tools/
	 * cloud_adapter/clouds/aws.py AWS.get_report_definition, AWS.check_report_definition) */
	if (root && legacy && a->has_split && e->split_cost_allocation &&
	    (e->setup == ANSWERS_SETUP_CERTEROX || e->setup == ANSWERS_DETECT))
		return cx_err_set(
		    err, CX_E_INPUT,
		    "export.split_cost_allocation: true asks for a legacy CUR report with "
		    "SPLIT_COST_ALLOCATION_DATA, and with export.setup \"%s\" %s; use setup "
		    "\"wizard\" (the wizard makes the report, CerteroX reads its files), "
		    "export.type \"cur2\" (its split columns), or split_cost_allocation false",
		    answers_setup_name(e->setup),
		    e->setup == ANSWERS_SETUP_CERTEROX
		        ? "CerteroX creates the report with AdditionalSchemaElements "
		          "[\"RESOURCES\"] only (OptScale aws.py AWS.get_report_definition)"
		        : "CerteroX's find_report accepts only AdditionalSchemaElements "
		          "[\"RESOURCES\"] (OptScale aws.py AWS.check_report_definition)");
	if (root && legacy && e->setup == ANSWERS_SETUP_CERTEROX && warnings &&
	    !strv_has(warnings, validate_legacy_create_warning))
		strv_push(warnings, validate_legacy_create_warning);
	return CX_OK;
}

#include "core/planfmt.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

cJSON *planfmt_json_object(const struct plan *p)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "account_id",
	                        p->target.account_id ? p->target.account_id : "");
	cJSON *t = cJSON_AddObjectToObject(root, "target");
#define TSTR(k, v)                                                                                 \
	do {                                                                                       \
		if (v)                                                                             \
			cJSON_AddStringToObject(t, k, v);                                          \
		else                                                                               \
			cJSON_AddNullToObject(t, k);                                               \
	} while (0)
	TSTR("export_type", p->target.bucket ? (p->target.legacy ? "legacy" : "cur2") : NULL);
	TSTR("export_name", p->target.export_name);
	TSTR("bucket", p->target.bucket);
	TSTR("prefix", p->target.prefix);
	TSTR("region", p->target.region);
	TSTR("config_scheme", p->target.config_scheme);
#undef TSTR
	struct plan_path path;
	plan_critical_path(p, &path);
	cJSON_AddNumberToObject(root, "critical_path", path.total);
	cJSON *cp = cJSON_AddObjectToObject(root, "critical_path_parts");
	cJSON_AddNumberToObject(cp, "discovery", path.discovery);
	cJSON_AddNumberToObject(cp, "requests", path.requests);
	cJSON_AddNumberToObject(cp, "certerox_check", path.server);
	cJSON_AddNumberToObject(root, "writes", (double)plan_writes(p));
	cJSON_AddBoolToObject(root, "needs_confirmation", plan_needs_confirmation(p));
	cJSON *w = cJSON_AddArrayToObject(root, "warnings");
	for (size_t i = 0; i < p->warnings.n; i++)
		cJSON_AddItemToArray(w, cJSON_CreateString(p->warnings.v[i]));
	cJSON *steps = cJSON_AddArrayToObject(root, "steps");
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_step *s = &p->steps[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", s->id);
		cJSON_AddStringToObject(o, "title", s->title);
		cJSON_AddStringToObject(o, "service", s->service);
		cJSON_AddStringToObject(o, "operation", s->operation);
		cJSON_AddStringToObject(o, "kind", plan_kind_name(s->kind));
		cJSON *d = cJSON_AddArrayToObject(o, "depends_on");
		for (size_t k = 0; k < s->ndeps; k++)
			cJSON_AddItemToArray(d, cJSON_CreateString(s->deps[k]));
		cJSON_AddBoolToObject(o, "destructive", s->destructive);
		cJSON_AddNumberToObject(o, "requests", s->requests);
		if (s->server_requests)
			cJSON_AddNumberToObject(o, "server_requests", s->server_requests);
		if (s->skip_reason)
			cJSON_AddStringToObject(o, "skip_reason", s->skip_reason);
		if (s->request)
			cJSON_AddItemToObject(o, "request", cJSON_Duplicate(s->request, 1));
		if (s->diff && *s->diff)
			cJSON_AddStringToObject(o, "diff", s->diff);
		if (s->differences.n) {
			cJSON *x = cJSON_AddArrayToObject(o, "differences");
			for (size_t k = 0; k < s->differences.n; k++)
				cJSON_AddItemToArray(x, cJSON_CreateString(s->differences.v[k]));
		}
		cJSON_AddItemToArray(steps, o);
	}
	return root;
}

char *planfmt_json(const struct plan *p)
{
	cJSON *j = planfmt_json_object(p);
	char *s = json_pretty(j);
	cJSON_Delete(j);
	return s;
}

/* ---- awscli ---- */

/* Single-quoted shell word. */
static void sq(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (; s && *s; s++) {
		if (*s == '\'')
			buf_puts(b, "'\\''");
		else
			buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

/* "# " + each line of text. Control characters are shown escaped. */
static void comment(struct buf *b, const char *text)
{
	char *t = xstrdup(text ? text : "");
	char **lines = str_split(t, '\n', NULL);
	for (size_t i = 0; lines && lines[i]; i++) {
		if (!lines[i][0] && !lines[i + 1])
			break;
		char *pl = str_printable(lines[i], 4096);
		buf_printf(b, "# %s\n", pl);
		free(pl);
	}
	str_list_free(lines);
	free(t);
}

/* Writes doc to "$work/<name>.json" with a quoted heredoc. */
static void doc_file(struct buf *b, const char *name, const cJSON *doc)
{
	char *text = json_pretty(doc);
	buf_printf(b, "cat > \"$work/%s.json\" <<'CX_DOCUMENT_END'\n", name);
	buf_puts(b, text);
	buf_puts(b, "CX_DOCUMENT_END\n");
	free(text);
}

static const char *rs(const cJSON *req, const char *k)
{
	const char *v = json_str(req, k);
	return v ? v : "";
}

/* " OPT 'Key=K,Value=V' ..." for a request's tag list (AWS CLI shorthand). */
static void tags_arg(struct buf *b, const cJSON *req, const char *member, const char *opt)
{
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(req, member);
	if (!cJSON_GetArraySize(tags))
		return;
	buf_printf(b, " %s", opt);
	for (const cJSON *t = tags->child; t; t = t->next) {
		char *kv = xasprintf("Key=%s,Value=%s", rs(t, "Key"), rs(t, "Value"));
		buf_putc(b, ' ');
		sq(b, kv);
		free(kv);
	}
}

static void step_awscli(struct buf *b, const struct plan_step *s, size_t num)
{
	const cJSON *r = s->request;
	buf_printf(b, "\n# [%zu] %s", num, s->id);
	buf_puts(b, "\n");
	comment(b, s->title);
	if (s->kind == PLAN_SKIP) {
		char *why = xasprintf("skipped: %s", s->skip_reason ? s->skip_reason : "");
		comment(b, why);
		free(why);
		return;
	}
	if (s->destructive)
		comment(
		    b,
		    "DESTRUCTIVE: replaces or deletes an existing resource; review before running");
	for (size_t i = 0; i < s->differences.n; i++) {
		char *d = xasprintf("  difference: %s", s->differences.v[i]);
		comment(b, d);
		free(d);
	}
	const char *op = s->operation;
	if (strcmp(op, "CreateBucket") == 0) {
		buf_puts(b, "aws s3api create-bucket --bucket ");
		sq(b, rs(r, "Bucket"));
		buf_puts(b, " --region ");
		sq(b, rs(r, "Region"));
		if (strcmp(rs(r, "Region"), "us-east-1") != 0) {
			buf_puts(b, " --create-bucket-configuration ");
			char *lc = xasprintf("LocationConstraint=%s", rs(r, "Region"));
			sq(b, lc);
			free(lc);
		}
		buf_puts(b, "\n");
	} else if (strcmp(op, "PutBucketPolicy") == 0) {
		if (s->diff && *s->diff)
			comment(b, s->diff);
		doc_file(b, s->id, cJSON_GetObjectItemCaseSensitive(r, "Policy"));
		buf_puts(b, "aws s3api put-bucket-policy --bucket ");
		sq(b, rs(r, "Bucket"));
		buf_puts(b, " --region ");
		sq(b, rs(r, "Region"));
		buf_printf(b, " --policy \"file://$work/%s.json\"\n", s->id);
	} else if (strcmp(op, "CreatePolicy") == 0) {
		doc_file(b, s->id, cJSON_GetObjectItemCaseSensitive(r, "PolicyDocument"));
		buf_puts(b, "aws iam create-policy --policy-name ");
		sq(b, rs(r, "PolicyName"));
		buf_printf(b, " --policy-document \"file://$work/%s.json\"", s->id);
		tags_arg(b, r, "Tags", "--tags");
		buf_puts(b, " >/dev/null\n");
	} else if (strcmp(op, "CreatePolicyVersion") == 0) {
		if (s->diff && *s->diff)
			comment(b, s->diff);
		doc_file(b, s->id, cJSON_GetObjectItemCaseSensitive(r, "PolicyDocument"));
		buf_puts(b, "aws iam create-policy-version --policy-arn ");
		sq(b, rs(r, "PolicyArn"));
		buf_printf(
		    b, " --policy-document \"file://$work/%s.json\" --set-as-default >/dev/null\n",
		    s->id);
	} else if (strcmp(op, "DeletePolicyVersion") == 0) {
		buf_puts(b, "aws iam delete-policy-version --policy-arn ");
		sq(b, rs(r, "PolicyArn"));
		buf_puts(b, " --version-id ");
		sq(b, rs(r, "VersionId"));
		buf_puts(b, "\n");
	} else if (strcmp(op, "CreateUser") == 0) {
		buf_puts(b, "aws iam create-user --user-name ");
		sq(b, rs(r, "UserName"));
		tags_arg(b, r, "Tags", "--tags");
		buf_puts(b, " >/dev/null\n");
	} else if (strcmp(op, "TagUser") == 0) {
		comment(b, "Describe the key on its user, as the IAM console does.");
		if (json_str(r, "Key")) {
			char *kv = xasprintf("Key=%s,Value=%s", rs(r, "Key"), rs(r, "Value"));
			buf_puts(b, "aws iam tag-user --user-name ");
			sq(b, rs(r, "UserName"));
			buf_puts(b, " --tags ");
			sq(b, kv);
			buf_puts(b, "\n");
			free(kv);
		} else {
			buf_puts(
			    b, "if [ -s \"$CX_KEY_FILE\" ]; then\n\tread -r cx_ak cx_sk "
			       "<\"$CX_KEY_FILE\"\n\tunset cx_sk\n\taws iam tag-user --user-name ");
			sq(b, rs(r, "UserName"));
			buf_puts(b, " --tags \"Key=$cx_ak,Value=");
			buf_puts(b, rs(r, "Value"));
			buf_puts(b, "\"\n\tunset cx_ak\nfi\n");
		}
	} else if (strcmp(op, "AttachUserPolicy") == 0) {
		buf_puts(b, "aws iam attach-user-policy --user-name ");
		sq(b, rs(r, "UserName"));
		buf_puts(b, " --policy-arn ");
		sq(b, rs(r, "PolicyArn"));
		buf_puts(b, "\n");
	} else if (strcmp(op, "DeleteAccessKey") == 0) {
		buf_puts(b, "aws iam delete-access-key --user-name ");
		sq(b, rs(r, "UserName"));
		buf_puts(b, " --access-key-id ");
		sq(b, rs(r, "AccessKeyId"));
		buf_puts(b, "\n");
	} else if (strcmp(op, "CreateAccessKey") == 0) {
		comment(b, "The key pair goes to $CX_KEY_FILE (mode 0600), never to the terminal.");
		buf_puts(b, "(umask 077 && aws iam create-access-key --user-name ");
		sq(b, rs(r, "UserName"));
		buf_puts(b, " --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text "
		            ">\"$CX_KEY_FILE\")\n");
		buf_puts(b, "echo \"access key saved to $CX_KEY_FILE\" >&2\n");
	} else if (strcmp(op, "CheckKey") == 0) {
		comment(b, "Wait until AWS accepts the new key (IAM is eventually consistent).");
		buf_puts(
		    b,
		    "if [ -s \"$CX_KEY_FILE\" ]; then\n"
		    "\tread -r cx_ak cx_sk <\"$CX_KEY_FILE\"\n"
		    "\tfor cx_try in $(seq 1 60); do\n"
		    "\t\tif env -u AWS_SESSION_TOKEN -u AWS_PROFILE AWS_ACCESS_KEY_ID=\"$cx_ak\" "
		    "AWS_SECRET_ACCESS_KEY=\"$cx_sk\" \\\n"
		    "\t\t\taws sts get-caller-identity >/dev/null 2>&1; then break; fi\n"
		    "\t\tsleep 2\n"
		    "\tdone\n"
		    "\tunset cx_ak cx_sk cx_try\n"
		    "fi\n");
	} else if (strcmp(op, "CreateExport") == 0) {
		doc_file(b, s->id, cJSON_GetObjectItemCaseSensitive(r, "Export"));
		buf_printf(b,
		           "aws bcm-data-exports create-export --region us-east-1 --export "
		           "\"file://$work/%s.json\"",
		           s->id);
		tags_arg(b, r, "ResourceTags", "--resource-tags");
		buf_puts(b, "\n");
	} else if (strcmp(op, "UpdateExport") == 0) {
		doc_file(b, s->id, cJSON_GetObjectItemCaseSensitive(r, "Export"));
		buf_puts(b, "aws bcm-data-exports update-export --region us-east-1 --export-arn ");
		sq(b, rs(r, "ExportArn"));
		buf_printf(b, " --export \"file://$work/%s.json\"\n", s->id);
	} else if (strcmp(op, "PutReportDefinition") == 0) {
		doc_file(b, s->id, cJSON_GetObjectItemCaseSensitive(r, "ReportDefinition"));
		buf_printf(b,
		           "aws cur put-report-definition --region us-east-1 --report-definition "
		           "\"file://$work/%s.json\"",
		           s->id);
		tags_arg(b, r, "Tags", "--tags");
		buf_puts(b, "\n");
	} else if (strcmp(op, "ModifyReportDefinition") == 0) {
		doc_file(b, s->id, cJSON_GetObjectItemCaseSensitive(r, "ReportDefinition"));
		buf_puts(b, "aws cur modify-report-definition --region us-east-1 --report-name ");
		sq(b, rs(r, "ReportName"));
		buf_printf(b, " --report-definition \"file://$work/%s.json\"\n", s->id);
	} else if (strcmp(op, "DeleteReportDefinition") == 0) {
		buf_puts(b, "aws cur delete-report-definition --region us-east-1 --report-name ");
		sq(b, rs(r, "ReportName"));
		buf_puts(b, "\n");
	} else if (strcmp(op, "UpdateAccessKey") == 0) {
		buf_puts(b, "aws iam update-access-key --user-name ");
		sq(b, rs(r, "UserName"));
		buf_puts(b, " --access-key-id ");
		sq(b, rs(r, "AccessKeyId"));
		buf_puts(b, " --status ");
		sq(b, rs(r, "Status"));
		buf_puts(b, "\n");
	} else if (strcmp(op, "DetachUserPolicy") == 0) {
		buf_puts(b, "aws iam detach-user-policy --user-name ");
		sq(b, rs(r, "UserName"));
		buf_puts(b, " --policy-arn ");
		sq(b, rs(r, "PolicyArn"));
		buf_puts(b, "\n");
	} else if (strcmp(op, "DeleteUser") == 0) {
		buf_puts(b, "aws iam delete-user --user-name ");
		sq(b, rs(r, "UserName"));
		buf_puts(b, "\n");
	} else if (strcmp(op, "DeletePolicy") == 0) {
		buf_puts(b, "aws iam delete-policy --policy-arn ");
		sq(b, rs(r, "PolicyArn"));
		buf_puts(b, "\n");
	} else if (strcmp(op, "DeleteExport") == 0) {
		buf_puts(b, "aws bcm-data-exports delete-export --region us-east-1 --export-arn ");
		sq(b, rs(r, "ExportArn"));
		buf_puts(b, "\n");
	} else if (strcmp(op, "DeleteBucketPolicy") == 0) {
		if (s->diff && *s->diff)
			comment(b, s->diff);
		buf_puts(b, "aws s3api delete-bucket-policy --bucket ");
		sq(b, rs(r, "Bucket"));
		buf_puts(b, " --region ");
		sq(b, rs(r, "Region"));
		buf_puts(b, "\n");
	} else if (strcmp(op, "DeleteDataSource") == 0) {
		char *t =
		    xasprintf("In CerteroX: Settings -> Data Sources -> the data source %s -> "
		              "Actions -> Delete",
		              rs(r, "data_source_id"));
		comment(b, t);
		free(t);
	} else if (strcmp(s->service, "certerox") == 0) {
		comment(
		    b,
		    strcmp(op, "UpdateDataSource") == 0
		        ? "In CerteroX: Settings -> Data Sources -> the data source -> Actions "
		          "-> Update Credentials, with:"
		        : "In CerteroX: Settings -> Data Sources -> Actions -> Add -> AWS, with:");
		const cJSON *body = cJSON_GetObjectItemCaseSensitive(r, "body");
		char *t = json_pretty(body);
		comment(b, t);
		free(t);
		comment(b, "and the access key id and secret access key from $CX_KEY_FILE "
		           "(or the vault).");
	} else {
		char *t = xasprintf("(no aws command for %s %s)", s->service, op);
		comment(b, t);
		free(t);
	}
}

char *planfmt_awscli(const struct plan *p)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "#!/usr/bin/env bash\n");
	buf_printf(&b, "# certerox-aws-setup: the onboarding plan for AWS account %s as aws CLI\n",
	           p->target.account_id ? p->target.account_id : "");
	buf_puts(&b, "# commands. Review it, then run it with the administrator's credentials.\n"
	             "# Needs an aws CLI with the bcm-data-exports commands (awscli >= 1.32).\n");
	for (size_t i = 0; i < p->warnings.n; i++) {
		char *w = xasprintf("WARNING: %s", p->warnings.v[i]);
		comment(&b, w);
		free(w);
	}
	buf_puts(&b, "set -euo pipefail\n"
	             "umask 077\n"
	             "CX_KEY_FILE=${CX_KEY_FILE:-./certerox-access-key.txt}\n"
	             "work=$(mktemp -d)\n"
	             "trap 'rm -rf \"$work\"' EXIT\n");
	for (size_t i = 0; i < p->n; i++)
		step_awscli(&b, &p->steps[i], i + 1);
	buf_puts(&b, "\necho 'done' >&2\n");
	return buf_steal(&b);
}

/* status_eval.c - problems from a data source's facts, and the --status outputs. See
 * status.h. No network here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run/status.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

/* Frees d's problems; the list becomes empty. */
static void problems_clear(struct status_ds *d)
{
	for (size_t i = 0; i < d->nproblems; i++) {
		free(d->problems[i].code);
		free(d->problems[i].message);
		free(d->problems[i].fix);
		free(d->problems[i].action);
	}
	free(d->problems);
	d->problems = NULL;
	d->nproblems = 0;
}

void status_ds_free(struct status_ds *d)
{
	if (!d)
		return;
	char **strs[] = {&d->id,
	                 &d->name,
	                 &d->account_id,
	                 &d->access_key_id,
	                 &d->bucket,
	                 &d->prefix,
	                 &d->report,
	                 &d->last_import_attempt_error,
	                 &d->export_arn,
	                 &d->export_status,
	                 &d->export_reason,
	                 &d->export_refreshed_at,
	                 &d->exec_id,
	                 &d->exec_status,
	                 &d->exec_reason,
	                 &d->exec_at,
	                 &d->report_last_delivery,
	                 &d->report_last_status,
	                 &d->bucket_region,
	                 &d->latest_period,
	                 &d->manifest,
	                 &d->last_delivery,
	                 &d->key_user,
	                 &d->key_status,
	                 &d->key_created_at,
	                 &d->key_last_used_at,
	                 &d->key_last_used_service,
	                 &d->permission_error,
	                 &d->via_role,
	                 &d->unreachable_reason,
	                 &d->assume_role_arn};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
	strv_free(&d->errors);
	problems_clear(d);
}

long long status_parse_time(const char *iso)
{
	int y, mo, da, h, mi, se;
	if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &da, &h, &mi, &se) != 6)
		return -1;
	if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = da;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	long long t = (long long)timegm(&tm);
	/* an offset other than Z/+00:00 ("+02:00") */
	const char *z = iso + 19;
	while (*z == '.' || (*z >= '0' && *z <= '9'))
		z++;
	int oh, om;
	if ((*z == '+' || *z == '-') && sscanf(z + 1, "%2d:%2d", &oh, &om) == 2)
		t -= (*z == '+' ? 1 : -1) * (oh * 3600LL + om * 60LL);
	return t;
}

static void add(struct status_ds *d, const char *code, const char *action, const char *fix,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add(struct status_ds *d, const char *code, const char *action, const char *fix,
                const char *fmt, ...)
{
	d->problems = xrealloc(d->problems, (d->nproblems + 1) * sizeof(*d->problems));
	struct status_problem *p = &d->problems[d->nproblems++];
	char msg[1400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->code = xstrdup(code);
	p->message = xstrdup(msg);
	p->fix = xstrdup(fix);
	p->action = xstrdup(action);
}

static const char *or_q(const char *s)
{
	return s && *s ? s : "?";
}

static bool execution_failed(const char *code)
{
	return str_eq(code, "DELIVERY_FAILURE") || str_eq(code, "QUERY_FAILURE");
}

static void export_problems(struct status_ds *d, const char *kind, const char *fix_connect)
{
	if (d->export_exists == STATUS_NO) {
		add(d, "export_missing", "connect", fix_connect,
		    "The %s %s that CerteroX reads does not exist in account %s.", kind,
		    or_q(d->report), or_q(d->account_id));
		return;
	}
	if (d->export_exists != STATUS_YES)
		return;
	if (!d->legacy &&
	    (str_eq(d->export_status, "UNHEALTHY") || execution_failed(d->exec_status))) {
		char exec[160] = "";
		if (d->exec_status)
			snprintf(exec, sizeof(exec), "; its latest execution ended %s%s%s%s",
			         d->exec_status, d->exec_reason ? " (" : "",
			         d->exec_reason ? d->exec_reason : "", d->exec_reason ? ")" : "");
		add(d, "export_unhealthy", "connect", fix_connect,
		    "AWS reports the CUR 2.0 export %s as %s%s%s%s%s.", or_q(d->report),
		    d->export_status ? d->export_status : "?", d->export_reason ? " (" : "",
		    d->export_reason ? d->export_reason : "", d->export_reason ? ")" : "", exec);
	} else if (d->legacy && d->report_last_status &&
	           strncmp(d->report_last_status, "ERROR", 5) == 0) {
		add(d, "export_unhealthy", "connect", fix_connect,
		    "AWS reports the legacy report %s's last delivery (%s) as %s.", or_q(d->report),
		    or_q(d->report_last_delivery), d->report_last_status);
	}
}

void status_evaluate(struct status_ds *d, bool org_has_root, time_t now)
{
	problems_clear(d);
	char fix[1024];
	const char *kind = d->legacy ? "legacy report" : "CUR 2.0 export";
	snprintf(fix, sizeof(fix),
	         "Run certerox-aws-setup with the credentials of account %s and choose Connect: it "
	         "makes the %s, bucket and bucket policy again as CerteroX needs them.",
	         or_q(d->account_id), kind);
	if (d->reachable && !d->linked) {
		export_problems(d, kind, fix);
		if (d->bucket_exists == STATUS_NO) {
			add(d, "bucket_missing", "connect", fix,
			    "The bucket %s that the %s delivers to does not exist.",
			    or_q(d->bucket), kind);
		} else if (d->bucket_exists == STATUS_YES) {
			if (d->policy_permits == STATUS_NO)
				add(d, "bucket_policy_blocks_delivery", "connect", fix,
				    "The policy of bucket %s no longer lets %s write the files.",
				    or_q(d->bucket),
				    d->legacy ? "billingreports.amazonaws.com"
				              : "bcm-data-exports.amazonaws.com");
			if (d->listed == STATUS_YES && d->files == 0) {
				char wait[512];
				snprintf(
				    wait, sizeof(wait),
				    "Wait: AWS delivers the first files within 24 hours of the "
				    "export's creation; then check again with certerox-aws-setup "
				    "--status --data-source %s.",
				    or_q(d->id));
				add(d, "no_delivery_yet", "wait", wait,
				    "No report files have been delivered to s3://%s/%s%s%s/ yet.",
				    or_q(d->bucket), d->prefix && *d->prefix ? d->prefix : "",
				    d->prefix && *d->prefix ? "/" : "", or_q(d->report));
			}
		}
	}
	char rot[512];
	snprintf(rot, sizeof(rot),
	         "Run certerox-aws-setup and choose Rotate for data source %s: it makes a new key, "
	         "saves it in the vault and gives it to CerteroX.",
	         or_q(d->name));
	if (d->reachable) {
		if (d->key_exists == STATUS_NO) {
			add(d, "key_missing", "rotate", rot,
			    "The access key %s that CerteroX uses does not exist in account %s.",
			    or_q(d->access_key_id), or_q(d->account_id));
		} else if (d->key_exists == STATUS_YES) {
			if (d->key_status && !str_eq(d->key_status, "Active")) {
				char f[768];
				snprintf(
				    f, sizeof(f),
				    "%s Or reactivate it: aws iam update-access-key --user-name %s "
				    "--access-key-id %s --status Active",
				    rot, or_q(d->key_user), or_q(d->access_key_id));
				add(d, "key_inactive", "rotate", f,
				    "The access key %s of user %s is %s: AWS refuses it.",
				    or_q(d->access_key_id), or_q(d->key_user), d->key_status);
			}
			if (d->key_age_days > STATUS_KEY_MAX_AGE_DAYS)
				add(d, "key_old", "rotate", rot,
				    "The access key %s is %ld days old (more than %d).",
				    or_q(d->access_key_id), d->key_age_days,
				    STATUS_KEY_MAX_AGE_DAYS);
		}
	}
	if (d->in_vault == STATUS_NO)
		add(d, "key_not_in_vault", "rotate", rot,
		    "The vault does not hold the secret of access key %s, so it cannot be checked "
		    "or handed over again.",
		    or_q(d->access_key_id));
	if (d->permissions == STATUS_NO) {
		char f[1024];
		snprintf(f, sizeof(f),
		         "Run certerox-aws-setup with the credentials of account %s and choose "
		         "Connect: it attaches the CerteroX policies to the key's user again.",
		         or_q(d->account_id));
		add(d, "permission_missing", "connect", f, "The key's own check failed: %s",
		    or_q(d->permission_error));
	}
	/* OptScale ngui utils/dataSources/getBillingImportStatus.ts: an import failed when it
	 * has an error and the last attempt is later than the last success. */
	if (d->last_import_attempt_error && *d->last_import_attempt_error &&
	    d->last_import_at < d->last_import_attempt_at) {
		char f[512];
		snprintf(
		    f, sizeof(f),
		    "Fix the other problems listed for %s; CerteroX retries the import on its "
		    "schedule. If none is listed, run certerox-aws-setup and choose Connect to "
		    "check the data source's settings.",
		    or_q(d->name));
		add(d, "import_failed", "connect", f, "CerteroX's last import failed: %s",
		    d->last_import_attempt_error);
	}
	if (d->linked && !org_has_root)
		add(d, "linked_without_root", "connect",
		    "Run certerox-aws-setup with the credentials of the management (payer) account "
		    "and choose Connect, connection Root: its report carries this account's costs.",
		    "Linked account %s has no Root data source in the organization, so no report "
		    "carries its costs.",
		    or_q(d->account_id));
	if (!d->reachable) {
		char f[512];
		snprintf(
		    f, sizeof(f),
		    "Run certerox-aws-setup --status --data-source %s with credentials of account "
		    "%s (e.g. --profile NAME).",
		    or_q(d->id), or_q(d->account_id));
		add(d, "account_unreachable", "command", f,
		    "The administrator's credentials do not reach account %s, so its export, "
		    "bucket and key were not checked: %s.",
		    or_q(d->account_id),
		    d->unreachable_reason ? d->unreachable_reason : "no reason known");
	}
	(void)now;
}

/* ---- JSON ---- */

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void add_tri(cJSON *o, const char *k, enum status_tri t)
{
	if (t == STATUS_UNKNOWN)
		cJSON_AddNullToObject(o, k);
	else
		cJSON_AddBoolToObject(o, k, t == STATUS_YES);
}

static void add_epoch(cJSON *o, const char *k, long long t)
{
	if (t <= 0) {
		cJSON_AddNullToObject(o, k);
		return;
	}
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(o, k, buf);
}

static const char *ds_state(const struct status_ds *d)
{
	if (!d->done)
		return "checking";
	return d->nproblems ? "problem" : "ok";
}

static cJSON *ds_json(const struct status_ds *d)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "id", d->id);
	add_str(o, "name", d->name);
	add_str(o, "account_id", d->account_id);
	cJSON_AddStringToObject(o, "connection", d->linked ? "linked" : "root");
	cJSON_AddStringToObject(o, "state", ds_state(d));
	cJSON_AddBoolToObject(o, "account_reachable", d->reachable);
	add_str(o, "reached_via_role", d->via_role);
	add_str(o, "unreachable_reason", d->reachable ? NULL : d->unreachable_reason);
	if (!d->linked) {
		cJSON *e = cJSON_AddObjectToObject(o, "export");
		cJSON_AddStringToObject(e, "type", d->legacy ? "legacy" : "cur2");
		add_str(e, "name", d->report);
		add_tri(e, "exists", d->export_exists);
		if (!d->legacy) {
			add_str(e, "arn", d->export_arn);
			add_str(e, "status", d->export_status);
			add_str(e, "status_reason", d->export_reason);
			add_str(e, "last_refreshed_at", d->export_refreshed_at);
			cJSON *x = cJSON_AddObjectToObject(e, "last_execution");
			add_str(x, "id", d->exec_id);
			add_str(x, "status", d->exec_status);
			add_str(x, "status_reason", d->exec_reason);
			add_str(x, "at", d->exec_at);
		} else {
			add_str(e, "last_delivery", d->report_last_delivery);
			add_str(e, "last_status", d->report_last_status);
		}
		cJSON *b = cJSON_AddObjectToObject(o, "bucket");
		add_str(b, "name", d->bucket);
		add_str(b, "prefix", d->prefix);
		add_tri(b, "exists", d->bucket_exists);
		add_str(b, "region", d->bucket_region);
		add_tri(b, "policy_permits_delivery", d->policy_permits);
		add_str(b, "latest_billing_period", d->latest_period);
		if (d->listed == STATUS_YES)
			cJSON_AddNumberToObject(b, "files", (double)d->files);
		else
			cJSON_AddNullToObject(b, "files");
		add_str(b, "manifest", d->manifest);
		add_str(b, "last_delivery", d->last_delivery);
	}
	cJSON *k = cJSON_AddObjectToObject(o, "key");
	add_str(k, "access_key_id", d->access_key_id);
	add_str(k, "assume_role_arn", d->assume_role_arn);
	add_tri(k, "exists", d->key_exists);
	add_str(k, "user", d->key_user);
	add_str(k, "status", d->key_status);
	add_str(k, "created_at", d->key_created_at);
	if (d->key_age_days >= 0)
		cJSON_AddNumberToObject(k, "age_days", (double)d->key_age_days);
	else
		cJSON_AddNullToObject(k, "age_days");
	add_str(k, "last_used_at", d->key_last_used_at);
	add_str(k, "last_used_service", d->key_last_used_service);
	add_tri(k, "in_vault", d->in_vault);
	add_tri(k, "permissions_proved", d->permissions);
	add_str(k, "permission_error", d->permission_error);
	cJSON *c = cJSON_AddObjectToObject(o, "certerox");
	add_epoch(c, "last_import_at", d->last_import_at);
	add_epoch(c, "last_import_attempt_at", d->last_import_attempt_at);
	add_str(c, "last_import_attempt_error", d->last_import_attempt_error);
	cJSON *errs = cJSON_AddArrayToObject(o, "unchecked");
	for (size_t i = 0; i < d->errors.n; i++)
		cJSON_AddItemToArray(errs, cJSON_CreateString(d->errors.v[i]));
	cJSON *ps = cJSON_AddArrayToObject(o, "problems");
	for (size_t i = 0; i < d->nproblems; i++) {
		cJSON *p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "code", d->problems[i].code);
		cJSON_AddStringToObject(p, "message", d->problems[i].message);
		cJSON_AddStringToObject(p, "fix", d->problems[i].fix);
		cJSON_AddStringToObject(p, "action", d->problems[i].action);
		cJSON_AddItemToArray(ps, p);
	}
	return o;
}

cJSON *status_to_json(const struct status_run *r)
{
	cJSON *o = cJSON_CreateObject();
	add_str(o, "administrator_account",
	        *status_admin_account(r) ? status_admin_account(r) : NULL);
	cJSON_AddNumberToObject(o, "problems", (double)status_problem_count(r));
	cJSON *arr = cJSON_AddArrayToObject(o, "data_sources");
	for (size_t i = 0; i < status_count(r); i++)
		cJSON_AddItemToArray(arr, ds_json(status_get(r, i)));
	return o;
}

/* ---- text ---- */

static const char *export_word(const struct status_ds *d)
{
	if (d->linked)
		return "linked";
	if (!d->reachable)
		return "not checked";
	if (d->export_exists == STATUS_NO)
		return "missing";
	if (d->legacy)
		return d->report_last_status ? d->report_last_status : "no delivery";
	return d->export_status ? d->export_status : "?";
}

void status_print_text(const struct status_run *r, FILE *f, bool ascii)
{
	for (size_t i = 0; i < status_count(r); i++) {
		const struct status_ds *d = status_get(r, i);
		const char *sym = !d->done       ? (ascii ? "[..]" : "…")
		                  : d->nproblems ? (ascii ? "[!!]" : "✘")
		                                 : (ascii ? "[ok]" : "✔");
		if (d->linked)
			fprintf(f, "%s %s (%s) account %s, linked", sym, or_q(d->name), or_q(d->id),
			        or_q(d->account_id));
		else
			fprintf(f, "%s %s (%s) account %s, %s %s: %s", sym, or_q(d->name),
			        or_q(d->id), or_q(d->account_id), d->legacy ? "legacy" : "cur2",
			        or_q(d->report), export_word(d));
		if (d->key_age_days >= 0)
			fprintf(f, ", key %ld days", d->key_age_days);
		if (d->last_import_at > 0) {
			char buf[32];
			time_t tt = (time_t)d->last_import_at;
			struct tm tm;
			gmtime_r(&tt, &tm);
			strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm);
			fprintf(f, ", last import %s", buf);
		} else {
			fputs(", never imported", f);
		}
		if (d->nproblems)
			fprintf(f, ", %zu problem%s\n", d->nproblems, d->nproblems == 1 ? "" : "s");
		else
			fputs(", no problem\n", f);
		for (size_t k = 0; k < d->nproblems; k++) {
			fprintf(f, "    %s: %s\n", d->problems[k].code, d->problems[k].message);
			fprintf(f, "      fix: %s\n", d->problems[k].fix);
		}
		for (size_t k = 0; k < d->errors.n; k++)
			fprintf(f, "    not checked: %s\n", d->errors.v[k]);
	}
}

/* summary_text.c - the run's summary as a few lines of text (run/summary_text.h). */
#include "run/summary_text.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/str.h"

bool run_summary_as_text(bool json_asked)
{
	return !json_asked && isatty(STDOUT_FILENO);
}

#define LABEL_W 14 /* "Policy backup:" */
#define TEXT_W  78 /* a terminal's 80 columns with a margin */

/* "  Label:         value": a long value that has spaces is wrapped under itself (a path,
 * which has none, is left whole so that it can be copied). */
static void line(struct buf *b, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	buf_printf(b, "  %-*s ", LABEL_W, label);
	int col = 2 + LABEL_W + 1, start = col;
	const char *p = value;
	while (*p) {
		size_t wl = strcspn(p, " ");
		if (col > start && col + (int)wl > TEXT_W) {
			buf_printf(b, "\n%*s", start, "");
			col = start;
		}
		buf_append(b, p, wl);
		col += (int)wl;
		p += wl;
		if (*p == ' ') {
			p++;
			if (*p && col + 1 + (int)strcspn(p, " ") <= TEXT_W) {
				buf_putc(b, ' ');
				col++;
			} else if (*p) {
				buf_printf(b, "\n%*s", start, "");
				col = start;
			}
		}
	}
	buf_putc(b, '\n');
}

static int count_steps(const cJSON *sum, const char *status)
{
	int n = 0;
	const cJSON *s;
	cJSON_ArrayForEach(s, json_arr(sum, "steps"))
	{
		n += str_eq(json_str(s, "status"), status);
	}
	return n;
}

char *run_summary_text(const cJSON *sum, const char *backup_file)
{
	struct buf b;
	buf_init(&b);
	const char *status = json_str(sum, "status");
	const char *action = json_str(sum, "action");
	bool done = str_eq(status, "done"), cancelled = str_eq(status, "cancelled");
	if (done)
		buf_printf(&b, "certerox-aws-setup: done (%s)\n", action ? action : "connect");
	else if (cancelled)
		buf_printf(&b, "certerox-aws-setup: cancelled; %d step%s not run\n",
		           count_steps(sum, "not run"),
		           count_steps(sum, "not run") == 1 ? "" : "s");
	else
		buf_printf(&b, "certerox-aws-setup: failed: %s\n",
		           json_str(sum, "error") ? json_str(sum, "error") : "see the log");
	char v[1400];
	const char *ds = json_str(sum, "data_source_id");
	line(&b, "Data source:", ds ? ds : "not created");
	line(&b, "AWS account:", json_str(sum, "account_id"));
	const cJSON *ex = json_obj(sum, "export");
	if (ex) {
		snprintf(v, sizeof(v), "%s (%s)", json_str(ex, "name") ? json_str(ex, "name") : "",
		         str_eq(json_str(ex, "type"), "legacy") ? "legacy CUR"
		                                                : "standard data export, CUR 2.0");
		line(&b, "Export:", v);
		const char *bucket = json_str(ex, "bucket"), *prefix = json_str(ex, "prefix");
		if (bucket) {
			snprintf(v, sizeof(v), "s3://%s/%s", bucket, prefix ? prefix : "");
			if (json_str(ex, "region"))
				snprintf(v + strlen(v), sizeof(v) - strlen(v), " (%s)",
				         json_str(ex, "region"));
			line(&b, "Bucket:", v);
		}
	}
	line(&b, "IAM user:", json_str(sum, "iam_user"));
	line(&b, "Access key:", json_str(sum, "access_key_id"));
	line(&b, "Previous key:", json_str(sum, "previous_access_key_id"));
	line(&b, "Vault:", json_str(sum, "vault"));
	line(&b, "Policy backup:", backup_file);
	const cJSON *rm = json_arr(sum, "removed"), *kept = json_arr(sum, "kept");
	if (rm || kept) {
		snprintf(v, sizeof(v), "%d removed, %d kept", cJSON_GetArraySize(rm),
		         cJSON_GetArraySize(kept));
		line(&b, "AWS:", v);
	}
	int nw = cJSON_GetArraySize(json_arr(sum, "warnings"));
	if (nw > 0) {
		snprintf(v, sizeof(v), "%d (in the JSON summary: --format json)", nw);
		line(&b, "Warnings:", v);
	}
	const char *next;
	if (cancelled)
		next = "run the wizard again: it continues where it stopped.";
	else if (!done)
		next = "fix the problem, then run again: it continues where it stopped.";
	else if (str_eq(action, "disconnect"))
		next = "nothing; CerteroX no longer reads this account.";
	else if (str_eq(action, "rotate"))
		next = "nothing; CerteroX uses the new key from its next import.";
	else
		next = "AWS delivers the first billing files within 24 hours; CerteroX imports "
		       "them on its next run.";
	line(&b, "Next:", next);
	return buf_steal(&b);
}

/* bucket_pick.c - the Data export page's bucket picker (tui/pages/bucket_pick.h). */
#include "tui/pages/bucket_pick.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/export.h"
#include "tui/modal.h"
#include "tui/widgets/theme.h"
#include "tui/wiz.h"
#include "util/mem.h"
#include "util/str.h"

/* A bucket the export cannot deliver to: CUR 2.0 exports deliver to a bucket in any region; the
 * legacy CUR API only to one in a region of its S3Region enum (core/export.h). */
static bool unusable(bool legacy, const char *region)
{
	return legacy && region && *region && !export_legacy_region_supported(region);
}

int bucket_pick(struct wiz *w, bool legacy, const char *current, char *name, size_t name_n,
                char *region, size_t region_n)
{
	if (!w->buckets_read) {
		tui_app_status(w->app, ROLE_NORMAL,
		               "The account's buckets are still being read; F4 again in a moment.");
		return 0;
	}
	if (w->buckets_st != CX_OK) {
		tui_app_status(w->app, ROLE_ERROR,
		               "The account's buckets could not be listed (%s); type the bucket's "
		               "name.",
		               w->buckets_err.msg);
		return 0;
	}
	const struct s3_bucket_list *l = &w->buckets;
	int n = (int)l->n, sel = 0, nmarked = 0;
	size_t namew = 20;
	for (size_t i = 0; i < l->n; i++) {
		size_t k = strlen(l->items[i].name ? l->items[i].name : "");
		if (k > namew)
			namew = k < 40 ? k : 40;
	}
	char **rows = xcalloc(l->n + 1, sizeof(*rows));
	bool *marked = xcalloc(l->n + 1, sizeof(*marked));
	for (size_t i = 0; i < l->n; i++) {
		const struct s3_bucket *b = &l->items[i];
		const char *bn = b->name ? b->name : "";
		marked[i] = unusable(legacy, b->region);
		nmarked += marked[i];
		rows[i] = xasprintf("%-*s  %-15s%s", (int)namew, bn,
		                    b->region && *b->region ? b->region : "region unknown",
		                    marked[i] ? "  legacy CUR cannot deliver here" : "");
		if (str_eq(bn, current))
			sel = (int)i;
	}
	const char *acct = w->facts.account_id ? w->facts.account_id : "";
	char *text =
	    n ? xasprintf("%zu bucket%s in account %s. Enter fills the bucket field; Esc leaves it "
	                  "as it is.%s",
	                  l->n, l->n == 1 ? "" : "s", acct,
	                  nmarked ? " Marked: in a region the legacy CUR API does not deliver to."
	                          : "")
	      : xasprintf("Account %s has no buckets. Type a new name in the bucket field and "
	                  "switch on 'Create the bucket': the wizard creates it.",
	                  acct);
	int r = tui_pick(w->app, "Buckets", text, (const char *const *)rows, marked, n, sel,
	                 "No buckets.");
	int picked = 0;
	if (r >= 0) {
		str_copy(name, name_n, l->items[r].name ? l->items[r].name : "");
		str_copy(region, region_n, l->items[r].region ? l->items[r].region : "");
		picked = 1;
	} else if (r == -1) {
		picked = -1;
	}
	for (size_t i = 0; i < l->n; i++)
		free(rows[i]);
	free(rows);
	free(marked);
	free(text);
	return picked;
}

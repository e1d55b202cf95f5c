/* page_setup.c - pages 1-4: start, connection type, export type, data export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cxrules.h"
#include "core/export.h"
#include "core/flow.h"
#include "core/owner.h"
#include "core/validate.h"
#include "tui/modal.h"
#include "tui/widgets/theme.h"
#include "tui/pages/unlock.h"
#include "tui/pages/bucket_pick.h"
#include "tui/pages/export_gate.h"
#include "tui/wiz.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"
#include "vault/vault.h"

#define W(pg)          ((struct wiz *)(pg)->ctx)
#define in_flow(pg, p) wiz_in_flow(W(pg), p)

static void free_state(struct tui_page *pg)
{
	free(pg->state);
}

/* ---- 1. start ---- */

static const struct tui_radio_item start_items[] = {
    {"Connect a new AWS data source", "Export, bucket policy, IAM user and key, CerteroX."},
    {"Switch an existing data source to CUR 2.0", "Migrate a legacy CUR data source."},
    {"Show saved data sources", "The vault's data sources and keys, checked against CerteroX."},
    {"Check connected data sources",
     "Why costs are missing: export, bucket, key and last import of each (read-only)."},
    {"Rotate a data source's access key",
     "A new key for its user; keys older than 90 days are flagged (CIS 1.14)."},
    {"Disconnect a data source",
     "Delete it in CerteroX and, if asked, what the wizard made for it in AWS."},
    {"Connect member accounts of this Organization",
     "Each chosen member account becomes a Linked data source, in one run."},
};
#define NSTART ((int)(sizeof(start_items) / sizeof(start_items[0])))

struct start_state {
	struct tui_radio r;
	/* start_items with the note of the item under the cursor only: six choices and the
	 * account's data source fit in 80x24 */
	struct tui_radio_item items[NSTART];
	struct tui_unlock unlock; /* "Show saved data sources": the vault being unlocked */
};

static void start_init(struct tui_page *pg)
{
	struct start_state *s = xcalloc(1, sizeof(*s));
	enum wiz_start st = W(pg)->start;
	memcpy(s->items, start_items, sizeof(s->items));
	tui_radio_init(&s->r, s->items, NSTART,
	               st == WIZ_MIGRATE || st == WIZ_CHECK || st == WIZ_ROTATE ||
	                       st == WIZ_DISCONNECT
	                   ? (int)st
	                   : 0);
	pg->state = s;
}

/* The Organization choice (the last) is listed only for an Organization's management account:
 * the one place its member accounts can be listed and reached from. */
static void start_count(struct wiz *w, struct start_state *s)
{
	bool org = w->have_facts && w->facts.org_role == PLAN_ORG_MANAGEMENT;
	s->r.n = org ? NSTART : NSTART - 1;
	if (s->r.cursor >= s->r.n)
		s->r.cursor = s->r.n - 1;
	if (s->r.selected >= s->r.n)
		s->r.selected = 0;
}

static void start_enter(struct tui_page *pg, int how)
{
	(void)how;
	wiz_refresh(W(pg));
}

static const char *role_text(enum plan_org_role r)
{
	switch (r) {
	case PLAN_ORG_MANAGEMENT:
		return "management (payer) account of an Organization";
	case PLAN_ORG_MEMBER:
		return "member account of an Organization";
	case PLAN_ORG_STANDALONE:
		return "standalone account (no Organization)";
	default:
		return "Organization role unknown";
	}
}

static void start_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct start_state *s = pg->state;
	struct wiz *w = W(pg);
	int x = b.x + 1, wd = b.w - 2, y = b.y + 1;
	tui_put(win, y, x, wd, "This wizard connects an AWS account to CerteroX Cloud Management.",
	        A_NORMAL);
	y += 2;
	tui_put(win, y++, x, wd, "AWS identity used by the wizard", theme_attr(ROLE_LABEL));
	char line[400];
	if (w->have_facts) {
		snprintf(line, sizeof(line), "  Account   %s, %s", w->facts.account_id,
		         role_text(w->facts.org_role));
		tui_put(win, y++, x, wd, line, A_NORMAL);
		snprintf(line, sizeof(line), "  ARN       %s",
		         w->facts.caller_arn ? w->facts.caller_arn : "");
		tui_put(win, y++, x, wd, line, A_NORMAL);
	} else {
		tui_put(win, y++, x, wd, "  Account   ...", theme_attr(ROLE_DIM));
		tui_put(win, y++, x, wd, "  ARN       ...", theme_attr(ROLE_DIM));
	}
	if (w->cx_ready && w->have_facts)
		snprintf(line, sizeof(line), "  CerteroX  %s (%zu AWS data source%s)", w->cx_url,
		         w->facts.ndata_sources, w->facts.ndata_sources == 1 ? "" : "s");
	else if (w->cx_st != CX_OK)
		snprintf(line, sizeof(line), "  CerteroX  %s: %s", w->cx_url ? w->cx_url : "",
		         w->cx_err.msg);
	else
		snprintf(line, sizeof(line), "  CerteroX  %s",
		         w->cx_url ? w->cx_url : "not configured yet (page CerteroX)");
	tui_put(win, y++, x, wd, line, w->cx_st != CX_OK ? theme_attr(ROLE_WARN) : A_NORMAL);
	const struct plan_data_source_fact *ds =
	    w->have_facts ? owner_account_data_source(&w->facts) : NULL;
	if (ds) {
		/* already connected: its data source, export and key, before any choice */
		const struct plan_key_fact *k = NULL;
		for (size_t i = 0; ds->access_key_id && i < w->facts.nkeys; i++)
			if (str_eq(w->facts.keys[i].id, ds->access_key_id))
				k = &w->facts.keys[i];
		char exp[300] = "linked", key[200] = "key unknown";
		if (!ds->linked)
			snprintf(exp, sizeof(exp), "%s %s in s3://%s/%s",
			         ds->cur_version == 2 ? "export" : "legacy report",
			         ds->report_name ? ds->report_name : "(found by CerteroX)",
			         ds->bucket ? ds->bucket : "-", ds->prefix ? ds->prefix : "");
		if (ds->access_key_id) {
			char age[48] = "age unknown";
			if (k && k->age_days >= 0)
				snprintf(age, sizeof(age), "%d day%s old", k->age_days,
				         k->age_days == 1 ? "" : "s");
			snprintf(key, sizeof(key), "key %s, %s, %s", ds->access_key_id, age,
			         w->facts.vault_unknown ? "vault locked"
			         : k && k->in_vault     ? "secret in the vault"
			                                : "secret not in the vault");
		}
		char *text = xasprintf("Connected: \"%s\" (%s), %s; %s. To change it: rotate its "
		                       "key, migrate it, or update it.",
		                       ds->name ? ds->name : "", ds->id ? ds->id : "", exp, key);
		struct tui_rect r = {y, x + 2, 4, wd - 2};
		int rows = tui_put_wrapped(win, r, text, theme_attr(ROLE_WARN));
		y += rows < r.h ? rows : r.h;
		free(text);
	}
	start_count(w, s);
	for (int i = 0; i < NSTART; i++)
		s->items[i].note = i == s->r.cursor ? start_items[i].note : NULL;
	/* the blank row before the question goes when the choices would not fit otherwise (a
	 * connected data source's note, seven choices, a two-row note) */
	struct tui_rect nr = {0, 0, 0, wd - 6};
	int need = 1 + s->r.n + tui_put_wrapped(win, nr, start_items[s->r.cursor].note, A_NORMAL);
	if (y + 1 + need <= b.y + b.h)
		y++;
	tui_put(win, y++, x, wd, "What do you want to do?", theme_attr(ROLE_LABEL));
	tui_radio_draw(&s->r, win, y, x, wd, true);
	wiz_draw_discovery(w, win, b.y + b.h - 1, x, wd);
	if (w->preloaded && !w->disc)
		tui_put(win, b.y + b.h - 1, x, wd,
		        "Answers preloaded from --answers; review each page.",
		        theme_attr(ROLE_DIM));
	else if (w->resume_step && !w->disc) {
		snprintf(line, sizeof(line),
		         "An earlier run stopped at step %d of %d; its answers are loaded.",
		         w->resume_step, w->resume_steps);
		tui_put(win, b.y + b.h - 1, x, wd, line, theme_attr(ROLE_WARN));
	}
}

/* The CerteroX data source with this id, NULL when none (or the list is not known). */
static const struct plan_data_source_fact *cx_data_source(const struct wiz *w, const char *id)
{
	for (size_t i = 0; w->facts.data_sources_known && id && *id && i < w->facts.ndata_sources;
	     i++)
		if (str_eq(w->facts.data_sources[i].id, id))
			return &w->facts.data_sources[i];
	return NULL;
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

/* The vault's records, each joined with CerteroX's list when it is known, then CerteroX's data
 * sources the vault does not hold. Never a secret: the access key id only. */
static void saved_text(struct wiz *w, const struct vault *v, struct buf *b)
{
	bool known = w->have_facts && w->facts.data_sources_known;
	size_t n = vault_count(v);
	buf_printf(b, "Vault: %s\n%zu saved record%s.\n", vault_path(v), n, n == 1 ? "" : "s");
	if (!known)
		buf_printf(b, "CerteroX's list is not known (%s): not joined.\n",
		           w->cx_st != CX_OK ? w->cx_err.msg : "not signed in");
	for (size_t i = 0; i < n; i++) {
		const struct vault_record *r = vault_get(v, i);
		char *name = str_printable(dash(r->name), 120);
		buf_printf(b, "\n%s\n", name);
		free(name);
		if (vault_record_pending(r)) {
			buf_printf(
			    b, "  data source  pending (key saved, not submitted to CerteroX)\n");
		} else {
			const struct plan_data_source_fact *d =
			    cx_data_source(w, r->data_source_id);
			buf_printf(b, "  data source  %s  %s\n", r->data_source_id,
			           !known ? "(CerteroX not checked)"
			           : d    ? "present in CerteroX"
			                  : "not found in CerteroX");
		}
		buf_printf(b, "  account      %s, %s\n", dash(r->aws_account_id),
		           dash(r->connection));
		if (*r->export.name || *r->export.type)
			buf_printf(b, "  export       %s %s\n", dash(r->export.type),
			           dash(r->export.name));
		buf_printf(b, "  IAM user     %s\n", dash(r->iam_user));
		buf_printf(b, "  access key   %s (secret in the vault, never shown)\n",
		           dash(r->access_key_id));
		buf_printf(b, "  updated      %s\n", dash(r->updated_at));
	}
	if (!known)
		return;
	bool head = false;
	for (size_t i = 0; i < w->facts.ndata_sources; i++) {
		const struct plan_data_source_fact *d = &w->facts.data_sources[i];
		if (vault_find_data_source(v, d->id))
			continue;
		if (!head)
			buf_printf(b, "\nIn CerteroX, not in this vault:\n");
		head = true;
		buf_printf(b, "  %s  %s  account %s  %s\n", d->id, d->name,
		           d->account_id ? d->account_id : "?", d->linked ? "linked" : "root");
	}
}

/* Page 1, "Show saved data sources": the vault (unlocked here when the wizard has not done so
 * yet, read-only, closed again) joined with CerteroX's list. Stays on page 1. */
static void show_list(struct wiz *w, struct vault *v)
{
	struct buf b;
	buf_init(&b);
	saved_text(w, v, &b);
	tui_show_text(w->app, "Saved data sources", buf_str(&b));
	buf_free(&b);
}

/* Asks for the passphrase and starts unlocking: the key is derived in a worker thread while
 * the screen stays live (start_unlocked shows the list); a vault another run holds is said at
 * once. */
static void show_data_sources(struct wiz *w, struct start_state *s)
{
	if (w->vault) {
		show_list(w, w->vault);
		return;
	}
	struct buf b;
	buf_init(&b);
	struct tui_masked m;
	tui_masked_init(&m, "Passphrase", VAULT_PASSPHRASE_MAX);
	if (access(w->vault_file, F_OK) != 0) {
		buf_printf(&b, "no vault at %s: nothing saved yet", w->vault_file);
		tui_message(w->app, "Saved data sources", buf_str(&b));
		goto out;
	}
	buf_printf(&b, "Unlock the vault to list what it holds (read-only):\n%s", w->vault_file);
	if (!tui_prompt_masked(w->app, "Unlock the vault", buf_str(&b), &m))
		goto out;
	if (tui_masked_len(&m) == 0) {
		tui_app_status(w->app, ROLE_ERROR, "The passphrase must not be empty.");
		goto out;
	}
	if (!tui_unlock_start(&s->unlock, w->app, w->vault_file, tui_masked_value(&m), NULL,
	                      "Unlocking the vault (Argon2id)...", TUI_HANDLED | TUI_REDRAW,
	                      "Not showing the list"))
		tui_app_status(w->app, ROLE_ERROR, "Vault not opened: %s",
		               tui_unlock_why(&s->unlock));
out:
	tui_masked_free(&m);
	buf_free(&b);
}

/* The unlocking has ended: the list, or why not. Returns the page's answer. */
static int start_unlocked(struct wiz *w, struct start_state *s)
{
	struct vault *v = NULL;
	int after = tui_unlock_end(&s->unlock, w->app, &v);
	if (after)
		return after; /* Esc or F10 meanwhile */
	if (v)
		show_list(w, v);
	else
		tui_app_status(w->app, ROLE_ERROR, "Vault not opened: %s",
		               tui_unlock_why(&s->unlock));
	vault_close(v);
	return TUI_HANDLED | TUI_REDRAW;
}

static void start_destroy(struct tui_page *pg)
{
	struct start_state *s = pg->state;
	if (s)
		tui_unlock_abandon(&s->unlock);
	free(s);
	pg->state = NULL;
}

static int start_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct start_state *s = pg->state;
	struct wiz *w = W(pg);
	if (tui_unlock_running(&s->unlock)) {
		/* unlocking for the list: the screen stays live (tui/unlock.h) */
		if (ev->act == ACT_TICK)
			wiz_refresh(w);
		int answer;
		return tui_unlock_action(&s->unlock, w->app, ev, &answer) ? start_unlocked(w, s)
		                                                          : answer;
	}
	if (ev->act == ACT_TICK) {
		wiz_refresh(w);
		return TUI_REDRAW;
	}
	start_count(w, s);
	int r = tui_radio_action(&s->r, ev);
	if (r)
		return r;
	if (ev->act != ACT_ENTER)
		return 0;
	if (s->r.selected == WIZ_SHOW) {
		/* the vault alone is enough; CerteroX's list joins it when discovery has it */
		show_data_sources(w, s);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (!w->session_ok) {
		tui_app_status(w->app, ROLE_ERROR, "No AWS session: %s", w->session_err.msg);
		return TUI_HANDLED;
	}
	if (s->r.selected == WIZ_CHECK) {
		w->start = WIZ_CHECK; /* page_status.c: its own reads, no discovery needed */
		return TUI_NEXT;
	}
	if (!wiz_refresh(w) || !w->have_facts) {
		if (w->disc_st != CX_OK && !w->disc && !w->cx_busy) {
			tui_app_status(w->app, ROLE_ERROR, "Discovery failed: %s", w->disc_err.msg);
			return TUI_HANDLED;
		}
		tui_app_status(w->app, ROLE_NORMAL, "Still reading the account; one moment.");
		return TUI_HANDLED;
	}
	w->start = (enum wiz_start)s->r.selected;
	w->a.action = w->start == WIZ_MIGRATE      ? ANSWERS_MIGRATE
	              : w->start == WIZ_ROTATE     ? ANSWERS_ROTATE
	              : w->start == WIZ_DISCONNECT ? ANSWERS_DISCONNECT
	              : w->start == WIZ_ORG        ? ANSWERS_ORGANIZATION
	                                           : ANSWERS_CONNECT;
	if (!w->conn_preselected && !w->preloaded && w->a.action == ANSWERS_CONNECT) {
		w->conn_preselected = true;
		w->a.connection =
		    w->facts.org_role == PLAN_ORG_MEMBER ? ANSWERS_LINKED : ANSWERS_ROOT;
	}
	return TUI_NEXT;
}

/* An Enter while the account is read is kept by the app (page_ops.loading) when the choice
 * needs the account's facts; Show and Check do not wait for them. */
static const char *start_loading(struct tui_page *pg)
{
	struct start_state *s = pg->state;
	if (tui_unlock_running(&s->unlock) || s->r.selected == WIZ_SHOW ||
	    s->r.selected == WIZ_CHECK)
		return NULL;
	return wiz_loading(W(pg));
}

const struct page_ops page_start_ops = {
    .title = "Welcome",
    .keys = "Up/Down choose  Enter continue",
    .help = "The wizard reads the account first (read-only) and shows who it acts as.\n"
            "Connect: the whole guide, page by page. Switch: migrate a legacy CUR data source "
            "to CUR 2.0. Rotate: a new access key for a data source (keys older than 90 days are "
            "flagged, CIS AWS Foundations 1.14), saved in the vault, then CerteroX uses it and "
            "the old key goes. Disconnect: delete a data source in CerteroX and, if asked, what "
            "the wizard made for it in AWS. Show: the data sources and pending keys saved in the "
            "vault (unlocked "
            "read-only with its passphrase; secrets never shown), each marked present in "
            "CerteroX or not found there when CerteroX is reachable. Check: the health of "
            "every connected AWS data source and the action that fixes a problem. Organization "
            "(management accounts only): its member accounts as Linked data sources.\nNothing is "
            "written "
            "before the Apply page.",
    .init = start_init,
    .enter = start_enter,
    .draw = start_draw,
    .on_action = start_action,
    .loading = start_loading,
    .destroy = start_destroy,
};

/* ---- 2. connection type ---- */

static const struct tui_radio_item conn_items[] = {
    {"Root", "The management (payer) account, or a standalone one: billing data comes from "
             "its data export in an S3 bucket."},
    {"Linked", "A member account of an Organization: no bucket; the billing data comes "
               "through the Root data source. Needs only the Discover Resources policy."},
};

struct radio_state {
	struct tui_radio r;
};

static void conn_enter(struct tui_page *pg, int how)
{
	(void)how;
	struct wiz *w = W(pg);
	if (!pg->state)
		pg->state = xcalloc(1, sizeof(struct radio_state));
	struct radio_state *s = pg->state;
	tui_radio_init(&s->r, conn_items, 2, w->a.connection == ANSWERS_LINKED ? 1 : 0);
}

static bool has_root(const struct wiz *w)
{
	for (size_t i = 0; i < w->facts.ndata_sources; i++)
		if (!w->facts.data_sources[i].linked)
			return true;
	return false;
}

static void conn_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct radio_state *s = pg->state;
	struct wiz *w = W(pg);
	int x = b.x + 1, wd = b.w - 2, y = b.y + 1;
	char line[200];
	snprintf(line, sizeof(line), "How does account %s connect to CerteroX?",
	         w->facts.account_id ? w->facts.account_id : "");
	tui_put(win, y, x, wd, line, A_NORMAL);
	y += 2;
	y += tui_radio_draw(&s->r, win, y, x, wd, true) + 1;
	struct tui_rect r = {y, x, 4, wd};
	if (w->facts.org_role == PLAN_ORG_MEMBER)
		y += tui_put_wrapped(win, r,
		                     "This is a member account of an Organization: Linked is "
		                     "pre-selected.",
		                     theme_attr(ROLE_DIM));
	if (s->r.cursor == 1 && w->facts.org_role == PLAN_ORG_MANAGEMENT) {
		char warn[300];
		snprintf(warn, sizeof(warn),
		         "%s This is the management (payer) account of an Organization: its "
		         "billing data comes only through Root. As Linked, CerteroX gets none of "
		         "it.",
		         theme_sym(SYM_WARN));
		struct tui_rect r2 = {y + 1, x, 3, wd};
		y += tui_put_wrapped(win, r2, warn, theme_attr(ROLE_WARN)) + 1;
	}
	if (s->r.cursor == 1 && w->facts.data_sources_known && !has_root(w)) {
		char warn[300];
		snprintf(warn, sizeof(warn),
		         "%s %s If only an AWS Linked account is specified, "
		         "CerteroX will not be able to import any billing data.",
		         theme_sym(SYM_WARN), CERTEROX_NO_ROOT_WARNING);
		struct tui_rect r2 = {y + 1, x, 4, wd};
		tui_put_wrapped(win, r2, warn, theme_attr(ROLE_WARN));
	}
}

static int conn_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct radio_state *s = pg->state;
	int r = tui_radio_action(&s->r, ev);
	if (r)
		return r;
	if (ev->act != ACT_ENTER)
		return 0;
	W(pg)->a.connection = s->r.selected == 1 ? ANSWERS_LINKED : ANSWERS_ROOT;
	return TUI_NEXT;
}

static bool conn_applies(struct tui_page *pg)
{
	return in_flow(pg, FLOW_CONNECTION);
}

const struct page_ops page_connection_ops = {
    .title = "Connection type",
    .keys = "Up/Down choose  Enter continue  Esc back",
    .help = "Root: the account that pays (or a standalone one); CerteroX reads its billing "
            "data export from S3.\nLinked: a member account; CerteroX discovers its resources "
            "and takes the billing data from the Root data source.",
    .enter = conn_enter,
    .draw = conn_draw,
    .on_action = conn_action,
    .applies = conn_applies,
    .destroy = free_state,
};

/* ---- 3. export type ---- */

static const struct tui_radio_item type_items[] = {
    {"Standard data export (CUR 2.0)",
     "Recommended. Daily or hourly, CSV or Parquet, split cost allocation data."},
    {"Legacy CUR export", "Older version: resource IDs included, refreshed automatically. "
                          "Use it only when CerteroX should read an existing legacy report."},
};

/* CerteroX refused cur_version to the key probe (an OptScale before 2024-08). */
static bool no_cur2(const struct wiz *w)
{
	return w->have_facts && (w->facts.cx_unsupported & PLAN_CX_NO_CUR_VERSION);
}

static void type_enter(struct tui_page *pg, int how)
{
	(void)how;
	if (!pg->state)
		pg->state = xcalloc(1, sizeof(struct radio_state));
	struct radio_state *s = pg->state;
	/* a CerteroX without CUR 2.0: the legacy path is the one it offers */
	tui_radio_init(&s->r, type_items, 2,
	               W(pg)->a.export.type == ANSWERS_LEGACY || no_cur2(W(pg)) ? 1 : 0);
}

static void type_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct radio_state *s = pg->state;
	int x = b.x + 1, wd = b.w - 2, y = b.y + 1;
	tui_put(win, y, x, wd, "Which kind of billing export should CerteroX read?", A_NORMAL);
	y += 2;
	y += tui_radio_draw(&s->r, win, y, x, wd, true) + 1;
	struct tui_rect r = {y, x, 4, wd};
	if (no_cur2(W(pg)))
		tui_put_wrapped(
		    win, r,
		    "This CerteroX does not accept CUR 2.0 (its OptScale release predates "
		    "it): choose the legacy CUR export, or upgrade CerteroX first.",
		    theme_attr(ROLE_WARN));
	else
		tui_put_wrapped(
		    win, r,
		    "AWS prepares a new export within 24 hours. The CerteroX data source "
		    "must use the same export type.",
		    theme_attr(ROLE_DIM));
}

static int type_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct radio_state *s = pg->state;
	int r = tui_radio_action(&s->r, ev);
	if (r)
		return r;
	if (ev->act != ACT_ENTER)
		return 0;
	struct answers *a = &W(pg)->a;
	enum answers_export_type t = s->r.selected == 1 ? ANSWERS_LEGACY : ANSWERS_CUR2;
	if (t != a->export.type && !a->has_export_name) {
		/* the default name follows the type */
		answers_set(&a->export.name,
		            t == ANSWERS_LEGACY ? "certerox-cur" : "certerox-cur2");
	}
	a->export.type = t;
	return TUI_NEXT;
}

static bool type_applies(struct tui_page *pg)
{
	return in_flow(pg, FLOW_EXPORT_TYPE);
}

const struct page_ops page_export_type_ops = {
    .title = "Export type",
    .keys = "Up/Down choose  Enter continue  Esc back",
    .help = "CUR 2.0 (Standard data export, AWS Data Exports) is recommended.\nLegacy CUR "
            "reports still work; CerteroX can switch a legacy data source to CUR 2.0 later "
            "(Switch on the first page).",
    .enter = type_enter,
    .draw = type_draw,
    .on_action = type_action,
    .applies = type_applies,
    .destroy = free_state,
};

/* ---- 4. data export ---- */

static const char *const setup_items[] = {"Create it now (this wizard)", "Let CerteroX create it",
                                          "Use an existing export", "Let CerteroX detect it"};
static const char *const setup_notes[] = {
    "The wizard creates it with your AWS rights.", "CerteroX creates it with its own rights.",
    "Choose one found above.", "CerteroX finds it; the bucket is optional."};
static const char *const gran_items[] = {"DAILY", "HOURLY"};
static const char *const fmt_items[] = {"csv", "parquet"};

enum {
	E_SETUP,
	E_PICK,
	E_NAME,
	E_BUCKET,
	E_CREATE,
	E_REGION,
	E_PREFIX,
	E_GRAN,
	E_FMT,
	E_SPLIT,
	E_COUNT
};

struct export_state {
	struct tui_choice setup, pick, gran, fmt;
	struct tui_text name, bucket, region, prefix;
	struct tui_switch create, split;
	int focus;
	const char **pick_items; /* names of the found exports of the type */
	int npick;
	bool legacy;
	bool gate_wait;       /* Enter taken: waiting for the account's facts (export_gate) */
	char replace_ok[256]; /* the export name whose replacement Enter confirmed */
	char gate_msg[400];   /* what export_gate flagged (the status line follows it) */
};

static void export_free(struct tui_page *pg)
{
	struct export_state *s = pg->state;
	tui_text_free(&s->name);
	tui_text_free(&s->bucket);
	tui_text_free(&s->region);
	tui_text_free(&s->prefix);
	free(s->pick_items);
	free(s);
}

static void export_init(struct tui_page *pg)
{
	struct export_state *s = xcalloc(1, sizeof(*s));
	const struct answers *a = &W(pg)->a;
	tui_choice_init(&s->setup, "Export setup", setup_items, 4, (int)a->export.setup);
	tui_choice_init(&s->pick, "Existing export", NULL, 0, 0);
	tui_text_init(&s->name, "Export name", 256, answers_export_name(a));
	tui_text_init(&s->bucket, "S3 bucket", 64, a->export.bucket);
	s->create.label = "Create the bucket";
	s->create.on = a->export.create_bucket;
	tui_text_init(&s->region, "Bucket region", 32, a->export.bucket_region);
	tui_text_set_validator(&s->region, wiz_valid_region, NULL);
	tui_text_set_validator(&s->bucket, wiz_valid_bucket, NULL);
	tui_text_init(&s->prefix, "S3 prefix", 1024, a->export.prefix);
	s->prefix.hint = "\"\" allowed; files go to <prefix>/<export name>/";
	tui_choice_init(&s->gran, "Granularity", gran_items, 2,
	                a->export.granularity == ANSWERS_HOURLY ? 1 : 0);
	tui_choice_init(&s->fmt, "Format", fmt_items, 2, a->export.format == ANSWERS_PARQUET);
	s->split.label = "Split cost allocation data";
	s->split.on = a->export.split_cost_allocation;
	pg->state = s;
}

static void export_pick_list(struct wiz *w, struct export_state *s)
{
	free(s->pick_items);
	s->pick_items = NULL;
	s->npick = 0;
	for (size_t i = 0; i < w->facts.nexports; i++) {
		if (w->facts.exports[i].legacy != s->legacy)
			continue;
		s->pick_items = xrealloc(s->pick_items, sizeof(char *) * (size_t)(s->npick + 1));
		s->pick_items[s->npick++] = w->facts.exports[i].name;
	}
	tui_choice_init(&s->pick, "Existing export", (const char *const *)s->pick_items, s->npick,
	                s->pick.sel < s->npick ? s->pick.sel : 0);
}

static void export_enter(struct tui_page *pg, int how)
{
	(void)how;
	struct export_state *s = pg->state;
	struct wiz *w = W(pg);
	s->legacy = w->a.export.type == ANSWERS_LEGACY;
	tui_text_set_validator(&s->name, s->legacy ? wiz_valid_report_name : wiz_valid_export_name,
	                       NULL);
	tui_text_set_validator(&s->prefix,
	                       s->legacy ? wiz_valid_prefix_legacy : wiz_valid_prefix_cur2, NULL);
	if (!str_eq(tui_text_value(&s->name), answers_export_name(&w->a)))
		tui_text_set(&s->name, answers_export_name(&w->a));
	wiz_refresh(w);
	export_pick_list(w, s);
}

static const struct plan_export_fact *picked(struct wiz *w, struct export_state *s)
{
	if (s->npick == 0)
		return NULL;
	return plan_facts_export(&w->facts, s->pick_items[s->pick.sel], s->legacy);
}

/* An export's destination (NULLs when its definition is unknown). */
static void export_dest(const struct plan_export_fact *e, const char **bucket, const char **prefix,
                        const char **region)
{
	const cJSON *d = e->definition;
	if (!e->legacy) /* a Data Export: DestinationConfigurations.S3Destination */
		d = json_obj(json_obj(d, "DestinationConfigurations"), "S3Destination");
	*bucket = d ? json_str(d, "S3Bucket") : NULL;
	*prefix = d ? json_str(d, "S3Prefix") : NULL;
	*region = d ? json_str(d, "S3Region") : NULL;
}

/* Fills name, bucket, prefix and region from the picked export's destination. */
static void export_use_picked(struct wiz *w, struct export_state *s)
{
	const struct plan_export_fact *e = picked(w, s);
	if (!e || !e->definition)
		return;
	const char *bucket, *prefix, *region;
	export_dest(e, &bucket, &prefix, &region);
	tui_text_set(&s->name, e->name);
	if (bucket)
		tui_text_set(&s->bucket, bucket);
	if (prefix)
		tui_text_set(&s->prefix, prefix);
	if (region)
		tui_text_set(&s->region, region);
	s->create.on = false;
}

static bool export_visible(const struct export_state *s, int f)
{
	switch (f) {
	case E_PICK:
		return s->setup.sel == ANSWERS_EXISTING;
	case E_REGION:
		return s->create.on;
	case E_SPLIT:
		return !s->legacy;
	default:
		return true;
	}
}

/* An export's delivered files, as known now (its own ListObjectsV2 under <prefix>/<name>/). */
static const char *delivery_words(enum discover_delivery d, bool reading)
{
	switch (d) {
	case DISCOVER_DELIVERY_FILES:
		return "files delivered";
	case DISCOVER_DELIVERY_NONE:
		return "no files delivered yet";
	case DISCOVER_DELIVERY_UNKNOWN:
		return "delivered files unknown (not listed)";
	case DISCOVER_DELIVERY_READING:
		return "looking for delivered files";
	default:
		return reading ? "looking for delivered files" : "delivered files not looked for";
	}
}

/* The page's keys; on the bucket field, with the picker's key. */
#define EXPORT_KEYS "Tab/arrows move  Space toggle  Enter continue  Esc back"

static void export_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct export_state *s = pg->state;
	struct wiz *w = W(pg);
	pg->keys = s->focus == E_BUCKET ? "F4 buckets  " EXPORT_KEYS : NULL;
	int x = b.x + 1, wd = b.w - 2, y = b.y;
	char line[400];
	/* the facts as they arrive: each export's row follows its own reads (its definition, its
	 * delivered files) while the rest of the account is still read */
	const struct plan_facts *f = wiz_live_facts(w);
	bool reading = wiz_discovering(w);
	snprintf(line, sizeof(line), "%s found in account %s:",
	         s->legacy ? "Legacy CUR reports" : "Data exports (CUR 2.0)",
	         f->account_id         ? f->account_id
	         : w->facts.account_id ? w->facts.account_id
	                               : "");
	tui_put(win, y++, x, wd, line, theme_attr(ROLE_LABEL));
	if (reading || w->cx_busy)
		wiz_draw_discovery(w, win, y++, x + 2, wd - 2);
	if (!w->cx_busy) {
		int shown = 0, total = 0;
		for (size_t i = 0; i < f->nexports; i++) {
			const struct plan_export_fact *e = &f->exports[i];
			if (e->legacy != s->legacy)
				continue;
			total++;
			if (shown >= 3)
				continue;
			struct strv reasons = STRV_INIT;
			/* a legacy report with split data: read with bucket_only (C8) */
			bool ok = e->definition &&
			          (e->legacy && export_legacy_has_split(e->definition)
			               ? export_accept_legacy_split(e->definition, NULL, &reasons)
			               : export_accept(e->definition, e->legacy, NULL, &reasons));
			/* what OptScale's listing does with it (first page only, 500 on odd ones)
			 */
			const char *odd =
			    e->legacy ? NULL : cx_export_breaks_listing(e->definition);
			if (odd) {
				ok = false;
				snprintf(line, sizeof(line),
				         "  %s  no %s: CerteroX's listing fails on it (HTTP 500)",
				         e->name, odd);
			} else if (total > (s->legacy ? CX_LEGACY_PAGE : cx_exports_page(f))) {
				ok = false;
				snprintf(line, sizeof(line),
				         "  %s  beyond the first %ld CerteroX reads", e->name,
				         s->legacy ? (long)CX_LEGACY_PAGE : cx_exports_page(f));
			} else {
				snprintf(line, sizeof(line), "  %s  %s; %s", e->name,
				         ok          ? "accepted by CerteroX"
				         : reasons.n ? reasons.v[0]
				         : reading   ? "reading its definition"
				                     : "definition unknown",
				         delivery_words(wiz_export_delivery(w, i), reading));
				if (reading && !e->definition)
					ok = true; /* not flagged before it is known */
			}
			strv_free(&reasons);
			tui_put(win, y++, x, wd, line, ok ? A_NORMAL : theme_attr(ROLE_WARN));
			const char *eb, *ep, *er;
			export_dest(e, &eb, &ep, &er);
			if (eb) { /* where it delivers: its bucket and prefix */
				snprintf(line, sizeof(line), "    bucket %s, prefix %s", eb,
				         ep && *ep ? ep : "(none)");
				tui_put(win, y++, x, wd, line, theme_attr(ROLE_DIM));
			}
			shown++;
		}
		if (total == 0 && !reading)
			tui_put(win, y++, x, wd, "  none", theme_attr(ROLE_DIM));
		else if (total > shown) {
			snprintf(line, sizeof(line), "  ... and %d more", total - shown);
			tui_put(win, y++, x, wd, line, theme_attr(ROLE_DIM));
		}
	}
	y++;
	tui_choice_draw(&s->setup, win, y++, x, wd, s->focus == E_SETUP);
	tui_put(win, y++, x + s->setup.label_w - 1, wd - s->setup.label_w,
	        setup_notes[s->setup.sel], theme_attr(ROLE_DIM));
	if (export_visible(s, E_PICK)) {
		if (s->npick == 0) {
			tui_put(win, y++, x + 2, wd - 2, "No export of this type was found.",
			        theme_attr(ROLE_WARN));
		} else {
			tui_choice_draw(&s->pick, win, y++, x, wd, s->focus == E_PICK);
		}
	}
	tui_text_draw(&s->name, win, y, x, wd, s->focus == E_NAME);
	y += 2;
	tui_text_draw(&s->bucket, win, y, x, wd, s->focus == E_BUCKET);
	y += 2;
	tui_switch_draw(&s->create, win, y++, x, wd, s->focus == E_CREATE);
	if (export_visible(s, E_REGION)) {
		tui_text_draw(&s->region, win, y, x, wd, s->focus == E_REGION);
		y += 2;
	}
	tui_text_draw(&s->prefix, win, y, x, wd, s->focus == E_PREFIX);
	y += 2;
	tui_choice_draw(&s->gran, win, y++, x, wd, s->focus == E_GRAN);
	tui_choice_draw(&s->fmt, win, y++, x, wd, s->focus == E_FMT);
	if (export_visible(s, E_SPLIT))
		tui_switch_draw(&s->split, win, y++, x, wd, s->focus == E_SPLIT);
}

static void export_move(struct export_state *s, int dir)
{
	do
		s->focus = (s->focus + dir + E_COUNT) % E_COUNT;
	while (!export_visible(s, s->focus) || (s->focus == E_PICK && s->npick == 0));
}

static bool export_check(struct wiz *w, struct export_state *s)
{
	int bad = -1;
	if (!tui_text_check(&s->name))
		bad = E_NAME;
	bool detect = s->setup.sel == ANSWERS_DETECT;
	const char *bucket = tui_text_value(&s->bucket);
	if (bad < 0 && !(detect && !*bucket)) {
		if (!*bucket) {
			str_copy(s->bucket.error, sizeof(s->bucket.error),
			         "bucket: required (except when CerteroX detects the export)");
			bad = E_BUCKET;
		} else if (!tui_text_check(&s->bucket)) {
			bad = E_BUCKET;
		}
	}
	if (bad < 0 && s->create.on && !tui_text_check(&s->region))
		bad = E_REGION;
	if (bad < 0 && !tui_text_check(&s->prefix))
		bad = E_PREFIX;
	if (bad < 0 && s->setup.sel == ANSWERS_EXISTING && s->npick == 0) {
		tui_app_status(w->app, ROLE_ERROR,
		               "No existing export of this type: choose another setup.");
		s->focus = E_SETUP;
		return false;
	}
	if (bad >= 0) {
		s->focus = bad;
		const struct tui_text *t = bad == E_NAME     ? &s->name
		                           : bad == E_BUCKET ? &s->bucket
		                           : bad == E_REGION ? &s->region
		                                             : &s->prefix;
		tui_app_status_field(w->app, t->error);
		return false;
	}
	return true;
}

/* F4 / Ctrl-L on the bucket field: the account's buckets; the one picked fills the field (and
 * the region field, used when the bucket is to be created). */
static int export_pick_bucket(struct wiz *w, struct export_state *s)
{
	char name[64], region[32];
	int r = bucket_pick(w, s->legacy, tui_text_value(&s->bucket), name, sizeof(name), region,
	                    sizeof(region));
	if (r != 1)
		return TUI_HANDLED | TUI_REDRAW;
	tui_text_set(&s->bucket, name);
	tui_text_check(&s->bucket);
	if (*region)
		tui_text_set(&s->region, region);
	s->create.on = false; /* it exists */
	tui_app_status(w->app, ROLE_NORMAL, "Bucket %s%s%s.", name, *region ? " in " : "", region);
	return TUI_HANDLED | TUI_REDRAW;
}

/* After Enter: continue only when the account has nothing to flag for these answers. */
static int export_gated(struct wiz *w, struct export_state *s)
{
	enum export_gate_result g = export_gate(w, s->gate_msg, sizeof(s->gate_msg));
	s->gate_wait = g == GATE_WAIT;
	const char *name = answers_export_name(&w->a);
	if (g == GATE_REPLACE && str_eq(s->replace_ok, name))
		g = GATE_OK; /* Enter again: replacing it is wanted (Apply now? names it) */
	switch (g) {
	case GATE_WAIT:
		tui_app_status(w->app, ROLE_NORMAL, "Checking the bucket and the exports...");
		return TUI_HANDLED;
	case GATE_BUCKET:
		s->focus = E_BUCKET;
		tui_app_status(w->app, ROLE_ERROR, "%s", s->gate_msg);
		return TUI_HANDLED;
	case GATE_REPLACE:
		s->focus = E_NAME;
		str_copy(s->replace_ok, sizeof(s->replace_ok), name);
		tui_app_status(w->app, ROLE_WARN, "%s", s->gate_msg);
		return TUI_HANDLED;
	default:
		return TUI_NEXT;
	}
}

static int export_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct export_state *s = pg->state;
	struct wiz *w = W(pg);
	if (ev->act == ACT_TICK) {
		if (!wiz_discovering(w))
			export_pick_list(w, s);
		if (s->gate_wait)
			return export_gated(w, s);
		wiz_refresh(w);
		return TUI_REDRAW;
	}
	s->gate_wait = false;
	if (s->gate_msg[0]) { /* the user acts on what was flagged: the message goes */
		s->gate_msg[0] = '\0';
		tui_app_status_clear(w->app);
	}
	if (ev->act == ACT_PICK && s->focus == E_BUCKET)
		return export_pick_bucket(w, s);
	int r = 0;
	int before_setup = s->setup.sel, before_pick = s->pick.sel;
	switch (s->focus) {
	case E_SETUP:
		r = tui_choice_action(&s->setup, ev);
		break;
	case E_PICK:
		r = tui_choice_action(&s->pick, ev);
		break;
	case E_NAME:
		r = tui_text_action(&s->name, ev);
		break;
	case E_BUCKET:
		r = tui_text_action(&s->bucket, ev);
		break;
	case E_CREATE:
		r = tui_switch_action(&s->create, ev);
		break;
	case E_REGION:
		r = tui_text_action(&s->region, ev);
		break;
	case E_PREFIX:
		r = tui_text_action(&s->prefix, ev);
		break;
	case E_GRAN:
		r = tui_choice_action(&s->gran, ev);
		break;
	case E_FMT:
		r = tui_choice_action(&s->fmt, ev);
		break;
	case E_SPLIT:
		r = tui_switch_action(&s->split, ev);
		break;
	}
	if ((s->setup.sel == ANSWERS_EXISTING &&
	     (before_setup != s->setup.sel || before_pick != s->pick.sel)))
		export_use_picked(w, s);
	if (r)
		return r;
	switch (ev->act) {
	case ACT_NEXT:
	case ACT_DOWN:
		export_move(s, 1);
		return TUI_HANDLED;
	case ACT_PREV:
	case ACT_UP:
		export_move(s, -1);
		return TUI_HANDLED;
	case ACT_ENTER: {
		if (!export_check(w, s))
			return TUI_HANDLED;
		struct answers *a = &w->a;
		a->export.setup = (enum answers_setup)s->setup.sel;
		answers_set(&a->export.name, tui_text_value(&s->name));
		a->has_export_name = true;
		answers_set(&a->export.bucket,
		            *tui_text_value(&s->bucket) ? tui_text_value(&s->bucket) : NULL);
		a->export.create_bucket = s->create.on;
		if (s->create.on)
			answers_set(&a->export.bucket_region, tui_text_value(&s->region));
		answers_set(&a->export.prefix, tui_text_value(&s->prefix));
		a->export.granularity = s->gran.sel ? ANSWERS_HOURLY : ANSWERS_DAILY;
		a->export.format = s->fmt.sel ? ANSWERS_PARQUET : ANSWERS_CSV;
		a->export.split_cost_allocation = s->split.on;
		a->has_export = true;
		return export_gated(w, s);
	}
	default:
		return 0;
	}
}

static bool export_applies(struct tui_page *pg)
{
	return in_flow(pg, FLOW_EXPORT) && W(pg)->a.action != ANSWERS_MIGRATE; /* page_migrate.c */
}

const struct page_ops page_export_ops = {
    .title = "Data export",
    .keys = EXPORT_KEYS,
    .help = "The exports found in the account are listed with CerteroX's verdict (accepted, or "
            "the rule it breaks) and whether AWS has delivered files yet.\nSetup: create the "
            "export now, let CerteroX create it, use an existing one, or let CerteroX detect "
            "it.\nBucket: an existing bucket, or switch on 'Create the bucket' and give its "
            "region. F4 (or Ctrl-L, where the terminal takes F4) on the bucket field lists the "
            "account's buckets with their regions: Enter fills the field, Esc leaves it; a "
            "bucket legacy CUR cannot deliver to (its region) is marked. Each field is checked "
            "as you type.",
    .init = export_init,
    .enter = export_enter,
    .draw = export_draw,
    .on_action = export_action,
    .applies = export_applies,
    .destroy = export_free,
};

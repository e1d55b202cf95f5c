/* page_status.c - "Check connected data sources": the read-only checks of run/status.h over
 * every AWS data source of the organization, in parallel, with the screen live. A table (data
 * source, account, export, last delivery, key age, last import) with a symbol and a colour
 * per state (status_rows.h: checking, ok, problem, waiting, unreachable; the symbols, distinct
 * in ASCII too, and a legend carry it without colour), the cells that hold a problem in its
 * colour; Enter shows a row's checks and offers the wizard action that fixes its problem. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run/status.h"
#include "tui/modal.h"
#include "tui/widgets/theme.h"
#include "tui/pages/status_rows.h"
#include "tui/pages/unlock.h"
#include "tui/wiz.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/str.h"

#define W(pg) ((struct wiz *)(pg)->ctx)

struct status_page {
	struct status_run *run;
	size_t cursor, top;
	size_t checked;
	struct tui_unlock unlock; /* `u`: the vault being unlocked for the key checks */
	struct vault *vault;      /* unlocked here (read-only; closed when the page is left) */
};

static struct vault *page_vault(struct tui_page *pg)
{
	struct status_page *s = pg->state;
	return W(pg)->vault ? W(pg)->vault : s->vault;
}

static void progress(void *ud, const struct status_run *r, size_t i)
{
	(void)r;
	(void)i;
	struct tui_page *pg = ud;
	struct status_page *s = pg->state;
	s->checked++;
	tui_app_wake(pg->app);
}

static void finished(struct status_run *r, void *ud)
{
	(void)r;
	struct tui_page *pg = ud;
	tui_app_set_busy(pg->app, false);
	tui_app_wake(pg->app);
}

static void stop(struct tui_page *pg)
{
	struct status_page *s = pg->state;
	if (!s || !s->run)
		return;
	if (!status_done(s->run)) {
		status_cancel(s->run);
		/* the cancelled ops complete from the next perform; wait for them here */
		for (int k = 0; k < 100 && !status_done(s->run); k++) {
			http_ctx_poll(W(pg)->s.http, 50, NULL, 0);
			http_ctx_perform(W(pg)->s.http);
		}
	}
	status_free(s->run);
	s->run = NULL;
}

static void start(struct tui_page *pg)
{
	struct status_page *s = pg->state;
	struct wiz *w = W(pg);
	stop(pg);
	s->checked = 0;
	if (!w->session_ok || !w->cx_ready)
		return;
	struct status_opts o = {
	    .session = &w->s, .vault = page_vault(pg), .progress = progress, .progress_ud = pg};
	tui_app_set_busy(pg->app, true);
	s->run = status_start(&o, finished, pg);
}

static void status_init(struct tui_page *pg)
{
	pg->state = xcalloc(1, sizeof(struct status_page));
}

static void status_enter(struct tui_page *pg, int how)
{
	struct status_page *s = pg->state;
	if (how == TUI_NEXT || !s->run)
		start(pg);
}

static void status_leave(struct tui_page *pg, int how)
{
	(void)how;
	struct status_page *s = pg->state;
	stop(pg);
	tui_unlock_abandon(&s->unlock);
	vault_close(s->vault); /* its lock would keep the wizard's own vault page out */
	s->vault = NULL;
}

static void status_destroy(struct tui_page *pg)
{
	struct status_page *s = pg->state;
	if (s) {
		stop(pg);
		tui_unlock_abandon(&s->unlock);
		vault_close(s->vault);
	}
	free(s);
	pg->state = NULL;
}

/* `u`: asks for the passphrase and starts unlocking (the screen stays live). */
static void unlock(struct tui_page *pg)
{
	struct status_page *s = pg->state;
	struct wiz *w = W(pg);
	if (page_vault(pg)) {
		tui_app_status(pg->app, ROLE_NORMAL, "The vault is unlocked already.");
		return;
	}
	if (access(w->vault_file, F_OK) != 0) {
		tui_app_status(pg->app, ROLE_WARN,
		               "No vault at %s: nothing to check the keys with.", w->vault_file);
		return;
	}
	struct tui_masked m;
	tui_masked_init(&m, "Passphrase", 1024);
	struct buf b;
	buf_init(&b);
	buf_printf(&b,
	           "Unlock the vault (read-only) to check each data source's key with "
	           "itself:\n%s",
	           w->vault_file);
	if (tui_prompt_masked(pg->app, "Unlock the vault", buf_str(&b), &m)) {
		if (tui_masked_len(&m) == 0)
			tui_app_status(pg->app, ROLE_ERROR, "The passphrase must not be empty.");
		else if (!tui_unlock_start(&s->unlock, pg->app, w->vault_file, tui_masked_value(&m),
		                           NULL, "Unlocking the vault (Argon2id)...",
		                           TUI_HANDLED | TUI_REDRAW, "Not unlocking"))
			tui_app_status(pg->app, ROLE_ERROR, "Vault not opened: %s",
			               tui_unlock_why(&s->unlock));
	}
	tui_masked_free(&m);
	buf_free(&b);
}

static void start(struct tui_page *pg);

static int unlocked(struct tui_page *pg)
{
	struct status_page *s = pg->state;
	struct vault *v = NULL;
	int after = tui_unlock_end(&s->unlock, pg->app, &v);
	if (after)
		return after;
	if (!v) {
		tui_app_status(pg->app, ROLE_ERROR, "Vault not opened: %s",
		               tui_unlock_why(&s->unlock));
		return TUI_HANDLED | TUI_REDRAW;
	}
	s->vault = v;
	start(pg); /* again, with each key checked with itself */
	return TUI_HANDLED | TUI_REDRAW;
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

/* "2026-12-03T16:25:36.938Z" -> "12-03 16:25" */
static void short_time(const char *iso, char *out, size_t n)
{
	long long t = status_parse_time(iso);
	if (t < 0) {
		snprintf(out, n, "-");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, n, "%m-%d %H:%M", &tm);
}

static void short_epoch(long long t, char *out, size_t n)
{
	if (t <= 0) {
		snprintf(out, n, "never");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, n, "%m-%d %H:%M", &tm);
}

static const char *export_cell(const struct status_ds *d)
{
	if (d->linked)
		return "(linked)";
	if (!d->reachable)
		return "unchecked";
	if (d->export_exists == STATUS_NO)
		return "missing";
	if (d->legacy)
		return d->report_last_status ? d->report_last_status : "no delivery";
	return d->export_status ? d->export_status : "-";
}

/* The columns after the state symbol (the symbol is 1 column, 4 in ASCII: drawn apart), each
 * cell drawn on its own so that a cell holding a problem has its colour. */
enum { COL_NAME, COL_ACCOUNT, COL_EXPORT, COL_DELIVERY, COL_KEY, COL_IMPORT, NCOLS };
static const int col_w[NCOLS] = {13, 12, 10, 13, 7, 11};
static const char *const col_head[NCOLS] = {"Data source",   "Account", "Export",
                                            "Last delivery", "Key age", "Last import"};

static enum tui_role state_role(enum srow_state st)
{
	switch (st) {
	case SROW_OK:
		return ROLE_OK;
	case SROW_PROBLEM:
		return ROLE_ERROR;
	case SROW_WAITING:
		return ROLE_WARN;
	case SROW_UNREACHABLE:
		return ROLE_UNKNOWN;
	default:
		return ROLE_DIM;
	}
}

static const char *state_sym(enum srow_state st, unsigned tick)
{
	const char *sym = srow_symbol(st, theme_ascii());
	return sym ? sym : theme_spinner(tick);
}

struct row_cells {
	char name[64], deliv[16], imp[16], age[24];
	const char *v[NCOLS];
};

static void row_cells(const struct status_ds *d, struct row_cells *c)
{
	snprintf(c->name, sizeof(c->name), "%s", dash(d->name));
	if (d->linked)
		snprintf(c->deliv, sizeof(c->deliv), "-");
	else
		short_time(d->last_delivery ? d->last_delivery : d->report_last_delivery, c->deliv,
		           sizeof(c->deliv));
	short_epoch(d->last_import_at, c->imp, sizeof(c->imp));
	if (d->key_age_days >= 0)
		snprintf(c->age, sizeof(c->age), "%ld d", d->key_age_days);
	else
		snprintf(c->age, sizeof(c->age), "-");
	c->v[COL_NAME] = c->name;
	c->v[COL_ACCOUNT] = dash(d->account_id);
	c->v[COL_EXPORT] = export_cell(d);
	c->v[COL_DELIVERY] = c->deliv;
	c->v[COL_KEY] = c->age;
	c->v[COL_IMPORT] = c->imp;
}

/* The column of a problem cell of status_rows.h; -1 none. */
static int cell_col(enum srow_cell c)
{
	switch (c) {
	case SROW_CELL_EXPORT:
		return COL_EXPORT;
	case SROW_CELL_DELIVERY:
		return COL_DELIVERY;
	case SROW_CELL_KEY:
		return COL_KEY;
	case SROW_CELL_IMPORT:
		return COL_IMPORT;
	default:
		return -1;
	}
}

/* Draws the cells v from (y, x) within wd columns, attrs[i] for cell i; a cell wider than
 * its column ends with an ellipsis where it is cut. */
static void put_cells(WINDOW *win, int y, int x, int wd, const char *const *v, const attr_t *attrs)
{
	int cx = x;
	for (int i = 0; i < NCOLS && cx < x + wd; i++) {
		int w = col_w[i] < x + wd - cx ? col_w[i] : x + wd - cx;
		tui_put_clipped(win, y, cx, w, v[i], attrs[i]);
		cx += col_w[i] + 1;
	}
}

/* One table row: the symbol and the name in the state's colour, the cells that hold a
 * problem in that problem's colour (bold and underlined on the highlighted row). */
static void draw_row(WINDOW *win, int y, int x, int wd, int symw, const struct status_ds *d,
                     bool cursor, unsigned tick)
{
	enum srow_state st = srow_state(d);
	attr_t a = theme_attr(state_role(st));
	attr_t base = cursor ? theme_attr(ROLE_FOCUS) : A_NORMAL;
	struct row_cells c;
	row_cells(d, &c);
	attr_t attrs[NCOLS];
	for (int i = 0; i < NCOLS; i++)
		attrs[i] = base;
	attrs[COL_NAME] = cursor ? base : a;
	for (size_t k = 0; d->done && k < d->nproblems; k++) {
		int col = cell_col(srow_code_cell(d->problems[k].code));
		if (col < 0)
			continue;
		attrs[col] = cursor ? base | A_BOLD | A_UNDERLINE
		                    : theme_attr(state_role(srow_code_state(d->problems[k].code)));
	}
	if (cursor)
		tui_fill(win, y, x, wd, base);
	tui_put(win, y, x, symw, state_sym(st, tick), a);
	put_cells(win, y, x + symw + 1, wd - symw - 1, c.v, attrs);
}

/* The legend: each state's symbol in its colour, and its word. */
static void draw_legend(WINDOW *win, int y, int x, int wd)
{
	static const enum srow_state order[] = {SROW_OK, SROW_PROBLEM, SROW_WAITING,
	                                        SROW_UNREACHABLE, SROW_CHECKING};
	size_t n = sizeof(order) / sizeof(order[0]);
	int cx = x;
	for (size_t i = 0; i < n && cx < x + wd; i++) {
		enum srow_state st = order[i];
		cx +=
		    tui_put(win, y, cx, x + wd - cx, state_sym(st, 0), theme_attr(state_role(st)));
		char w[40];
		snprintf(w, sizeof(w), " %s%s", srow_word(st), i + 1 < n ? "  " : "");
		if (cx < x + wd)
			cx += tui_put(win, y, cx, x + wd - cx, w, theme_attr(ROLE_DIM));
	}
}

static void status_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct status_page *s = pg->state;
	struct wiz *w = W(pg);
	int x = b.x + 1, wd = b.w - 2, y = b.y + 1;
	char line[400];
	if (!s->run) {
		snprintf(line, sizeof(line),
		         "The checks need CerteroX: %s. Sign in on the CerteroX page of Connect "
		         "(or start with CERTEROX_URL and CERTEROX_TOKEN), then come back.",
		         w->cx_st != CX_OK ? w->cx_err.msg : "not signed in yet");
		struct tui_rect r = {y, x, 4, wd};
		tui_put_wrapped(win, r, line, theme_attr(ROLE_WARN));
		return;
	}
	struct cx_err err;
	size_t n = status_count(s->run);
	bool done = status_done(s->run);
	if (done && status_result(s->run, &err) != CX_OK) {
		snprintf(line, sizeof(line), "The checks could not run: %s", err.msg);
		struct tui_rect r = {y, x, 4, wd};
		tui_put_wrapped(win, r, line, theme_attr(ROLE_ERROR));
		return;
	}
	if (!done)
		snprintf(line, sizeof(line), "Checking %zu AWS data source%s (read-only): %zu done",
		         n, n == 1 ? "" : "s", s->checked);
	else
		snprintf(line, sizeof(line), "%zu AWS data source%s checked: %zu problem%s", n,
		         n == 1 ? "" : "s", status_problem_count(s->run),
		         status_problem_count(s->run) == 1 ? "" : "s");
	tui_put(win, y++, x, wd, line, A_NORMAL);
	snprintf(line, sizeof(line), "Administrator's account %s; vault %s",
	         *status_admin_account(s->run) ? status_admin_account(s->run) : "...",
	         page_vault(pg) ? "unlocked: keys checked" : "locked: keys not checked (u)");
	tui_put(win, y++, x, wd, line, theme_attr(ROLE_DIM));
	y++;
	int symw = theme_ascii() ? 4 : 1;
	attr_t heads[NCOLS];
	for (int i = 0; i < NCOLS; i++)
		heads[i] = theme_attr(ROLE_LABEL);
	put_cells(win, y++, x + symw + 1, wd - symw - 1, col_head, heads);
	int rows = b.y + b.h - y - 4;
	if (rows < 1)
		rows = 1;
	if (s->cursor >= n && n)
		s->cursor = n - 1;
	if (s->cursor < s->top)
		s->top = s->cursor;
	if (s->cursor >= s->top + (size_t)rows)
		s->top = s->cursor - (size_t)rows + 1;
	for (size_t i = s->top; i < n && (int)(i - s->top) < rows; i++)
		draw_row(win, y++, x, wd, symw, status_get(s->run, i), i == s->cursor,
		         tui_app_tick(pg->app));
	if (n == 0 && done)
		tui_put(win, y++, x, wd, "No AWS data source in the organization.", A_NORMAL);
	if (n)
		draw_legend(win, b.y + b.h - 4, x, wd);
	const struct status_ds *d = n ? status_get(s->run, s->cursor) : NULL;
	if (d && d->done) {
		struct buf bb;
		buf_init(&bb);
		if (d->nproblems) {
			for (size_t k = 0; k < d->nproblems; k++)
				buf_printf(&bb, "%s%s", k ? ", " : "", d->problems[k].code);
			buf_printf(&bb, ". Enter: the checks and the fix.");
		} else {
			buf_printf(&bb, "%s: no problem. Enter: the checks.", dash(d->name));
		}
		struct tui_rect r = {b.y + b.h - 3, x, 3, wd};
		enum srow_state st = srow_state(d);
		tui_put_wrapped(win, r, buf_str(&bb),
		                st == SROW_OK ? theme_attr(ROLE_DIM) : theme_attr(state_role(st)));
		buf_free(&bb);
	}
}

static const char *tri(enum status_tri t, const char *yes, const char *no)
{
	return t == STATUS_YES ? yes : t == STATUS_NO ? no : "not checked";
}

static const char *action_name(const char *a)
{
	return str_eq(a, "rotate")    ? "Rotate"
	       : str_eq(a, "migrate") ? "Switch to CUR 2.0"
	                              : "Connect";
}

static char *details(const struct status_ds *d)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s (%s)\nAccount %s, %s%s\n", dash(d->name), dash(d->id),
	           dash(d->account_id), d->linked ? "Linked" : "Root",
	           d->reachable ? "" : " (not reachable with the administrator's credentials)");
	if (!d->linked) {
		buf_printf(&b, "\nExport (%s) %s: %s\n", d->legacy ? "legacy CUR" : "CUR 2.0",
		           dash(d->report), tri(d->export_exists, "exists", "missing"));
		if (!d->legacy)
			buf_printf(&b, "  status %s%s%s, refreshed %s\n  latest execution %s%s%s\n",
			           dash(d->export_status), d->export_reason ? " " : "",
			           d->export_reason ? d->export_reason : "",
			           dash(d->export_refreshed_at), dash(d->exec_status),
			           d->exec_reason ? " " : "", d->exec_reason ? d->exec_reason : "");
		else
			buf_printf(&b, "  last delivery %s: %s\n", dash(d->report_last_delivery),
			           dash(d->report_last_status));
		buf_printf(&b, "\nBucket %s: %s\n  policy lets AWS deliver: %s\n", dash(d->bucket),
		           tri(d->bucket_exists, "exists", "missing"),
		           tri(d->policy_permits, "yes", "no"));
		if (d->listed == STATUS_YES)
			buf_printf(&b, "  billing period %s: %zu file%s, last delivered %s\n",
			           dash(d->latest_period), d->files, d->files == 1 ? "" : "s",
			           dash(d->last_delivery));
	}
	buf_printf(&b, "\nAccess key %s: %s\n", dash(d->access_key_id),
	           tri(d->key_exists, "exists", "missing"));
	if (d->key_exists == STATUS_YES)
		buf_printf(&b, "  user %s, %s, %ld days old, last used %s\n", dash(d->key_user),
		           dash(d->key_status), d->key_age_days, dash(d->key_last_used_at));
	buf_printf(&b, "  in the vault: %s; permissions proved with the key: %s\n",
	           tri(d->in_vault, "yes", "no"), tri(d->permissions, "yes", "no"));
	char imp[32], att[32];
	short_epoch(d->last_import_at, imp, sizeof(imp));
	short_epoch(d->last_import_attempt_at, att, sizeof(att));
	buf_printf(&b, "\nCerteroX: last import %s, last attempt %s\n", imp, att);
	if (d->last_import_attempt_error)
		buf_printf(&b, "  error: %s\n", d->last_import_attempt_error);
	for (size_t k = 0; k < d->errors.n; k++)
		buf_printf(&b, "\nNot checked: %s", d->errors.v[k]);
	if (d->nproblems)
		buf_printf(&b, "\n\nProblems\n");
	for (size_t k = 0; k < d->nproblems; k++)
		buf_printf(&b, "\n%s %s\n  %s\n  Fix: %s\n",
		           srow_symbol(srow_code_state(d->problems[k].code), theme_ascii()),
		           d->problems[k].code, d->problems[k].message, d->problems[k].fix);
	if (!d->nproblems)
		buf_printf(&b, "\n%s No problem.\n", srow_symbol(SROW_OK, theme_ascii()));
	else if (srow_fix_action(d))
		buf_printf(&b, "\nOn closing this, the wizard offers %s.\n",
		           action_name(srow_fix_action(d)));
	else
		buf_printf(&b, "\nNo wizard action repairs this: the fix above says what to do.\n");
	char *out = xstrdup(buf_str(&b));
	buf_free(&b);
	return out;
}

/* Word-wraps text to cols columns (the text view cuts long lines anywhere: an id or a time
 * would be split); continuation lines keep the line's indentation plus two. */
static char *wrap(const char *text, int cols)
{
	struct buf b;
	buf_init(&b);
	const char *p = text;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		size_t ind = 0;
		while (ind < len && p[ind] == ' ')
			ind++;
		size_t pos = 0;
		bool first = true;
		while (pos < len || first) {
			size_t avail = (size_t)cols - (first ? 0 : ind + 2);
			size_t take = len - pos;
			if (tui_width(p + pos, take) > (int)avail) {
				take = tui_fit(p + pos, len - pos, (int)avail);
				size_t sp = take;
				while (sp > 0 && p[pos + sp] != ' ')
					sp--;
				if (sp > 0)
					take = sp;
			}
			if (!first)
				buf_printf(&b, "%*s", (int)(ind + 2), "");
			buf_append(&b, p + pos, take);
			buf_append(&b, "\n", 1);
			pos += take;
			while (pos < len && p[pos] == ' ')
				pos++;
			first = false;
		}
		p += len + (eol ? 1 : 0);
	}
	char *out = xstrdup(buf_str(&b));
	buf_free(&b);
	return out;
}

static int offer_fix(struct tui_page *pg, const struct status_ds *d)
{
	struct wiz *w = W(pg);
	const char *a = srow_fix_action(d);
	if (!a)
		return TUI_HANDLED | TUI_REDRAW;
	char q[400];
	bool rotate = str_eq(a, "rotate"), migrate = str_eq(a, "migrate");
	if (rotate)
		snprintf(q, sizeof(q),
		         "Start Rotate now for %s? A new access key is saved in the vault, checked "
		         "and given to CerteroX; every change is shown for review first.",
		         dash(d->name));
	else
		snprintf(q, sizeof(q),
		         "Start %s now for account %s? It reads first and shows every change "
		         "for review before anything is applied.",
		         migrate ? "Switch to CUR 2.0" : "Connect", dash(d->account_id));
	int yes = tui_confirm(pg->app, "Fix", q, true);
	if (yes != 1)
		return TUI_HANDLED | TUI_REDRAW;
	w->start = rotate ? WIZ_ROTATE : migrate ? WIZ_MIGRATE : WIZ_CONNECT;
	w->a.action = rotate ? ANSWERS_ROTATE : migrate ? ANSWERS_MIGRATE : ANSWERS_CONNECT;
	if (rotate) /* the rotate's data source page has it chosen */
		answers_set(&w->a.rotate.data_source_id, d->id);
	if (w->a.action == ANSWERS_CONNECT)
		w->a.connection = d->linked ? ANSWERS_LINKED : ANSWERS_ROOT;
	wiz_refresh(w);
	return TUI_NEXT;
}

static int status_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct status_page *s = pg->state;
	if (tui_unlock_running(&s->unlock)) {
		int answer;
		return tui_unlock_action(&s->unlock, pg->app, ev, &answer) ? unlocked(pg) : answer;
	}
	size_t n = s->run ? status_count(s->run) : 0;
	switch (ev->act) {
	case ACT_TICK:
		return TUI_REDRAW;
	case ACT_UP:
		if (s->cursor > 0)
			s->cursor--;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_DOWN:
		if (s->cursor + 1 < n)
			s->cursor++;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_HOME:
		s->cursor = 0;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_END:
		s->cursor = n ? n - 1 : 0;
		return TUI_HANDLED | TUI_REDRAW;
	case ACT_CHAR:
		if (ev->ch == 'r') {
			start(pg);
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (ev->ch == 'u') {
			unlock(pg);
			return TUI_HANDLED | TUI_REDRAW;
		}
		return 0;
	case ACT_ENTER: {
		if (!n)
			return TUI_HANDLED;
		const struct status_ds *d = status_get(s->run, s->cursor);
		if (!d->done) {
			tui_app_status(pg->app, ROLE_NORMAL, "Still checking %s; one moment.",
			               dash(d->name));
			return TUI_HANDLED;
		}
		char *text = details(d);
		int cols = tui_app_body(pg->app).w - 6;
		char *wrapped = wrap(text, cols < 40 ? 40 : cols);
		tui_show_text(pg->app, dash(d->name), wrapped);
		free(wrapped);
		free(text);
		return offer_fix(pg, d);
	}
	default:
		return 0;
	}
}

static bool status_applies(struct tui_page *pg)
{
	return W(pg)->start == WIZ_CHECK;
}

/* An Enter on a data source still being checked is kept by the app (page_ops.loading): its
 * details open once its checks end. */
static const char *status_loading(struct tui_page *pg)
{
	struct status_page *s = pg->state;
	static char why[200];
	if (tui_unlock_running(&s->unlock) || !s->run || !status_count(s->run))
		return NULL;
	const struct status_ds *d = status_get(s->run, s->cursor);
	if (d->done)
		return NULL;
	snprintf(why, sizeof(why), "Still checking %s; its details open when it is checked.",
	         dash(d->name));
	return why;
}

const struct page_ops page_status_ops = {
    .title = "Check connected data sources",
    .keys = "Up/Down  Enter details  r recheck  u unlock  Esc back",
    .help = "Every AWS data source of the CerteroX organization, checked read-only and in "
            "parallel: its export (status, latest execution), bucket (exists, policy lets AWS "
            "deliver, files delivered), access key (exists, active, age, last use; with the "
            "vault unlocked, each permission proved with the key itself) and CerteroX's last "
            "import.\nA row's symbol and colour give its state (the legend under the table): "
            "a check mark, no problem; a cross, a problem; an hourglass, waiting for AWS's "
            "first delivery; a question mark, its account not reachable with these "
            "credentials; a spinner, still checking. In ASCII: [ok], [!!], [~~], [??]. A cell "
            "that holds a problem is in its colour.\n"
            "Enter shows its checks and offers the wizard action that fixes the problem.\n"
            "Nothing is written.",
    .init = status_init,
    .enter = status_enter,
    .draw = status_draw,
    .on_action = status_action,
    .loading = status_loading,
    .leave = status_leave,
    .applies = status_applies,
    .destroy = status_destroy,
};

/* page_org.c - "Connect member accounts of this Organization": the checklist of member
 * accounts and the access mode, the review of the documents, the apply (one line per account)
 * and Done. The flow is Welcome -> CerteroX -> these two -> Credential vault -> apply -> done;
 * the work is run/org's (org_scan, org_run) on the worker thread of orgwork.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "options.h"
#include "tui/modal.h"
#include "tui/orgwork.h"
#include "tui/widgets/theme.h"
#include "tui/wiz.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/status.h"
#include "util/str.h"

#define W(pg) ((struct wiz *)(pg)->ctx)

enum { F_LIST = 0, F_ACCESS };
enum { NDOCS = 3 };

static const char *const access_items[] = {"role: one key, a role in each account",
                                           "user: a user and a key in each account"};

struct tui_org {
	struct org_work *ow;
	/* the checklist */
	bool scan_started, scanned;
	enum cx_status scan_st;
	struct cx_err scan_err;
	bool *sel;
	int cursor, top, rows; /* rows: list rows drawn last */
	int focus;
	struct tui_choice access;
	struct org_answers ans;
	bool have_ans;
	/* the review */
	struct tui_view view;
	bool view_init;
	int doc, ndocs;
	char *docs[NDOCS];
	const char *titles[NDOCS];
	/* the apply */
	struct tui_progress prog;
	struct tui_log log;
	char **ids; /* the progress lines' accounts */
	int nids;
	bool started, finished, reported;
	enum cx_status run_st;
	struct cx_err run_err;
	int left, running;
	int tot[5];
	bool busy; /* holds the app's busy count once (hold_busy) */
	/* done */
	struct tui_view done;
	bool done_init;
};

void tui_org_free(struct tui_org *t)
{
	if (!t)
		return;
	org_work_free(t->ow); /* first: joins a worker still running */
	free(t->sel);
	org_answers_free(&t->ans);
	if (t->view_init)
		tui_view_free(&t->view);
	if (t->done_init)
		tui_view_free(&t->done);
	for (int i = 0; i < NDOCS; i++)
		free(t->docs[i]);
	tui_progress_free(&t->prog);
	tui_log_free(&t->log);
	for (int i = 0; i < t->nids; i++)
		free(t->ids[i]);
	free(t->ids);
	free(t);
}

static struct tui_org *T(struct tui_page *pg)
{
	struct wiz *w = W(pg);
	if (!w->org) {
		struct tui_org *t = xcalloc(1, sizeof(*t));
		t->ow = org_work_new();
		cx_err_clear(&t->scan_err);
		cx_err_clear(&t->run_err);
		tui_choice_init(&t->access, "Access mode", access_items, 2, 0);
		tui_progress_init(&t->prog);
		tui_log_init(&t->log, 300);
		w->org = t;
	}
	return w->org;
}

/* The title's spinner and the ticks while the flow waits or its worker runs (held once). */
static void hold_busy(struct wiz *w, struct tui_org *t, bool on)
{
	if (on != t->busy)
		tui_app_set_busy(w->app, on);
	t->busy = on;
}

static bool org_applies(struct tui_page *pg)
{
	return W(pg)->start == WIZ_ORG;
}

static const struct org_scan *scan_of(const struct tui_org *t)
{
	const struct org_scan *sc = NULL;
	org_work_scan_result(t->ow, &sc, NULL);
	return sc;
}

/* ---- the checklist ---- */

/* The session may be lent once nothing else uses it (discovery, the CerteroX sign-in). */
static bool session_free(const struct wiz *w)
{
	return w->session_ok && !w->disc && !w->cx_busy && !w->lent;
}

static void scan_poll(struct wiz *w, struct tui_org *t)
{
	if (t->scanned)
		return;
	hold_busy(w, t, true); /* ticks until the session is free, then while the scan runs */
	if (!t->scan_started && session_free(w)) {
		t->scan_started = true;
		w->lent = true;
		if (!org_work_scan(t->ow, &w->s, "CerteroXDiscover"))
			w->lent = false;
	}
	if (!t->scan_started || org_work_busy(t->ow))
		return;
	w->lent = false;
	hold_busy(w, t, false);
	t->scanned = true;
	const struct org_scan *sc = NULL;
	t->scan_st = org_work_scan_result(t->ow, &sc, &t->scan_err);
	if (t->scan_st != CX_OK)
		return;
	free(t->sel);
	t->sel = xcalloc(sc->n ? sc->n : 1, sizeof(bool));
	for (size_t i = 0; i < sc->n; i++) /* the accounts still to connect */
		t->sel[i] = org_member_selectable(&sc->items[i]) && !sc->items[i].ds_id;
	t->access.sel = sc->can_role ? 0 : 1;
}

static void acc_enter(struct tui_page *pg, int how)
{
	(void)how;
	scan_poll(W(pg), T(pg));
}

static int nselected(const struct tui_org *t, const struct org_scan *sc)
{
	int n = 0;
	for (size_t i = 0; sc && i < sc->n; i++)
		n += t->sel[i];
	return n;
}

static void acc_note(const struct tui_org *t, const struct org_scan *sc, char *out, size_t n)
{
	const struct org_member *m =
	    t->cursor >= 0 && (size_t)t->cursor < sc->n ? &sc->items[t->cursor] : NULL;
	if (t->focus == F_ACCESS || !m) {
		if (!sc->can_role)
			snprintf(out, n,
			         "This CerteroX does not accept the assume-role keys (OptScale "
			         "before %s): user access only.",
			         ORG_ASSUME_ROLE_RELEASE);
		else if (t->access.sel == 0)
			snprintf(out, n,
			         "Role: one IAM user and key in the management account may "
			         "only assume the role CerteroXDiscover made in each account.");
		else
			snprintf(out, n,
			         "User: each account gets its own IAM user and key (the "
			         "guide's way); every secret is saved in the vault.");
	} else if (m->management) {
		snprintf(out, n,
		         "The management account itself: connect it with \"Connect a new "
		         "AWS data source\".");
	} else if (!str_eq(m->status, "ACTIVE")) {
		snprintf(out, n, "%s is %s: only ACTIVE accounts can be connected.", m->id,
		         m->status);
	} else if (m->ds_id) {
		snprintf(out, n,
		         "Already connected in CerteroX as \"%s\": the run leaves it as it is.",
		         m->ds_name ? m->ds_name : "");
	} else {
		snprintf(out, n, "%s <%s>", m->name, m->email);
	}
}

static void acc_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct wiz *w = W(pg);
	struct tui_org *t = T(pg);
	int x = b.x + 1, wd = b.w - 2, y = b.y + 1;
	char line[600];
	if (!t->scanned) {
		snprintf(line, sizeof(line),
		         "%s Listing the Organization's accounts and CerteroX's data sources "
		         "(read-only)...",
		         theme_spinner(tui_app_tick(w->app)));
		tui_put(win, y, x, wd, line, theme_attr(ROLE_DIM));
		return;
	}
	if (t->scan_st != CX_OK) {
		char buf[1400];
		snprintf(line, sizeof(line), "%s %s", theme_sym(SYM_FAIL),
		         cx_err_format(&t->scan_err, buf, sizeof(buf)));
		struct tui_rect r = {y, x, 6, wd};
		tui_put_wrapped(win, r, line, theme_attr(ROLE_ERROR));
		return;
	}
	const struct org_scan *sc = scan_of(t);
	snprintf(line, sizeof(line), "Organization of %s: %zu accounts, %d selected",
	         sc->management, sc->n, nselected(t, sc));
	tui_put(win, y++, x, wd, line, theme_attr(ROLE_LABEL));
	y++;
	int cid = x + 6, cname = cid + 14, cmail = cname + 13, cstat = cmail + 24, ccx = cstat + 11;
	attr_t la = theme_attr(ROLE_LABEL);
	tui_put(win, y, cid, 12, "Account", la);
	tui_put(win, y, cname, 11, "Name", la);
	tui_put(win, y, cmail, 22, "E-mail", la);
	tui_put(win, y, cstat, 9, "Status", la);
	tui_put(win, y++, ccx, x + wd - ccx, "CerteroX", la);
	t->rows = b.y + b.h - 4 - y;
	if (t->rows < 1)
		t->rows = 1;
	if (t->cursor < t->top)
		t->top = t->cursor;
	if (t->cursor >= t->top + t->rows)
		t->top = t->cursor - t->rows + 1;
	for (int r = 0; r < t->rows && (size_t)(t->top + r) < sc->n; r++) {
		int i = t->top + r;
		const struct org_member *m = &sc->items[i];
		bool can = org_member_selectable(m);
		bool cur = i == t->cursor && t->focus == F_LIST;
		attr_t a = cur ? theme_attr(ROLE_FOCUS) : can ? A_NORMAL : theme_attr(ROLE_DIM);
		if (cur) {
			tui_fill(win, y, x, wd, a);
			tui_put(win, y, x, 2, theme_sym(SYM_ARROW), a);
		}
		tui_put(win, y, x + 2, 3, !can ? "[-]" : t->sel[i] ? "[x]" : "[ ]", a);
		tui_put(win, y, cid, 12, m->id, a);
		tui_put_clipped(win, y, cname, 11, m->name, a);
		tui_put_clipped(win, y, cmail, 22, m->email, a);
		tui_put_clipped(win, y, cstat, 9, m->management ? "manages" : m->status, a);
		tui_put(win, y, ccx, x + wd - ccx, m->ds_id ? "yes" : "-", a);
		y++;
	}
	if (sc->n > (size_t)t->rows) {
		snprintf(line, sizeof(line), "%d-%zu of %zu", t->top + 1,
		         (size_t)(t->top + t->rows) < sc->n ? (size_t)(t->top + t->rows) : sc->n,
		         sc->n);
		tui_put(win, b.y + b.h - 4, x + wd - (int)strlen(line), (int)strlen(line), line,
		        theme_attr(ROLE_DIM));
	}
	tui_choice_draw(&t->access, win, b.y + b.h - 3, x, wd, t->focus == F_ACCESS);
	acc_note(t, sc, line, sizeof(line));
	struct tui_rect nr = {b.y + b.h - 2, x + 2, 2, wd - 2};
	tui_put_wrapped(win, nr, line, theme_attr(ROLE_DIM));
}

static void move_to(struct tui_org *t, const struct org_scan *sc, int to)
{
	if (to < 0)
		to = 0;
	if (sc->n && (size_t)to >= sc->n)
		to = (int)sc->n - 1;
	t->cursor = to;
}

static int acc_continue(struct wiz *w, struct tui_org *t, const struct org_scan *sc)
{
	if (nselected(t, sc) == 0) {
		tui_app_status(w->app, ROLE_ERROR,
		               "Choose at least one account: Space selects it, a selects all.");
		return TUI_HANDLED;
	}
	if (t->access.sel == 0 && !sc->can_role) {
		tui_app_status(
		    w->app, ROLE_ERROR,
		    "Access mode role needs a CerteroX that accepts assume_role_account_id "
		    "and assume_role_name (OptScale " ORG_ASSUME_ROLE_RELEASE " and later): choose "
		    "user.");
		t->focus = F_ACCESS;
		return TUI_HANDLED;
	}
	struct cx_err err;
	cx_err_clear(&err);
	org_answers_free(&t->ans);
	if (org_answers_parse(NULL, &t->ans, &err) != CX_OK) {
		tui_app_status(w->app, ROLE_ERROR, "%s", err.msg);
		return TUI_HANDLED;
	}
	t->have_ans = true;
	t->ans.all = false;
	for (size_t i = 0; i < sc->n; i++)
		if (t->sel[i])
			strv_push(&t->ans.accounts, sc->items[i].id);
	t->ans.access = t->access.sel == 0 ? ORG_ACCESS_ROLE : ORG_ACCESS_USER;
	return TUI_NEXT;
}

static int acc_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct wiz *w = W(pg);
	struct tui_org *t = T(pg);
	if (ev->act == ACT_TICK) {
		scan_poll(w, t);
		return TUI_REDRAW;
	}
	if (!t->scanned || t->scan_st != CX_OK)
		return ev->act == ACT_ENTER ? TUI_HANDLED : 0;
	const struct org_scan *sc = scan_of(t);
	if (t->focus == F_ACCESS) {
		int r = tui_choice_action(&t->access, ev);
		if (r)
			return r;
	}
	switch (ev->act) {
	case ACT_NEXT:
	case ACT_PREV:
		t->focus = t->focus == F_LIST ? F_ACCESS : F_LIST;
		return TUI_HANDLED;
	case ACT_UP:
		if (t->focus == F_ACCESS)
			t->focus = F_LIST;
		else
			move_to(t, sc, t->cursor - 1);
		return TUI_HANDLED;
	case ACT_DOWN:
		if (t->focus == F_LIST && (size_t)t->cursor + 1 >= sc->n)
			t->focus = F_ACCESS;
		else if (t->focus == F_LIST)
			move_to(t, sc, t->cursor + 1);
		return TUI_HANDLED;
	case ACT_PGUP:
		move_to(t, sc, t->cursor - t->rows);
		return TUI_HANDLED;
	case ACT_PGDN:
		move_to(t, sc, t->cursor + t->rows);
		return TUI_HANDLED;
	case ACT_HOME:
		move_to(t, sc, 0);
		return TUI_HANDLED;
	case ACT_END:
		move_to(t, sc, (int)sc->n - 1);
		return TUI_HANDLED;
	case ACT_TOGGLE:
		if (t->focus == F_LIST && sc->n) {
			const struct org_member *m = &sc->items[t->cursor];
			if (org_member_selectable(m))
				t->sel[t->cursor] = !t->sel[t->cursor];
			else
				tui_app_status(w->app, ROLE_WARN, "%s cannot be chosen: %s.", m->id,
				               m->management ? "it is the management account"
				                             : "it is not ACTIVE");
		}
		return TUI_HANDLED;
	case ACT_ENTER:
		return acc_continue(w, t, sc);
	default:
		break;
	}
	if (ev->ch == L'a' || ev->ch == L'n') { /* select all / none (the selectable ones) */
		for (size_t i = 0; i < sc->n; i++)
			t->sel[i] = ev->ch == L'a' && org_member_selectable(&sc->items[i]);
		return TUI_HANDLED;
	}
	return 0;
}

const struct page_ops page_org_accounts_ops = {
    .title = "Member accounts",
    .keys = "Space choose  a all  n none  Tab access  Enter next",
    .help = "The accounts of the AWS Organization (organizations ListAccounts), with their "
            "status and whether CerteroX already has a data source for them. Space chooses "
            "the account under the cursor; a chooses every ACTIVE account, n none. Suspended "
            "accounts and the management account itself cannot be chosen; an account already "
            "connected is left as it is.\nAccess mode role (the default when CerteroX accepts "
            "the assume-role keys): one IAM user and key in the management account, allowed "
            "only to assume the role CerteroXDiscover made in each account. Access mode user: "
            "an IAM user and key in each account, as the guide does it.",
    .enter = acc_enter,
    .draw = acc_draw,
    .on_action = acc_action,
    .applies = org_applies,
};

/* ---- the review ---- */

static void review_enter(struct tui_page *pg, int how)
{
	(void)how;
	struct tui_org *t = T(pg);
	const struct org_scan *sc = scan_of(t);
	for (int i = 0; i < NDOCS; i++) {
		free(t->docs[i]);
		t->docs[i] = NULL;
	}
	struct cx_err err;
	cx_err_clear(&err);
	cJSON *disc = policy_discover(&err);
	t->ndocs = 0;
	if (t->ans.access == ORG_ACCESS_ROLE) {
		char *arn = xasprintf("arn:aws:iam::%s:user/%s", sc->management, t->ans.user);
		cJSON *trust = org_trust_policy(arn);
		cJSON *assume = org_assume_policy(t->ans.role_name);
		t->titles[0] = "Trust policy of the role CerteroXDiscover (each account)";
		t->docs[0] = json_pretty(trust);
		t->titles[1] = "Managed policy CerteroXDiscoverResources, attached to the role";
		t->docs[1] = disc ? json_pretty(disc) : xstrdup(err.msg);
		t->titles[2] = "Policy of the management user: sts:AssumeRole only";
		t->docs[2] = json_pretty(assume);
		t->ndocs = 3;
		cJSON_Delete(trust);
		cJSON_Delete(assume);
		free(arn);
	} else {
		t->titles[0] = "Managed policy CerteroXDiscoverResources, attached to each user";
		t->docs[0] = disc ? json_pretty(disc) : xstrdup(err.msg);
		t->ndocs = 1;
	}
	cJSON_Delete(disc);
	if (t->doc >= t->ndocs)
		t->doc = 0;
	if (t->view_init)
		tui_view_free(&t->view);
	tui_json_init(&t->view, t->docs[t->doc]);
	t->view_init = true;
}

static void review_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct tui_org *t = T(pg);
	const struct org_scan *sc = scan_of(t);
	int x = b.x + 1, wd = b.w - 2, y = b.y + 1;
	char *text;
	size_t n = t->ans.accounts.n;
	if (t->ans.access == ORG_ACCESS_ROLE)
		text = xasprintf(
		    "%zu account%s, access role. Management account %s: IAM user %s with the "
		    "policy below (sts:AssumeRole only) and one access key, saved in the vault. "
		    "Each account (via %s): role %s trusting that user, with the managed "
		    "Discover policy. CerteroX: a Linked data source per account with the "
		    "assume-role keys.",
		    n, n == 1 ? "" : "s", sc->management, t->ans.user, t->ans.member_role,
		    t->ans.role_name);
	else
		text =
		    xasprintf("%zu account%s, access user. Each account, reached through %s: the "
		              "IAM user %s with the managed Discover Resources policy attached and "
		              "an access key, "
		              "saved in the vault. CerteroX: a Linked data source per account.",
		              n, n == 1 ? "" : "s", t->ans.member_role, t->ans.user);
	struct tui_rect r = {y, x, 5, wd};
	int rows = tui_put_wrapped(win, r, text, A_NORMAL);
	free(text);
	y += (rows < 5 ? rows : 5) + 1;
	char title[160];
	snprintf(title, sizeof(title), " %d/%d %s ", t->doc + 1, t->ndocs, t->titles[t->doc]);
	struct tui_rect vr = {y, x, b.y + b.h - y, wd};
	tui_view_draw_boxed(&t->view, win, vr, title, true);
}

static int review_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct tui_org *t = T(pg);
	struct wiz *w = W(pg);
	switch (ev->act) {
	case ACT_NEXT:
	case ACT_PREV:
		t->doc = (t->doc + (ev->act == ACT_NEXT ? 1 : t->ndocs - 1)) % t->ndocs;
		tui_view_free(&t->view);
		tui_json_init(&t->view, t->docs[t->doc]);
		return TUI_HANDLED;
	case ACT_ENTER:
		return TUI_NEXT;
	default:
		return tui_view_action(&t->view, w->app, ev);
	}
}

const struct page_ops page_org_review_ops = {
    .title = "Review the Organization plan",
    .keys = "Tab next document  Up/Down scroll  / search  Enter next",
    .help = "What the run makes, and the documents it writes: the trust policy of the role in "
            "each account (it names the management user), the customer managed Discover "
            "Resources policy attached to the role (made in each account, tagged; a "
            "hand-made one of that name is used only when it grants every action), and the "
            "management user's policy, which allows only sts:AssumeRole on "
            "that role. With access user: the Discover Resources policy of each account's "
            "user.\nEverything made is tagged certerox-aws-setup; a role or user of the same "
            "name without the tag is never changed (that account fails, naming it). Nothing "
            "is written before the Apply page.",
    .enter = review_enter,
    .draw = review_draw,
    .on_action = review_action,
    .applies = org_applies,
};

/* ---- the apply ---- */

static int line_of(const struct tui_org *t, const char *id)
{
	for (int i = 0; i < t->prog.n; i++)
		if (str_eq(t->ids[i], id))
			return i;
	return -1;
}

static void apply_prepare(struct tui_org *t)
{
	const struct org_scan *sc = scan_of(t);
	tui_progress_free(&t->prog);
	tui_progress_init(&t->prog);
	for (int i = 0; i < t->nids; i++)
		free(t->ids[i]);
	free(t->ids);
	t->nids = 0;
	t->ids = xcalloc(t->ans.accounts.n + 1, sizeof(char *));
	for (size_t i = 0; i < sc->n; i++) {
		if (!strv_has(&t->ans.accounts, sc->items[i].id))
			continue;
		char *label = xasprintf("%s  %s", sc->items[i].id, sc->items[i].name);
		t->ids[tui_progress_add(&t->prog, label)] = xstrdup(sc->items[i].id);
		t->nids = t->prog.n;
		free(label);
	}
}

static void apply_start(struct wiz *w, struct tui_org *t)
{
	if (t->started || !w->vault || !session_free(w))
		return;
	t->started = true;
	apply_prepare(t);
	struct org_env env = {
	    .s = &w->s,
	    .vault = w->vault,
	    .answers = &t->ans,
	    .yes = w->o->yes,
	    .key_wait_ms = 60000,
	};
	const char *kw = getenv("CX_KEY_WAIT_MS");
	if (kw)
		env.key_wait_ms = atol(kw);
	w->lent = true;
	hold_busy(w, t, true);
	tui_log_add(&t->log, "connecting %zu account%s, access %s, at most %d at a time",
	            t->ans.accounts.n, t->ans.accounts.n == 1 ? "" : "s",
	            org_access_name(t->ans.access), t->ans.max_parallel);
	if (!org_work_run(t->ow, &env)) {
		w->lent = false;
		hold_busy(w, t, false);
		t->finished = true;
		t->run_st = cx_err_set(&t->run_err, CX_E_INTERNAL, "cannot start the run");
	}
}

static void take_events(struct wiz *w, struct tui_org *t)
{
	size_t n = 0;
	struct org_work_event *ev = org_work_take(t->ow, &n);
	for (size_t k = 0; k < n; k++) {
		const struct org_work_event *e = &ev[k];
		if (!e->id) {
			tui_log_add(&t->log, "%s", e->line);
			continue;
		}
		int i = line_of(t, e->id);
		if (e->running) {
			t->running++;
			tui_progress_start(&t->prog, i);
			continue;
		}
		if (i >= 0 && (t->prog.steps[i].state == STEP_RUNNING))
			t->running--;
		t->tot[e->outcome < 5 ? e->outcome : ORG_OUT_LEFT]++;
		switch (e->outcome) {
		case ORG_OUT_CONNECTED:
			tui_progress_done(&t->prog, i, e->ms);
			tui_app_set_applied(w->app, true);
			break;
		case ORG_OUT_ALREADY: /* "already" + its reason: "already connected in CerteroX
		                       * as ...", as the totals count it (not "skipped") */
			tui_progress_skip_as(&t->prog, i, "already", e->reason ? e->reason : "");
			break;
		case ORG_OUT_SKIPPED:
			tui_progress_skip(&t->prog, i, e->reason ? e->reason : "");
			break;
		case ORG_OUT_FAILED:
			tui_progress_fail(&t->prog, i, "failed", e->reason ? e->reason : "",
			                  e->fix);
			if (i >= 0)
				t->prog.steps[i].ms = e->ms;
			break;
		case ORG_OUT_LEFT:
			break;
		}
	}
	org_work_events_free(ev, n);
}

static void apply_poll(struct wiz *w, struct tui_org *t)
{
	apply_start(w, t);
	if (!t->started || t->finished)
		return;
	take_events(w, t);
	if (org_work_busy(t->ow))
		return;
	take_events(w, t); /* the last ones */
	w->lent = false;
	hold_busy(w, t, false);
	t->finished = true;
	const cJSON *sum = NULL;
	t->run_st = org_work_run_result(t->ow, &sum, &t->left, &t->run_err);
	for (int i = 0; i < t->prog.n; i++)
		if (t->prog.steps[i].state == STEP_PENDING)
			t->prog.steps[i].state = STEP_NOTRUN;
	if (sum) {
		char *text = json_pretty(sum);
		tui_app_set_summary(w->app, text);
		free(text);
	}
	/* as --batch does (batch/org.c): 75 when accounts are left to do */
	tui_app_set_exit(w->app, t->run_st == CX_OK ? 0
	                         : t->left          ? CX_EXIT_TEMPFAIL
	                                            : session_exit_status(t->run_st, false));
	if (t->run_st == CX_OK)
		tui_log_add(&t->log, "finished: every chosen account is connected");
	else
		tui_log_add(&t->log, "finished: %s", t->run_err.msg);
}

static void oapply_enter(struct tui_page *pg, int how)
{
	(void)how;
	struct tui_org *t = T(pg);
	struct wiz *w = W(pg);
	if (!t->started && !t->finished)
		hold_busy(w, t, true); /* ticks until the session is free */
	apply_poll(w, t);
}

/* Leaving before the run started (Esc back to the vault page): no ticks needed any more. */
static void oapply_leave(struct tui_page *pg, int how)
{
	(void)how;
	struct tui_org *t = T(pg);
	if (!t->started)
		hold_busy(W(pg), t, false);
}

static void oapply_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct tui_org *t = T(pg);
	struct wiz *w = W(pg);
	int x = b.x + 1, wd = b.w - 2, y = b.y;
	char line[1400];
	attr_t ha = theme_attr(ROLE_LABEL);
	if (!t->started) {
		snprintf(line, sizeof(line), "%s Preparing...",
		         theme_spinner(tui_app_tick(w->app)));
	} else if (!t->finished) {
		snprintf(line, sizeof(line), "Connecting %d account%s (access %s)%s", t->prog.n,
		         t->prog.n == 1 ? "" : "s", org_access_name(t->ans.access),
		         org_work_stopping(t->ow) ? ": stopping after those in flight" : "");
	} else if (t->run_st == CX_OK) {
		snprintf(line, sizeof(line),
		         "%s Done: every chosen account is connected. Enter "
		         "continues.",
		         theme_sym(SYM_OK));
		ha = theme_attr(ROLE_OK);
	} else {
		char buf[1200];
		snprintf(line, sizeof(line), "%s %s", theme_sym(SYM_FAIL),
		         cx_err_format(&t->run_err, buf, sizeof(buf)));
		ha = theme_attr(ROLE_ERROR);
	}
	tui_put_clipped(win, y++, x, wd, line, ha);
	int waiting = 0;
	for (int i = 0; i < t->prog.n; i++)
		waiting += t->prog.steps[i].state == STEP_PENDING;
	snprintf(line, sizeof(line),
	         "connected %d  already %d  skipped %d  failed %d  running %d  waiting %d",
	         t->tot[ORG_OUT_CONNECTED], t->tot[ORG_OUT_ALREADY], t->tot[ORG_OUT_SKIPPED],
	         t->tot[ORG_OUT_FAILED], t->running, waiting);
	tui_put(win, y++, x, wd, line, A_NORMAL);
	int logh = b.h >= 30 ? 8 : 4;
	struct tui_rect pr = {y, x, b.y + b.h - y - logh - 1, wd};
	tui_progress_draw(&t->prog, win, pr, tui_app_tick(w->app));
	y += pr.h;
	tui_hline(win, y++, x, wd, theme_attr(ROLE_DIM));
	struct tui_rect lr = {y, x, b.y + b.h - y, wd};
	tui_log_draw(&t->log, win, lr);
}

static int oapply_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct tui_org *t = T(pg);
	struct wiz *w = W(pg);
	switch (ev->act) {
	case ACT_TICK:
		apply_poll(w, t);
		return TUI_REDRAW;
	case ACT_BACK:
	case ACT_INTERRUPT:
		if (t->started && !t->finished) {
			org_work_stop(t->ow);
			tui_app_status(
			    w->app, ROLE_WARN,
			    "Stopping: no further account starts; those in flight finish. "
			    "A re-run continues.");
			return ev->act == ACT_INTERRUPT ? 0 : TUI_HANDLED; /* Ctrl-C also quits */
		}
		if (t->finished) {
			tui_app_status(w->app, ROLE_NORMAL, "The run has ended; Enter continues.");
			return TUI_HANDLED;
		}
		return 0;
	case ACT_ENTER:
		return t->finished ? TUI_NEXT : TUI_HANDLED;
	case ACT_PGUP:
	case ACT_PGDN:
	case ACT_HOME:
	case ACT_END:
		return tui_log_action(&t->log, ev);
	default:
		return tui_progress_action(&t->prog, ev);
	}
}

const struct page_ops page_org_apply_ops = {
    .title = "Apply to the member accounts",
    .keys = "Esc stop  Up/Down accounts  PgUp/PgDn log  Enter continue",
    .help = "One line per chosen account: its state, a spinner and the time while it runs, "
            "its time when done, the reason and the fix when it failed. The totals are above, "
            "the run's log below. A failed account does not stop the others.\nEsc (or Ctrl-C) "
            "starts no further account; those in flight finish. What was made stays, and a "
            "re-run continues where this one stopped.",
    .enter = oapply_enter,
    .leave = oapply_leave,
    .draw = oapply_draw,
    .on_action = oapply_action,
    .applies = org_applies,
};

/* ---- done ---- */

static void done_enter(struct tui_page *pg, int how)
{
	(void)how;
	struct tui_org *t = T(pg);
	const cJSON *sum = NULL;
	int left = 0;
	org_work_run_result(t->ow, &sum, &left, NULL);
	struct buf b;
	buf_init(&b);
	const cJSON *acc;
	cJSON_ArrayForEach(acc, cJSON_GetObjectItemCaseSensitive(sum, "accounts"))
	{
		const char *o = json_str(acc, "outcome");
		const char *sym = str_eq(o, "connected") ? theme_sym(SYM_OK)
		                  : str_eq(o, "failed")  ? theme_sym(SYM_FAIL)
		                  : str_eq(o, "left")    ? theme_sym(SYM_WAIT)
		                                         : theme_sym(SYM_SKIP);
		const char *ds = json_str(acc, "data_source_id");
		const char *word = str_eq(o, "already_connected") ? "already connected"
		                   : str_eq(o, "left")            ? "left (not reached)"
		                                                  : o;
		buf_printf(&b, "%s %s  %s  %s\n", sym, json_str(acc, "id"), json_str(acc, "name"),
		           word ? word : "?");
		if (ds && str_eq(o, "connected"))
			buf_printf(&b, "    data source %s\n", ds);
		if (json_str(acc, "reason"))
			buf_printf(&b, "    %s\n", json_str(acc, "reason"));
		if (json_str(acc, "fix"))
			buf_printf(&b, "    fix: %s\n", json_str(acc, "fix"));
	}
	if (t->done_init)
		tui_view_free(&t->done);
	tui_view_init(&t->done, NULL, buf_str(&b));
	t->done_init = true;
	buf_free(&b);
}

static void done_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct tui_org *t = T(pg);
	int x = b.x + 1, wd = b.w - 2, y = b.y + 1;
	char line[600];
	int n = t->prog.n, ok = t->tot[ORG_OUT_CONNECTED] + t->tot[ORG_OUT_ALREADY];
	if (t->run_st == CX_OK)
		snprintf(line, sizeof(line), "%s %d of %d accounts connected.", theme_sym(SYM_OK),
		         ok, n);
	else
		snprintf(
		    line, sizeof(line),
		    "%s %d of %d accounts connected; %d not: run the wizard again to continue.",
		    theme_sym(SYM_WARN), ok, n, t->left);
	tui_put(win, y++, x, wd, line, theme_attr(t->run_st == CX_OK ? ROLE_OK : ROLE_WARN));
	tui_put(win, y++, x, wd,
	        "The summary is also printed to the terminal when the wizard exits.",
	        theme_attr(ROLE_DIM));
	y++;
	struct tui_rect vr = {y, x, b.y + b.h - y, wd};
	tui_view_draw_boxed(&t->done, win, vr, " Each account ", true);
}

static int done_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct tui_org *t = T(pg);
	struct wiz *w = W(pg);
	if (ev->act == ACT_ENTER)
		return TUI_DONE;
	if (ev->act == ACT_BACK)
		return TUI_HANDLED;
	return tui_view_action(&t->done, w->app, ev);
}

const struct page_ops page_org_done_ops = {
    .title = "Done",
    .keys = "Up/Down scroll  Enter finish",
    .help = "Each chosen account's outcome: connected (with its data source), already "
            "connected, skipped, failed (with the reason and the fix) or left (not reached). "
            "A re-run continues with those not connected; the exit status is 75 when some are "
            "left.",
    .enter = done_enter,
    .draw = done_draw,
    .on_action = done_action,
    .applies = org_applies,
};

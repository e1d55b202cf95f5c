/* page_apply.c - the apply with its progress (page 11). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/flow.h"
#include "core/keyage.h"
#include "core/plan_life.h"
#include "core/planfmt.h"
#include "options.h"
#include "tui/modal.h"
#include "tui/widgets/theme.h"
#include "tui/pages/unlock.h"
#include "tui/pages/review_save.h"
#include "tui/resume.h"
#include "tui/wiz.h"
#include "tui/words.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/str.h"
#include "vault/strength.h"
#include "vault/vault.h"

#define W(pg) ((struct wiz *)(pg)->ctx)

/* ---- 11. apply ---- */

struct apply_state {
	bool waiting;   /* for the discovery with the vault */
	bool asking;    /* the final plan is made: "Apply now?" is due */
	bool in_dialog; /* "Apply now?" is open (ticks reach the page meanwhile) */
	bool declined;  /* "Apply now?" was answered no: Enter asks again */
	bool reported;  /* summary and exit status set */
	bool record;    /* where the apply stopped is still to be journalled (after the draw) */
};

static void apply_init(struct tui_page *pg)
{
	pg->state = xcalloc(1, sizeof(struct apply_state));
}

static void apply_free(struct tui_page *pg)
{
	free(pg->state);
}

static void apply_try_start(struct wiz *w, struct apply_state *s)
{
	if (!s->waiting)
		return;
	if (!wiz_refresh(w) || !w->have_facts) {
		if (!wiz_discovering(w) && w->disc_st != CX_OK) {
			s->waiting = false;
			w->apply_finished = true;
			w->apply_st = w->disc_st;
			w->apply_err = w->disc_err;
		}
		return;
	}
	s->waiting = false;
	if (!w->have_plan && wiz_build_plan(w) != CX_OK) {
		w->apply_finished = true;
		w->apply_st = w->plan_st;
		w->apply_err = w->plan_err;
		tui_log_add(&w->log, "plan: %s", w->plan_err.msg);
		return;
	}
	s->asking = true; /* the plan made after the vault's unlock is the one confirmed */
	tui_app_wake(w->app);
}

/* The final plan's counts and what it replaces, for "Apply now?" (caller frees). */
static char *apply_question(const struct wiz *w)
{
	size_t nc = 0, nu = 0, nd = 0;
	struct buf rb;
	buf_init(&rb);
	for (size_t i = 0; i < w->plan.n; i++) {
		const struct plan_step *st = &w->plan.steps[i];
		nc += st->kind == PLAN_CREATE;
		nu += st->kind == PLAN_UPDATE;
		nd += st->kind == PLAN_DELETE;
		if (st->destructive && st->kind != PLAN_SKIP && st->kind != PLAN_READ)
			buf_printf(&rb, "\n  %s %s", theme_sym(SYM_ARROW), st->title);
	}
	char *q =
	    xasprintf("The final plan (made after the vault was unlocked): %zu create%s, "
	              "%zu update%s, %zu delete%s.%s%s\n\nApply now?",
	              nc, nc == 1 ? "" : "s", nu, nu == 1 ? "" : "s", nd, nd == 1 ? "" : "s",
	              rb.len ? "\n\nIt replaces or deletes:" : "", rb.len ? buf_str(&rb) : "");
	buf_free(&rb);
	return q;
}

/* "Apply now?": yes starts the engine; no keeps the page (Enter asks again, Esc goes back). */
static void apply_ask(struct wiz *w, struct apply_state *s)
{
	if (s->in_dialog)
		return;
	s->asking = false;
	s->in_dialog = true;
	char *q = apply_question(w);
	int yes = tui_confirm(w->app, "Apply now?", q, !plan_needs_confirmation(&w->plan));
	free(q);
	s->in_dialog = false;
	if (yes != 1) {
		s->declined = true;
		tui_app_status(w->app, ROLE_NORMAL,
		               "Nothing was applied. Enter asks again; Esc goes back.");
		return;
	}
	s->declined = false;
	tui_app_status_clear(w->app);
	if (wiz_apply_start(w) != CX_OK) {
		w->apply_finished = true;
		w->apply_st = w->apply_err.status;
		tui_log_add(&w->log, "apply: %s", w->apply_err.msg);
	}
}

/* Steps a cancel left undone (not run, or stopped while they ran). */
static int apply_not_run(const struct wiz *w)
{
	int n = 0;
	for (int i = 0; i < w->prog.n; i++)
		n += w->prog.steps[i].state == STEP_NOTRUN ||
		     w->prog.steps[i].state == STEP_CANCELLED ||
		     w->prog.steps[i].state == STEP_PENDING;
	return n;
}

/* The key bar follows the apply: Esc cancels only while it runs; r retries after a cancel. */
static void apply_keys(struct tui_page *pg)
{
	struct wiz *w = W(pg);
	if (w->applying)
		pg->keys = NULL;
	else if (!w->apply_finished)
		pg->keys = "Enter apply now  Esc back";
	else if (w->apply_st == CX_E_CANCELLED)
		pg->keys = "r retry  Up/Down steps  PgUp/PgDn log  Enter continue";
	else
		pg->keys = "Up/Down steps  PgUp/PgDn log  Enter continue";
}

/* r after a cancel: read the account again (what the cancelled run made is found and
 * skipped), plan again and apply; the vault stays unlocked and the journal open. */
static void apply_retry(struct tui_page *pg)
{
	struct apply_state *s = pg->state;
	struct wiz *w = W(pg);
	free(w->disc_key); /* the facts changed: discovery runs again */
	w->disc_key = NULL;
	w->have_facts = false;
	w->apply_finished = false;
	w->apply_st = CX_OK;
	cx_err_clear(&w->apply_err);
	w->keycheck[0] = '\0';
	s->reported = false;
	s->waiting = true;
	tui_app_set_exit(w->app, 130);
	tui_log_add(&w->log, "retry: reading the account again, then the rest of the plan");
	tui_app_status(w->app, ROLE_NORMAL, "Retrying: what is done is skipped.");
	apply_try_start(w, s);
}

static void apply_finished(struct wiz *w)
{
	char *sum = wiz_summary_text(w);
	if (sum) {
		tui_app_set_summary(w->app, sum);
		free(sum);
	}
	if (w->apply_st != CX_OK) {
		const struct engine_result *r = w->eng ? engine_result(w->eng) : NULL;
		tui_app_set_exit(
		    w->app, w->apply_st == CX_E_CANCELLED
		                ? 130
		                : session_exit_status(w->apply_st, r && (r->wrote || r->done > 0)));
	} else {
		tui_app_set_exit(w->app, 0);
	}
}

static void apply_enter(struct tui_page *pg, int how)
{
	(void)how;
	struct apply_state *s = pg->state;
	struct wiz *w = W(pg);
	if (!w->applying && !w->apply_finished) {
		s->declined = false;
		s->waiting = true;
		apply_try_start(w, s);
	}
}

static void apply_draw(struct tui_page *pg, WINDOW *win, struct tui_rect b)
{
	struct apply_state *s = pg->state;
	struct wiz *w = W(pg);
	apply_keys(pg);
	int x = b.x + 1, wd = b.w - 2, y = b.y;
	char line[1400];
	if (w->applying)
		snprintf(line, sizeof(line), "Applying the plan: %d steps", w->prog.n);
	else if (w->apply_finished && w->apply_st == CX_OK)
		snprintf(line, sizeof(line), "%s Done: every step finished. Enter continues.",
		         theme_sym(SYM_OK));
	else if (w->apply_finished && w->apply_st == CX_E_CANCELLED)
		snprintf(line, sizeof(line),
		         "%s Cancelled: %d step%s not run; what was written stays. r retries now.",
		         theme_sym(SYM_WARN), apply_not_run(w), apply_not_run(w) == 1 ? "" : "s");
	else if (w->apply_finished) {
		char buf[1200];
		snprintf(line, sizeof(line), "%s Stopped: %s", theme_sym(SYM_FAIL),
		         cx_err_format(&w->apply_err, buf, sizeof(buf)));
	} else if (s->declined || s->asking || s->in_dialog)
		snprintf(line, sizeof(line), "Ready: %zu steps; nothing was applied yet.",
		         w->plan.n);
	else
		snprintf(line, sizeof(line), "Preparing...");
	tui_put(win, y++, x, wd, line,
	        !w->apply_finished              ? theme_attr(ROLE_LABEL)
	        : w->apply_st == CX_OK          ? theme_attr(ROLE_OK)
	        : w->apply_st == CX_E_CANCELLED ? theme_attr(ROLE_WARN)
	                                        : theme_attr(ROLE_ERROR));
	if (!w->applying && !w->apply_finished) {
		wiz_draw_discovery(w, win, y, x, wd);
		return;
	}
	int logh = b.h >= 30 ? 8 : 5;
	struct tui_rect pr = {y, x, b.h - logh - 3, wd};
	tui_progress_draw(&w->prog, win, pr, tui_app_tick(w->app));
	y += pr.h;
	snprintf(line, sizeof(line), "Key check: %s",
	         w->keycheck[0] ? w->keycheck
	                        : "waits for the new key, then proves each permission");
	tui_put(win, y++, x, wd, line, theme_attr(ROLE_DIM));
	tui_hline(win, y++, x, wd, theme_attr(ROLE_DIM));
	struct tui_rect lr = {y, x, b.y + b.h - y, wd};
	tui_log_draw(&w->log, win, lr);
}

static int apply_action(struct tui_page *pg, const struct tui_event *ev)
{
	struct apply_state *s = pg->state;
	struct wiz *w = W(pg);
	int ret = 0;
	switch (ev->act) {
	case ACT_TICK:
		apply_try_start(w, s);
		if (s->asking)
			apply_ask(w, s);
		ret = TUI_REDRAW;
		break;
	case ACT_BACK:
		if (w->applying) {
			wiz_apply_cancel(w, false);
			tui_app_status(w->app, ROLE_WARN,
			               "Cancelling after the call in flight; a re-run continues.");
		} else if (w->apply_finished) {
			tui_app_status(w->app, ROLE_NORMAL,
			               "The apply has run; Enter continues, F10 quits.");
		} else {
			return 0; /* not started yet: back to the vault page */
		}
		ret = TUI_HANDLED;
		break;
	case ACT_INTERRUPT:
		if (w->applying) {
			/* Ctrl-C: stop now; what was written stays, a re-run resumes. */
			wiz_apply_cancel(w, true);
			w->apply_st = CX_E_CANCELLED;
			s->reported = true;
			apply_finished(w);
			wiz_resume_record(w);
			tui_app_set_applied(w->app, false);
			tui_app_set_exit(w->app, 130);
			return TUI_QUIT;
		}
		return 0;
	case ACT_CHAR:
		if ((ev->ch == 'r' || ev->ch == 'R') && w->apply_finished &&
		    w->apply_st == CX_E_CANCELLED) {
			apply_retry(pg);
			apply_keys(pg);
			return TUI_HANDLED;
		}
		return 0;
	case ACT_ENTER:
		if (s->declined && !w->applying && !w->apply_finished) {
			apply_ask(w, s);
			return TUI_HANDLED;
		}
		if (w->apply_finished && w->apply_st == CX_OK)
			return TUI_NEXT;
		if (w->apply_finished && w->apply_st == CX_E_CANCELLED)
			tui_app_status(w->app, ROLE_WARN,
			               "Cancelled: r retries now; F10 quits (a re-run continues).");
		else if (w->apply_finished)
			tui_app_status(
			    w->app, ROLE_ERROR,
			    "Fix the problem and run the wizard again: it continues where "
			    "it stopped. F10 quits.");
		ret = TUI_HANDLED;
		break;
	case ACT_PGUP:
	case ACT_PGDN:
	case ACT_HOME:
	case ACT_END:
		ret = tui_log_action(&w->log, ev);
		break;
	default:
		ret = tui_progress_action(&w->prog, ev);
		break;
	}
	if (s->record) { /* the outcome has been drawn: now the summary and the journal */
		s->record = false;
		apply_finished(w);
		wiz_resume_record(w);
	}
	if (w->apply_finished && !s->reported) {
		s->reported = true;
		s->record = true; /* on the tick right after this frame */
		tui_app_set_exit(w->app, w->apply_st == CX_OK ? 0 : 130);
		tui_app_wake(w->app);
		if (w->apply_st == CX_E_CANCELLED)
			tui_app_status(w->app, ROLE_WARN,
			               "Cancelled: what was written stays; r retries, a re-run "
			               "continues.");
	}
	return ret;
}

static bool apply_applies(struct tui_page *pg)
{
	return wiz_in_flow(W(pg), FLOW_APPLY);
}

const struct page_ops page_apply_ops = {
    .title = "Apply",
    .keys = "Esc cancel  Up/Down steps  PgUp/PgDn log  Enter continue",
    .help = "Each step of the plan with its status word, a spinner while it runs, its time "
            "and retries with the reason. The log pane shows every event.\nEsc cancels after "
            "the call in flight; Ctrl-C stops now. What was written stays, and running the "
            "wizard again continues where it stopped.",
    .init = apply_init,
    .enter = apply_enter,
    .draw = apply_draw,
    .on_action = apply_action,
    .applies = apply_applies,
    .destroy = apply_free,
};

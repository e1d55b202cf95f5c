/* w_progress.c - progress pane: the plan's steps with status words, symbols and times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"
#include "util/mem.h"

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000L;
}

void tui_progress_init(struct tui_progress *p)
{
	memset(p, 0, sizeof(*p));
	p->follow = true;
}

static void step_clear(struct tui_step *s)
{
	free(s->reason);
	free(s->code);
	free(s->message);
	free(s->fix);
	s->reason = s->code = s->message = s->fix = NULL;
}

void tui_progress_free(struct tui_progress *p)
{
	for (int i = 0; i < p->n; i++) {
		step_clear(&p->steps[i]);
		free(p->steps[i].label);
	}
	free(p->steps);
	memset(p, 0, sizeof(*p));
}

int tui_progress_add(struct tui_progress *p, const char *label)
{
	p->steps = xrealloc(p->steps, sizeof(*p->steps) * (size_t)(p->n + 1));
	struct tui_step *s = &p->steps[p->n];
	memset(s, 0, sizeof(*s));
	s->label = xstrdup(label);
	return p->n++;
}

static struct tui_step *step(struct tui_progress *p, int i)
{
	return i >= 0 && i < p->n ? &p->steps[i] : NULL;
}

void tui_progress_start(struct tui_progress *p, int i)
{
	struct tui_step *s = step(p, i);
	if (!s)
		return;
	step_clear(s);
	s->state = STEP_RUNNING;
	s->started_ms = now_ms();
}

void tui_progress_retry(struct tui_progress *p, int i, const char *reason)
{
	struct tui_step *s = step(p, i);
	if (!s)
		return;
	free(s->reason);
	s->reason = xstrdup(reason);
	s->retries++;
	s->state = STEP_RETRYING;
	if (!s->started_ms)
		s->started_ms = now_ms();
}

void tui_progress_done(struct tui_progress *p, int i, long ms)
{
	struct tui_step *s = step(p, i);
	if (!s)
		return;
	s->state = STEP_DONE;
	s->ms = ms;
}

void tui_progress_skip(struct tui_progress *p, int i, const char *reason)
{
	struct tui_step *s = step(p, i);
	if (!s)
		return;
	step_clear(s);
	s->reason = xstrdup(reason);
	s->state = STEP_SKIPPED;
}

void tui_progress_skip_as(struct tui_progress *p, int i, const char *word, const char *reason)
{
	tui_progress_skip(p, i, reason);
	struct tui_step *s = step(p, i);
	if (s)
		s->word = word;
}

void tui_progress_fail(struct tui_progress *p, int i, const char *code, const char *message,
                       const char *fix)
{
	struct tui_step *s = step(p, i);
	if (!s)
		return;
	s->state = STEP_FAILED;
	s->ms = s->started_ms ? now_ms() - s->started_ms : 0;
	s->code = xstrdup(code);
	s->message = xstrdup(message);
	s->fix = xstrdup(fix);
}

void tui_progress_cancel(struct tui_progress *p, int i)
{
	struct tui_step *s = step(p, i);
	if (!s)
		return;
	step_clear(s);
	s->state = STEP_CANCELLED;
}

const char *tui_step_word(enum tui_step_state st)
{
	switch (st) {
	case STEP_PENDING:
		return "waiting";
	case STEP_RUNNING:
		return "running";
	case STEP_RETRYING:
		return "retrying";
	case STEP_DONE:
		return "done";
	case STEP_SKIPPED:
		return "skipped";
	case STEP_FAILED:
		return "failed";
	case STEP_NOTRUN:
		return "not run";
	case STEP_CANCELLED:
		return "cancelled";
	}
	return "?";
}

static enum tui_sym step_sym(enum tui_step_state st)
{
	switch (st) {
	case STEP_PENDING:
	case STEP_NOTRUN:
		return SYM_WAIT;
	case STEP_RUNNING:
		return SYM_RUN;
	case STEP_RETRYING:
		return SYM_RETRY;
	case STEP_DONE:
		return SYM_OK;
	case STEP_SKIPPED:
	case STEP_CANCELLED:
		return SYM_SKIP;
	case STEP_FAILED:
		return SYM_FAIL;
	}
	return SYM_WAIT;
}

static enum tui_role step_role(enum tui_step_state st)
{
	switch (st) {
	case STEP_DONE:
		return ROLE_OK;
	case STEP_RETRYING:
	case STEP_CANCELLED:
		return ROLE_WARN;
	case STEP_FAILED:
		return ROLE_ERROR;
	case STEP_PENDING:
	case STEP_SKIPPED:
	case STEP_NOTRUN:
		return ROLE_DIM;
	case STEP_RUNNING:
		return ROLE_LABEL;
	}
	return ROLE_NORMAL;
}

static void fail_text(const struct tui_step *s, char *line, size_t n)
{
	snprintf(line, n, "%s%s%s", s->code ? s->code : "", s->code ? ": " : "",
	         s->message ? s->message : "");
}

/* Rows a step needs in width columns: its line, and for a failure the wrapped message and fix. */
static int step_rows(const struct tui_step *s, int width)
{
	if (s->state != STEP_FAILED)
		return 1;
	char line[400];
	struct tui_rect m = {0, 0, 0, width - 15};
	fail_text(s, line, sizeof(line));
	int rows = 1 + tui_put_wrapped(stdscr, m, line, A_NORMAL);
	if (s->fix) {
		snprintf(line, sizeof(line), "fix: %s", s->fix);
		rows += tui_put_wrapped(stdscr, m, line, A_NORMAL);
	}
	return rows;
}

void tui_progress_draw(struct tui_progress *p, WINDOW *w, struct tui_rect r, unsigned int tick)
{
	if (r.h <= 0 || r.w < 30)
		return;
	if (p->follow) {
		int active = -1;
		for (int i = 0; i < p->n; i++)
			if (p->steps[i].state != STEP_PENDING)
				active = i;
		int rows = 0, top = active < 0 ? 0 : active;
		/* show as much as possible before the active step, keeping it (and 2 more) visible
		 */
		for (int i = top; i < p->n && i <= active + 2; i++)
			rows += step_rows(&p->steps[i], r.w);
		while (top > 0 && rows + step_rows(&p->steps[top - 1], r.w) <= r.h) {
			top--;
			rows += step_rows(&p->steps[top], r.w);
		}
		p->top = top;
	}
	if (p->top >= p->n)
		p->top = p->n > 0 ? p->n - 1 : 0;
	int y = 0;
	long now = now_ms();
	for (int i = p->top; i < p->n && y < r.h; i++) {
		const struct tui_step *s = &p->steps[i];
		attr_t a = theme_attr(step_role(s->state));
		tui_put(w, r.y + y, r.x, 4, theme_sym(step_sym(s->state)), a);
		tui_put(w, r.y + y, r.x + 5, 9, s->word ? s->word : tui_step_word(s->state), a);
		char tm[48] = "";
		if (s->state == STEP_RUNNING || s->state == STEP_RETRYING)
			snprintf(tm, sizeof(tm), "%s %ld ms", theme_spinner(tick),
			         now - s->started_ms);
		else if (s->state == STEP_DONE || s->state == STEP_FAILED)
			snprintf(tm, sizeof(tm), "%ld ms", s->ms);
		int tw = (int)strlen(tm) - (s->state == STEP_RUNNING || s->state == STEP_RETRYING
		                                ? (int)strlen(theme_spinner(tick)) - 1
		                                : 0);
		/* the label's width does not depend on the time's digits: a fixed column
		 * ("12345 ms", "S 12345 ms") keeps the line stable as a step goes from 999 to
		 * 1000 ms */
		int col = s->state == STEP_RUNNING || s->state == STEP_RETRYING ? 10
		          : tm[0]                                               ? 8
		                                                                : 0;
		int lx = r.x + 15, lw = r.w - 15 - (tw > col ? tw : col) - 1;
		int n = tui_put_clipped(w, r.y + y, lx, lw, s->label, A_NORMAL);
		char extra[200] = "";
		if (s->state == STEP_RETRYING)
			snprintf(extra, sizeof(extra), " (retry %d: %s)", s->retries,
			         s->reason ? s->reason : "");
		else if (s->state == STEP_SKIPPED && s->reason)
			snprintf(extra, sizeof(extra), " (%s)", s->reason);
		if (extra[0])
			tui_put_clipped(w, r.y + y, lx + n, lw - n, extra, theme_attr(ROLE_DIM));
		if (tm[0])
			tui_put(w, r.y + y, r.x + r.w - tw, tw, tm, A_NORMAL);
		y++;
		if (s->state == STEP_FAILED) {
			char line[400];
			struct tui_rect m = {r.y + y, lx, r.h - y, r.w - 15};
			fail_text(s, line, sizeof(line));
			y += tui_put_wrapped(w, m, line, theme_attr(ROLE_ERROR));
			if (s->fix && y < r.h) {
				snprintf(line, sizeof(line), "fix: %s", s->fix);
				m.y = r.y + y;
				m.h = r.h - y;
				y += tui_put_wrapped(w, m, line, A_NORMAL);
			}
		}
	}
}

int tui_progress_action(struct tui_progress *p, const struct tui_event *ev)
{
	switch (ev->act) {
	case ACT_UP:
		p->follow = false;
		if (p->top > 0)
			p->top--;
		break;
	case ACT_DOWN:
		p->follow = false;
		if (p->top < p->n - 1)
			p->top++;
		break;
	case ACT_HOME:
		p->follow = false;
		p->top = 0;
		break;
	case ACT_END:
		p->follow = true;
		break;
	default:
		return 0;
	}
	return TUI_HANDLED | TUI_REDRAW;
}

/* resume.h - an earlier wizard run that stopped (cancelled or failed) is remembered in its
 * account's journal with the step it stopped at and its answers (no secret exists in
 * answers; the CerteroX URL is left out, so an old journal never chooses where the token
 * goes). The next wizard started without --answers preloads them and the Welcome page says
 * "An earlier run stopped at step N". */
#ifndef CX_TUI_RESUME_H
#define CX_TUI_RESUME_H

struct wiz;

/* After an apply ends: "wizard_stopped" {step, steps, title, answers} when it did not finish,
 * "wizard_finished" when it did. Needs w->jn (no journal: nothing recorded). */
void wiz_resume_record(struct wiz *w);
/* At start, without --answers: the newest journal of the state directory whose last
 * wizard_* entry is wizard_stopped: its answers loaded into w->a, w->resume_* set. */
void wiz_resume_load(struct wiz *w);

#endif

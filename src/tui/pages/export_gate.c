/* export_gate.c - the Data export page's checks against the account (tui/export_gate.h). */
#include "tui/pages/export_gate.h"

#include <stdio.h>

#include "tui/wiz.h"
#include "util/str.h"

enum export_gate_result export_gate(struct wiz *w, char *msg, size_t n)
{
	msg[0] = '\0';
	if (!w->session_ok)
		return GATE_OK; /* page 1 says why; the review refuses */
	if (!wiz_refresh(w) || !w->have_facts)
		return w->disc || w->cx_busy ? GATE_WAIT : GATE_OK;
	const struct answers *a = &w->a;
	const struct answers_export *e = &a->export;
	if (e->bucket && *e->bucket && !e->create_bucket && !w->facts.bucket_exists) {
		snprintf(msg, n,
		         "bucket: %s does not exist in this account; switch on 'Create the "
		         "bucket', or give an existing one",
		         e->bucket);
		return GATE_BUCKET;
	}
	if (e->setup != ANSWERS_WIZARD)
		return GATE_OK;
	const char *name = answers_export_name(a);
	if (!plan_facts_export(&w->facts, name, e->type == ANSWERS_LEGACY))
		return GATE_OK;
	if (!w->have_plan && w->plan_st == CX_OK)
		wiz_build_plan(w);
	for (size_t i = 0; w->have_plan && i < w->plan.n; i++) {
		const struct plan_step *s = &w->plan.steps[i];
		if ((str_eq(s->service, "bcm-data-exports") || str_eq(s->service, "cur")) &&
		    s->destructive && s->kind != PLAN_SKIP && s->kind != PLAN_READ) {
			snprintf(msg, n,
			         "export name: %s already exists with another definition (%s); "
			         "'Create it now' would replace it. Choose 'Use an existing "
			         "export' or another name; Enter again replaces it",
			         name, s->differences.n ? s->differences.v[0] : "it differs");
			return GATE_REPLACE;
		}
	}
	return GATE_OK;
}

/* export_gate.h - the Data export page flags its problems where they start: once its answers
 * are taken, the account is read for them (the facts follow the answers) and the page stays
 * when the bucket does not exist (and is not to be created) or when "Create it now" would
 * replace an export of the same name with another definition. */
#ifndef CX_TUI_PAGES_EXPORT_GATE_H
#define CX_TUI_PAGES_EXPORT_GATE_H

#include <stdbool.h>
#include <stddef.h>

struct wiz;

enum export_gate_result {
	GATE_WAIT = 0, /* the account is being read for these answers: ask again on a tick */
	GATE_OK,       /* nothing to flag: continue */
	GATE_BUCKET,   /* the bucket does not exist: msg says so */
	GATE_REPLACE,  /* the export exists with another definition: msg names it */
};

/* Checks w->a's export answers against facts read for them. msg gets the reason. */
enum export_gate_result export_gate(struct wiz *w, char *msg, size_t n);

#endif

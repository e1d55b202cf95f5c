/* status_rows.h - the state of a row of "Check connected data sources" (page_status.c): one
 * state per data source, each with its own symbol (UTF-8 and ASCII, distinct in both) and,
 * on the page, its own colour; and the table cell a problem belongs to. No curses here (the
 * unit test links it alone). */
#ifndef CX_TUI_STATUS_ROWS_H
#define CX_TUI_STATUS_ROWS_H

#include <stdbool.h>

#include "run/status.h"

enum srow_state {
	SROW_CHECKING = 0, /* its checks are still running: a spinner */
	SROW_OK,           /* checked, no problem */
	SROW_PROBLEM,      /* a problem that needs a fix */
	SROW_WAITING,      /* only no_delivery_yet: AWS has not delivered the first files yet */
	SROW_UNREACHABLE,  /* only account_unreachable: not checkable with these credentials */
	SROW_COUNT
};

/* The state of a problem code on its own: no_delivery_yet waits, account_unreachable is
 * unreachable, every other code is a problem. */
enum srow_state srow_code_state(const char *code);
/* A data source's state: checking until done; then the worst of its problems' states
 * (problem > unreachable > waiting), ok when it has none. */
enum srow_state srow_state(const struct status_ds *d);
/* Its symbol: one column in UTF-8, four in ASCII; NULL for SROW_CHECKING (the spinner). */
const char *srow_symbol(enum srow_state s, bool ascii);
/* The legend's word for it ("no problem", ...). */
const char *srow_word(enum srow_state s);

/* The table cells a problem is shown in. */
enum srow_cell {
	SROW_CELL_NONE = 0,
	SROW_CELL_EXPORT,
	SROW_CELL_DELIVERY,
	SROW_CELL_KEY,
	SROW_CELL_IMPORT
};
enum srow_cell srow_code_cell(const char *code);

/* The wizard action that fixes d's first problem that has one ("connect", "migrate",
 * "rotate"); NULL when none does (its fixes are a command or a wait). */
const char *srow_fix_action(const struct status_ds *d);

#endif

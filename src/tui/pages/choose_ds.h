/* choose_ds.h - the data source the "choose the data source" page settled on (migrate,
 * rotate, disconnect), for the pages after it. */
#ifndef CX_TUI_PAGES_CHOOSE_DS_H
#define CX_TUI_PAGES_CHOOSE_DS_H

#include "tui/wiz.h"

/* The chosen data source's id (the answers' or the highlighted row's); NULL when none. */
const char *ds_chosen_id(const struct wiz *w);

#endif

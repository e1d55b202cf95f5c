/* review_save.h - what administrators take away from the Review page: `s` saves the plan as
 * JSON (the --dry-run document), `a` shows the awscli script and saves it, `w` writes the
 * session's answers file for --batch. Each asks for a file name (Enter: a default in the
 * current directory) and asks before replacing a file. */
#ifndef CX_TUI_PAGES_REVIEW_SAVE_H
#define CX_TUI_PAGES_REVIEW_SAVE_H

#include <wchar.h>

struct wiz;

/* Acts on s, a or w (the plan must be made for s and a); returns TUI_HANDLED, or 0 for any
 * other character. */
int review_save_key(struct wiz *w, wchar_t ch);

#endif

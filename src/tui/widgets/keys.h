/* keys.h - the one binding table: terminal keys -> abstract actions.
 * Pages and widgets only ever see actions (struct tui_event), so tests and scripts can drive
 * the interface by synthesising events (tui_app_dispatch) instead of keys. */
#ifndef CX_TUI_KEYS_H
#define CX_TUI_KEYS_H

#include <stdbool.h>
#include <wchar.h>

enum tui_action {
	ACT_NONE = 0,
	ACT_CHAR,      /* a printable character with no binding (see tui_event.ch) */
	ACT_NEXT,      /* Tab: next field */
	ACT_PREV,      /* Shift-Tab: previous field */
	ACT_UP,        /* Up arrow */
	ACT_DOWN,      /* Down arrow */
	ACT_LEFT,      /* Left arrow */
	ACT_RIGHT,     /* Right arrow */
	ACT_ENTER,     /* Enter: continue / choose */
	ACT_BACK,      /* Esc: back / cancel */
	ACT_HELP,      /* F1 or ? */
	ACT_QUIT,      /* q or F10 */
	ACT_INTERRUPT, /* Ctrl-C (raw 0x03 or SIGINT) */
	ACT_TERMINATE, /* SIGTERM or SIGHUP: leave now */
	ACT_PGUP,
	ACT_PGDN,
	ACT_HOME,
	ACT_END,
	ACT_SEARCH,      /* / */
	ACT_SEARCH_NEXT, /* n */
	ACT_EDIT,        /* e */
	ACT_TOGGLE,      /* space */
	ACT_BACKSPACE,   /* Backspace, ^H, DEL */
	ACT_DELETE,      /* Delete */
	ACT_KILL_LINE,   /* Ctrl-U */
	ACT_RESIZE,      /* the terminal changed size (handled by the app; pages get resize()) */
	ACT_TICK,        /* timer tick (about 100 ms) while the app is busy */
	ACT_PICK,        /* F4 or Ctrl-L: a list to pick the focused field's value from */
	ACT_COUNT
};

/* One input event. `ch` is the printable character typed (0 when the key was not a printable
 * character): text widgets insert it instead of acting on `act`, so `q`, `n`, `/`, `?`, `e` and
 * space type themselves in a text field while F10, F1 and the arrows keep working. */
struct tui_event {
	enum tui_action act;
	wchar_t ch;
};

/* Maps a key from get_wch() (is_key: the KEY_CODE_YES case) to an event. */
struct tui_event keys_map(int is_key, unsigned int code);
/* Stable lowercase action name ("next", "pgdn", ...) and its inverse (ACT_NONE if unknown). */
const char *keys_action_name(enum tui_action a);
enum tui_action keys_action_from_name(const char *name);

#endif

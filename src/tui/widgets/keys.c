/* keys.c - the binding table (the only place that knows which key does what). */
#include <curses.h>
#include <string.h>
#include <wctype.h>

#include "tui/widgets/keys.h"

struct binding {
	unsigned int code;
	int is_key; /* 1: a KEY_* code; 0: a character */
	enum tui_action act;
};

static const struct binding bindings[] = {
    {'\t', 0, ACT_NEXT},
    {KEY_BTAB, 1, ACT_PREV},
    {KEY_UP, 1, ACT_UP},
    {KEY_DOWN, 1, ACT_DOWN},
    {KEY_LEFT, 1, ACT_LEFT},
    {KEY_RIGHT, 1, ACT_RIGHT},
    {'\n', 0, ACT_ENTER},
    {'\r', 0, ACT_ENTER},
    {KEY_ENTER, 1, ACT_ENTER},
    {27, 0, ACT_BACK},
    {KEY_F(1), 1, ACT_HELP},
    {'?', 0, ACT_HELP},
    {'q', 0, ACT_QUIT},
    {KEY_F(10), 1, ACT_QUIT},
    {3, 0, ACT_INTERRUPT},
    {KEY_PPAGE, 1, ACT_PGUP},
    {KEY_NPAGE, 1, ACT_PGDN},
    {KEY_HOME, 1, ACT_HOME},
    {KEY_END, 1, ACT_END},
    {1, 0, ACT_HOME}, /* Ctrl-A */
    {5, 0, ACT_END},  /* Ctrl-E */
    {'/', 0, ACT_SEARCH},
    {'n', 0, ACT_SEARCH_NEXT},
    {'e', 0, ACT_EDIT},
    {' ', 0, ACT_TOGGLE},
    {KEY_BACKSPACE, 1, ACT_BACKSPACE},
    {127, 0, ACT_BACKSPACE},
    {8, 0, ACT_BACKSPACE},
    {KEY_DC, 1, ACT_DELETE},
    {4, 0, ACT_DELETE},     /* Ctrl-D */
    {21, 0, ACT_KILL_LINE}, /* Ctrl-U */
    {KEY_RESIZE, 1, ACT_RESIZE},
    {KEY_F(4), 1, ACT_PICK},
    {12, 0, ACT_PICK}, /* Ctrl-L */
};

static const char *const names[ACT_COUNT] = {
    [ACT_NONE] = "none",
    [ACT_CHAR] = "char",
    [ACT_NEXT] = "next",
    [ACT_PREV] = "prev",
    [ACT_UP] = "up",
    [ACT_DOWN] = "down",
    [ACT_LEFT] = "left",
    [ACT_RIGHT] = "right",
    [ACT_ENTER] = "enter",
    [ACT_BACK] = "back",
    [ACT_HELP] = "help",
    [ACT_QUIT] = "quit",
    [ACT_INTERRUPT] = "interrupt",
    [ACT_TERMINATE] = "terminate",
    [ACT_PGUP] = "pgup",
    [ACT_PGDN] = "pgdn",
    [ACT_HOME] = "home",
    [ACT_END] = "end",
    [ACT_SEARCH] = "search",
    [ACT_SEARCH_NEXT] = "search-next",
    [ACT_EDIT] = "edit",
    [ACT_TOGGLE] = "toggle",
    [ACT_BACKSPACE] = "backspace",
    [ACT_DELETE] = "delete",
    [ACT_KILL_LINE] = "kill-line",
    [ACT_RESIZE] = "resize",
    [ACT_TICK] = "tick",
    [ACT_PICK] = "pick",
};

struct tui_event keys_map(int is_key, unsigned int code)
{
	struct tui_event ev = {ACT_NONE, 0};
	for (size_t i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++) {
		if (bindings[i].code == code && bindings[i].is_key == (is_key ? 1 : 0)) {
			ev.act = bindings[i].act;
			break;
		}
	}
	if (!is_key && code >= 0x20 && code != 0x7f && iswprint((wint_t)code)) {
		ev.ch = (wchar_t)code;
		if (ev.act == ACT_NONE)
			ev.act = ACT_CHAR;
	}
	return ev;
}

const char *keys_action_name(enum tui_action a)
{
	if ((int)a < 0 || a >= ACT_COUNT || !names[a])
		return "none";
	return names[a];
}

enum tui_action keys_action_from_name(const char *name)
{
	for (int i = 0; i < ACT_COUNT; i++)
		if (names[i] && name && strcmp(names[i], name) == 0)
			return (enum tui_action)i;
	return ACT_NONE;
}

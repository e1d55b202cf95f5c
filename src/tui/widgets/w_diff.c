/* w_diff.c - diff viewer: roles for unified diff lines. */
#include <string.h>

#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"

void tui_diff_style(const char *s, size_t len, unsigned char *roles)
{
	unsigned char role = ROLE_NORMAL;
	if (len >= 3 && (strncmp(s, "+++", 3) == 0 || strncmp(s, "---", 3) == 0))
		role = ROLE_DIFF_FILE;
	else if (len >= 2 && strncmp(s, "@@", 2) == 0)
		role = ROLE_DIFF_HUNK;
	else if (len >= 1 && s[0] == '+')
		role = ROLE_DIFF_ADD;
	else if (len >= 1 && s[0] == '-')
		role = ROLE_DIFF_DEL;
	memset(roles, role, len);
}

void tui_diff_init(struct tui_view *v, const char *diff_text)
{
	tui_view_init(v, tui_diff_style, diff_text);
}

/* w_json.c - JSON viewer: syntax roles for pretty-printed JSON lines. */
#include <string.h>

#include "tui/widgets/theme.h"
#include "tui/widgets/widgets.h"

/* Lines come from a pretty printer, so tokens do not span lines (a string cut by wrapping is
 * still one logical line). */
void tui_json_style(const char *s, size_t len, unsigned char *roles)
{
	size_t i = 0;
	while (i < len) {
		char c = s[i];
		if (c == '"') {
			size_t j = i + 1;
			while (j < len && s[j] != '"') {
				if (s[j] == '\\' && j + 1 < len)
					j++;
				j++;
			}
			if (j < len)
				j++;
			size_t k = j;
			while (k < len && (s[k] == ' ' || s[k] == '\t'))
				k++;
			unsigned char role = k < len && s[k] == ':' ? ROLE_JSON_KEY : ROLE_JSON_STR;
			memset(roles + i, role, j - i);
			i = j;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t j = i;
			while (j < len && strchr("+-0123456789.eE", s[j]))
				j++;
			memset(roles + i, ROLE_JSON_NUM, j - i);
			i = j;
		} else if (strchr("{}[]:,", c)) {
			roles[i++] = ROLE_JSON_PUNCT;
		} else if (c >= 'a' && c <= 'z') {
			size_t j = i;
			while (j < len && s[j] >= 'a' && s[j] <= 'z')
				j++;
			memset(roles + i, ROLE_JSON_LIT, j - i);
			i = j;
		} else {
			roles[i++] = ROLE_NORMAL;
		}
	}
}

void tui_json_init(struct tui_view *v, const char *json_text)
{
	tui_view_init(v, tui_json_style, json_text);
}

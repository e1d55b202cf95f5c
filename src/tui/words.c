/* words.c - plain words on the screens (tui/words.h). */
#include "tui/words.h"

#include <stdio.h>
#include <string.h>

#include "tui/widgets/theme.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/str.h"

/* Longest first where one pattern starts another. */
static const struct {
	const char *from, *to;
} words[] = {
    {"; run with --yes to delete it", "; the wizard leaves it (delete it in AWS if unused)"},
    {"run again with --yes to let the wizard delete the keys it made, ", ""},
    {" (run with --yes to deactivate it; it is never deleted)", " (it is never deleted)"},
    {"(needs --yes)", "(asked in \"Apply now?\")"},
    {"(--yes deletes it)", "(kept)"},
    {"\"create_report\"", "its own report setup"},
    {"\"bucket_only\"", "reading the bucket only"},
    {"\"find_report\"", "finding the export itself"},
    {"create_report", "CerteroX sets up the report"},
    {"bucket_only", "CerteroX reads the bucket"},
    {"find_report", "CerteroX finds the export"},
    {"critical_path", "longest chain of calls"},
    {" to 1 other users, groups or roles", " to 1 other user, group or role"},
    {"type cur2", "type CUR 2.0"},
    {"(cur2)", "(CUR 2.0)"},
};

char *tui_words(const char *text)
{
	if (!text)
		return NULL;
	struct buf b;
	buf_init(&b);
	const char *p = text;
	while (*p) {
		bool hit = false;
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			size_t n = strlen(words[i].from);
			if (strncmp(p, words[i].from, n) == 0) {
				buf_puts(&b, words[i].to);
				p += n;
				hit = true;
				break;
			}
		}
		if (hit)
			continue;
		if (strncmp(p, " -> ", 4) == 0) {
			buf_putc(&b, ' ');
			buf_puts(&b, theme_sym(SYM_TO));
			buf_putc(&b, ' ');
			p += 4;
			continue;
		}
		buf_putc(&b, *p++);
	}
	return buf_steal(&b);
}

void tui_path_fit(const char *path, int cols, char *out, size_t n)
{
	if (!path)
		path = "";
	size_t len = strlen(path);
	if (tui_width(path, len) <= cols || cols < 4) {
		str_copy(out, n, path);
		return;
	}
	const char *ell = theme_sym(SYM_ELLIPSIS);
	int room = cols - tui_width(ell, strlen(ell));
	/* the shortest tail that fits, started at a '/' when one is in it */
	const char *tail = path + len;
	while (tail > path && tui_width(tail - 1, (size_t)(path + len - (tail - 1))) <= room)
		tail--;
	const char *slash = strchr(tail, '/');
	if (slash && slash[1])
		tail = slash;
	snprintf(out, n, "%s%s", ell, tail);
}

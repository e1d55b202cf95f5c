/* words.h - the wizard's screens speak plainly: text made for --batch and the JSON plan (core's
 * warnings, differences, skip reasons) is reworded before it is shown: no API names
 * (create_report, bucket_only, find_report, cur2, critical_path), no --yes (the screens ask
 * in "Apply now?" instead), one arrow (theme's SYM_TO). */
#ifndef CX_TUI_WORDS_H
#define CX_TUI_WORDS_H

#include <stddef.h>

/* A reworded copy of text (caller frees). NULL gives NULL. */
char *tui_words(const char *text);
/* A path in at most cols columns: whole when it fits, else its end (the file name and as many
 * directories as fit) after an ellipsis, "…/share/certerox-aws-setup/vault.cxv". */
void tui_path_fit(const char *path, int cols, char *out, size_t n);

#endif

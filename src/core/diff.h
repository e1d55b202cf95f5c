/* diff.h - line-based unified diff (GNU diff -u format, 3 lines of context). */
#ifndef CX_CORE_DIFF_H
#define CX_CORE_DIFF_H

/* The unified diff of old_text -> new_text ("---"/"+++" header lines with the labels, then
 * "@@ -a,b +c,d @@" hunks; a count of 1 is written without ",1"). "" when the texts are
 * equal. NULL texts are empty. A final line without "\n" gets "\ No newline at end of
 * file". Caller frees. */
char *diff_unified(const char *old_text, const char *new_text, const char *old_label,
                   const char *new_label);

#endif

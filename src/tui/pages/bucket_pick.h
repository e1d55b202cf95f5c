/* bucket_pick.h - the Data export page's bucket picker (F4 or Ctrl-L on the bucket field): the
 * account's buckets as discovery listed them (wiz.buckets), each with its region; a bucket the
 * export cannot deliver to (legacy CUR: a region its API does not list) is marked. */
#ifndef CX_TUI_PAGES_BUCKET_PICK_H
#define CX_TUI_PAGES_BUCKET_PICK_H

#include <stdbool.h>
#include <stddef.h>

struct wiz;

/* Opens the list (current: the field's value, where the cursor starts). Returns 1 when a
 * bucket was picked (name and region filled; region "" when S3 did not give it), 0 when
 * nothing was (Esc, or the list is not there: the status line says why), -1 when interrupted.
 */
int bucket_pick(struct wiz *w, bool legacy, const char *current, char *name, size_t name_n,
                char *region, size_t region_n);

#endif

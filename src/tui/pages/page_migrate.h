/* page_migrate.h - migrate's page of the new export (page_migrate_export_ops in tui/wiz.h)
 * and what the IAM page shows of a migrate on an account whose data source's user is known. */
#ifndef CX_TUI_PAGE_MIGRATE_H
#define CX_TUI_PAGE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

struct wiz;

/* Migrate with the data source's real user known (run/resolve) and the plan built: the change
 * to that user's grants - the unified diff of its policy's new default version (*is_diff), the
 * ReadOnly policy to attach, or why nothing changes. head (n bytes) gets a one-line heading
 * naming the user and the policy. NULL otherwise. Caller frees. */
char *migrate_iam_text(const struct wiz *w, char *head, size_t n, bool *is_diff);

#endif

/* wizard.c - the wizard's page set, in the guide's order; pages that do not apply skip
 * themselves through page_ops.applies (core/flow). */
#include <stddef.h>

#include "tui/app.h"
#include "tui/orgwork.h"
#include "tui/wiz.h"
#include "tui/wizard.h"

/* The migrate flow signs in to CerteroX and chooses the data source right after the start page;
 * the connect flows sign in after the user page: the CerteroX page is listed twice (each
 * instance applies to one kind of flow). */
static const struct page_ops *const pages[] = {
    &page_start_ops,     &page_certerox_migrate_ops, &page_org_accounts_ops, &page_org_review_ops,
    &page_choose_ds_ops, &page_choose_ds_life_ops,   &page_connection_ops,   &page_export_type_ops,
    &page_export_ops,    &page_bucket_policy_ops,    &page_iam_ops,          &page_user_ops,
    &page_certerox_ops,  &page_review_ops,           &page_vault_ops,        &page_apply_ops,
    &page_done_ops,      &page_org_apply_ops,        &page_org_done_ops,
};

bool wizard_available(void)
{
	return true;
}

struct wiz *wizard_add_pages(struct tui_app *app, const struct cx_options *o)
{
	struct wiz *w = wiz_new(app, o);
	struct tui_io io = wiz_io(w);
	tui_app_set_io(app, &io);
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		tui_app_add_page(app, pages[i], w);
		if (pages[i] == &page_start_ops) /* its own page, after Welcome (page_status.c) */
			tui_app_add_page(app, &page_status_ops, w);
	}
	return w;
}

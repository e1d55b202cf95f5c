/* wizard.c - the wizard's page set. Page files (page_*.c) export a `const struct page_ops`
 * and are listed here in the guide's order; pages that do not apply skip themselves through
 * page_ops.applies. */
#include <stddef.h>

#include "tui/app.h"
#include "tui/wizard.h"

static const struct page_ops *const pages[] = {
    NULL, /* e.g. &page_start_ops, &page_connection_ops, ... */
};

bool wizard_available(void)
{
	return pages[0] != NULL;
}

void wizard_add_pages(struct tui_app *app, const struct cx_options *o)
{
	(void)o;
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]) && pages[i]; i++)
		tui_app_add_page(app, pages[i], NULL);
}

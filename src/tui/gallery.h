/* gallery.h - the widget gallery (CX_TUI_GALLERY=1): one page per widget, for screen tests. */
#ifndef CX_TUI_GALLERY_H
#define CX_TUI_GALLERY_H

struct tui_app;

/* Adds the gallery pages to app. With CX_TUI_GALLERY_IO=1 it also installs an external wait
 * hook (a counting poll) so tests exercise that path. */
void gallery_add_pages(struct tui_app *app);

#endif

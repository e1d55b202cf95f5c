/* gallery.h - the widget gallery (CX_TUI_GALLERY=1): one page per widget, for screen tests. */
#ifndef CX_TUI_GALLERY_H
#define CX_TUI_GALLERY_H

struct tui_app;

/* Adds the gallery pages to app. */
void gallery_add_pages(struct tui_app *app);

#endif

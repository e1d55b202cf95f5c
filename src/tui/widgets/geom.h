/* geom.h - what the app, the pages and the widgets all speak: a rectangle of the screen and
 * the flags a key handler returns. */
#ifndef CX_TUI_GEOM_H
#define CX_TUI_GEOM_H

struct tui_rect {
	int y, x, h, w;
};

/* on_action result flags */
enum {
	TUI_HANDLED = 1 << 0, /* the page consumed the action (no default handling) */
	TUI_REDRAW = 1 << 1,  /* redraw the frame (the app redraws after every event anyway) */
	TUI_NEXT = 1 << 2,    /* go to the next applicable page (on the last: the flow is done) */
	TUI_BACK = 1 << 3,    /* go to the previous applicable page */
	TUI_QUIT = 1 << 4,    /* quit (asks first when something was applied) */
	TUI_DONE = 1 << 5,    /* the flow is complete: leave with exit status 0 */
};

#endif

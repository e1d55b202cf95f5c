/* orgwork.h - the wizard's "Connect member accounts of this Organization" flow (page_org.c):
 * its shared state, and the worker thread that runs run/org (org_scan, then org_run).
 *
 * run/org is synchronous (it drives the session's http ctx until every member is done), so it
 * runs in a worker thread with the wizard's session lent to it: while the worker runs, the wait
 * hook (wiz.c io_wait) leaves the session's http ctx alone and polls only the terminal, and
 * nothing else on the main thread touches the session or the vault. The worker's progress
 * (each account started / finished, the run's lines) is queued under a mutex; the apply page
 * takes the queue on every tick (~100 ms) and redraws from it, so the screen stays live
 * however many accounts are in flight. */
#ifndef CX_TUI_ORGWORK_H
#define CX_TUI_ORGWORK_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "run/org.h"
#include "tui/app.h"

struct wiz;
struct org_work;

/* One queued progress event of the worker (strings owned by the event). */
struct org_work_event {
	char *id;   /* account; NULL for a line of the run's log */
	char *line; /* the log line (id NULL) */
	bool running;
	enum org_outcome outcome;
	long ms;
	char *reason, *fix;
};

struct org_work *org_work_new(void);
/* Asks the worker to stop starting accounts, waits for it, frees everything. NULL allowed. */
void org_work_free(struct org_work *ow);
/* The scan (org_scan) on the worker; false when a worker is already running. */
bool org_work_scan(struct org_work *ow, struct session *s, const char *role_name);
/* The run (org_run) on the worker with env (copied; env->on_account, on_line, ud and stop
 * are set here; answers and vault must live until the end). */
bool org_work_run(struct org_work *ow, const struct org_env *env);
/* Asks the worker's run to start no further account. */
void org_work_stop(struct org_work *ow);
bool org_work_stopping(const struct org_work *ow);
/* True while a worker is running (not yet joined). Joins it once it has ended. */
bool org_work_busy(struct org_work *ow);
/* Takes the queued events (caller frees with org_work_events_free). */
struct org_work_event *org_work_take(struct org_work *ow, size_t *n);
void org_work_events_free(struct org_work_event *ev, size_t n);
/* After the scan (not busy): its status, err and result (owned by ow). */
enum cx_status org_work_scan_result(const struct org_work *ow, const struct org_scan **sc,
                                    struct cx_err *err);
/* After the run (not busy): its status, the accounts left, err; the summary (owned by ow). */
enum cx_status org_work_run_result(const struct org_work *ow, const cJSON **summary, int *left,
                                   struct cx_err *err);
bool org_work_ran(const struct org_work *ow); /* a run has started (and maybe ended) */

/* The flow's state in struct wiz (w->org), made on first use; freed by wiz_free. */
struct tui_org;
void tui_org_free(struct tui_org *t);

extern const struct page_ops page_org_accounts_ops, page_org_review_ops, page_org_apply_ops,
    page_org_done_ops;

#endif

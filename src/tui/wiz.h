/* wiz.h - the wizard's shared context: the answers, the session (AWS + CerteroX clients on one
 * http ctx), discovery, the plan, the vault and the engine. The pages (page_*.c) read and
 * change it; every network call is asynchronous on the session's http ctx, driven by the
 * app's wait hook (wiz_io), so the screen stays responsive. Completion callbacks call
 * tui_app_wake, so the current page gets an ACT_TICK and the frame is redrawn. */
#ifndef CX_TUI_WIZ_H
#define CX_TUI_WIZ_H

#include <stdbool.h>

#include "certerox/certerox.h"
#include "core/answers.h"
#include "core/plan.h"
#include "core/strv.h"
#include "run/discover.h"
#include "run/engine.h"
#include "run/journal.h"
#include "run/session.h"
#include "tui/app.h"
#include "tui/widgets/widgets.h"
#include "util/err.h"
#include "vault/vault.h"

struct cx_options;

/* The Welcome page's choices, in its order (rotate and disconnect last: the others keep
 * their places; WIZ_ORG only for an Organization's management account, page_org.c). */
enum wiz_start {
	WIZ_CONNECT = 0,
	WIZ_MIGRATE,
	WIZ_SHOW,
	WIZ_CHECK,
	WIZ_ROTATE,
	WIZ_DISCONNECT,
	WIZ_ORG
};

struct wiz {
	struct tui_app *app;
	const struct cx_options *o;
	struct answers a;
	bool preloaded; /* --answers FILE given */

	/* session (opened at start; session_err set when it could not be opened) */
	bool session_ok;
	struct session s;
	struct cx_err session_err;

	/* discovery (the facts of the answers as they were when it started) */
	struct discover *disc;
	char *disc_key;  /* answers + vault state the running/last discovery was for */
	bool have_facts; /* facts valid for disc_key */
	struct plan_facts facts;
	struct strv warnings;
	enum cx_status disc_st;
	struct cx_err disc_err;
	int disc_started, disc_finished;
	char disc_last[160]; /* label of the last read */
	/* each export's delivered files as the last discovery knew them (index of facts.exports) */
	enum discover_delivery *delivery;
	size_t ndelivery;
	/* the account's buckets (the Data export page's picker): listed by the first discovery
	 * that gets its answer (discover_opts.list_buckets), kept for the session */
	bool buckets_read;
	struct s3_bucket_list buckets;
	enum cx_status buckets_st;
	struct cx_err buckets_err;

	/* the plan (built from facts; valid while have_plan) */
	bool have_plan;
	struct plan plan;
	enum cx_status plan_st;
	struct cx_err plan_err;

	/* CerteroX sign-in and organizations */
	struct certerox_call *cxcall;
	bool cx_busy;
	bool cx_ready; /* signed in (token or login) and the organization is known */
	enum cx_status cx_st;
	struct cx_err cx_err;
	struct certerox_org_list orgs;
	char *cx_url;  /* URL the client was made for */
	bool cx_token; /* a token came from the environment / file */
	/* The CerteroX URL came from the answers file only: the token is not sent to it until the
	 * user confirms it (Enter on the CerteroX page). */
	bool cx_url_unconfirmed;

	/* vault */
	char *vault_file;
	struct vault *vault;

	/* apply */
	struct journal *jn;
	struct engine *eng;
	bool applying, apply_finished, cancelled;
	bool cancel_reads_done; /* Esc: the read-only steps in flight were stopped */
	enum cx_status apply_st;
	struct cx_err apply_err;
	struct tui_progress prog;
	struct tui_log log;
	char keycheck[160]; /* last key check progress */

	/* an earlier run that stopped (tui/resume.h): its step (1-based; 0 = none) and answers */
	int resume_step, resume_steps;
	char resume_title[160];
	/* page 1 choice */
	enum wiz_start start;
	bool conn_preselected;
	/* "Connect member accounts of this Organization" (tui/orgwork.h): its state, and the
	 * session lent to its worker thread (the wait hook then leaves the http ctx alone) */
	struct tui_org *org;
	bool lent;
	/* edited IAM policy documents (NULL = the templates) */
	cJSON *edited_readonly, *edited_discover;
};

/* Creates the context (answers preloaded from --answers; the session opened without any
 * network call). Never NULL; problems are kept in session_err / shown by page 1. */
struct wiz *wiz_new(struct tui_app *app, const struct cx_options *o);
void wiz_free(struct wiz *w);
/* The wait hook for tui_app_set_io: curl's sockets and the tty together. */
struct tui_io wiz_io(struct wiz *w);

/* Makes sure the facts match the current answers: starts discovery when they do not (or
 * none ran yet). Returns true when the facts are current (have_facts, or disc_st failed). */
bool wiz_refresh(struct wiz *w);
bool wiz_discovering(const struct wiz *w);
/* The facts as known now: while discovery runs, what it has read so far (its exports appear
 * and change as their reads answer); else the facts. Valid until the next event. */
const struct plan_facts *wiz_live_facts(const struct wiz *w);
/* Export i of wiz_live_facts: its delivered files as known now (run/discover.h). */
enum discover_delivery wiz_export_delivery(const struct wiz *w, size_t i);
/* For page_ops.loading: while the account is read (or CerteroX signs in) for the current
 * answers, the status line that says an Enter waits for it; NULL when the facts are there or
 * the read failed (the page says why). */
const char *wiz_loading(struct wiz *w);
/* Builds the plan from the current facts (answers defaults filled, validated). Returns the
 * status (plan_err filled). */
enum cx_status wiz_build_plan(struct wiz *w);

/* CerteroX: makes the client for url (when it changed), then signs in with the token (list
 * the organizations) or with email + password (login first). Asynchronous: cx_busy until
 * done; cx_ready / cx_st after. */
void wiz_certerox_connect(struct wiz *w, const char *url, const char *email, const char *password);
/* Chooses the organization (id copied into answers and session). */
void wiz_certerox_org(struct wiz *w, const char *org_id);

/* Starts the engine on the plan (journal opened); progress into w->prog / w->log. */
enum cx_status wiz_apply_start(struct wiz *w);
/* Esc (inflight false): no new step starts; the write in flight finishes, then the read-only
 * steps still running (the key check) are stopped. Ctrl-C (inflight true): everything in flight
 * is stopped now. */
void wiz_apply_cancel(struct wiz *w, bool inflight);
/* The exit summary (caller frees): a few lines of text on a terminal, JSON when stdout is
 * not a terminal or with --format json (run/summary_text.h). */
char *wiz_summary_text(struct wiz *w);
/* The bucket-policy backup file of this run's bucket-policy change (journal), or NULL. Caller
 * frees. */
char *wiz_policy_backup(const struct wiz *w);

/* Text field validators built on core/validate (ctx unused). */
bool wiz_valid_export_name(const char *v, char *msg, size_t n, void *ctx);
bool wiz_valid_report_name(const char *v, char *msg, size_t n, void *ctx);
bool wiz_valid_bucket(const char *v, char *msg, size_t n, void *ctx);
bool wiz_valid_prefix_cur2(const char *v, char *msg, size_t n, void *ctx);
bool wiz_valid_prefix_legacy(const char *v, char *msg, size_t n, void *ctx);
bool wiz_valid_region(const char *v, char *msg, size_t n, void *ctx);
bool wiz_valid_user(const char *v, char *msg, size_t n, void *ctx);
bool wiz_valid_ds_name(const char *v, char *msg, size_t n, void *ctx);
bool wiz_valid_url(const char *v, char *msg, size_t n, void *ctx);

/* The data source's name (migrate: CerteroX's name of the chosen one). */
const char *wiz_ds_name(const struct wiz *w);
/* The page p is in the current flow (core/flow). */
bool wiz_in_flow(const struct wiz *w, int p);
/* Draws a one-line status of the discovery in progress at (y, x). */
void wiz_draw_discovery(struct wiz *w, WINDOW *win, int y, int x, int width);

/* The page set: ops of each page, in the guide's order. */
extern const struct page_ops page_start_ops, page_connection_ops, page_export_type_ops,
    page_export_ops, page_bucket_policy_ops, page_iam_ops, page_user_ops, page_certerox_ops,
    page_certerox_migrate_ops, page_choose_ds_ops, page_choose_ds_life_ops, page_review_ops,
    page_vault_ops, page_apply_ops, page_done_ops, page_status_ops, page_migrate_export_ops;

#endif

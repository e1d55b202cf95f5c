/* engine.h - executes a plan (core/plan.h) on the shared http ctx: independent steps in
 * parallel (up to 8 in flight), each step's outcome reported as an event, what was created
 * recorded in the journal, and the new secret access key saved in the vault the moment
 * CreateAccessKey returns. No threads: the engine advances inside http_ctx_perform, driven
 * by the front end's loop (engine_run drives it itself).
 *
 * Steps are "ensure" steps: the plan skips what discovery found equal; the engine treats an
 * answer that says the resource already exists (after a retried, reset request) as done. */
#ifndef CX_RUN_ENGINE_H
#define CX_RUN_ENGINE_H

#include <stdbool.h>

#include "aws/client.h"
#include "certerox/certerox.h"
#include "core/answers.h"
#include "core/plan.h"
#include "run/journal.h"
#include "util/err.h"
#include "vault/vault.h"

enum engine_event_kind {
	ENGINE_STARTED = 0,
	ENGINE_RETRYING, /* reason set */
	ENGINE_PROGRESS, /* detail set (key check: waiting for the key, permission proved) */
	ENGINE_DONE,     /* ms set */
	ENGINE_SKIPPED,  /* reason set */
	ENGINE_FAILED,   /* err and fix set */
	ENGINE_FINISHED  /* once, when no step is pending or running; step is NULL, index 0 */
};

struct engine_event {
	enum engine_event_kind kind;
	int index; /* 1-based position of the step in the plan */
	int total; /* steps in the plan */
	const struct plan_step *step;
	long ms;                  /* DONE/FAILED: duration of the step */
	int attempt;              /* RETRYING: the attempt that failed */
	const char *reason;       /* RETRYING / SKIPPED */
	const char *detail;       /* PROGRESS / DONE (e.g. the ARN or key id created) */
	const struct cx_err *err; /* FAILED */
	const char *fix;          /* FAILED: what to do, or NULL */
};
typedef void (*engine_event_fn)(void *ud, const struct engine_event *ev);

/* What the engine needs; everything borrowed. */
struct engine_env {
	struct aws_client *aws;    /* the administrator's client */
	struct certerox *certerox; /* NULL: certerox steps fail with CX_E_INPUT */
	const char *certerox_org;  /* organization id for CreateDataSource (NULL = request's) */
	struct vault *vault;       /* required when the plan creates a key or submits */
	struct journal *journal;   /* required */
	const struct answers *answers;
	const struct plan_facts *facts;
	engine_event_fn on_event;
	void *event_ud;
	long key_wait_ms; /* key check: how long to wait for a new key (0 = 120 s) */
};

/* Outputs of a run (owned by the engine; valid until engine_free). */
struct engine_result {
	char *access_key_id;  /* the key used for CerteroX (new or from the vault) */
	char *export_arn;     /* CreateExport/UpdateExport */
	char *data_source_id; /* CerteroX */
	char *iam_user;       /* the IAM user whose key that is (NULL: not known to the run) */
	int done, skipped, failed, not_run;
	bool aws_work_done; /* every AWS step finished (only CerteroX left or done) */
	bool wrote;         /* something was written */
};

struct engine;

/* Creates an engine for plan (borrowed; must outlive it). */
struct engine *engine_new(const struct plan *plan, const struct engine_env *env);
void engine_free(struct engine *e);
/* Starts the ready steps; the rest follows from http_ctx_perform. */
void engine_start(struct engine *e);
/* True once every step has finished, failed, or will not run. */
bool engine_finished(const struct engine *e);
/* Asks the engine to stop: steps in flight finish (or are cancelled with cancel_inflight),
 * no new step starts; the state stays resumable. */
void engine_cancel(struct engine *e, bool cancel_inflight);
/* Starts and drives the ctx until finished. Returns CX_OK or the first failure (err). */
enum cx_status engine_run(struct engine *e, struct cx_err *err);
/* After finishing: CX_OK, or the status of the first failure (detail in err). */
enum cx_status engine_status(const struct engine *e, struct cx_err *err);
const struct engine_result *engine_result(const struct engine *e);
/* The status of step i ("pending", "running", "done", "skipped", "failed", "not run") and
 * its duration in ms. */
const char *engine_step_state(const struct engine *e, size_t i, long *ms);

#endif

/* orgwork.c - the worker thread of the wizard's Organization flow (see orgwork.h). */
#include "tui/orgwork.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

enum ow_kind { OW_NONE = 0, OW_SCAN, OW_RUN };

struct org_work {
	pthread_mutex_t mu;
	pthread_t th;
	bool thread;   /* started, not joined */
	bool finished; /* the thread's function has returned (under mu) */
	int stop;      /* __atomic: read by the worker */
	enum ow_kind kind;
	bool ran;
	/* scan */
	struct session *s;
	char *role_name;
	struct org_scan scan;
	/* run */
	struct org_env env;
	cJSON *summary;
	int left;
	/* either */
	enum cx_status st;
	struct cx_err err;
	/* the queue */
	struct org_work_event *q;
	size_t nq, capq;
};

struct org_work *org_work_new(void)
{
	struct org_work *ow = xcalloc(1, sizeof(*ow));
	pthread_mutex_init(&ow->mu, NULL);
	cx_err_clear(&ow->err);
	return ow;
}

static void push(struct org_work *ow, const struct org_work_event *e)
{
	pthread_mutex_lock(&ow->mu);
	if (ow->nq == ow->capq) {
		ow->capq = ow->capq ? ow->capq * 2 : 64;
		ow->q = xrealloc(ow->q, ow->capq * sizeof(*ow->q));
	}
	ow->q[ow->nq++] = *e;
	pthread_mutex_unlock(&ow->mu);
}

static void on_account(void *ud, const struct org_progress *p)
{
	struct org_work_event e = {
	    .id = xstrdup(p->id),
	    .running = p->running,
	    .outcome = p->outcome,
	    .ms = p->ms,
	    .reason = p->reason && *p->reason ? xstrdup(p->reason) : NULL,
	    .fix = p->fix && *p->fix ? xstrdup(p->fix) : NULL,
	};
	push(ud, &e);
}

static void on_line(void *ud, const char *line)
{
	struct org_work_event e = {.line = xstrdup(line)};
	push(ud, &e);
}

static void *work(void *arg)
{
	struct org_work *ow = arg;
	struct cx_err err;
	cx_err_clear(&err);
	enum cx_status st;
	if (ow->kind == OW_SCAN) {
		st = org_scan(ow->s, ow->role_name, &ow->scan, &err);
	} else {
		st = org_run(&ow->env, &ow->summary, &ow->left, &err);
	}
	pthread_mutex_lock(&ow->mu);
	ow->st = st;
	ow->err = err;
	ow->finished = true;
	pthread_mutex_unlock(&ow->mu);
	return NULL;
}

static bool start(struct org_work *ow, enum ow_kind kind)
{
	ow->kind = kind;
	ow->finished = false;
	ow->st = CX_OK;
	cx_err_clear(&ow->err);
	if (pthread_create(&ow->th, NULL, work, ow) != 0) {
		ow->st = cx_err_set(&ow->err, CX_E_INTERNAL, "cannot start a thread");
		ow->finished = true;
		return false;
	}
	ow->thread = true;
	return true;
}

bool org_work_scan(struct org_work *ow, struct session *s, const char *role_name)
{
	if (org_work_busy(ow))
		return false;
	org_scan_free(&ow->scan);
	free(ow->role_name);
	ow->role_name = xstrdup(role_name);
	ow->s = s;
	return start(ow, OW_SCAN);
}

bool org_work_run(struct org_work *ow, const struct org_env *env)
{
	if (org_work_busy(ow))
		return false;
	ow->env = *env;
	ow->env.on_account = on_account;
	ow->env.on_line = on_line;
	ow->env.ud = ow;
	ow->env.stop = &ow->stop;
	__atomic_store_n(&ow->stop, 0, __ATOMIC_RELAXED);
	cJSON_Delete(ow->summary);
	ow->summary = NULL;
	ow->left = 0;
	ow->ran = true;
	return start(ow, OW_RUN);
}

void org_work_stop(struct org_work *ow)
{
	__atomic_store_n(&ow->stop, 1, __ATOMIC_RELAXED); /* read between accounts (orgi_launch) */
}

bool org_work_stopping(const struct org_work *ow)
{
	return __atomic_load_n(&ow->stop, __ATOMIC_RELAXED) != 0;
}

bool org_work_busy(struct org_work *ow)
{
	if (!ow->thread)
		return false;
	pthread_mutex_lock(&ow->mu);
	bool fin = ow->finished;
	pthread_mutex_unlock(&ow->mu);
	if (!fin)
		return true;
	pthread_join(ow->th, NULL);
	ow->thread = false;
	return false;
}

struct org_work_event *org_work_take(struct org_work *ow, size_t *n)
{
	pthread_mutex_lock(&ow->mu);
	struct org_work_event *q = ow->q;
	*n = ow->nq;
	ow->q = NULL;
	ow->nq = ow->capq = 0;
	pthread_mutex_unlock(&ow->mu);
	return q;
}

void org_work_events_free(struct org_work_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ev[i].id);
		free(ev[i].line);
		free(ev[i].reason);
		free(ev[i].fix);
	}
	free(ev);
}

enum cx_status org_work_scan_result(const struct org_work *ow, const struct org_scan **sc,
                                    struct cx_err *err)
{
	*sc = &ow->scan;
	if (err)
		*err = ow->err;
	return ow->st;
}

enum cx_status org_work_run_result(const struct org_work *ow, const cJSON **summary, int *left,
                                   struct cx_err *err)
{
	*summary = ow->summary;
	*left = ow->left;
	if (err)
		*err = ow->err;
	return ow->st;
}

bool org_work_ran(const struct org_work *ow)
{
	return ow->ran;
}

void org_work_free(struct org_work *ow)
{
	if (!ow)
		return;
	__atomic_store_n(&ow->stop, 1, __ATOMIC_RELAXED);
	if (ow->thread)
		pthread_join(ow->th, NULL);
	size_t n;
	struct org_work_event *q = org_work_take(ow, &n);
	org_work_events_free(q, n);
	org_scan_free(&ow->scan);
	free(ow->role_name);
	cJSON_Delete(ow->summary);
	pthread_mutex_destroy(&ow->mu);
	free(ow);
}

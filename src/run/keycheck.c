#include "run/keycheck.h"

#include <stdio.h>
#include <stdlib.h>

#include "run/probe.h"
#include "util/mem.h"

struct keycheck {
	struct probe *p;
	keycheck_progress_fn progress;
	keycheck_done_fn done;
	void *ud;
	enum cx_status st;
	struct cx_err err;
	bool finished;
};

static void on_progress(void *ud, const struct probe_event *ev)
{
	struct keycheck *kc = ud;
	if (!kc->progress)
		return;
	char text[512];
	switch (ev->phase) {
	case PROBE_WAITING:
		snprintf(text, sizeof(text),
		         "waiting for AWS to accept the new key (attempt %d, %ld ms)", ev->attempt,
		         ev->elapsed_ms);
		break;
	case PROBE_KEY_VALID:
		snprintf(text, sizeof(text), "AWS accepts the new key (after %ld ms)",
		         ev->elapsed_ms);
		break;
	case PROBE_CHECK_STARTED:
		return;
	case PROBE_CHECK_OK:
		snprintf(text, sizeof(text), "%s allowed", ev->check);
		break;
	case PROBE_CHECK_RETRY:
		snprintf(text, sizeof(text), "%s denied so far (IAM propagation), retrying",
		         ev->check);
		break;
	case PROBE_CHECK_DENIED:
		snprintf(text, sizeof(text), "%s denied: %s", ev->check, ev->detail);
		break;
	default:
		return;
	}
	kc->progress(kc->ud, text);
}

static void on_done(struct probe *p, void *ud)
{
	struct keycheck *kc = ud;
	kc->st = probe_status(p, &kc->err);
	kc->finished = true;
	kc->p = NULL;
	probe_free(p);
	kc->done(kc, kc->ud);
}

struct keycheck *keycheck_start(struct aws_client *admin, const struct keycheck_opts *o,
                                keycheck_progress_fn progress, keycheck_done_fn done, void *ud)
{
	struct keycheck *kc = xcalloc(1, sizeof(*kc));
	kc->progress = progress;
	kc->done = done;
	kc->ud = ud;
	cx_err_clear(&kc->err);
	struct probe_opts po = {
	    .access_key_id = o->access_key_id,
	    .secret_access_key = o->secret_access_key,
	    .user = o->user,
	    .account_id = o->account_id,
	    .linked = o->linked,
	    .billing_only = o->billing_only,
	    .legacy = o->legacy,
	    .bucket = o->bucket,
	    .prefix = o->prefix,
	    .bucket_region = o->bucket ? aws_client_bucket_region(admin, o->bucket) : NULL,
	    .readonly_policy = o->readonly_policy,
	    .discover_policy = o->discover_policy,
	    .wait_max_ms = o->wait_ms,
	    .progress = on_progress,
	    .progress_ud = kc,
	};
	kc->p = probe_start(aws_client_ctx(admin), aws_client_config(admin), &po, on_done, kc);
	return kc;
}

enum cx_status keycheck_status(const struct keycheck *kc, struct cx_err *err)
{
	if (err)
		*err = kc->err;
	return kc->st;
}

void keycheck_cancel(struct keycheck *kc)
{
	if (kc && kc->p)
		probe_cancel(kc->p);
}

void keycheck_free(struct keycheck *kc)
{
	if (!kc)
		return;
	probe_free(kc->p);
	free(kc);
}

/* discover_buckets.c - discovery's listing of the account's buckets (opts.list_buckets): the
 * wizard's bucket picker. Read in the first wave (no account id needed); a refusal or a
 * failure is kept for the picker to say, never a discovery error. */
#include "run/discover_int.h"

enum cx_status dsc_on_buckets(struct discover *d, struct rd *r, enum cx_status st, char *outcome,
                              size_t on)
{
	d->buckets_done = true;
	d->buckets_st = st;
	cx_err_clear(&d->buckets_err);
	if (st != CX_OK) {
		d->buckets_err = *aws_op_error(r->op);
		d->buckets_err.status = st;
		snprintf(outcome, on, "not listed: %s", d->buckets_err.msg);
		return CX_OK;
	}
	s3_bucket_list_free(&d->buckets);
	s3_list_buckets_take(r->op, &d->buckets);
	snprintf(outcome, on, "%zu bucket%s", d->buckets.n, d->buckets.n == 1 ? "" : "s");
	return CX_OK;
}

enum cx_status discover_take_buckets(struct discover *d, struct s3_bucket_list *out,
                                     struct cx_err *err)
{
	memset(out, 0, sizeof(*out));
	if (err)
		cx_err_clear(err);
	if (!d->buckets_done)
		return CX_E_NOT_FOUND;
	d->buckets_done = false;
	if (d->buckets_st != CX_OK) {
		if (err)
			*err = d->buckets_err;
		return d->buckets_st;
	}
	*out = d->buckets;
	memset(&d->buckets, 0, sizeof(d->buckets));
	return CX_OK;
}

/* cxcheck.c - values read from CerteroX are checked like answers before the wizard uses them
 * (issue 17): a data source's bucket, prefix and report name become S3 requests, policy
 * resources and plan steps in the migrate flow, so a server (or whoever edited the data
 * source) must not be able to put there what an answers file could not. */
#include "certerox/certerox.h"

#include <stdio.h>

#include "core/validate.h"

enum cx_status certerox_read_config_check(const struct certerox_config *c, struct cx_err *err)
{
	bool cur2 = c->cur_version == 2;
	enum cx_status st = CX_OK;
	if (c->bucket_name && *c->bucket_name)
		st = validate_bucket("CerteroX config.bucket_name", c->bucket_name, err);
	if (!st && c->bucket_prefix)
		st = validate_prefix("CerteroX config.bucket_prefix", c->bucket_prefix, !cur2, err);
	if (!st && c->report_name && *c->report_name)
		st = cur2
		         ? validate_export_name("CerteroX config.report_name", c->report_name, err)
		         : validate_report_name("CerteroX config.report_name", c->report_name, err);
	return st;
}

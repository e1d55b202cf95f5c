/* validate.h - one validator per answer field, plus the cross-field rules.
 *
 * Each validator returns CX_OK, or CX_E_INPUT with err->msg
 *   <field>: "<value>" <rule>
 * where field is the given JSON path (NULL = the default shown in the comment), the value
 * is quoted with control characters escaped (\xNN) and cut at 80 bytes, and the rule says
 * what is allowed. No field of the answers is a secret. */
#ifndef CX_CORE_VALIDATE_H
#define CX_CORE_VALIDATE_H

#include <stdbool.h>

#include "core/answers.h"
#include "core/strv.h"
#include "util/err.h"

/* "account_id": exactly 12 digits. */
enum cx_status validate_account_id(const char *field, const char *v, struct cx_err *err);
/* "export.bucket": S3 bucket naming rules (3-63 chars; lowercase letters, digits, dots,
 * hyphens; starts and ends with a letter or digit; no ".."; not an IP address; no "xn--",
 * "sthree-" or "amzn-s3-demo-" prefix; no "-s3alias", "--ol-s3", ".mrap" or "--x-s3"
 * suffix). */
enum cx_status validate_bucket(const char *field, const char *v, struct cx_err *err);
/* "export.prefix": may be empty; no leading "/"; a trailing "/" is ignored (see
 * validate_prefix_normalize). CUR 2.0 (legacy false): the characters CerteroX accepts,
 * ASCII letters, digits and ! ' ( ) * + , - . / : ; < = > ? @ [ \ _ |, at most 1024.
 * Legacy CUR (legacy true): [0-9A-Za-z!\-_.*'()/]*, at most 256. */
enum cx_status validate_prefix(const char *field, const char *v, bool legacy, struct cx_err *err);
/* The prefix with trailing "/" removed (new string, free()). NULL in, NULL out. */
char *validate_prefix_normalize(const char *v);
/* "export.name": Data Export name [0-9A-Za-z_-]{1,128}. */
enum cx_status validate_export_name(const char *field, const char *v, struct cx_err *err);
/* "export.name": legacy CUR report name [0-9A-Za-z!\-_.*'()]+, at most 256. */
enum cx_status validate_report_name(const char *field, const char *v, struct cx_err *err);
/* "iam.user": [\w+=,.@-]{1,64}. */
enum cx_status validate_iam_user(const char *field, const char *v, struct cx_err *err);
/* "iam.readonly_policy": [\w+=,.@-]{1,128}. */
enum cx_status validate_iam_policy(const char *field, const char *v, struct cx_err *err);
/* "data_source.name": 1-255 characters, not only whitespace, no control characters. */
enum cx_status validate_data_source_name(const char *field, const char *v, struct cx_err *err);
/* "export.bucket_region": one of validate_regions(). */
enum cx_status validate_region(const char *field, const char *v, struct cx_err *err);
/* "certerox.url": https://host[:port][/path], or http:// only for a loopback host
 * (localhost, 127.x.x.x, [::1]); no user info, no spaces. */
enum cx_status validate_certerox_url(const char *field, const char *v, struct cx_err *err);

/* The known commercial regions (NULL-terminated). */
const char *const *validate_regions(void);

/* Every field that is set, then the cross-field rules:
 *  - linked connection: no "export" section;
 *  - migrate: migrate.data_source_id required;
 *  - root connect with setup other than detect: export.bucket required;
 *  - export.granularity MONTHLY refused (CerteroX imports DAILY or HOURLY only);
 *  - legacy + setup "certerox": a warning is added to warnings (when not NULL) that the
 *    ReadOnly policy gets cur:PutReportDefinition, which the guide's policy lacks.
 * Returns the first error. */
enum cx_status validate_answers(const struct answers *a, struct strv *warnings, struct cx_err *err);

/* The warning text of the legacy + certerox rule (constant). */
extern const char validate_legacy_create_warning[];

#endif

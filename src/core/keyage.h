/* keyage.h - an access key's age against CIS AWS Foundations Benchmark 1.14 ("Ensure access
 * keys are rotated every 90 days or less"), as the TUI's rotate lists each data source's key.
 * Pure: no I/O. */
#ifndef CX_CORE_KEYAGE_H
#define CX_CORE_KEYAGE_H

#include <stdbool.h>
#include <stddef.h>

#define KEYAGE_MAX_DAYS 90

/* The key is older than 90 days; false when the age is unknown (age_days < 0). */
bool keyage_overdue(int age_days);
/* "key ID, N days old" and, past 90 days, the flag naming the rule; "age unknown" when
 * age_days < 0; "CerteroX does not say which key" when key_id is NULL. */
void keyage_describe(char *out, size_t n, const char *key_id, int age_days);

#endif

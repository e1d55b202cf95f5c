/* keyage.c - see keyage.h. */
#include "core/keyage.h"

#include <stdio.h>

bool keyage_overdue(int age_days)
{
	return age_days > KEYAGE_MAX_DAYS;
}

void keyage_describe(char *out, size_t n, const char *key_id, int age_days)
{
	if (!key_id)
		snprintf(out, n, "key: CerteroX does not say which");
	else if (age_days < 0)
		snprintf(out, n, "key %s, age unknown (not a key of the user the wizard read)",
		         key_id);
	else
		snprintf(out, n, "key %s, %d day%s old%s", key_id, age_days,
		         age_days == 1 ? "" : "s",
		         keyage_overdue(age_days)
		             ? ": OLDER THAN 90 DAYS, rotate it (CIS AWS Foundations 1.14)"
		             : "");
}

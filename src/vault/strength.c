/* strength.c - passphrase strength with zxcvbn-c (the estimator KeePassXC uses). */
#include "vault/strength.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <zxcvbn.h>

#include "util/secmem.h"
#include "util/str.h"

#define LOOK_AT 256

/* zxcvbn's score from the number of guesses (zxcvbn, guesses_to_score: 10^3, 10^6, 10^8,
 * 10^10); zxcvbn-c returns bits, log10(guesses) = bits * log10(2). */
static int score_of(double log10_guesses)
{
	if (log10_guesses < 3)
		return 0;
	if (log10_guesses < 6)
		return 1;
	if (log10_guesses < 8)
		return 2;
	if (log10_guesses < 10)
		return 3;
	return 4;
}

/* What the weakest part of the passphrase is, in words. */
static const char *why(int type, int len)
{
	switch (type & ~MULTIPLE_MATCH) {
	case DICTIONARY_MATCH:
	case USER_MATCH:
		return "it is made of common words or passwords";
	case DICT_LEET_MATCH:
	case USER_LEET_MATCH:
		return "substitutions like '0' for 'o' are predictable";
	case REPEATS_MATCH:
		return "repeats like 'aaa' or 'abcabc' are easy to guess";
	case SEQUENCE_MATCH:
		return "sequences like 'abc' or '6543' are easy to guess";
	case SPATIAL_MATCH:
		return "keyboard patterns like 'qwerty' are easy to guess";
	case DATE_MATCH:
	case YEAR_MATCH:
		return "dates and years are easy to guess";
	default:
		return len < 12 ? "it is short" : "it is too predictable";
	}
}

void vault_passphrase_strength(const char *pass, struct vault_strength *out)
{
	static const char *const labels[] = {"very weak", "weak", "fair", "strong", "very strong"};
	/* Words of this program are the first an attacker of its vaults would try. */
	static const char *user_dict[] = {
	    "certerox", "certerox-aws-setup", "optscale", "vault", "passphrase", "aws", "amazon",
	    NULL};
	memset(out, 0, sizeof(*out));
	size_t n = pass ? strlen(pass) : 0;
	char *copy = secmem_alloc(LOOK_AT + 1);
	memcpy(copy, pass ? pass : "", n > LOOK_AT ? LOOK_AT : n);
	copy[n > LOOK_AT ? LOOK_AT : n] = '\0';
	ZxcMatch_t *info = NULL;
	double bits = n ? ZxcvbnMatch(copy, user_dict, &info) : 0;
	out->guesses_log10 = bits * log10(2.0);
	out->score = score_of(out->guesses_log10);
	str_copy(out->label, sizeof(out->label), labels[out->score]);
	if (out->score < VAULT_STRENGTH_MIN) {
		/* The part that gives the fewest bits per character is what makes it weak. */
		const ZxcMatch_t *worst = NULL;
		for (const ZxcMatch_t *m = info; m; m = m->Next)
			if (m->Length > 2 &&
			    (!worst || m->Entrpy / m->Length < worst->Entrpy / worst->Length))
				worst = m;
		const char *reason = n == 0  ? "it is empty"
		                     : worst ? why(worst->Type, (int)n)
		                             : (n < 12 ? "it is short" : "it is too predictable");
		snprintf(out->hint, sizeof(out->hint),
		         "%s; add a few uncommon words (four or five random words are strong)",
		         reason);
	}
	ZxcvbnFreeInfo(info);
	secmem_free(copy);
}

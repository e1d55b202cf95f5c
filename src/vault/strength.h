/* strength.h - how hard a new vault passphrase is to guess (zxcvbn-c, Debian libzxcvbn-dev).
 *
 * The estimator gives the entropy of the cheapest way to guess the passphrase (dictionary
 * words, keyboard patterns, repeats, sequences, dates, brute force). The score is zxcvbn's:
 * from the estimated number of guesses, 0 (< 10^3) 1 (< 10^6) 2 (< 10^8) 3 (< 10^10) 4. */
#ifndef CX_VAULT_STRENGTH_H
#define CX_VAULT_STRENGTH_H

#define VAULT_STRENGTH_MIN 3 /* the lowest score accepted for a new vault */
/* The warning shown wherever a new vault's passphrase is chosen. */
#define VAULT_FORGOTTEN_WARNING                                                                    \
	"There is no way to recover a forgotten passphrase: without it the saved keys cannot "     \
	"be read."

struct vault_strength {
	int score;            /* 0..4 */
	double guesses_log10; /* log10 of the estimated guesses */
	char label[16];       /* "very weak", "weak", "fair", "strong", "very strong" */
	char hint[200];       /* what makes it weak, and what to do; "" when score >= MIN */
};

/* Estimates pass (NUL-terminated; only its first 256 bytes are looked at, which can only
 * lower the estimate). Never logs or copies the passphrase out of the estimator. */
void vault_passphrase_strength(const char *pass, struct vault_strength *out);

#endif

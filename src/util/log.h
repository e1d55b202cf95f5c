/* log.h - leveled logging to the --log file, with secret redaction.
 *
 * Every line written passes through the redactor: registered secrets (in their raw,
 * URL-encoded and JSON-escaped forms) and Authorization header values / SigV4
 * signatures are replaced by "[REDACTED]" before they reach the file. */
#ifndef CX_UTIL_LOG_H
#define CX_UTIL_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Opens (appends, mode 0600) the log file; level is the most verbose level kept.
 * Returns 0 or -1 with errno set. */
int log_open(const char *path, enum log_level level);
void log_close(void);
bool log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Registers a secret (copied into secure memory) so that it never appears in any log
 * line, error message or redacted string. Strings shorter than 4 bytes are ignored.
 * log_redact_add, log_redact_clear, log_redact and log_msg may be called from any thread
 * (the vault opens in a worker thread); log_open/log_close from the main thread only. */
void log_redact_add(const char *secret);
/* Forgets every registered secret and wipes the copies. */
void log_redact_clear(void);
/* Redacts s in place (the result is never longer than size-1). */
void log_redact_inplace(char *s, size_t size);
/* Returns a new redacted copy of s (free()). */
char *log_redact(const char *s);

#endif

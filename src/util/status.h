/* status.h - the one list of outcomes every fallible function returns.
 *
 * CX_STATUS_LIST(X) expands X(NAME, exit_code, "message") for each status.
 * Exit codes follow sysexits (DESIGN section 3). */
#ifndef CX_UTIL_STATUS_H
#define CX_UTIL_STATUS_H

#define CX_STATUS_LIST(X)                                                                          \
	X(CX_OK, 0, "success")                                                                     \
	X(CX_E_USAGE, 64, "invalid command line")                                                  \
	X(CX_E_INPUT, 65, "invalid input")                                                         \
	X(CX_E_UNAVAILABLE, 69, "service unreachable")                                             \
	X(CX_E_INTERNAL, 70, "internal error")                                                     \
	X(CX_E_NOT_IMPLEMENTED, 70, "not implemented yet")                                         \
	X(CX_E_IO, 74, "input/output error")                                                       \
	X(CX_E_PARTIAL, 75, "partly done; run again to continue")                                  \
	X(CX_E_DENIED, 77, "access denied")                                                        \
	X(CX_E_CREDENTIALS, 77, "credentials rejected")                                            \
	X(CX_E_NOT_FOUND, 69, "not found")                                                         \
	X(CX_E_CONFLICT, 75, "conflict")                                                           \
	X(CX_E_THROTTLED, 69, "throttled")                                                         \
	X(CX_E_SERVER, 69, "server error")                                                         \
	X(CX_E_TLS, 69, "TLS error")                                                               \
	X(CX_E_NETWORK, 69, "network error")                                                       \
	X(CX_E_TIMEOUT, 69, "timed out")                                                           \
	X(CX_E_TOO_LARGE, 65, "response too large")                                                \
	X(CX_E_PARSE, 65, "malformed response")                                                    \
	X(CX_E_INVALID, 65, "rejected as invalid")                                                 \
	X(CX_E_CRYPTO, 65, "decryption failed")                                                    \
	X(CX_E_LOCKED, 75, "in use by another process")                                            \
	X(CX_E_CANCELLED, 130, "cancelled by the user")

enum cx_status {
#define CX_STATUS_ENUM(name, code, msg) name,
	CX_STATUS_LIST(CX_STATUS_ENUM)
#undef CX_STATUS_ENUM
	    CX_STATUS_COUNT
};

/* Exit code for a status (sysexits). */
int cx_status_exit(enum cx_status st);
/* Constant English message for a status. */
const char *cx_status_msg(enum cx_status st);
/* Enumerator name ("CX_E_DENIED"), for logs and tests. */
const char *cx_status_name(enum cx_status st);

/* Exit codes named once (DESIGN section 3). */
enum cx_exit {
	CX_EXIT_OK = 0,
	CX_EXIT_PROBLEMS = 3, /* --status: a data source has a problem */
	CX_EXIT_USAGE = 64,
	CX_EXIT_DATAERR = 65,
	CX_EXIT_UNAVAILABLE = 69,
	CX_EXIT_SOFTWARE = 70,
	CX_EXIT_TEMPFAIL = 75,
	CX_EXIT_NOPERM = 77,
	CX_EXIT_CANCELLED = 130
};

#endif

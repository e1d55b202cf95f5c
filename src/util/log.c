#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/str.h"

#define REDACTED    "[REDACTED]"
#define MAX_SECRETS 1024 /* 4 forms per secret: a vault of 250 keys */

static FILE *log_file;
static enum log_level log_lvl = LOG_INFO;
static char *secrets[MAX_SECRETS]; /* secmem copies: raw, url-encoded, json-escaped forms */
static size_t nsecrets;
/* Guards secrets[]: the vault registers its passphrase and keys from a worker thread
 * (vault_open_derive) while the main thread logs. */
static pthread_mutex_t secrets_lock = PTHREAD_MUTEX_INITIALIZER;

int log_open(const char *path, enum log_level level)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "a");
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (log_file)
		fclose(log_file);
	log_file = f;
	log_lvl = level;
	setvbuf(log_file, NULL, _IOLBF, 0);
	return 0;
}

void log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

bool log_enabled(enum log_level level)
{
	return log_file && level <= log_lvl;
}

static void add_form(const char *s)
{
	if (strlen(s) < 4 || nsecrets >= MAX_SECRETS)
		return;
	for (size_t i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], s) == 0)
			return;
	secrets[nsecrets++] = secmem_strdup(s);
}

static void redact_add_locked(const char *secret)
{
	add_form(secret);
	/* URL-encoded form (as in query strings and form bodies). */
	size_t n = strlen(secret);
	char *u = secmem_alloc(n * 3 + 1), *j = secmem_alloc(n * 2 + 1);
	size_t ui = 0, ji = 0;
	for (const unsigned char *p = (const unsigned char *)secret; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			u[ui++] = (char)*p;
		} else {
			static const char hx[] = "0123456789ABCDEF";
			u[ui++] = '%';
			u[ui++] = hx[*p >> 4];
			u[ui++] = hx[*p & 15];
		}
		if (*p == '/' || *p == '"' || *p == '\\')
			j[ji++] = '\\';
		j[ji++] = (char)*p;
	}
	u[ui] = '\0';
	j[ji] = '\0';
	add_form(u);
	/* lowercase hex variant of the URL form */
	for (size_t i = 0; u[i]; i++)
		if (u[i] == '%' && u[i + 1] && u[i + 2]) {
			for (int k = 1; k <= 2; k++)
				if (u[i + k] >= 'A' && u[i + k] <= 'F')
					u[i + k] = (char)(u[i + k] - 'A' + 'a');
		}
	add_form(u);
	add_form(j);
	/* '+' for space is not used by secrets we handle, so no form-encoding variant. */
	secmem_free(u);
	secmem_free(j);
}

void log_redact_add(const char *secret)
{
	if (!secret || strlen(secret) < 4)
		return;
	pthread_mutex_lock(&secrets_lock);
	redact_add_locked(secret);
	pthread_mutex_unlock(&secrets_lock);
}

void log_redact_clear(void)
{
	pthread_mutex_lock(&secrets_lock);
	for (size_t i = 0; i < nsecrets; i++)
		secmem_free(secrets[i]);
	nsecrets = 0;
	pthread_mutex_unlock(&secrets_lock);
}

static void redact_secrets(struct buf *b);
static void redact_markers(struct buf *b);

static void redact_buf(struct buf *b)
{
	pthread_mutex_lock(&secrets_lock);
	redact_secrets(b);
	pthread_mutex_unlock(&secrets_lock);
	redact_markers(b);
}

static void redact_secrets(struct buf *b)
{
	/* 1. registered secrets, longest first is unnecessary: each is replaced wholly. */
	for (size_t i = 0; i < nsecrets; i++) {
		const char *sec = secrets[i];
		size_t sl = strlen(sec);
		char *hit;
		size_t from = 0;
		while (b->data && (hit = strstr(b->data + from, sec)) != NULL) {
			size_t off = (size_t)(hit - b->data);
			struct buf nb = BUF_INIT;
			buf_append(&nb, b->data, off);
			buf_puts(&nb, REDACTED);
			buf_puts(&nb, b->data + off + sl);
			secmem_wipe(b->data, b->len);
			buf_free(b);
			*b = nb;
			from = off + strlen(REDACTED);
		}
	}
}

static void redact_markers(struct buf *b)
{
	/* 2. Authorization header values and SigV4 signatures / security tokens. */
	static const char *const markers[] = {
	    "Authorization:",        "authorization:",        "Signature=", "X-Amz-Security-Token:",
	    "x-amz-security-token:", "X-Amz-Security-Token=", "Bearer "};
	for (size_t m = 0; m < sizeof(markers) / sizeof(markers[0]); m++) {
		size_t from = 0;
		char *hit;
		while (b->data && (hit = strstr(b->data + from, markers[m])) != NULL) {
			size_t off = (size_t)(hit - b->data) + strlen(markers[m]);
			size_t end = off;
			/* skip one space after a header name */
			if (b->data[end] == ' ')
				end++, off++;
			while (
			    b->data[end] && b->data[end] != '\n' && b->data[end] != '\r' &&
			    b->data[end] != '"' && b->data[end] != '&' &&
			    !(markers[m][0] != 'A' && markers[m][0] != 'a' && b->data[end] == ' '))
				end++;
			if (end > off && strncmp(b->data + off, REDACTED, strlen(REDACTED)) != 0) {
				struct buf nb = BUF_INIT;
				buf_append(&nb, b->data, off);
				buf_puts(&nb, REDACTED);
				buf_puts(&nb, b->data + end);
				buf_free(b);
				*b = nb;
			}
			from = off + strlen(REDACTED);
			if (!b->data || from > b->len)
				break;
		}
	}
}

char *log_redact(const char *s)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, s ? s : "");
	redact_buf(&b);
	return buf_steal(&b);
}

void log_redact_inplace(char *s, size_t size)
{
	if (!s || !size)
		return;
	char *r = log_redact(s);

	{
		size_t n = strlen(r);
		if (n > size - 1)
			n = size - 1;
		memcpy(s, r, n);
		s[n] = '\0';
	}
	free(r);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	char *line = NULL;
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	line = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(line, (size_t)n + 1, fmt, ap);
	va_end(ap);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char stamp[40];
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(&b, "%s.%03ldZ %-5s %s", stamp, ts.tv_nsec / 1000000L, names[level], line);
	secmem_wipe(line, (size_t)n);
	free(line);
	redact_buf(&b);
	/* After the redaction (a secret escaped first would no longer be recognised): one line,
	 * nothing that acts on a terminal that shows the log. */
	char *safe = str_safe(buf_str(&b), SIZE_MAX, 0);
	fprintf(log_file, "%s\n", safe);
	free(safe);
	buf_free(&b);
}

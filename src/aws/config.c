/* config.c - AWS shared config/credentials files, the credential chain, credential_process.
 *
 * INI dialect (as botocore's configparser and the AWS SDKs read it):
 *  - "[section]" lines (the title is trimmed; "[profile   x]" is "profile x"), a comment may
 *    follow the ']'.
 *  - "key = value" or "key: value" (first '=' or ':'), key and value trimmed, keys
 *    case-insensitive. A '#' or ';' preceded by whitespace starts an inline comment.
 *  - whole-line comments start with '#' or ';'.
 *  - a line indented deeper than the key line above it continues that key: when the key's
 *    value is empty it is a nested sub-section ("s3 =" then "  addressing_style = path",
 *    read as key "s3.addressing_style"), otherwise the line is appended after a newline.
 *  - a blank line ends a continuation; later duplicate keys and sections override.
 * The file text is kept in one secure-memory buffer and values point into it, so secret
 * keys read from files never live in ordinary memory. */
#include "aws/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/secmem.h"
#include "util/str.h"

#define INI_MAX_BYTES      (1024 * 1024)
#define PROCESS_MAX_OUTPUT (64 * 1024)
#define PROCESS_TIMEOUT_MS (120 * 1000)
#define REFRESH_MARGIN     300

struct ini_entry {
	char *key;   /* lower-case, ordinary memory */
	char *value; /* points into aws_ini.text */
};

struct ini_section {
	char *title;
	struct ini_entry *e;
	size_t n, cap;
};

struct aws_ini {
	char *text; /* secmem copy of the file */
	struct ini_section *s;
	size_t n, cap;
};

/* ---------------------------------------------------------------- INI parser */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static struct ini_section *ini_section(struct aws_ini *ini, const char *title)
{
	for (size_t i = 0; i < ini->n; i++)
		if (!strcmp(ini->s[i].title, title))
			return &ini->s[i];
	if (ini->n == ini->cap) {
		ini->cap = ini->cap ? ini->cap * 2 : 8;
		ini->s = xrealloc(ini->s, ini->cap * sizeof(*ini->s));
	}
	struct ini_section *s = &ini->s[ini->n++];
	memset(s, 0, sizeof(*s));
	s->title = xstrdup(title);
	return s;
}

static struct ini_entry *ini_set(struct ini_section *s, const char *key, char *value)
{
	for (size_t i = 0; i < s->n; i++) {
		if (!strcmp(s->e[i].key, key)) {
			s->e[i].value = value;
			return &s->e[i];
		}
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->e = xrealloc(s->e, s->cap * sizeof(*s->e));
	}
	struct ini_entry *e = &s->e[s->n++];
	e->key = xstrdup(key);
	for (char *c = e->key; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	e->value = value;
	return e;
}

/* Trims [*b, *e) of whitespace. */
static void trim_range(const char *t, size_t *b, size_t *e)
{
	while (*b < *e && is_space(t[*b]))
		(*b)++;
	while (*e > *b && is_space(t[*e - 1]))
		(*e)--;
}

/* End of the value before an inline comment (whitespace then '#' or ';'). */
static size_t strip_inline_comment(const char *t, size_t b, size_t e)
{
	for (size_t i = b; i < e; i++)
		if ((t[i] == '#' || t[i] == ';') && i > b && is_space(t[i - 1]))
			return i;
	return e;
}

void aws_ini_free(struct aws_ini *ini)
{
	if (!ini)
		return;
	for (size_t i = 0; i < ini->n; i++) {
		for (size_t j = 0; j < ini->s[i].n; j++)
			free(ini->s[i].e[j].key);
		free(ini->s[i].e);
		free(ini->s[i].title);
	}
	free(ini->s);
	secmem_free(ini->text);
	free(ini);
}

struct aws_ini *aws_ini_parse(const char *text, size_t n, const char *fname, struct cx_err *err)
{
	struct aws_ini *ini = xcalloc(1, sizeof(*ini));
	ini->text = secmem_alloc(n + 1);
	if (n)
		memcpy(ini->text, text, n);
	ini->text[n] = '\0';
	char *t = ini->text;
	if (!fname)
		fname = "(config)";

	struct ini_section *sec = NULL;
	struct ini_entry *cur = NULL; /* key that may continue on deeper-indented lines */
	size_t cur_indent = 0;
	char *parent = NULL; /* nested sub-section key ("s3") */
	size_t parent_indent = 0;
	size_t cur_end = 0; /* offset of the NUL ending cur's value */
	unsigned lineno = 0;
	size_t pos = 0;
	while (pos < n) {
		lineno++;
		size_t ls = pos, le = pos;
		while (le < n && t[le] != '\n')
			le++;
		pos = le + 1;
		if (memchr(t + ls, '\0', le - ls)) {
			cx_err_set(err, CX_E_INPUT, "%s:%u: NUL byte in the file", fname, lineno);
			goto fail;
		}
		size_t indent = 0;
		while (ls + indent < le && (t[ls + indent] == ' ' || t[ls + indent] == '\t'))
			indent++;
		size_t b = ls, e = le;
		trim_range(t, &b, &e);
		if (b == e) { /* blank line ends any continuation */
			cur = NULL;
			free(parent);
			parent = NULL;
			continue;
		}
		if (t[b] == '#' || t[b] == ';')
			continue;

		/* Continuation or nested key of the key above. */
		if (parent && indent > parent_indent) {
			size_t eq = b;
			while (eq < e && t[eq] != '=' && t[eq] != ':')
				eq++;
			if (eq == e) {
				cx_err_set(
				    err, CX_E_INPUT,
				    "%s:%u: expected 'key = value' in the nested section '%s'",
				    fname, lineno, parent);
				goto fail;
			}
			size_t kb = b, ke = eq, vb = eq + 1, ve = e;
			trim_range(t, &kb, &ke);
			ve = strip_inline_comment(t, vb, ve);
			trim_range(t, &vb, &ve);
			if (kb == ke) {
				cx_err_set(err, CX_E_INPUT, "%s:%u: empty key", fname, lineno);
				goto fail;
			}
			t[ve] = '\0';
			char *key = xasprintf("%s.%.*s", parent, (int)(ke - kb), t + kb);
			ini_set(sec, key, t + vb);
			free(key);
			continue;
		}
		if (cur && indent > cur_indent) {
			size_t ve = strip_inline_comment(t, b, e);
			trim_range(t, &b, &ve);
			if (b == ve)
				continue;
			/* append "\n" + line right after the current value, in place */
			size_t len = ve - b;
			t[cur_end] = '\n';
			memmove(t + cur_end + 1, t + b, len);
			cur_end = cur_end + 1 + len;
			t[cur_end] = '\0';
			continue;
		}
		cur = NULL;
		free(parent);
		parent = NULL;

		if (t[b] == '[') {
			size_t close = b + 1;
			while (close < e && t[close] != ']')
				close++;
			if (close == e) {
				cx_err_set(err, CX_E_INPUT, "%s:%u: section title without ']'",
				           fname, lineno);
				goto fail;
			}
			size_t after = close + 1;
			while (after < e && is_space(t[after]))
				after++;
			if (after < e && t[after] != '#' && t[after] != ';') {
				cx_err_set(err, CX_E_INPUT, "%s:%u: unexpected text after ']'",
				           fname, lineno);
				goto fail;
			}
			size_t tb = b + 1, te = close;
			trim_range(t, &tb, &te);
			if (tb == te) {
				cx_err_set(err, CX_E_INPUT, "%s:%u: empty section title", fname,
				           lineno);
				goto fail;
			}
			char *title;
			if (te - tb > 8 && !strncmp(t + tb, "profile", 7) && is_space(t[tb + 7])) {
				size_t nb = tb + 7;
				while (nb < te && is_space(t[nb]))
					nb++;
				title = xasprintf("profile %.*s", (int)(te - nb), t + nb);
			} else {
				title = xstrndup(t + tb, te - tb);
			}
			sec = ini_section(ini, title);
			free(title);
			continue;
		}

		size_t eq = b;
		while (eq < e && t[eq] != '=' && t[eq] != ':')
			eq++;
		if (eq == e) {
			cx_err_set(err, CX_E_INPUT, "%s:%u: expected '[section]' or 'key = value'",
			           fname, lineno);
			goto fail;
		}
		if (!sec) {
			cx_err_set(err, CX_E_INPUT, "%s:%u: 'key = value' before any [section]",
			           fname, lineno);
			goto fail;
		}
		size_t kb = b, ke = eq, vb = eq + 1, ve = e;
		trim_range(t, &kb, &ke);
		if (kb == ke) {
			cx_err_set(err, CX_E_INPUT, "%s:%u: empty key", fname, lineno);
			goto fail;
		}
		ve = strip_inline_comment(t, vb, ve);
		trim_range(t, &vb, &ve);
		t[ke] = '\0'; /* safe: ke <= eq, and the key is copied by ini_set */
		char key[256];
		str_copy(key, sizeof(key), t + kb);
		t[ve] = '\0';
		cur = ini_set(sec, key, t + vb);
		cur_indent = indent;
		cur_end = ve;
		if (vb == ve) {
			parent = xstrdup(cur->key);
			parent_indent = indent;
			cur = NULL;
		}
	}
	free(parent);
	return ini;
fail:
	free(parent);
	aws_ini_free(ini);
	return NULL;
}

const char *aws_ini_get(const struct aws_ini *ini, const char *section, const char *key)
{
	if (!ini || !section || !key)
		return NULL;
	for (size_t i = 0; i < ini->n; i++) {
		if (strcmp(ini->s[i].title, section) != 0)
			continue;
		for (size_t j = 0; j < ini->s[i].n; j++)
			if (!strcasecmp(ini->s[i].e[j].key, key))
				return ini->s[i].e[j].value;
	}
	return NULL;
}

static bool ini_has_section(const struct aws_ini *ini, const char *section)
{
	if (!ini)
		return false;
	for (size_t i = 0; i < ini->n; i++)
		if (!strcmp(ini->s[i].title, section))
			return true;
	return false;
}

/* ---------------------------------------------------------------- credentials */

void aws_creds_set(struct aws_creds *c, const char *akid, const char *secret, const char *token,
                   const char *source)
{
	c->access_key_id = xstrdup(akid ? akid : "");
	c->secret_access_key = secmem_strdup(secret ? secret : "");
	c->session_token = token && *token ? secmem_strdup(token) : NULL;
	c->expiration = 0;
	str_copy(c->source, sizeof(c->source), source ? source : "");
	if (secret)
		log_redact_add(secret);
	if (token)
		log_redact_add(token);
}

void aws_creds_free(struct aws_creds *c)
{
	if (!c)
		return;
	free(c->access_key_id);
	secmem_free(c->secret_access_key);
	secmem_free(c->session_token);
	memset(c, 0, sizeof(*c));
}

void aws_config_free(struct aws_config *c)
{
	if (!c)
		return;
	free(c->profile);
	free(c->region);
	free(c->ca_bundle);
	free(c->endpoint_url);
	free(c->credential_process);
	aws_creds_free(&c->creds);
	memset(c, 0, sizeof(*c));
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static char *home_dir(void)
{
	const char *h = env("HOME");
	if (h)
		return xstrdup(h);
	struct passwd *pw = getpwuid(getuid());
	return xstrdup(pw && pw->pw_dir ? pw->pw_dir : "/");
}

static char *expand_user(const char *p)
{
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
		char *h = home_dir();
		char *r = xasprintf("%s%s", h, p + 1);
		free(h);
		return r;
	}
	return xstrdup(p);
}

/* Reads a file into secure memory and parses it. A missing file is not an error
 * (*missing = true, *out = NULL). */
static enum cx_status ini_load(const char *path, struct aws_ini **out, bool *missing,
                               struct cx_err *err)
{
	*out = NULL;
	*missing = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			*missing = true;
			return CX_OK;
		}
		return cx_err_set(err, CX_E_IO, "cannot read %s: %s", path, strerror(errno));
	}
	enum cx_status st = CX_OK;
	struct stat sb;
	char *text = NULL;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		st = cx_err_set(err, CX_E_IO, "%s is not a regular file", path);
		goto out;
	}
	if (sb.st_size > INI_MAX_BYTES) {
		st = cx_err_set(err, CX_E_INPUT, "%s is larger than %d bytes", path, INI_MAX_BYTES);
		goto out;
	}
	size_t cap = (size_t)sb.st_size + 1, len = 0;
	text = secmem_alloc(cap);
	for (;;) {
		ssize_t r = read(fd, text + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			st = cx_err_set(err, CX_E_IO, "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == cap) { /* grew while reading */
			st = cx_err_set(err, CX_E_IO, "%s changed while being read", path);
			goto out;
		}
	}
	*out = aws_ini_parse(text, len, path, err);
	if (!*out)
		st = err ? err->status : CX_E_INPUT;
out:
	secmem_free(text);
	close(fd);
	return st;
}

/* ISO 8601 / RFC 3339 time ("2024-01-01T12:00:00Z", fractions and offsets allowed). */
static bool parse_iso8601(const char *s, time_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	int n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 || n != 10)
		return false;
	s += n;
	if (*s != 'T' && *s != 't' && *s != ' ')
		return false;
	s++;
	if (sscanf(s, "%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 3 || n != 8)
		return false;
	s += n;
	if (*s == '.' || *s == ',') {
		s++;
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	long off = 0;
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		int sign = *s == '-' ? -1 : 1, hh, mm;
		s++;
		if (sscanf(s, "%2d:%2d%n", &hh, &mm, &n) == 2 && n == 5)
			s += 5;
		else if (sscanf(s, "%2d%2d%n", &hh, &mm, &n) == 2 && n == 4)
			s += 4;
		else
			return false;
		off = sign * (hh * 3600L + mm * 60L);
	} else {
		return false;
	}
	if (*s)
		return false;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return false;
	*out = t - off;
	return true;
}

static void json_wipe_strings(cJSON *j)
{
	for (; j; j = j->next) {
		if (j->valuestring)
			secmem_wipe(j->valuestring, strlen(j->valuestring));
		json_wipe_strings(j->child);
	}
}

/* First line of the child's stderr, for the error message. */
static void first_line(const struct buf *b, char *out, size_t outsz)
{
	size_t i = 0;
	const char *s = buf_str(b);
	while (s[i] && s[i] != '\n' && i + 1 < outsz && i < 200) {
		out[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
		i++;
	}
	out[i] = '\0';
}

/* Runs cmd with /bin/sh -c (as the AWS SDKs do), stdin from /dev/null, and parses the
 * credentials it prints. */
static enum cx_status run_credential_process(const char *cmd, const char *profile,
                                             struct aws_creds *out, struct cx_err *err)
{
	enum cx_status st = CX_E_CREDENTIALS;
	int op[2] = {-1, -1}, ep[2] = {-1, -1};
	char *sout = secmem_alloc(PROCESS_MAX_OUTPUT + 1);
	size_t slen = 0;
	struct buf serr = BUF_INIT;
	cJSON *j = NULL;
	pid_t pid = -1;
	char what[200], prog[84];
	snprintf(what, sizeof(what), "credential_process of profile %s", profile);
	/* only the program is named in errors: arguments may carry secrets */
	size_t plen = strcspn(cmd, " \t");
	snprintf(prog, sizeof(prog), "%.*s%s", (int)(plen > 80 ? 80 : plen), cmd,
	         cmd[plen] ? " ..." : "");

	if (pipe2(op, O_CLOEXEC) != 0 || pipe2(ep, O_CLOEXEC) != 0) {
		st = cx_err_set(err, CX_E_INTERNAL, "%s: pipe: %s", what, strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		st = cx_err_set(err, CX_E_INTERNAL, "%s: fork: %s", what, strerror(errno));
		goto out;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0)
			dup2(nul, 0);
		dup2(op[1], 1);
		dup2(ep[1], 2);
		signal(SIGPIPE, SIG_DFL);
		long maxfd = sysconf(_SC_OPEN_MAX);
		for (int fd = 3; fd < (maxfd > 0 && maxfd < 65536 ? maxfd : 1024); fd++)
			close(fd); /* no inherited sockets or vault files */
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(op[1]);
	close(ep[1]);
	op[1] = ep[1] = -1;

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool too_big = false, timed_out = false;
	int open_fds = 2;
	while (open_fds > 0) {
		struct pollfd pf[2] = {{op[0], POLLIN, 0}, {ep[0], POLLIN, 0}};
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long el = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= PROCESS_TIMEOUT_MS) {
			timed_out = true;
			break;
		}
		int r = poll(pf, 2, (int)(PROCESS_TIMEOUT_MS - el));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char tmp[4096];
			ssize_t n;
			if (i == 0) {
				size_t room = PROCESS_MAX_OUTPUT - slen;
				if (room == 0) {
					too_big = true;
					n = read(op[0], tmp, 1);
				} else {
					n = read(op[0], sout + slen, room);
					if (n > 0)
						slen += (size_t)n;
				}
			} else {
				n = read(ep[0], tmp, sizeof(tmp));
				if (n > 0 && serr.len < 4096)
					buf_append(&serr, tmp, (size_t)n);
			}
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
				close(i == 0 ? op[0] : ep[0]);
				if (i == 0)
					op[0] = -1;
				else
					ep[0] = -1;
				open_fds--;
			}
		}
		if (too_big)
			break;
	}
	if (timed_out || too_big)
		kill(pid, SIGKILL);
	int ws = 0;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	char line[220];
	first_line(&serr, line, sizeof(line));
	if (timed_out) {
		st = cx_err_set(err, CX_E_CREDENTIALS, "%s timed out after %d s", what,
		                PROCESS_TIMEOUT_MS / 1000);
		goto out;
	}
	if (too_big) {
		st = cx_err_set(err, CX_E_CREDENTIALS, "%s printed more than %d bytes", what,
		                PROCESS_MAX_OUTPUT);
		goto out;
	}
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
		if (WIFEXITED(ws))
			st = cx_err_set(err, CX_E_CREDENTIALS, "%s (%s) exited with status %d%s%s",
			                what, prog, WEXITSTATUS(ws), line[0] ? ": " : "", line);
		else
			st = cx_err_set(err, CX_E_CREDENTIALS, "%s (%s) was killed by signal %d",
			                what, prog, WTERMSIG(ws));
		goto out;
	}
	struct cx_err jerr;
	cx_err_clear(&jerr);
	j = json_parse(sout, slen, &jerr);
	if (!j || !cJSON_IsObject(j)) {
		st = cx_err_set(err, CX_E_CREDENTIALS, "%s: output is not a JSON object (%s)", what,
		                j ? "not an object" : jerr.msg);
		goto out;
	}
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "Version");
	if (!cJSON_IsNumber(ver) || ver->valuedouble != 1) {
		st = cx_err_set(err, CX_E_CREDENTIALS, "%s: output needs \"Version\": 1", what);
		goto out;
	}
	const char *akid = json_str(j, "AccessKeyId");
	const char *sk = json_str(j, "SecretAccessKey");
	const char *tok = json_str(j, "SessionToken");
	const char *exp = json_str(j, "Expiration");
	if (!akid || !*akid || !sk || !*sk) {
		st = cx_err_set(err, CX_E_CREDENTIALS,
		                "%s: output lacks \"AccessKeyId\" or \"SecretAccessKey\"", what);
		goto out;
	}
	time_t expiration = 0;
	if (exp && !parse_iso8601(exp, &expiration)) {
		st = cx_err_set(err, CX_E_CREDENTIALS,
		                "%s: \"Expiration\" is not an ISO 8601 time: %.40s", what, exp);
		goto out;
	}
	if (exp && expiration <= time(NULL)) {
		st = cx_err_set(err, CX_E_CREDENTIALS, "%s returned credentials that expired at %s",
		                what, exp);
		goto out;
	}
	aws_creds_set(out, akid, sk, tok, what);
	out->expiration = expiration;
	st = CX_OK;
out:
	if (j) {
		json_wipe_strings(j);
		cJSON_Delete(j);
	}
	for (int i = 0; i < 2; i++) {
		if (op[i] >= 0)
			close(op[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	secmem_free(sout);
	buf_free(&serr);
	return st;
}

enum cx_status aws_config_refresh(struct aws_config *c, struct cx_err *err)
{
	if (!c->credential_process || !c->creds.expiration)
		return CX_OK;
	if (c->creds.expiration - time(NULL) > REFRESH_MARGIN)
		return CX_OK;
	struct aws_creds fresh;
	memset(&fresh, 0, sizeof(fresh));
	enum cx_status st = run_credential_process(c->credential_process, c->profile, &fresh, err);
	if (st != CX_OK)
		return st;
	aws_creds_free(&c->creds);
	c->creds = fresh;
	log_debug("aws: credentials refreshed by credential_process of profile %s", c->profile);
	return CX_OK;
}

/* ---------------------------------------------------------------- the chain */

struct files {
	char *cred_path, *conf_path;
	struct aws_ini *cred, *conf;
	bool cred_missing, conf_missing;
	char *conf_section; /* "default" or "profile x" */
	const char *profile;
};

static const char *conf_get(const struct files *f, const char *key)
{
	const char *v = aws_ini_get(f->conf, f->conf_section, key);
	if (!v && !strcmp(f->profile, "default"))
		v = aws_ini_get(f->conf, "profile default", key);
	return v;
}

static const char *cred_get(const struct files *f, const char *key)
{
	return aws_ini_get(f->cred, f->profile, key);
}

static const char *prof_get(const struct files *f, const char *key)
{
	const char *v = conf_get(f, key);
	return v ? v : cred_get(f, key);
}

static bool profile_exists(const struct files *f)
{
	return ini_has_section(f->cred, f->profile) || ini_has_section(f->conf, f->conf_section) ||
	       (!strcmp(f->profile, "default") && ini_has_section(f->conf, "profile default"));
}

static bool valid_region(const char *r)
{
	if (!*r || strlen(r) > 31)
		return false;
	for (const char *p = r; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-'))
			return false;
	return true;
}

static bool truthy(const char *v)
{
	return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

/* Static keys from one file section; CX_E_NOT_FOUND when the section has none. */
static enum cx_status keys_from(const char *akid, const char *sk, const char *tok,
                                const char *where, struct aws_creds *out, struct cx_err *err)
{
	if (!akid && !sk)
		return CX_E_NOT_FOUND;
	if (!akid || !*akid || !sk || !*sk)
		return cx_err_set(err, CX_E_CREDENTIALS,
		                  "%s has only one of aws_access_key_id and aws_secret_access_key",
		                  where);
	aws_creds_set(out, akid, sk, tok, where);
	return CX_OK;
}

enum cx_status aws_config_load(const struct aws_config_opts *opts, struct aws_config *out,
                               struct cx_err *err)
{
	static const struct aws_config_opts none = {0};
	enum cx_status st = CX_OK;
	struct files f;
	struct buf looked = BUF_INIT;
	char where[200];

	memset(&f, 0, sizeof(f));
	memset(out, 0, sizeof(*out));
	if (!opts)
		opts = &none;
	cx_err_clear(err);

	bool named = true;
	const char *profile = opts->profile;
	if (!profile || !*profile)
		profile = env("AWS_PROFILE");
	if (!profile)
		profile = env("AWS_DEFAULT_PROFILE");
	if (!profile) {
		profile = "default";
		named = false;
	}
	out->profile = xstrdup(profile);
	f.profile = out->profile;
	f.conf_section =
	    !strcmp(profile, "default") ? xstrdup("default") : xasprintf("profile %s", profile);

	const char *p = env("AWS_SHARED_CREDENTIALS_FILE");
	f.cred_path = p ? expand_user(p) : NULL;
	if (!f.cred_path) {
		char *h = home_dir();
		f.cred_path = xasprintf("%s/.aws/credentials", h);
		free(h);
	}
	p = env("AWS_CONFIG_FILE");
	f.conf_path = p ? expand_user(p) : NULL;
	if (!f.conf_path) {
		char *h = home_dir();
		f.conf_path = xasprintf("%s/.aws/config", h);
		free(h);
	}
	st = ini_load(f.cred_path, &f.cred, &f.cred_missing, err);
	if (st != CX_OK)
		goto out;
	st = ini_load(f.conf_path, &f.conf, &f.conf_missing, err);
	if (st != CX_OK)
		goto out;

	const char *akid_env = env("AWS_ACCESS_KEY_ID");
	const char *sk_env = env("AWS_SECRET_ACCESS_KEY");
	bool use_env = !(opts->profile && *opts->profile) && akid_env && sk_env;
	if (named && !profile_exists(&f) && !use_env) {
		st = cx_err_set(err, CX_E_CREDENTIALS,
		                "AWS profile '%s' not found: no [%s] in %s%s and no [%s] in %s%s",
		                profile, profile, f.cred_path, f.cred_missing ? " (missing)" : "",
		                f.conf_section, f.conf_path, f.conf_missing ? " (missing)" : "");
		goto out;
	}

	/* Region. */
	const char *region = opts->region && *opts->region ? opts->region : NULL;
	if (!region)
		region = env("AWS_REGION");
	if (!region)
		region = env("AWS_DEFAULT_REGION");
	if (!region)
		region = prof_get(&f, "region");
	if (!region || !*region)
		region = "us-east-1";
	if (!valid_region(region)) {
		st = cx_err_set(err, CX_E_INPUT, "'%.60s' is not a valid AWS region name", region);
		goto out;
	}
	out->region = xstrdup(region);

	/* CA bundle. */
	const char *ca = opts->ca_bundle && *opts->ca_bundle ? opts->ca_bundle : NULL;
	if (!ca)
		ca = env("AWS_CA_BUNDLE");
	if (!ca)
		ca = prof_get(&f, "ca_bundle");
	if (ca && *ca)
		out->ca_bundle = expand_user(ca);

	/* Endpoint override. */
	bool ignore = truthy(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) ||
	              truthy(prof_get(&f, "ignore_configured_endpoint_urls"));
	if (opts->endpoint_url && *opts->endpoint_url) {
		out->endpoint_url = xstrdup(opts->endpoint_url);
		out->endpoint_url_is_option = true;
	} else if (!ignore) {
		const char *eu = env("AWS_ENDPOINT_URL");
		if (!eu)
			eu = prof_get(&f, "endpoint_url");
		if (eu && *eu)
			out->endpoint_url = xstrdup(eu);
	}
	out->ignore_configured_endpoints = ignore;

	const char *cp = prof_get(&f, "credential_process");
	if (cp && *cp)
		out->credential_process = xstrdup(cp);

	/* Credentials. */
	if (opts->profile && *opts->profile) {
		buf_printf(&looked, "environment variables (ignored: --profile %s given)", profile);
	} else if (use_env) {
		aws_creds_set(&out->creds, akid_env, sk_env,
		              env("AWS_SESSION_TOKEN") ? env("AWS_SESSION_TOKEN")
		                                       : env("AWS_SECURITY_TOKEN"),
		              "environment (AWS_ACCESS_KEY_ID)");
		goto out;
	} else if (akid_env || sk_env) {
		buf_printf(&looked, "environment variables (%s is set but %s is not)",
		           akid_env ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		           akid_env ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	} else {
		buf_puts(&looked, "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
		                  "(not set)");
	}

	snprintf(where, sizeof(where), "profile %s in %s", profile, f.cred_path);
	st = keys_from(cred_get(&f, "aws_access_key_id"), cred_get(&f, "aws_secret_access_key"),
	               cred_get(&f, "aws_session_token"), where, &out->creds, err);
	if (st != CX_E_NOT_FOUND)
		goto out;
	buf_printf(&looked, "; %s [%s] (%s)", f.cred_path, profile,
	           f.cred_missing                     ? "file not found"
	           : ini_has_section(f.cred, profile) ? "no aws_access_key_id"
	                                              : "no such section");

	if (out->credential_process) {
		st = run_credential_process(out->credential_process, profile, &out->creds, err);
		goto out;
	}

	snprintf(where, sizeof(where), "profile %s in %s", profile, f.conf_path);
	st = keys_from(conf_get(&f, "aws_access_key_id"), conf_get(&f, "aws_secret_access_key"),
	               conf_get(&f, "aws_session_token"), where, &out->creds, err);
	if (st != CX_E_NOT_FOUND)
		goto out;
	bool conf_sec = ini_has_section(f.conf, f.conf_section) ||
	                (!strcmp(profile, "default") && ini_has_section(f.conf, "profile default"));
	buf_printf(&looked, "; %s [%s] (%s)", f.conf_path, f.conf_section,
	           f.conf_missing ? "file not found"
	           : conf_sec     ? "no aws_access_key_id or credential_process"
	                          : "no such section");

	const char *unsupported = NULL;
	if (prof_get(&f, "role_arn"))
		unsupported = "role_arn (assume role)";
	else if (prof_get(&f, "sso_session") || prof_get(&f, "sso_start_url"))
		unsupported = "AWS IAM Identity Center (sso_*)";
	else if (prof_get(&f, "web_identity_token_file"))
		unsupported = "web_identity_token_file";
	if (unsupported)
		st = cx_err_set(err, CX_E_CREDENTIALS,
		                "profile %s uses %s, which this tool does not support; give it "
		                "static keys or a credential_process (e.g. 'aws configure "
		                "export-credentials --profile %s --format process'). Looked at: %s",
		                profile, unsupported, profile, buf_str(&looked));
	else
		st = cx_err_set(
		    err, CX_E_CREDENTIALS,
		    "no AWS credentials found for profile %s. Looked at: %s. Set "
		    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run 'aws configure'",
		    profile, buf_str(&looked));
out:
	if (st != CX_OK) {
		struct cx_err keep;
		if (err)
			keep = *err;
		aws_config_free(out);
		if (err)
			*err = keep;
	} else {
		log_debug("aws: profile %s, region %s, credentials from %s", out->profile,
		          out->region, out->creds.source);
	}
	free(f.cred_path);
	free(f.conf_path);
	free(f.conf_section);
	aws_ini_free(f.cred);
	aws_ini_free(f.conf);
	buf_free(&looked);
	return st;
}

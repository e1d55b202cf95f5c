/* passphrase.c - the vault passphrase: from a file or asked on the terminal, echo off. */
#include "vault/vault.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "util/log.h"
#include "util/paths.h"
#include "util/secmem.h"

/* cx_err_set whose value is visibly the status, for the static analyser. */
#define VERR(e, st, ...) (cx_err_set((e), (st), __VA_ARGS__), (st))

#define PASS_MAX (VAULT_PASSPHRASE_MAX + 2) /* the line, its "\n" and the NUL */

enum cx_status vault_read_passphrase_file(const char *path, char **out_secmem, struct cx_err *err)
{
	enum cx_status st = CX_OK;
	char *buf = NULL;
	*out_secmem = NULL;
	struct stat sb;
	memset(&sb, 0, sizeof(sb));
	int fd = paths_open_regular(path, &sb); /* a FIFO or a device is refused, never waited on */
	if (fd < 0 && errno == EINVAL)
		return VERR(err, CX_E_INPUT, "passphrase file %s is %s, not a regular file", path,
		            paths_file_kind(sb.st_mode));
	if (fd < 0)
		return VERR(err, CX_E_INPUT, "cannot open the passphrase file %s: %s", path,
		            strerror(errno));
	buf = secmem_alloc(PASS_MAX);
	size_t n = 0;
	while (n < PASS_MAX - 1 && !memchr(buf, '\n', n)) {
		ssize_t r = read(fd, buf + n, PASS_MAX - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			st = VERR(err, CX_E_INPUT, "cannot read the passphrase file %s: %s", path,
			          strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	char *nl = memchr(buf, '\n', n);
	if (!nl && n == PASS_MAX - 1) {
		st = VERR(err, CX_E_INPUT,
		          "passphrase file %s: the first line is longer than %d bytes", path,
		          PASS_MAX - 2);
		goto out;
	}
	size_t len = nl ? (size_t)(nl - buf) : n;
	if (len && buf[len - 1] == '\r')
		len--;
	secmem_wipe(buf + len, PASS_MAX - len);
	if (len == 0) {
		st = VERR(err, CX_E_INPUT, "passphrase file %s: the first line is empty", path);
		goto out;
	}
	if (memchr(buf, '\0', len)) {
		st = VERR(err, CX_E_INPUT, "passphrase file %s: the first line holds a NUL byte",
		          path);
		goto out;
	}
	*out_secmem = buf;
	buf = NULL;
	log_redact_add(*out_secmem);
	cx_err_clear(err);
	if (S_ISREG(sb.st_mode) && (sb.st_mode & (S_IRGRP | S_IROTH)))
		cx_err_set(err, CX_OK,
		           "warning: the passphrase file %s is readable by other users "
		           "(chmod 600 %s)",
		           path, path);
out:
	secmem_free(buf);
	close(fd);
	return st;
}

/* The terminal state to restore if a signal arrives while echo is off. */
static int tty_fd = -1;
static struct termios tty_saved;

static void restore_and_reraise(int sig)
{
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSANOW, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
#define NCAUGHT (sizeof(caught) / sizeof(caught[0]))

/* Reads one line from fd with echo off into a new secure buffer. */
static enum cx_status ask_once(int fd, const char *prompt, char **out, struct cx_err *err)
{
	enum cx_status st = CX_OK;
	struct termios t;
	struct sigaction sa, old[NCAUGHT];
	bool echo_off = false, eol = false;
	char *buf = secmem_alloc(PASS_MAX);
	size_t n = 0;
	*out = NULL;
	if (tcgetattr(fd, &tty_saved) == 0) {
		t = tty_saved;
		t.c_lflag &= (tcflag_t) ~(ECHO | ECHOE | ECHOK);
		t.c_lflag |= ECHONL | ICANON;
		tty_fd = fd;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = restore_and_reraise;
		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < NCAUGHT; i++)
			sigaction(caught[i], &sa, &old[i]);
		echo_off = tcsetattr(fd, TCSAFLUSH, &t) == 0;
	}
	if (write(fd, prompt, strlen(prompt)) < 0) {
		cx_err_set(err, CX_E_IO, "cannot write to the terminal: %s", strerror(errno));
		st = CX_E_IO;
		goto out;
	}
	while (!eol) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cx_err_set(err, CX_E_IO, "cannot read from the terminal: %s",
			           strerror(errno));
			st = CX_E_IO;
			goto out;
		}
		if (r == 0) {
			if (n == 0) {
				cx_err_set(err, CX_E_CANCELLED, "no passphrase given");
				st = CX_E_CANCELLED;
				goto out;
			}
			break;
		}
		if (c == '\n' || c == '\r')
			eol = true;
		else if (n < PASS_MAX - 1)
			buf[n++] = c;
	}
	buf[n] = '\0';
	*out = buf;
	buf = NULL;
out:
	if (tty_fd >= 0) {
		if (echo_off)
			tcsetattr(fd, TCSAFLUSH, &tty_saved);
		for (size_t i = 0; i < NCAUGHT; i++)
			sigaction(caught[i], &old[i], NULL);
		tty_fd = -1;
		if (!eol && st != CX_OK)
			(void)!write(fd, "\n", 1);
	}
	secmem_free(buf);
	return st;
}

enum cx_status vault_prompt_passphrase(const char *prompt, bool confirm, char **out_secmem,
                                       struct cx_err *err)
{
	enum cx_status st = CX_OK;
	char *a = NULL, *b = NULL;
	*out_secmem = NULL;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return VERR(err, CX_E_USAGE,
		            "no terminal to ask for the vault passphrase on: use "
		            "--passphrase-file FILE");
	st = ask_once(fd, prompt ? prompt : "Vault passphrase: ", &a, err);
	if (st)
		goto out;
	if (!*a) {
		st = VERR(err, CX_E_INPUT, "the vault passphrase must not be empty");
		goto out;
	}
	if (confirm) {
		st = ask_once(fd, "Repeat the passphrase: ", &b, err);
		if (st)
			goto out;
		if (strcmp(a, b) != 0) {
			st = VERR(err, CX_E_INPUT, "the two passphrases differ");
			goto out;
		}
	}
	*out_secmem = a;
	a = NULL;
	log_redact_add(*out_secmem);
out:
	secmem_free(a);
	secmem_free(b);
	close(fd);
	return st;
}

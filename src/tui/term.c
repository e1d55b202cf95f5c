/* term.c - terminal setup and restore, signal flags, the editor hand-over. */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "tui/term.h"

static const char *const no_tty_msg =
    "certerox-aws-setup: the wizard needs a terminal; use --batch --answers FILE\n";

static struct tui_term *g_term; /* the open terminal, for atexit */
static volatile sig_atomic_t g_sigint, g_sigterm;
static int g_pipe[2] = {-1, -1};
static int g_fd = -1;
static struct termios g_saved;
static bool g_have_saved;
static char g_reset[128]; /* exit_ca_mode + cursor_normal + exit_attribute_mode */
static size_t g_reset_len;

static void on_signal(int sig)
{
	int e = errno;
	if (sig == SIGINT)
		g_sigint = 1;
	else
		g_sigterm = sig;
	if (g_pipe[1] >= 0) {
		ssize_t r = write(g_pipe[1], "x", 1);
		(void)r;
	}
	errno = e;
}

/* SIGWINCH: ncurses' own handler (it notes the resize for the next getch), then a byte in the
 * self-pipe so a wait hook that does not return on EINTR wakes up at once. */
static struct sigaction g_old_winch;
static bool g_have_winch;

static void on_winch(int sig)
{
	int e = errno;
	if (g_old_winch.sa_flags & SA_SIGINFO) {
		if (g_old_winch.sa_sigaction)
			g_old_winch.sa_sigaction(sig, NULL, NULL);
	} else if (g_old_winch.sa_handler != SIG_DFL && g_old_winch.sa_handler != SIG_IGN) {
		g_old_winch.sa_handler(sig);
	}
	if (g_pipe[1] >= 0) {
		ssize_t r = write(g_pipe[1], "w", 1);
		(void)r;
	}
	errno = e;
}

static void install_winch(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_winch;
	g_have_winch = sigaction(SIGWINCH, &sa, &g_old_winch) == 0;
}

/* A fatal signal: put the terminal back with async-signal-safe calls, then die as before. */
static void on_fatal(int sig)
{
	if (g_fd >= 0) {
		if (g_reset_len) {
			ssize_t r = write(g_fd, g_reset, g_reset_len);
			(void)r;
		}
		if (g_have_saved)
			tcsetattr(g_fd, TCSANOW, &g_saved);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void restore_atexit(void)
{
	if (g_term && g_term->scr && !isendwin())
		endwin();
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
}

static void reset_signals(void)
{
	if (g_have_winch) {
		sigaction(SIGWINCH, &g_old_winch, NULL);
		g_have_winch = false;
	}
	int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
}

static void add_cap(const char *name)
{
	char *s = tigetstr(name);
	if (!s || s == (char *)-1)
		return;
	size_t n = strlen(s);
	if (g_reset_len + n < sizeof(g_reset)) {
		memcpy(g_reset + g_reset_len, s, n);
		g_reset_len += n;
	}
}

bool term_locale_utf8(void)
{
	/* the codeset of LC_CTYPE as setlocale(LC_ALL, "") chose it (main.c): LC_ALL, LC_CTYPE,
	 * then LANG, and only a locale that exists */
	const char *cs = nl_langinfo(CODESET);
	return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

/* Consoles whose usual fonts lack the glyphs drawn in UTF-8 (check marks, arrows, boxes), by
 * terminfo name: the Linux and BSD text consoles and the hardware terminals they emulate. */
static const char *const no_glyph_terms[] = {"linux",  "con",   "cons25", "pcvt",  "wsvt25", "vt52",
                                             "vt100",  "vt102", "vt220",  "vt320", "vt420",  "ansi",
                                             "pcansi", "sun",   "dumb",   NULL};

/* name is one of the list, or one of its variants (linux-16color, vt100-am, con80x25, ...) */
static bool no_glyph_name(const char *name)
{
	for (int i = 0; no_glyph_terms[i]; i++) {
		size_t n = strlen(no_glyph_terms[i]);
		if (strncmp(name, no_glyph_terms[i], n) == 0 &&
		    (name[n] == '\0' || name[n] == '-' || (name[n] >= '0' && name[n] <= '9')))
			return true;
	}
	return false;
}

bool term_has_glyphs(void)
{
	if (!term_locale_utf8())
		return false;
	const char *name = termname(); /* the terminal newterm set up */
	if (name && no_glyph_name(name))
		return false;
	/* a description without line drawing (acsc) is a simple terminal: no box glyphs either */
	char *acsc = tigetstr("acsc");
	return acsc && acsc != (char *)-1 && *acsc;
}

static void close_files(struct tui_term *t)
{
	if (t->in)
		fclose(t->in);
	if (t->out)
		fclose(t->out);
	t->in = t->out = NULL;
	t->fd = -1;
	g_fd = -1;
}

bool term_open(struct tui_term *t)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || !isatty(fd)) {
		if (fd >= 0)
			close(fd);
		fputs(no_tty_msg, stderr);
		return false;
	}
	int fd2 = dup(fd);
	t->in = fdopen(fd, "r");
	t->out = fd2 >= 0 ? fdopen(fd2, "w") : NULL;
	if (!t->in || !t->out) {
		if (!t->in)
			close(fd);
		if (!t->out && fd2 >= 0)
			close(fd2);
		close_files(t);
		fputs(no_tty_msg, stderr);
		return false;
	}
	if (fd2 >= 0)
		fcntl(fd2, F_SETFD, FD_CLOEXEC);
	t->fd = fd;
	g_fd = fd;
	g_have_saved = tcgetattr(fd, &g_saved) == 0;
	if (g_pipe[0] < 0 && pipe(g_pipe) == 0) {
		for (int i = 0; i < 2; i++) {
			fcntl(g_pipe[i], F_SETFL, fcntl(g_pipe[i], F_GETFL) | O_NONBLOCK);
			fcntl(g_pipe[i], F_SETFD, FD_CLOEXEC);
		}
	}
	g_sigint = g_sigterm = 0;
	install_signals(); /* before newterm, so ncurses keeps ours for INT/TERM */
	const char *term = getenv("TERM");
	t->scr = newterm(term && *term ? term : "dumb", t->out, t->in);
	const char *why = "cannot use terminal type";
	if (t->scr) {
		char *cup = tigetstr("cup");
		if (cup && cup != (char *)-1)
			why = NULL;
		else /* no cursor addressing (dumb, emacs shell): pages cannot be drawn */
			why = "cannot move the cursor with terminal type";
	}
	if (why) {
		if (t->scr) {
			endwin();
			delscreen(t->scr);
			t->scr = NULL;
		}
		reset_signals();
		close_files(t);
		fprintf(stderr, "certerox-aws-setup: %s '%s'; use --batch --answers FILE\n", why,
		        term ? term : "");
		return false;
	}
	g_term = t;
	static bool registered;
	if (!registered) {
		atexit(restore_atexit);
		registered = true;
	}
	set_term(t->scr);
	install_winch(); /* after newterm: chains to ncurses' handler */
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	mousemask(0, NULL);
	curs_set(0);
	g_reset_len = 0;
	add_cap("rmcup");
	add_cap("cnorm");
	add_cap("sgr0");
	return true;
}

void term_close(struct tui_term *t)
{
	if (t->scr) {
		if (!isendwin())
			endwin();
		delscreen(t->scr);
		t->scr = NULL;
	}
	reset_signals();
	g_term = NULL;
	close_files(t);
}

bool term_take_sigint(void)
{
	if (!g_sigint)
		return false;
	g_sigint = 0;
	return true;
}

bool term_sigterm(void)
{
	return g_sigterm != 0;
}

int term_wake_fd(void)
{
	return g_pipe[0];
}

void term_drain_wake(void)
{
	char b[64];
	while (g_pipe[0] >= 0 && read(g_pipe[0], b, sizeof(b)) > 0)
		;
}

int term_run_editor(struct tui_term *t, const char *path)
{
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	def_prog_mode();
	endwin();
	int status = -1;
	pid_t pid = fork();
	if (pid == 0) {
		reset_signals();
		/* the editor talks to the terminal, whatever stdin/stdout are */
		dup2(t->fd, STDIN_FILENO);
		dup2(t->fd, STDOUT_FILENO);
		setenv("CX_EDITOR", ed, 1);
		execl("/bin/sh", "sh", "-c", "exec $CX_EDITOR \"$1\"", "sh", path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	}
	g_sigint = 0; /* a Ctrl-C meant for the editor */
	reset_prog_mode();
	clearok(curscr, TRUE);
	return status;
}

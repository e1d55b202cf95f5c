# tests/tui/lib.sh - drive the real binary in a detached tmux session and compare screens.
# Source after tests/lib.sh. Each test script gets its own tmux server (-L socket name), killed
# on exit. Functions:
#   tui_start COLS ROWS [VAR=value ...]  start a shell (prompt "cx$ ") in a COLSxROWS window
#                                        with exactly this environment (plus PATH, HOME, TERM)
#   tui_cmd "command line"               type a command line into the shell and press Enter
#   tui_launch [args...]                 tui_cmd "$CX_BIN args; echo [exit \$?]"
#   tui_keys KEY...                      tmux key names (Tab, BTab, Enter, Escape, C-c, F1, ...)
#   tui_type TEXT                        literal text
#   tui_wait TEXT [SECONDS]              until the screen contains TEXT (fails after timeout)
#   tui_wait_wider N                     until a screen line is longer than N columns
#   tui_wait_gone TEXT [SECONDS]         until the screen no longer contains TEXT
#   tui_status_has / tui_status_lacks TEXT [SECONDS]
#                                        until the status rows (the 3 above the key bar)
#                                        contain / no longer contain TEXT
#   tui_until SECONDS CMD...             until CMD succeeds, polled every 50 ms
#   tui_hold_lock FILE / tui_release_lock
#                                        another run holds FILE's flock (20 s at most)
#   tui_mask_data_source                 sets TUI_MASK_EXTRA for the flows on a data source
#   tui_apply_now [SECONDS]              the apply page's "Apply now?" (the final plan, made
#                                        after the vault's unlock) answered y
#   tui_settle                           until two masked captures in a row are identical
#   tui_capture / tui_capture_e          the screen as text / with escape sequences
#   tui_mask                             filter: masks times, ms, key ids, spinner frames
#   tui_golden NAME                      masked screen vs tests/tui/golden/NAME.golden
#                                        (GENERATE=1 rewrites it)
#   tui_resize COLS ROWS                 resize the window
#   tui_color_at FILE LINE TEXT          the colour and attributes of TEXT on the first line
#                                        holding LINE of a capture with escapes
#   tui_page N TOTAL TITLE GOLDEN        page N of TOTAL matches its golden; 120x40 and back;
#                                        60x20 shows the too-small screen and the page recovers
#   tui_child_pid                        pid of the program run by the pane's shell
#   tui_stop                             kill the tmux server
#   tui_sim_start [cloudsim options]     start the simulated cloud in $T_TMP/sim (stopped on
#                                        exit) or skip; TUI_SIM_ENV holds its VAR=value list
#   TUI_MASK_EXTRA                       extra perl -pe code tui_mask applies (test-specific)
#   TUI_GOLDEN_LINES                     compare only the first N lines in tui_golden
#   TUI_FACTOR                           time-outs are multiplied by it: CX_TUI_TIME_FACTOR,
#                                        times 3 when the binary is built with ASan
# Every capture is also appended to $TUI_ALL (for "never on screen" checks such as secrets).
# Synchronisation is by polling the screen for content with generous time-outs (only a failing
# check waits them out), never by fixed sleeps alone: the suite runs on loaded 2-core machines.
unset TMUX TMUX_PANE # never talk to a tmux the tests run inside
command -v tmux >/dev/null 2>&1 || skip "tmux not installed (apt-get install tmux)"
command -v perl >/dev/null 2>&1 || skip "perl not installed"
TUI_SOCK_BASE="cxtui-$$-$(basename "$0" .sh)"
TUI_SOCK="$TUI_SOCK_BASE-0"
TUI_NSTART=0
TUI_GOLDEN_DIR="$top_srcdir/tests/tui/golden"
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cxtui.XXXXXX")
TUI_ALL="$T_TMP/all-captures"
: >"$TUI_ALL"
TUI_FACTOR=${CX_TUI_TIME_FACTOR:-1}
if [ -n "${CX_BIN:-}" ] && LC_ALL=C grep -qa '__asan_init' "$CX_BIN" 2>/dev/null; then
	TUI_FACTOR=$((TUI_FACTOR * 3))
fi
tui_tmux() { tmux -L "$TUI_SOCK" -f /dev/null "$@"; }
tui_stop() { tui_tmux kill-server >/dev/null 2>&1 || true; }
TUI_SIM=""
tui_cleanup() {
	tui_stop
	if [ -n "$TUI_SIM" ]; then sh "$top_srcdir/tests/sim/cloudsim" stop "$TUI_SIM" >/dev/null 2>&1 || true; fi
	rm -rf "$T_TMP"
}
trap tui_cleanup EXIT

tui_start() {
	local cols="$1" rows="$2"
	shift 2
	tui_stop
	TUI_NSTART=$((TUI_NSTART + 1))
	TUI_SOCK="$TUI_SOCK_BASE-$TUI_NSTART" # a fresh server each time: no race with the old one
	tui_tmux new-session -d -s cx -x "$cols" -y "$rows" \
		env -i PATH="$PATH" HOME="$T_TMP" TERM=screen PS1='cx$ ' "$@" \
		bash --norc --noprofile -i
	tui_tmux set-option -g status off >/dev/null
	tui_tmux set-option -g remain-on-exit on >/dev/null
	tui_wait 'cx$' 5
}

tui_cmd() {
	tui_tmux send-keys -t cx -l "$1"
	tui_tmux send-keys -t cx Enter
}

tui_launch() {
	local q="" a
	for a in "$@"; do q="$q '$a'"; done
	tui_cmd "clear; '$CX_BIN'$q; echo \"[exit \$?]\""
}

# Pid of the program the pane's shell is running (from /proc; no procps needed).
tui_child_pid() {
	local sp f
	sp=$(tui_tmux display-message -p -t cx '#{pane_pid}')
	for f in /proc/[0-9]*/status; do
		if grep -q "^PPid:[[:space:]]*$sp\$" "$f" 2>/dev/null; then
			f=${f#/proc/}
			echo "${f%/status}"
			return 0
		fi
	done
	return 1
}

tui_keys() { tui_tmux send-keys -t cx "$@"; }
tui_type() { tui_tmux send-keys -t cx -l "$1"; }

tui_capture() {
	tui_tmux capture-pane -t cx -p | tee -a "$TUI_ALL"
}
tui_capture_e() {
	tui_tmux capture-pane -t cx -p -e | tee -a "$TUI_ALL"
}

# tui_until SECONDS CMD...: runs CMD every 50 ms until it succeeds (0) or SECONDS pass (1)
tui_until() {
	local limit="$1" i=0
	shift
	while [ "$i" -lt $((limit * 20 * TUI_FACTOR)) ]; do
		if "$@"; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
tui_screen_has() { tui_capture | grep -qF -- "$1"; }
tui_screen_lacks() { ! tui_screen_has "$1"; }
# the status rows: the three rows above the key bar, where a long message wraps
tui_status_rows() { tui_capture | tail -n 4 | head -n 3; }
tui_status_shows() { tui_status_rows | grep -qF -- "$1"; }
tui_status_clear_of() { ! tui_status_shows "$1"; }
tui_timed_out() {
	echo "# timed out waiting for $1; screen:" >&2
	tui_capture | sed 's/^/# | /' >&2
	return 1
}

# tui_wait TEXT [SECONDS] / tui_wait_gone TEXT [SECONDS]: until the screen shows / no longer
# shows TEXT
tui_wait() { tui_until "${2:-5}" tui_screen_has "$1" || tui_timed_out "'$1'"; }
tui_wait_gone() { tui_until "${2:-5}" tui_screen_lacks "$1" || tui_timed_out "'$1' to go"; }

# Until some screen line is longer than $1 columns (a resize has been drawn).
tui_wider_than() { tui_capture | awk -v n="$1" 'length > n { f = 1 } END { exit !f }'; }
tui_wait_wider() { tui_until 10 tui_wider_than "$1"; }

# tui_status_has TEXT [SECONDS] / tui_status_lacks TEXT [SECONDS]: until the status rows show
# / do not show TEXT
tui_status_has() {
	tui_until "${2:-5}" tui_status_shows "$1" || tui_timed_out "'$1' on the status rows"
}
tui_status_lacks() {
	tui_until "${2:-5}" tui_status_clear_of "$1" || tui_timed_out "'$1' to leave the status rows"
}

# tui_hold_lock FILE / tui_release_lock: another run holding a lock file (flock), for 20 s at
# most, as a concurrent wizard would
tui_hold_lock() {
	flock -o -x "$1" sleep 20 &
	TUI_HOLDER=$!
	sleep 0.3
}
tui_release_lock() {
	kill "$TUI_HOLDER" 2>/dev/null || true
	wait "$TUI_HOLDER" 2>/dev/null || true
}

# Dynamic values: elapsed times, clock times, backup files' timestamps, access key ids,
# spinner frames.
tui_mask() {
	perl -CSD -pe '
		s/[\x{2800}-\x{28ff}]/*/g;
		s/[|\/\\-] (\d+ ms)/* $1/g;
		s/ +(\* )?\d+ ms\b/ $1# ms/g;
		s/ +\d+(\.\d+)? s\b/ # s/g;
		s/\b\d\d:\d\d:\d\d\b/HH:MM:SS/g;
		s/\b\d{8}T\d{6}Z\b/YYYYMMDDTHHMMSSZ/g;
		s/\b(AKIA|ASIA)[A-Z0-9]{16}\b/${1}XXXXXXXXXXXXXXXX/g;
		s/[|\/\\-](  ?certerox-aws-setup\s*)$/*$1/;
	' | if [ -n "${TUI_MASK_EXTRA:-}" ]; then perl -CSD -pe "$TUI_MASK_EXTRA"; else cat; fi
}

# The masks of the flows on a connected data source (rotate, disconnect, migrate): the sim's
# port, data source ids, the vault's path and access key ids cut with an ellipsis.
tui_mask_data_source() {
	TUI_MASK_EXTRA='s/127\.0\.0\.1:\d+/127.0.0.1:PORT/g;
	s/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/UUID/g;
	s/(Vault(: | {2,}))\S+/$1PATH/;
	s/\bAKIA[A-Z0-9]{0,15}\x{2026}/AKIA.../g;'
	export TUI_MASK_EXTRA
}

tui_apply_now() {
	tui_wait "Apply now?" "${1:-30}" || return 1
	tui_keys y
}

tui_settle() {
	local a b i=0
	a=$(tui_capture | tui_mask)
	while [ "$i" -lt 40 ]; do
		sleep 0.1
		b=$(tui_capture | tui_mask)
		[ "$a" = "$b" ] && return 0
		a="$b"
		i=$((i + 1))
	done
	return 0
}

# The masked screen vs the golden. A screen that is still changing (a redraw after a resize, a
# spinner's last frame) is compared again for up to 5 s (times TUI_FACTOR) before the diff.
tui_golden() {
	local name="$1" f="$TUI_GOLDEN_DIR/$1.golden" i=0
	tui_settle
	tui_capture | tui_mask | head -n "${TUI_GOLDEN_LINES:-1000}" >"$T_TMP/$name.actual"
	if [ "${GENERATE:-0}" = 1 ]; then
		cp "$T_TMP/$name.actual" "$f"
		echo "# wrote $f"
		return 0
	fi
	if [ ! -f "$f" ]; then
		echo "# no golden $f (run with GENERATE=1)" >&2
		return 1
	fi
	while ! cmp -s "$f" "$T_TMP/$name.actual" && [ "$i" -lt $((50 * TUI_FACTOR)) ]; do
		sleep 0.1
		tui_capture | tui_mask | head -n "${TUI_GOLDEN_LINES:-1000}" >"$T_TMP/$name.actual"
		i=$((i + 1))
	done
	if ! diff -u "$f" "$T_TMP/$name.actual" >&2; then
		return 1
	fi
}

tui_resize() {
	tui_tmux resize-window -t cx -x "$1" -y "$2"
}

# tui_confirm_quit: after F10, answers y when the wizard asks whether to quit (past the first
# page, or with work under way), else lets it exit; the caller then checks "[exit".
tui_exit_or_quit_asked() { tui_capture | grep -qF -e "[exit" -e "Quit?"; }
tui_confirm_quit() {
	tui_until 10 tui_exit_or_quit_asked || return 0
	if tui_screen_lacks "[exit"; then tui_keys y; fi
}

# tui_page N TOTAL TITLE GOLDEN: page N of TOTAL is shown and matches its golden at 80x24; at
# 120x40 it is redrawn wider with its title, back at 80x24 it matches again; at 60x20 the
# too-small screen is shown, and back at 80x24 the page is back as it was.
tui_page() {
	check "page $1: $3" tui_wait "Page $1 of $2: $3" 20
	check "golden $4" tui_golden "$4"
	tui_resize 120 40
	check "page $1 at 120x40" tui_wait_wider 90
	check "page $1 keeps its title at 120x40" tui_wait "Page $1 of $2: $3"
	tui_resize 80 24
	tui_wait "? help  q/F10 quit" 5 >/dev/null 2>&1 || true
	check "page $1 back at 80x24" tui_golden "$4"
	tui_resize 60 20
	check "page $1 at 60x20: too small" tui_wait "terminal too small (need 80x24, have 60x20)"
	tui_resize 80 24
	tui_wait "? help  q/F10 quit" 5 >/dev/null 2>&1 || true
	check "page $1 recovers from 60x20" tui_golden "$4"
}

# Colour in a capture with escapes: SGR parameters 30-38, 40-48, 90-97, 100-107 (38/48 start
# 256-colour/RGB forms). 39 and 49 ("default colour") are not colour: tmux's capture emits them
# as resets after any attribute change. Succeeds when colour is present.
tui_has_color() {
	perl -ne '
		while (/\e\[([0-9;:]*)m/g) {
			for my $p (split /[;:]/, $1) {
				$found = 1 if $p =~ /^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$/;
			}
		}
		END { exit($found ? 0 : 1) }' "$@"
}
tui_no_color() { ! tui_has_color "$@"; }
# A capture with escapes, as plain text.
tui_strip() { perl -pe 's/\e\[[0-9;:]*[A-Za-z]//g' "$@"; }

# Bytes >= 0x80 in file $1?
tui_has_8bit() {
	[ "$(LC_ALL=C tr -d '\000-\177' <"$1" | wc -c)" -gt 0 ]
}
tui_no_8bit() { ! tui_has_8bit "$1"; }

# The simulated cloud (tests/sim/cloudsim) for the wizard's flows. Sets TUI_SIM (its dir) and
# TUI_SIM_ENV (the VAR=value words of DIR/env, for tui_start).
tui_sim_start() {
	. "$top_srcdir/tests/sim/findpython.sh"
	cloudsim_find_python || skip "no python3 with moto and boto3 (pip install 'moto[server]' boto3 awscli)"
	command -v openssl >/dev/null 2>&1 || skip "openssl not found"
	command -v curl >/dev/null 2>&1 || skip "curl not found"
	TUI_SIM="$T_TMP/sim"
	sh "$top_srcdir/tests/sim/cloudsim" start "$TUI_SIM" "$@" >"$T_TMP/sim.log" 2>&1 ||
		{ cat "$T_TMP/sim.log" >&2; TUI_SIM=""; skip "the simulated cloud did not start"; }
	TUI_SIM_ENV=$(sed -n "s/^export \([A-Z_]*\)='\(.*\)'$/\1=\2/p" "$TUI_SIM/env" | tr '\n' ' ')
}
# Skips (77) when the binary or the C.UTF-8 locale is missing: every screen test needs both.
tui_require() {
	[ -x "$CX_BIN" ] || skip "no binary $CX_BIN"
	locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' || skip "no C.UTF-8 locale"
}
# A home of the test's own: HOMEDIR, and in TUI_HOME_ENV the locale, the XDG data and state
# directories in it and the key-check wait every wizard run gets.
tui_home() {
	HOMEDIR="$T_TMP/home"
	mkdir -p "$HOMEDIR"
	TUI_HOME_ENV="LANG=C.UTF-8 XDG_DATA_HOME=$HOMEDIR/data XDG_STATE_HOME=$HOMEDIR/state CX_KEY_WAIT_MS=30000"
}
# Value of a variable of the sim's env.
tui_sim_var() { sed -n "s/^export $1='\(.*\)'$/\1/p" "$TUI_SIM/env"; }

# tui_batch_connect FILE: the data source of answers FILE made with --batch (the vault's
# passphrase in $T_TMP/passfile); its summary in $T_TMP/batch.json, stderr in batch.err.
tui_batch_connect() {
	(
		set -a
		. "$TUI_SIM/env"
		XDG_DATA_HOME="$HOMEDIR/data" XDG_STATE_HOME="$HOMEDIR/state" CX_KEY_WAIT_MS=30000 \
			"$CX_BIN" --batch --answers "$1" --passphrase-file "$T_TMP/passfile" \
			--vault-kdf interactive >"$T_TMP/batch.json" 2>"$T_TMP/batch.err"
	)
}
# tui_aws_keys: the access keys of certerox-billing as boto3 sees them, "ID STATUS" lines in
# $T_TMP/keys.txt.
tui_aws_keys() {
	(
		set -a
		. "$TUI_SIM/env"
		"$CLOUDSIM_PYTHON" -c '
import boto3
iam = boto3.client("iam")
for k in iam.list_access_keys(UserName="certerox-billing")["AccessKeyMetadata"]:
    print(k["AccessKeyId"], k["Status"])'
	) >"$T_TMP/keys.txt" 2>"$T_TMP/keys.err"
}
# tui_cx_keys: CerteroX's data sources (curl, then the JSON read by python), "ID ACCESS_KEY_ID"
# lines in $T_TMP/cx.txt; the answer in $T_TMP/ds.json.
tui_cx_keys() {
	curl -sS --cacert "$TUI_SIM/ca.pem" -H "Authorization: Bearer $(tui_sim_var CERTEROX_TOKEN)" \
		"$(tui_sim_var CERTEROX_URL)/restapi/v2/organizations/$(tui_sim_var CERTEROX_ORGANIZATION_ID)/cloud_accounts?details=true" \
		>"$T_TMP/ds.json" 2>&1 || true
	"$CLOUDSIM_PYTHON" -c '
import json, sys
for d in json.load(open(sys.argv[1]))["cloud_accounts"]:
    print(d["id"], (d.get("config") or {}).get("access_key_id"))' "$T_TMP/ds.json" >"$T_TMP/cx.txt" 2>&1
}
# tui_color_at FILE LINE TEXT: the SGR state of TEXT's first character on the first line of a
# capture with escapes (FILE) whose plain text contains LINE: "fg=N" (30-37, 90-97, 38:5:N as
# 5:N; "fg=default"), then " bold", " dim", " underline", " reverse" when set. Fails when no
# such line or text.
tui_color_at() {
	perl -CSDA -e '
		my ($file, $want_line, $text) = @ARGV;
		open(my $fh, "<:encoding(UTF-8)", $file) or exit 2;
		while (my $l = <$fh>) {
			chomp $l;
			my (@chars, @st);
			my %s = (fg => "default");
			my @parts = split /(\e\[[0-9;:]*m)/, $l;
			for my $p (@parts) {
				if ($p =~ /^\e\[([0-9;:]*)m$/) {
					my @a = split /;/, ($1 eq "" ? "0" : $1);
					while (@a) {
						my $c = shift @a;
						if ($c eq "0" || $c eq "") { %s = (fg => "default") }
						elsif ($c =~ /^(3[0-7]|9[0-7])$/) { $s{fg} = $c }
						elsif ($c eq "39") { $s{fg} = "default" }
						elsif ($c eq "38") { my $m = shift @a; my $n = shift @a; $s{fg} = "$m:$n" }
						elsif ($c =~ /^38:/) { $s{fg} = substr($c, 3) }
						elsif ($c eq "1") { $s{bold} = 1 }
						elsif ($c eq "2") { $s{dim} = 1 }
						elsif ($c eq "22") { delete @s{qw(bold dim)} }
						elsif ($c eq "4") { $s{underline} = 1 }
						elsif ($c eq "24") { delete $s{underline} }
						elsif ($c eq "7") { $s{reverse} = 1 }
						elsif ($c eq "27") { delete $s{reverse} }
					}
					next;
				}
				for my $ch (split //, $p) {
					push @chars, $ch;
					push @st, join("", "fg=$s{fg}",
						map { $s{$_} ? " $_" : "" } qw(bold dim underline reverse));
				}
			}
			my $plain = join("", @chars);
			next unless index($plain, $want_line) >= 0;
			my $i = index($plain, $text);
			exit 1 if $i < 0;
			print "$st[$i]\n";
			exit 0;
		}
		exit 1;' "$@"
}

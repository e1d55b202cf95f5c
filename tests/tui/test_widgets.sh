#!/bin/sh
# The widget gallery (CX_TUI_GALLERY=1) on real screens in tmux: goldens of every widget at
# 80x24, resizes keep state, the too-small screen, NO_COLOR, ASCII drawing, masked secrets,
# Ctrl-C/SIGTERM restore the terminal, Esc/q behaviour, no terminal -> 64.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
UTF8="LANG=C.UTF-8"
SECRET="S3cr3t-Passw0rd-xyzzy"
TITLES="Form fields|Radio lists|JSON viewer|Diff viewer|Progress and log|Dialogs"

# goto N: from page 1 to page N by Enter (page 1 is valid as it starts)
goto() {
	local i=1
	while [ "$i" -lt "$1" ]; do
		tui_keys Enter
		i=$((i + 1))
		tui_wait "Page $i of 6" || return 1
	done
}

# ---- goldens at 80x24, colour, UTF-8 ----
tui_start 80 24 $UTF8 CX_TUI_GALLERY=1
tui_launch
check "gallery starts on page 1" tui_wait "Page 1 of 6: Form fields"
check "golden form" tui_golden form
tui_keys F1
tui_wait "Help: Form fields"
check "golden help overlay" tui_golden help
tui_keys x
tui_wait_gone "Help: Form fields"
check "help overlay closes on any key" tui_wait "Page 1 of 6: Form fields"
tui_keys End C-u
tui_type "bad name!"
check "inline validation message" tui_wait "only letters, digits"
tui_keys Tab Tab
tui_type "$SECRET"
tui_keys Tab Space
check "masked field counts characters" tui_wait "Passphrase: ${#SECRET} characters typed"
check "golden form with errors" tui_golden form-errors
tui_keys Enter
check "Enter refuses an invalid page, the status line says why" \
	tui_status_has "export name: only letters, digits"
check "focus returns to the invalid field" tui_wait "▸ Export name"
tui_keys C-u
tui_type "q-name"
check "q types into a text field" tui_wait "[q-name"
tui_keys BSpace BSpace BSpace BSpace BSpace BSpace
tui_type "cx_été"
check "UTF-8 editing in a text field" tui_wait "[cx_été"
tui_keys Left Left BSpace Home Delete End
tui_type "!"
check "left/backspace/home/delete edit by character" tui_wait "[x_té!"
tui_keys BSpace BSpace
check "validation clears when fixed" tui_wait_gone "only letters, digits"
tui_keys Enter
check "page 2" tui_wait "Page 2 of 6: Radio lists"
check "golden radio" tui_golden radio
tui_keys Down
check "the (*) mark follows the cursor" tui_wait "▸ (*) Legacy CUR export"
check "the mark left the item above" tui_wait "( ) Standard data export"
check "golden radio after Down" tui_golden radio-moved
tui_keys Tab Down Down
check "radio selection" tui_wait "Chosen: Legacy CUR export, Monthly"
tui_keys Escape
check "Esc goes back keeping state" tui_wait "Page 1 of 6: Form fields"
check "state kept after back" tui_wait "[x_t "
tui_keys Escape
check "Esc on the first page asks whether to quit" tui_wait "This is the first page. Quit the wizard?"
tui_keys n
check "No: the first page stays" tui_wait "This is the first page."
check "the key bar shows ? and q" tui_wait "? help  q/F10 quit"
tui_keys Enter
tui_wait "Page 2 of 6"
check "radio state kept" tui_wait "Chosen: Legacy CUR export, Monthly"
tui_keys Enter
check "page 3" tui_wait "Page 3 of 6: JSON viewer"
check "golden json" tui_golden json
tui_keys /
check "search prompt" tui_wait "Search:"
tui_type "tlsversion"
tui_keys Enter
check "search finds a match" tui_wait 'found "tlsversion" on line 30'
check "golden json search" tui_golden json-search
tui_keys n
check "n wraps to the same match" tui_wait 'found "tlsversion" on line 30'
tui_keys / Escape
tui_keys Home
check "Home goes to the top" tui_wait "lines 1-"
tui_keys PageDown
check "PgDn scrolls" tui_wait "lines 19-"
tui_keys End
check "End goes to the bottom" tui_wait "of 43"
tui_keys Home Enter
check "page 4" tui_wait "Page 4 of 6: Diff viewer"
check "golden diff" tui_golden diff
tui_keys Enter
check "page 5" tui_wait "Page 5 of 6: Progress and log"
check "golden progress" tui_golden progress
tui_keys Enter
check "page 6" tui_wait "Page 6 of 6: Dialogs"
check "golden dialogs" tui_golden dialogs
tui_keys c
check "confirm dialog" tui_wait "Create the data export?"
check "golden confirm" tui_golden confirm
tui_keys Right Enter
check "confirm: No" tui_wait "Confirm answered: no"
tui_keys c
tui_wait "Create the data export?"
tui_keys y
check "confirm: y" tui_wait "Confirm answered: yes"
tui_keys m
check "message box" tui_wait "AWS delivers the first files"
check "golden message" tui_golden message
tui_keys Enter
check "message box closes" tui_wait "Message box closed."
tui_keys Enter
check "Enter on the last page finishes with 0" tui_wait "[exit 0]"
check "summary printed after the screen is restored" tui_wait "widget gallery: done"

# ---- the loop through an external wait hook (as the engine provides) stays responsive ----
tui_start 80 24 $UTF8 CX_TUI_GALLERY=1 CX_TUI_GALLERY_IO=1
tui_launch
tui_wait "Page 1 of 6"
goto 6
tui_keys Enter
check "keys work through the external wait hook" tui_wait "[exit 0]"
check "the external wait hook was used" tui_wait "external wait hook called"
tui_start 80 24 $UTF8 CX_TUI_GALLERY=1

# ---- q quits at once when nothing was applied; asks when something was ----
tui_launch
tui_wait "Page 1 of 6"
tui_keys Enter
tui_wait "Page 2 of 6"
tui_keys q
check "q quits with 130 when nothing was applied" tui_wait "[exit 130]"
tui_launch
tui_wait "Page 1 of 6"
goto 6
tui_keys a
tui_wait "Marked as applied"
tui_keys q
check "q asks after something was applied" tui_wait "Some changes have already been applied"
tui_keys n
check "answering no stays" tui_wait "Page 6 of 6"
tui_keys F10
tui_wait "Quit?"
tui_keys y
check "F10 then y quits with 130" tui_wait "[exit 130]"

# ---- resizing keeps the state on every page; 60x20 shows the too-small screen ----
tui_launch
tui_wait "Page 1 of 6"
tui_keys Tab Space
i=1
while [ "$i" -le 6 ]; do
	[ "$i" -eq 3 ] && tui_keys PageDown
	tui_settle
	before=$(tui_capture | tui_mask)
	tui_resize 120 40
	check "page $i at 120x40 uses the width" tui_wait_wider 100
	check "page $i at 120x40" tui_wait "Page $i of 6"
	tui_resize 60 20
	check "page $i at 60x20: too small" tui_wait "terminal too small (need 80x24, have 60x20)"
	[ "$i" -eq 1 ] && check "golden too small" tui_golden too-small
	tui_resize 80 24
	tui_wait "Page $i of 6"
	tui_settle
	after=$(tui_capture | tui_mask)
	check "page $i unchanged after 120x40, 60x20 and back" [ "$before" = "$after" ]
	[ "$i" -lt 6 ] && tui_keys Enter
	i=$((i + 1))
	[ "$i" -le 6 ] && tui_wait "Page $i of 6"
done
tui_resize 60 20
tui_wait "terminal too small"
tui_keys Enter Escape
sleep 0.2
tui_resize 80 24
check "keys are ignored while too small" tui_wait "Page 6 of 6"

# ---- Ctrl-C restores the terminal and exits 130 ----
tui_keys C-c
check "Ctrl-C exits 130" tui_wait "[exit 130]"
check "the shell prompt is back" sh -c "tmux -L '$TUI_SOCK' capture-pane -t cx -p | grep -q '^cx\\$'"
tui_cmd "clear; stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo '<stty'"
tui_wait "<stty"
check "stty shows icanon and echo after Ctrl-C" tui_wait "icanon echo <stty"

# ---- SIGTERM restores the terminal too ----
tui_launch
tui_wait "Page 1 of 6"
app_pid=$(tui_child_pid || true)
[ -n "$app_pid" ] && kill -TERM "$app_pid"
check "SIGTERM exits 130" tui_wait "[exit 130]"
tui_cmd "clear; stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo '<stty'"
check "stty shows icanon and echo after SIGTERM" tui_wait "icanon echo <stty"

# ---- the secret typed into the masked field never appeared on any screen ----
check "captures were taken" test -s "$TUI_ALL"
check "masked secret never on screen" sh -c "! grep -qF -- '$SECRET' '$TUI_ALL'"
check "masked secret never on screen (partial)" sh -c "! grep -qF -- 'Passw0rd' '$TUI_ALL'"

# ---- colour: present by default, absent with NO_COLOR and --no-color ----
all_pages_e() { # captures every page with escapes into $1
	: >"$1"
	tui_wait "Page 1 of 6"
	i=1
	while :; do
		tui_settle
		tui_capture_e >>"$1"
		[ "$i" -eq 6 ] && break
		tui_keys Enter
		i=$((i + 1))
		tui_wait "Page $i of 6"
	done
	tui_keys c
	tui_wait "Yes"
	tui_capture_e >>"$1"
	tui_keys Escape
	tui_wait "Confirm answered"
	tui_keys "${HELPKEY:-F1}" # F1 is sent as TERM=screen's; with another TERM, use ?
	tui_wait "Help:"
	tui_capture_e >>"$1"
	tui_keys x C-c
	tui_wait "[exit 130]"
}
tui_launch
all_pages_e "$T_TMP/color"
check "colour escapes by default (control)" tui_has_color "$T_TMP/color"
check "UTF-8 drawing by default (control)" tui_has_8bit "$T_TMP/color"
tui_start 80 24 $UTF8 CX_TUI_GALLERY=1 NO_COLOR=1
tui_launch
all_pages_e "$T_TMP/nocolor"
check "NO_COLOR: no SGR colour codes (3x/4x/38/48) on any page" tui_no_color "$T_TMP/nocolor"
check "NO_COLOR: attributes still used (bold/reverse)" grep -q "$(printf '\033')\[[0-9;]*[17]m" "$T_TMP/nocolor"
tui_start 80 24 $UTF8 CX_TUI_GALLERY=1
tui_launch --no-color
all_pages_e "$T_TMP/nocolor2"
check "--no-color: no SGR colour codes on any page" tui_no_color "$T_TMP/nocolor2"

# ---- ASCII: LANG=C and --ascii draw 7-bit only ----
tui_start 80 24 LANG=C CX_TUI_GALLERY=1
tui_launch
all_pages_e "$T_TMP/ascii"
check "LANG=C: no bytes >= 0x80 on any page" tui_no_8bit "$T_TMP/ascii"
tui_strip "$T_TMP/ascii" >"$T_TMP/ascii.txt"
check "LANG=C: ASCII status symbols" grep -qF "[ok] done" "$T_TMP/ascii.txt"
check "LANG=C: ASCII boxes" grep -qF "+- Steps ---" "$T_TMP/ascii.txt"
tui_start 80 24 $UTF8 CX_TUI_GALLERY=1
tui_launch --ascii
all_pages_e "$T_TMP/ascii2"
check "--ascii: no bytes >= 0x80 on any page" tui_no_8bit "$T_TMP/ascii2"
tui_launch --ascii
tui_wait "Page 1 of 6"
goto 5
check "golden progress (ASCII)" tui_golden progress-ascii
tui_keys C-c
tui_wait "[exit 130]"
# a console without the glyphs (TERM=linux) gets ASCII though the locale is UTF-8, judged from
# the terminal type; its terminfo describes line drawing, so that alone does not decide it
tui_start 80 24 $UTF8 CX_TUI_GALLERY=1 TERM=linux
tui_launch
HELPKEY="?" all_pages_e "$T_TMP/ascii3"
unset HELPKEY
check "TERM=linux, UTF-8 locale: no bytes >= 0x80 on any page" tui_no_8bit "$T_TMP/ascii3"
tui_launch
tui_wait "Page 1 of 6"
goto 5
check "TERM=linux: the ASCII golden" tui_golden progress-ascii
tui_keys C-c
tui_wait "[exit 130]"
# the locale decides, not LANG alone: LC_ALL=C over LANG=C.UTF-8 is ASCII
tui_start 80 24 $UTF8 LC_ALL=C CX_TUI_GALLERY=1
tui_launch
all_pages_e "$T_TMP/ascii4"
check "LC_ALL=C over a UTF-8 LANG: no bytes >= 0x80 on any page" tui_no_8bit "$T_TMP/ascii4"

# ---- a terminal that cannot address the cursor is refused clearly ----
tui_cmd "clear; TERM=dumb '$CX_BIN'; echo \"[exit \$?]\""
check "TERM=dumb: exit 64" tui_wait "[exit 64]"
check "TERM=dumb: says why" tui_wait "cannot move the cursor with terminal type 'dumb'"
tui_stop

# ---- no terminal ----
if command -v setsid >/dev/null 2>&1; then
	rc=0
	CX_TUI_GALLERY=1 setsid -w "$CX_BIN" </dev/null >"$T_TMP/out" 2>"$T_TMP/err" || rc=$?
	check "no terminal: exit 64" [ "$rc" -eq 64 ]
	check "no terminal: says how to run without one" grep -q "the wizard needs a terminal; use --batch --answers FILE" "$T_TMP/err"
fi
finish

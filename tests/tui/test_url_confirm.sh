#!/bin/sh
# Issue 17, security 8: a certerox.url that only the answers file gives (no --certerox-url, no
# CERTEROX_URL) does not receive the CerteroX token until the user confirms it: the CerteroX
# page says where the URL comes from, the simulated CerteroX sees no request before Enter, and
# Enter on the page signs in. Golden of the page before the confirmation.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
tui_sim_start
tui_home
TUI_MASK_EXTRA='s/127\.0\.0\.1:\d+/127.0.0.1:PORT/g;'
export TUI_MASK_EXTRA
CXURL=$(tui_sim_var CERTEROX_URL)
cat >"$T_TMP/answers.json" <<EOF2
{"connection": "root",
 "export": {"type": "cur2", "setup": "wizard", "bucket": "cx-tui-url",
            "create_bucket": true, "bucket_region": "us-east-1"},
 "certerox": {"url": "$CXURL"}}
EOF2
# The URL comes from the answers file alone.
SIM_ENV=$(echo "$TUI_SIM_ENV" | tr ' ' '\n' | grep -v '^CERTEROX_URL=' | tr '\n' ' ')
ENVS="$TUI_HOME_ENV $SIM_ENV"
cx_requests() { grep -c '"service": *"certerox"' "$TUI_SIM/requests.jsonl" 2>/dev/null || true; }
next() {
	tui_keys Enter
	tui_wait "Page $1 of 12" 20 && tui_wait "$2" 20
}

# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch --answers "$T_TMP/answers.json" --vault-kdf interactive
check "page 1" tui_wait "management (payer) account" 30
check "page 2" next 2 "Connection type"
check "page 3" next 3 "Export type"
check "page 4" next 4 "[cx-tui-url"
check "page 5" next 5 "Bucket cx-tui-url"
check "page 6" next 6 "IAM policies"
check "page 7" next 7 "What will be done"
check "page 8" next 8 "CerteroX URL"
check "the page says the URL comes from the answers file" \
	tui_wait "This URL comes from the answers file: check it."
check "not signed in before the confirmation" tui_wait_gone "Signed in; organization" 1
check "golden of the unconfirmed URL" tui_golden url-08-certerox
check "CerteroX saw no request before Enter" test "$(cx_requests)" = 0
tui_keys Enter
check "Enter confirms: signed in with the token, on to the review" tui_wait "Page 9 of 12" 20
check "CerteroX saw requests after Enter" test "$(cx_requests)" -gt 0
# Issue 17, security 10: the passphrase field takes as much as a passphrase file holds (4094
# bytes). The vault made with it opens with a passphrase file of those 4094 bytes.
LONG=$(awk 'BEGIN { s = ""; while (length(s) < 4094) s = s "Horse-battery-" length(s) "-";
	print substr(s, 1, 4094) }')
printf '%s\n' "$LONG" >"$T_TMP/longpass"
chmod 600 "$T_TMP/longpass"
check "the long passphrase is 4094 bytes" test "$(head -n 1 "$T_TMP/longpass" | wc -c)" = 4095
check "the review has the plan" tui_wait " create, " 20
check "page 10" next 10 "Vault passphrase"
tui_type "$LONG"
tui_keys Tab
tui_type "$LONG"
check "the meter rates it" tui_wait "very strong"
tui_keys Enter
check "Apply now? after the vault" tui_apply_now
check "apply finishes" tui_wait "Done: every step finished" 60
tui_keys Enter
check "page 12" tui_wait "Data source id" 10
tui_keys Enter
check "exit 0" tui_wait "[exit 0]" 10
env XDG_DATA_HOME="$HOMEDIR/data" "$CX_BIN" --list --passphrase-file "$T_TMP/longpass" \
	>"$T_TMP/list.out" 2>&1
check "the 4094-byte passphrase file opens it" test $? -eq 0
check "the long passphrase never on screen" sh -c "! grep -qF -- 'Horse-battery-' '$TUI_ALL'"
finish

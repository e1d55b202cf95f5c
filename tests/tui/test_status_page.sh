#!/bin/sh
# Page "Check connected data sources" (Welcome, 4th choice) by keystrokes: a Root CUR 2.0 data
# source (delivered and imported: healthy) and a Linked member account (not reachable with the
# management account's credentials) in one organization. The page is live while the checks run
# (the sim answers 150 ms late), then shows the table with a symbol per state; colour, and a
# monochrome form with NO_COLOR; --ascii symbols. The bucket policy removed (boto3-free: aws
# cli), `r` checks again; `u` unlocks the vault and each key is checked with itself: the Root row turns to a problem; Enter shows its checks and the fix,
# then offers Connect, which starts the Connect flow. Goldens at 80x24.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
tui_sim_start --latency-ms 150
tui_home
TUI_MASK_EXTRA='s/127\.0\.0\.1:\d+/127.0.0.1:PORT/g;
	s/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/UUID/g;
	s/\b\d\d-\d\d \d\d:\d\d\b/MM-DD HH:MM/g;
	s/\b\d{4}-\d\d-\d\dT[0-9:.]+Z/TIMESTAMP/g;
	s/\b\d{4}-\d\d\b(?=: \d+ file)/YYYY-MM/g;'
export TUI_MASK_EXTRA
ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"
MEMBER_ID=$(tui_sim_var MEMBER_AWS_ACCESS_KEY_ID)
MEMBER_SECRET=$(tui_sim_var MEMBER_AWS_SECRET_ACCESS_KEY)
cat >"$T_TMP/root.json" <<'EOF2'
{"connection": "root",
 "export": {"type": "cur2", "setup": "wizard", "name": "certerox-cur2", "bucket": "cx-tui-status",
            "create_bucket": true, "bucket_region": "us-east-1", "prefix": "reports"},
 "data_source": {"name": "Payer"}}
EOF2
printf '%s\n' '{"connection": "linked", "data_source": {"name": "Member"}}' >"$T_TMP/linked.json"
printf '%s\n' "status-Page-Passphrase-83" >"$T_TMP/pass"
chmod 600 "$T_TMP/pass"
# shellcheck disable=SC2086
env $ENVS "$CX_BIN" --batch --answers "$T_TMP/root.json" --passphrase-file "$T_TMP/pass" \
	--vault-kdf interactive >"$T_TMP/root.out" 2>"$T_TMP/root.err"
check "Root onboarding exits 0" test $? -eq 0
# shellcheck disable=SC2086
env $ENVS AWS_ACCESS_KEY_ID="$MEMBER_ID" AWS_SECRET_ACCESS_KEY="$MEMBER_SECRET" \
	XDG_DATA_HOME="$T_TMP/member" "$CX_BIN" --batch --answers "$T_TMP/linked.json" \
	--passphrase-file "$T_TMP/pass" --vault-kdf interactive >"$T_TMP/linked.out" 2>"$T_TMP/linked.err"
check "Linked onboarding exits 0" test $? -eq 0
check "cloudsim deliver" sh "$top_srcdir/tests/sim/cloudsim" deliver "$TUI_SIM"
check "cloudsim import" sh "$top_srcdir/tests/sim/cloudsim" import "$TUI_SIM"

open_page() {
	check "page 1" tui_wait "management (payer) account" 30
	check "the choice and its note" tui_wait "Check connected data sources"
	tui_keys Down Down Down Enter
	check "the page is live while the checks run" tui_wait "Checking 2 AWS data sources" 10
	check "the checks end" tui_wait "2 AWS data sources checked" 30
}

# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch
open_page
check "golden: the table" tui_golden status-01-table
check "the Root row: no problem" tui_wait "Payer"
tui_capture_e >"$T_TMP/color"
check "colour is used" tui_has_color "$T_TMP/color"
tui_keys Down Enter
check "Enter: the Linked row's checks" tui_wait "account_unreachable" 10
check "golden: the Linked row's checks" tui_golden status-02-linked
tui_keys Escape
check "checks closed" tui_wait_gone "account_unreachable:" 5
# u: the vault unlocked, each key is checked with itself (the Member's key is in another vault)
tui_keys Up u
check "u: the passphrase is asked" tui_wait "Unlock the vault" 10
tui_type "status-Page-Passphrase-83"
tui_keys Enter
check "unlocked: checked again with the keys" tui_wait "vault unlocked: keys checked" 30
check "... and the checks end" tui_wait "2 AWS data sources checked" 30
check "the Root row is still fine" tui_wait "Payer: no problem" 10
tui_keys Enter
check "the Root key proved its permissions" tui_wait "in the vault: yes; permissions proved with the key: yes" 10
tui_keys Escape
tui_keys Down
check "the Member key is not in this vault" tui_wait "key_not_in_vault" 10
tui_keys Up
# the bucket policy removed: AWS can no longer deliver
# shellcheck disable=SC2086
env $ENVS aws s3api delete-bucket-policy --bucket cx-tui-status >"$T_TMP/aws.out" 2>&1
check "bucket policy removed (aws cli)" test $? -eq 0
tui_keys Up r
check "r: checked again" tui_wait "bucket_policy_blocks_delivery. Enter" 30
check "golden: the table with a problem" tui_golden status-03-problem
tui_keys Enter
check "the checks name the problem" tui_wait "policy lets AWS deliver: no" 10
check "golden: the Root row's checks" tui_golden status-04-details
tui_keys Escape
check "the fix is offered" tui_wait "Start Connect now for account" 10
tui_keys Enter
check "Connect starts" tui_wait "Connection type" 20
tui_keys F10
tui_wait "[exit" 10 >/dev/null 2>&1 || tui_keys y
check "wizard exits" tui_wait "[exit" 10

# monochrome and ASCII
# shellcheck disable=SC2086
tui_start 80 24 $ENVS NO_COLOR=1
tui_launch --ascii
open_page
tui_capture_e >"$T_TMP/mono"
check "NO_COLOR: no colour" tui_no_color "$T_TMP/mono"
check "ASCII symbols" tui_wait "[!!] Payer"
check "golden: monochrome ASCII table" tui_golden status-05-ascii
tui_keys F10
tui_wait "[exit" 10 >/dev/null 2>&1 || tui_keys y
check "wizard exits" tui_wait "[exit" 10
finish

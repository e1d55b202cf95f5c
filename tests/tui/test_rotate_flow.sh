#!/bin/sh
# The rotate flow by keystrokes: a CUR 2.0 data source is made first with --batch, then the
# wizard rotates its access key (start -> CerteroX -> data source -> review -> vault -> apply ->
# done). The data source page lists its key with its age; the Done page names the new key and
# previous_access_key_id. Judged by boto3 and curl: the new key is Active in AWS and is the one
# CerteroX's data source holds; the old key is gone. A golden of every page at 80x24 (and
# 120x40, 60x20 and back: tui_page).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
tui_sim_start
PASS="rotate-Horse-battery-staple-91"
tui_home
printf '%s\n' "$PASS" >"$T_TMP/passfile"
chmod 600 "$T_TMP/passfile"
cat >"$T_TMP/connect.json" <<'EOF'
{"export": {"type": "cur2", "setup": "wizard", "bucket": "cx-tui-rotate", "create_bucket": true},
 "data_source": {"name": "Rotated billing"}}
EOF
tui_batch_connect "$T_TMP/connect.json"
check "the data source is made with --batch" grep -q '"status": "done"' "$T_TMP/batch.json"
tui_aws_keys
OLD=$(awk '{print $1}' "$T_TMP/keys.txt")
check "one key before the rotate" test "$(wc -l <"$T_TMP/keys.txt")" -eq 1
tui_cx_keys
check "CerteroX holds the old key" grep -q " $OLD\$" "$T_TMP/cx.txt"
DSID=$(awk '{print $1}' "$T_TMP/cx.txt")

ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"
tui_mask_data_source
page() { tui_page "$1" 7 "$2" "$3"; }
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch --vault-kdf interactive
check "start page sees the data source" tui_wait "(1 AWS data source)" 20
check "start page offers the rotate" tui_wait "( ) Rotate a data source's access key" 5
check "start page offers the disconnect" tui_wait "( ) Disconnect a data source" 5
tui_page 1 12 Welcome rotate-01-start
tui_keys Down Down Down Down Enter
check "rotate: CerteroX page next" tui_wait "Page 2 of 7: CerteroX" 10
check "signed in" tui_wait "Signed in; organization" 10
page 2 CerteroX rotate-02-certerox
tui_keys Enter
check "choose the data source" tui_wait "Page 3 of 7: Data source" 10
check "the data source is listed" tui_wait "(*) Rotated billing (account 123456789012, CUR 2.0)" 10
check "its key with its age" tui_wait "key $OLD, 0 days old" 10
tui_capture >"$T_TMP/ds.screen"
check "a fresh key is not flagged" sh -c "! grep -q 'OLDER THAN 90 DAYS' '$T_TMP/ds.screen'"
page 3 "Data source" rotate-03-data-source
tui_keys Enter
check "review: a new key" tui_wait "create  iam CreateAccessKey certerox-billing" 20
page 4 "Review the plan" rotate-04-review
tui_keys Enter
check "vault: unlock" tui_wait "Unlock the existing vault" 10
page 5 "Credential vault" rotate-05-vault
tui_type "$PASS"
tui_keys Enter
check "Apply now? after the vault" tui_apply_now
check "apply finishes" tui_wait "Done: every step finished" 90
TUI_GOLDEN_LINES=12 page 6 Apply rotate-06-apply
tui_keys Enter
check "done: rotated" tui_wait "The access key was rotated." 5
check "done names the previous key" tui_wait "Previous key     $OLD (deleted)" 5
page 7 Done rotate-07-done
tui_keys Enter
check "exit 0" tui_wait "[exit 0]" 10
# the summary printed on exit, with the scrollback
tui_tmux capture-pane -t cx -p -S -400 >"$T_TMP/summary.txt"
check "the summary names the previous key" grep -qE "^  Previous key: +$OLD\$" "$T_TMP/summary.txt"
tui_aws_keys
NEW=$(awk '$2 == "Active" {print $1}' "$T_TMP/keys.txt")
check "boto3: one key left, Active" test "$(wc -l <"$T_TMP/keys.txt")" -eq 1 -a -n "$NEW"
check "boto3: the old key is gone" sh -c "! grep -q '^$OLD ' '$T_TMP/keys.txt'"
check "the new key is another key" test -n "$NEW" -a "$NEW" != "$OLD"
tui_cx_keys
check "curl: CerteroX's data source holds the new key" grep -qx "$DSID $NEW" "$T_TMP/cx.txt"
check "the Done page named the new key" grep -qF "New access key   $NEW" "$TUI_ALL"
check "passphrase never on screen" sh -c "! grep -qF -- '$PASS' '$TUI_ALL'"
finish

#!/bin/sh
# The disconnect flow by keystrokes: a CUR 2.0 data source is made first with --batch, then the
# wizard disconnects it with "also remove what the wizard made in AWS" switched on (start ->
# CerteroX -> data source -> review -> confirmation -> vault -> apply -> done). The review lists
# each removal and each thing kept with the reason. Judged by curl (CerteroX no longer has the
# data source) and boto3 (the wizard's user, key, policies and export are gone; the bucket
# stays; a policy another user shares is kept, and the review and Done pages say why). A golden of every page at 80x24 (and 120x40, 60x20 and back: tui_page).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
tui_sim_start
PASS="disconnect-Horse-battery-staple-91"
tui_home
printf '%s\n' "$PASS" >"$T_TMP/passfile"
chmod 600 "$T_TMP/passfile"
cat >"$T_TMP/connect.json" <<'EOF'
{"export": {"type": "cur2", "setup": "wizard", "bucket": "cx-tui-disconnect", "create_bucket": true},
 "data_source": {"name": "Disconnected billing"}}
EOF
tui_batch_connect "$T_TMP/connect.json"
check "the data source is made with --batch" grep -q '"status": "done"' "$T_TMP/batch.json"
tui_aws_keys
OLD=$(awk '{print $1}' "$T_TMP/keys.txt")
check "one key before the disconnect" test "$(wc -l <"$T_TMP/keys.txt")" -eq 1
tui_cx_keys
check "CerteroX holds the key" grep -q " $OLD\$" "$T_TMP/cx.txt"
DSID=$(awk '{print $1}' "$T_TMP/cx.txt")

# What the wizard made, as boto3 sees it: "user yes|no", "policies N" (the account's local
# policies named CerteroX*), "exports N", "bucket yes|no".
aws_state() {
	(
		set -a
		. "$TUI_SIM/env"
		"$CLOUDSIM_PYTHON" -c '
import boto3
iam = boto3.client("iam")
try:
    iam.get_user(UserName="certerox-billing")
    print("user yes")
except iam.exceptions.NoSuchEntityException:
    print("user no")
pols = [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]
        if p["PolicyName"].startswith("CerteroX")]
print("policies", len(pols))
try:
    att = iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"]
    print("alice", " ".join(sorted(a["PolicyName"] for a in att)))
except iam.exceptions.NoSuchEntityException:
    print("alice none")
bcm = boto3.client("bcm-data-exports", region_name="us-east-1")
print("exports", len(bcm.list_exports()["Exports"]))
s3 = boto3.client("s3")
print("bucket", "yes" if any(b["Name"] == "cx-tui-disconnect" for b in s3.list_buckets()["Buckets"]) else "no")'
	) >"$T_TMP/state.txt" 2>"$T_TMP/state.err"
}
# A person's user shares the ReadOnly policy: the disconnect must keep it, and say why.
(
	set -a
	. "$TUI_SIM/env"
	"$CLOUDSIM_PYTHON" -c '
import boto3
iam = boto3.client("iam")
acct = boto3.client("sts").get_caller_identity()["Account"]
iam.create_user(UserName="alice")
iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::%s:policy/CerteroXReadOnly" % acct)'
) >"$T_TMP/alice.out" 2>&1
check "alice shares the ReadOnly policy" test $? -eq 0
aws_state
check "before: the user exists" grep -qx "user yes" "$T_TMP/state.txt"
check "before: one export" grep -qx "exports 1" "$T_TMP/state.txt"

ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"
tui_mask_data_source
page() { tui_page "$1" 7 "$2" "$3"; }
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch --vault-kdf interactive
check "start page sees the data source" tui_wait "(1 AWS data source)" 20
tui_keys Down Down Down Down Down
check "start page: the disconnect's note under the cursor" tui_wait "Delete it in CerteroX and, if asked" 5
tui_page 1 12 Welcome disconnect-01-start
tui_keys Enter
check "disconnect: CerteroX page next" tui_wait "Page 2 of 7: CerteroX" 10
check "signed in" tui_wait "Signed in; organization" 10
tui_keys Enter
check "choose the data source" tui_wait "Page 3 of 7: Data source" 10
check "the data source is listed" tui_wait "(*) Disconnected billing (account 123456789012, CUR 2.0)" 10
check "the AWS switch starts off" tui_wait "Off: only CerteroX's data source is deleted" 5
tui_keys Tab Space
check "the AWS switch on" tui_wait "On: the data source's key, user" 5
page 3 "Data source" disconnect-03-data-source
tui_keys Enter
check "review: the data source is deleted" tui_wait "delete  certerox DeleteDataSource" 20
check "review: the shared policy is kept, with the reason" tui_wait "because policy CerteroXReadOnly" 5
page 4 "Review the plan" disconnect-04-review
tui_keys Enter
check "an explicit confirmation" tui_wait "Disconnect?" 5
check "it names the data source" tui_wait "Delete the data source \"Disconnected billing\" in CerteroX" 5
tui_golden disconnect-04-confirm
# the default is No: Enter declines, the review stays
tui_keys Enter
check "Enter alone declines" tui_wait "Page 4 of 7: Review the plan" 5
tui_keys Enter
check "asked again" tui_wait "Disconnect?" 5
tui_keys y
check "vault: unlock" tui_wait "Unlock the existing vault" 10
tui_type "$PASS"
tui_keys Enter
check "Apply now? after the vault" tui_apply_now
check "apply finishes" tui_wait "Done: every step finished" 90
TUI_GOLDEN_LINES=14 page 6 Apply disconnect-06-apply
tui_keys Enter
check "done: deleted" tui_wait "The data source \"Disconnected billing\" was deleted in CerteroX." 5
check "done: the kept policy is listed" tui_wait "  - policy CerteroXReadOnly" 5
page 7 Done disconnect-07-done
tui_keys Enter
check "exit 0" tui_wait "[exit 0]" 10
tui_cx_keys
check "curl: CerteroX no longer has the data source" sh -c "! grep -q '^$DSID ' '$T_TMP/cx.txt'"
check "curl: CerteroX's listing was read" grep -q '"cloud_accounts"' "$T_TMP/ds.json"
aws_state
check "boto3: the wizard's user is gone" grep -qx "user no" "$T_TMP/state.txt"
check "boto3: the unshared policy is gone, the shared one kept" grep -qx "policies 1" "$T_TMP/state.txt"
check "boto3: alice keeps the ReadOnly policy" grep -qx "alice CerteroXReadOnly" "$T_TMP/state.txt"
check "boto3: the wizard's export is gone" grep -qx "exports 0" "$T_TMP/state.txt"
check "boto3: the bucket stays" grep -qx "bucket yes" "$T_TMP/state.txt"
check "passphrase never on screen" sh -c "! grep -qF -- '$PASS' '$TUI_ALL'"
finish

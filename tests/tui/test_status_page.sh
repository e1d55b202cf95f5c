#!/bin/sh
# Page "Check connected data sources" (Welcome, 4th choice) by keystrokes: a Root CUR 2.0 data
# source (delivered and imported: healthy) and a Linked member account (out of reach: its
# OrganizationAccountAccessRole trusts another account) in one organization. The page is live while the checks run
# (the sim answers 150 ms late), then shows the table with a symbol and a colour per state (ok
# ✔ green, problem ✘ red, waiting ⧗ yellow, unreachable ? magenta; a legend), a monochrome
# form with NO_COLOR and --ascii symbols ([ok] [!!] [~~] [??]). `u` unlocks the vault and each
# key is checked with itself; the bucket policy removed (aws cli), `r` checks again: the Root
# row turns to a problem; Enter shows its checks and the fix, then offers Connect, which
# starts the Connect flow. Then the delivered files removed (no_delivery_yet: waiting, its
# fix a wait, no action offered), the key deactivated (key_inactive): Rotate is offered and
# rotates the key (boto3: a new Active key; curl: CerteroX holds it); the second row's Rotate
# offer starts the rotate with that row's data source chosen. The sim's request log shows no
# write from the page's checks (first check, `u`, `r`). Goldens at 80x24; 120x40.
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
# The member account stays out of reach: its OrganizationAccountAccessRole (the role --status
# assumes from the management account) is made to trust another account only (aws cli, with
# the member's own administrator).
cat >"$T_TMP/trust.json" <<'EOF2'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
 "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}]}
EOF2
# shellcheck disable=SC2086
env $ENVS AWS_ACCESS_KEY_ID="$MEMBER_ID" AWS_SECRET_ACCESS_KEY="$MEMBER_SECRET" \
	aws iam update-assume-role-policy --role-name OrganizationAccountAccessRole \
	--policy-document "file://$T_TMP/trust.json" >"$T_TMP/aws.out" 2>&1
check "the member's OrganizationAccountAccessRole no longer trusts the management account (aws cli)" \
	test $? -eq 0
check "cloudsim deliver" sh "$top_srcdir/tests/sim/cloudsim" deliver "$TUI_SIM"
check "cloudsim import" sh "$top_srcdir/tests/sim/cloudsim" import "$TUI_SIM"

# The request log: log_mark prints its line count; log_writes MARK lists the writes logged
# after line MARK in $T_TMP/writes (tests/integration/flowlib.py writes(): the rule every
# read-only check of the suite uses) and the other operations in $T_TMP/reads; it fails when
# a write is there.
LOG="$TUI_SIM/requests.jsonl"
log_mark() { wc -l <"$LOG" | tr -d ' '; }
log_writes() {
	"$CLOUDSIM_PYTHON" - "$LOG" "$1" "$T_TMP/writes" "$T_TMP/reads" <<'EOF3'
import json, os, sys
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests", "integration"))
from flowlib import writes as write_ops
log, mark, wfile, rfile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
with open(log) as f:
    reqs = [json.loads(line) for n, line in enumerate(f) if n >= mark and line.endswith("\n")]
writes = []
reads = []
for r in reqs:
    w = write_ops([r])
    writes += w
    if not w:
        reads.append(f"{r.get('service')} {r.get('operation') or ''}")
open(wfile, "w").write("".join(x + "\n" for x in writes))
open(rfile, "w").write("".join(x + "\n" for x in reads))
sys.exit(1 if writes else 0)
EOF3
	local rc=$?
	[ "$rc" -eq 0 ] || sed 's/^/# write: /' "$T_TMP/writes" >&2
	return "$rc"
}
# The page's checks were in the slice: ListExecutions (no other part of the wizard reads it)
# and CerteroX's data sources were read.
log_read_checks() {
	grep -q '^bcm-data-exports ListExecutions$' "$T_TMP/reads" &&
		grep -q '^certerox GET .*/cloud_accounts' "$T_TMP/reads"
}
# sim_py CODE: python (boto3) with the sim's administrator environment
sim_py() {
	local code="$1"
	shift
	(set -a && . "$TUI_SIM/env" && "$CLOUDSIM_PYTHON" -c "$code" "$@")
}

# Welcome's discovery probes CerteroX (cloud_account_verify, a dry run) at each start: the
# slice of the page's checks begins after it.
probes() { grep -c 'cloud_account_verify' "$LOG" || true; }
probe_seen() { [ "$(probes)" -gt "$P0" ]; }
launch() {
	P0=$(probes)
	tui_launch "$@"
}

open_page() {
	check "page 1" tui_wait "management (payer) account" 30
	check "the choice and its note" tui_wait "Check connected data sources"
	check "Welcome's discovery has probed CerteroX" tui_until 30 probe_seen
	M=$(log_mark)
	tui_keys Down Down Down Enter
	check "the page is live while the checks run" tui_wait "Checking 2 AWS data sources" 10
	check "the checks end" tui_wait "2 AWS data sources checked" 30
}

# shellcheck disable=SC2086
tui_start 80 24 $ENVS
launch
open_page
check "golden: the table" tui_golden status-01-table
check "first check: no write in the request log" log_writes "$M"
check "first check: the request log has its reads" log_read_checks
check "the Root row: no problem, ✔" tui_wait "✔ Payer"
check "the Linked row: unreachable, ?" tui_wait "? Member"
check "the legend" tui_wait "✔ no problem  ✘ problem  ⧗ waiting  ? unreachable"
tui_capture_e >"$T_TMP/color"
check "colour is used" tui_has_color "$T_TMP/color"
check "ok: ✔ green" test "$(tui_color_at "$T_TMP/color" "Payer " "✔")" = "fg=32 bold"
check "unreachable: ? magenta" test "$(tui_color_at "$T_TMP/color" "Member " "?")" = "fg=35"
check "legend: ⧗ yellow" test "$(tui_color_at "$T_TMP/color" "no problem" "⧗")" = "fg=33 bold"
check "legend: ✘ red" test "$(tui_color_at "$T_TMP/color" "no problem" "✘")" = "fg=31 bold"
# a larger terminal: the table is drawn again, then back at 80x24 as it was
tui_resize 120 40
check "120x40: redrawn wider" tui_wait_wider 90
check "120x40: the rows and the legend" tui_wait "? Member"
check "120x40: the legend" tui_wait "? unreachable"
tui_resize 80 24
check "back at 80x24" tui_golden status-01-table
tui_keys Down Enter
check "Enter: the Linked row's checks" tui_wait "account_unreachable" 10
check "golden: the Linked row's checks" tui_golden status-02-linked
tui_keys NPage
check "its fix is a command: no action" tui_wait "No wizard action repairs this"
tui_keys Escape
check "checks closed" tui_wait_gone "account_unreachable:" 5
check "... and no fix offered" tui_wait "account_unreachable. Enter: the checks and the fix."
tui_settle
check "... no Fix dialog" tui_screen_lacks "Start "
# u: the vault unlocked, each key is checked with itself (the Member's key is in another vault)
M=$(log_mark)
tui_keys Up u
check "u: the passphrase is asked" tui_wait "Unlock the vault" 10
tui_type "status-Page-Passphrase-83"
tui_keys Enter
check "unlocked: checked again with the keys" tui_wait "vault unlocked: keys checked" 30
check "... and the checks end" tui_wait "2 AWS data sources checked" 30
check "the Root row is still fine" tui_wait "Payer: no problem" 10
check "u: no write in the request log" log_writes "$M"
check "u: the request log has its reads" log_read_checks
tui_keys Enter
check "the Root key proved its permissions" tui_wait "in the vault: yes; permissions proved with the key: yes" 10
tui_keys Escape
tui_keys Down
check "the Member key is not in this vault" tui_wait "key_not_in_vault" 10
check "... a problem now: ✘" tui_wait "✘ Member"
tui_keys Up
# the policy, put back below
# shellcheck disable=SC2086
env $ENVS aws s3api get-bucket-policy --bucket cx-tui-status --query Policy --output text \
	>"$T_TMP/policy.json" 2>"$T_TMP/aws.err"
check "bucket policy read (aws cli)" grep -q Statement "$T_TMP/policy.json"
# the bucket policy removed: AWS can no longer deliver
# shellcheck disable=SC2086
env $ENVS aws s3api delete-bucket-policy --bucket cx-tui-status >"$T_TMP/aws.out" 2>&1
check "bucket policy removed (aws cli)" test $? -eq 0
M=$(log_mark)
tui_keys Up r
check "r: checked again" tui_wait "bucket_policy_blocks_delivery. Enter" 30
check "r: the checks end" tui_wait "2 AWS data sources checked" 30
check "golden: the table with a problem" tui_golden status-03-problem
check "r: no write in the request log" log_writes "$M"
check "r: the request log has its reads" log_read_checks
check "problem: ✘ Payer" tui_wait "✘ Payer"
tui_keys Down
check "the cursor on the Member row" tui_wait "account_unreachable. Enter" 5
tui_capture_e >"$T_TMP/color"
check "problem: ✘ red" test "$(tui_color_at "$T_TMP/color" "Payer " "✘")" = "fg=31 bold"
DELIV=$(tui_strip "$T_TMP/color" | grep ' Payer ' | grep -oE '[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}' | head -n 1)
check "the delivery cell holds the problem: red" \
	test -n "$DELIV" -a "$(tui_color_at "$T_TMP/color" "Payer " "$DELIV")" = "fg=31 bold"
check "a cell without a problem: not coloured" \
	test "$(tui_color_at "$T_TMP/color" "Payer " "123456789012")" = "fg=default"
tui_keys Up
tui_keys Enter
check "the checks name the problem" tui_wait "policy lets AWS deliver: no" 10
check "golden: the Root row's checks" tui_golden status-04-details
tui_keys Escape
check "the fix is offered" tui_wait "Start Connect now for account" 10
check "golden: the Fix dialog (Connect)" tui_golden status-06-fix-connect
tui_keys Enter
check "Connect starts" tui_wait "Connection type" 20
tui_keys F10
tui_confirm_quit
check "wizard exits" tui_wait "[exit" 10

# monochrome and ASCII
# shellcheck disable=SC2086
tui_start 80 24 $ENVS NO_COLOR=1
launch --ascii
open_page
tui_capture_e >"$T_TMP/mono"
check "NO_COLOR: no colour" tui_no_color "$T_TMP/mono"
check "ASCII symbols" tui_wait "[!!] Payer"
check "ASCII: unreachable" tui_wait "[??] Member"
check "ASCII legend" tui_wait "[ok] no problem  [!!] problem  [~~] waiting  [??] unreachable"
# without colour each state keeps an attribute of its own besides its symbol
check "monochrome: a problem bold and underlined" \
	test "$(tui_color_at "$T_TMP/mono" "Payer " "[!!]")" = "fg=default bold underline"
check "monochrome: unreachable dim" \
	test "$(tui_color_at "$T_TMP/mono" "Member " "[??]")" = "fg=default dim"
check "golden: monochrome ASCII table" tui_golden status-05-ascii
tui_keys F10
tui_confirm_quit
check "wizard exits" tui_wait "[exit" 10

# AWS delivers with the policy still removed: the export turns UNHEALTHY, its cell red.
check "cloudsim deliver (refused)" sh "$top_srcdir/tests/sim/cloudsim" deliver "$TUI_SIM"
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
launch
open_page
check "export_unhealthy" tui_wait "export_unhealthy" 10
check "the export cell: UNHEALTHY" tui_wait "✘ Payer         123456789012 UNHEALTHY" 5
tui_keys Down
check "the cursor on the Member row" tui_wait "account_unreachable. Enter" 5
tui_capture_e >"$T_TMP/color"
check "the export cell holds the problem: red" \
	test "$(tui_color_at "$T_TMP/color" "Payer " "UNHEALTHY")" = "fg=31 bold"
check "the account cell: not coloured" \
	test "$(tui_color_at "$T_TMP/color" "Payer " "123456789012")" = "fg=default"
tui_keys Up
# The policy put back, delivered again, then the files removed: no_delivery_yet alone, the
# Root row is waiting; its fix is a wait, so no action is offered.
sim_py '
import boto3, subprocess, sys
s3 = boto3.client("s3")
s3.put_bucket_policy(Bucket="cx-tui-status", Policy=open(sys.argv[1]).read())
subprocess.run(["sh", sys.argv[2], "deliver", sys.argv[3]], check=True, stdout=subprocess.DEVNULL)
for o in s3.list_objects_v2(Bucket="cx-tui-status", Prefix="reports/").get("Contents", []):
    s3.delete_object(Bucket="cx-tui-status", Key=o["Key"])
left = s3.list_objects_v2(Bucket="cx-tui-status", Prefix="reports/").get("KeyCount")
print("left", left)' "$T_TMP/policy.json" "$top_srcdir/tests/sim/cloudsim" "$TUI_SIM" >"$T_TMP/py.out" 2>&1 || true
check "boto3: policy back, files removed" grep -qx "left 0" "$T_TMP/py.out"
tui_keys r
check "r: waiting: ⧗ Payer" tui_wait "⧗ Payer" 30
check "r: the checks end" tui_wait "2 AWS data sources checked" 30
check "waiting: its code" tui_wait "no_delivery_yet. Enter: the checks and the fix."
check "golden: waiting and unreachable" tui_golden status-07-waiting
tui_keys Down
check "the cursor on the Member row" tui_wait "account_unreachable. Enter" 5
tui_capture_e >"$T_TMP/color"
check "waiting: ⧗ yellow" test "$(tui_color_at "$T_TMP/color" "Payer " "⧗")" = "fg=33 bold"
check "waiting: the delivery cell yellow" \
	test "$(tui_color_at "$T_TMP/color" "Payer " "-")" = "fg=33 bold"
check "waiting: the export cell not coloured" \
	test "$(tui_color_at "$T_TMP/color" "Payer " "HEALTHY")" = "fg=default"
tui_keys Up Enter
check "Enter: the waiting row's checks" tui_wait "policy lets AWS deliver: yes" 10
tui_keys NPage
check "the fix is a wait" tui_wait "Fix: Wait: AWS delivers the first files" 5
check "... no action offered" tui_wait "No wizard action repairs this" 5
check "... its symbol: ⧗" tui_wait "⧗ no_delivery_yet" 5
check "golden: the waiting row's checks" tui_golden status-08-wait-details
tui_keys Escape
check "checks closed" tui_wait_gone "No wizard action repairs this" 5
tui_settle
check "no Fix dialog" tui_screen_lacks "Start "
check "the table is back" tui_wait "no_delivery_yet. Enter: the checks and the fix."

# The key deactivated: key_inactive, fixed by Rotate, which the page offers and starts with the
# data source chosen.
tui_aws_keys
OLD=$(awk '{print $1}' "$T_TMP/keys.txt")
check "boto3: one key before" test "$(wc -l <"$T_TMP/keys.txt")" -eq 1 -a -n "$OLD"
check "boto3: the key deactivated" sim_py "
import boto3
boto3.client('iam').update_access_key(UserName='certerox-billing', AccessKeyId='$OLD', Status='Inactive')"
tui_keys r
check "r: key_inactive" tui_wait "key_inactive" 30
check "r: the checks end" tui_wait "2 AWS data sources checked" 30
check "a problem again: ✘ Payer" tui_wait "✘ Payer"
tui_keys Down
check "the cursor on the Member row" tui_wait "account_unreachable. Enter" 5
tui_capture_e >"$T_TMP/color"
check "the key age cell holds the problem: red" \
	test "$(tui_color_at "$T_TMP/color" "Payer " "0 d")" = "fg=31 bold"
tui_keys Up Enter
check "Enter: the checks" tui_wait "user certerox-billing, Inactive" 10
tui_keys NPage NPage
check "the details name the offer" tui_wait "On closing this, the wizard offers Rotate." 5
tui_keys Escape
check "Rotate is offered" tui_wait "Start Rotate now for Payer?" 10
check "golden: the Fix dialog (Rotate)" tui_golden status-09-fix-rotate
tui_keys Enter
check "rotate: the CerteroX page" tui_wait "Page 2 of 7: CerteroX" 20
check "signed in" tui_wait "Signed in; organization" 10
tui_keys Enter
check "rotate: the data source page" tui_wait "Page 3 of 7: Data source" 10
check "... the row's data source chosen" tui_wait "(*) Payer (account 123456789012, CUR 2.0)" 10
check "... with its key" tui_wait "key $OLD, 0 days old" 10
tui_keys Enter
check "review: a new key" tui_wait "create  iam CreateAccessKey certerox-billing" 20
tui_keys Enter
check "vault: unlock" tui_wait "Unlock the existing vault" 10
tui_type "status-Page-Passphrase-83"
tui_keys Enter
check "Apply now? after the vault" tui_apply_now
check "apply finishes" tui_wait "Done: every step finished" 90
tui_keys Enter
check "done: rotated" tui_wait "The access key was rotated." 5
tui_keys Enter
check "exit 0" tui_wait "[exit 0]" 10
tui_aws_keys
NEW=$(awk '$2 == "Active" {print $1}' "$T_TMP/keys.txt")
check "boto3: one Active key, a new one" test -n "$NEW" -a "$NEW" != "$OLD"
check "boto3: the old key no longer Active" sh -c "! grep -q '^$OLD Active' '$T_TMP/keys.txt'"
tui_cx_keys
check "curl: CerteroX's data source holds the new key" grep -q " $NEW\$" "$T_TMP/cx.txt"
check "curl: ... and no longer the old one" sh -c "! grep -q ' $OLD\$' '$T_TMP/cx.txt'"
# the page again: the key problem is gone, the Root row is back to waiting
launch
open_page
check "after the rotate: ⧗ Payer again" tui_wait "⧗ Payer"
check "... no key problem" tui_screen_lacks "key_inactive"
# the second row's offer: the vault unlocked, the Member's key is not in it (key_not_in_vault,
# fixed by Rotate); the rotate starts with the Member chosen, not the first data source
tui_keys u
check "u: the passphrase is asked" tui_wait "Unlock the vault" 10
tui_type "status-Page-Passphrase-83"
tui_keys Enter
check "unlocked: checked again with the keys" tui_wait "vault unlocked: keys checked" 30
check "... and the checks end" tui_wait "2 AWS data sources checked" 30
tui_keys Down
check "the Member: key_not_in_vault" tui_wait "key_not_in_vault, account_unreachable. Enter" 10
tui_keys Enter
check "Enter: the Member's checks" tui_wait "Member (" 10
tui_keys Escape
check "Rotate is offered for the Member" tui_wait "Start Rotate now for Member?" 10
tui_keys Enter
check "rotate: the CerteroX page" tui_wait "Page 2 of 7: CerteroX" 20
check "signed in" tui_wait "Signed in; organization" 10
tui_keys Enter
check "rotate: the data source page" tui_wait "Page 3 of 7: Data source" 10
check "... the Member chosen" tui_wait "(*) Member (account 234567890123, linked)" 10
check "... the Payer not" tui_wait "( ) Payer (account 123456789012, CUR 2.0)" 5
tui_keys F10
tui_confirm_quit
check "wizard exits" tui_wait "[exit" 10

# A name longer than its column ends with an ellipsis; the row keeps its columns.
check "CerteroX API: the Member renamed" sim_py '
import json, os, ssl, urllib.request
ctx = ssl.create_default_context(cafile=os.environ["AWS_CA_BUNDLE"])
base, tok = os.environ["CERTEROX_URL"], os.environ["CERTEROX_TOKEN"]
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Bearer " + tok,
                                          "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, context=ctx))
org = os.environ["CERTEROX_ORGANIZATION_ID"]
ds = [d for d in call("GET", f"/restapi/v2/organizations/{org}/cloud_accounts")["cloud_accounts"]
      if d["name"] == "Member"][0]
call("PATCH", "/restapi/v2/cloud_accounts/" + ds["id"], {"name": "Member account of the Organization"})'
launch
open_page
check "a long name is cut with an ellipsis" tui_wait "? Member accou… 234567890123 (linked)"
check "passphrase never on screen" sh -c "! grep -qF -- 'status-Page-Passphrase-83' '$TUI_ALL'"
tui_keys F10
tui_confirm_quit
check "wizard exits" tui_wait "[exit" 10
finish

#!/bin/sh
# "Connect member accounts of this Organization" by keystrokes (issue 16): the sim's
# Organization has the bootstrap member and 5 more (cloudsim --member-accounts 5); member 4 is
# connected first with --batch (role access), so the checklist shows it as already connected;
# member 5 is closed (SUSPENDED): shown, not selectable.
# Keys: n (none), a (all), Space on member 3 (left out) -> members 1, 2 and 4 chosen, access
# role (the default: the sim's CerteroX accepts the assume-role keys). Review (the three
# documents, Tab between them), vault, apply (one line per account), Done. Judged by boto3
# (members 1 and 2: role CerteroXDiscover trusting the management user, tagged, with the
# Discover policy; member 3: no such role) and curl (Linked data sources with the assume-role
# keys and the management user's key, for 1, 2 and 4; none for 3). Goldens: the checklist and
# the apply page's final state at 80x24. Then the sim again with 50 members and 100 ms per
# request: the checklist scrolls (End, PgUp, Home) and keeps the cursor's row visible; the
# apply of 46 accounts answers F1 at once while 8 are in flight; Esc starts no further account
# (exit 75, the rest left); a --batch re-run connects the rest, none twice. Last, a CerteroX
# without the assume-role keys: user is the default access mode, role is refused on Enter.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
tui_sim_start --member-accounts 5
PASS="org-Horse-battery-staple-91"
tui_home
printf '%s\n' "$PASS" >"$T_TMP/passfile"
chmod 600 "$T_TMP/passfile"
M1=400000000001 M2=400000000002 M3=400000000003 M4=400000000004 M5=400000000005
# member 5 is closed (organizations CloseAccount: SUSPENDED)
(
	set -a
	. "$TUI_SIM/env"
	"$CLOUDSIM_PYTHON" -c 'import boto3, sys; boto3.client("organizations").close_account(AccountId=sys.argv[1])' "$M5"
) >"$T_TMP/close.err" 2>&1 || sed 's/^/# close: /' "$T_TMP/close.err"
cat >"$T_TMP/member4.json" <<EOF
{"action": "organization", "organization": {"accounts": ["$M4"], "access": "role"}}
EOF
tui_batch_connect "$T_TMP/member4.json"
check "member 4 is connected first with --batch" grep -q '"connected": 1' "$T_TMP/batch.json"

ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"
TUI_MASK_EXTRA='s/127\.0\.0\.1:\d+/127.0.0.1:PORT/g;
	s/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/UUID/g;
	s/(Vault(: | {2,}))\S+/$1PATH/;
	s/\(\d+ ms\)/(# ms)/g;
	s/\[\d+\/(\d+)\] \d{12} member-\d+: connected/[i\/$1] ACCOUNT: connected/g;'
export TUI_MASK_EXTRA
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch --vault-kdf interactive
check "Welcome: the management account" tui_wait "management (payer) account of an Organization" 30
check "Welcome offers the Organization" tui_wait "( ) Connect member accounts of this Organization" 20
tui_keys Down Down Down Down Down Down
check "its note" tui_wait "Each chosen member account becomes a Linked data source" 5
tui_keys Enter
check "CerteroX page" tui_wait "Page 2 of 7: CerteroX" 20
check "signed in" tui_wait "Signed in; organization" 20
tui_keys Enter
check "checklist page" tui_wait "Page 3 of 7: Member accounts" 10
check "the accounts are listed" tui_wait "Organization of 123456789012: 7 accounts" 30
check "the suspended member is shown, not chosen" tui_wait "[-] $M5  member-005   member-005@example.com  SUSPENDED" 5
check "member 4 is marked connected, not chosen" tui_wait "[ ] $M4  member-004" 5
check "the management account cannot be chosen" tui_wait "[-] 123456789012" 5
check "members 1-3 are chosen by default" tui_wait "[x] $M3  member-003" 5
check "role is the default access mode" tui_wait "< role: one key, a role in each account >" 5
tui_keys n
check "n: none chosen" tui_wait ": 7 accounts, 0 selected" 5
tui_keys Enter
check "Enter with none chosen is refused" tui_status_has "Choose at least one account" 5
tui_keys a
check "a: every ACTIVE account but the management one" tui_wait ": 7 accounts, 5 selected" 5
# ListAccounts' order: members 1-5, the management account, the bootstrap member. The cursor
# to member 3; leave it out.
tui_keys Down Down
check "the note of member 3" tui_wait "member-003 <member-003@example.com>" 5
tui_keys Space
check "Space: member 3 left out" tui_wait "[ ] $M3  member-003" 5
tui_keys Down Down Space
check "Space on the suspended member is refused" tui_status_has "$M5 cannot be chosen: it is not ACTIVE" 5
check "its note says why" tui_wait "$M5 is SUSPENDED: only ACTIVE accounts can be connected." 5
tui_keys Down Space
check "Space on the management account is refused" tui_status_has "cannot be chosen: it is the management account" 5
tui_keys Down Space
check "the bootstrap member left out too" tui_wait ": 7 accounts, 3 selected" 5
check "golden of the checklist" tui_golden org-03-accounts
tui_keys Enter
check "review page" tui_wait "Page 4 of 7: Review the Organization plan" 10
check "review: the trust policy first" tui_wait "1/3 Trust policy of the role CerteroXDiscover" 5
check "the trust names the management user" tui_wait "arn:aws:iam::123456789012:user/certerox-discover" 5
tui_keys Tab
check "Tab: the role's managed Discover policy" tui_wait "2/3 Managed policy CerteroXDiscoverResources, attached to the role" 5
check "the review names the managed policy and shows all of its text" tui_wait "the assume-role keys." 2
tui_keys Tab
check "Tab: the management user's policy" tui_wait "3/3 Policy of the management user" 5
check "it allows sts:AssumeRole" tui_wait '"sts:AssumeRole"' 5
tui_keys Enter
check "vault page" tui_wait "Page 5 of 7: Credential vault" 10
check "vault: unlock" tui_wait "Unlock the existing vault" 10
tui_type "$PASS"
tui_keys Enter
check "apply page" tui_wait "Page 6 of 7: Apply to the member accounts" 30
check "apply finishes" tui_wait "Done: every chosen account is connected" 90
check "totals" tui_wait "connected 2  already 1  skipped 0  failed 0  running 0  waiting 0" 5
check "the already connected member shows \"already\" (as the totals count it), not \"skipped\"" \
	tui_wait "already   $M4" 5
check "golden of the apply page" tui_golden org-06-apply
tui_keys Enter
check "Done page" tui_wait "Page 7 of 7: Done" 10
check "Done: 3 of 3" tui_wait "3 of 3 accounts connected." 5
check "Done lists member 1 with its data source" tui_wait "$M1  member-001  connected" 5
check "Done lists member 4 as already connected" tui_wait "$M4  member-004  already connected" 5
tui_keys Enter
check "exit 0" tui_wait "[exit 0]" 20
tui_tmux capture-pane -t cx -p -S -400 >"$T_TMP/summary.txt"
check "the summary printed on exit names the access" grep -q '"access": "role"' "$T_TMP/summary.txt"

# boto3: each chosen member's role and its trust; member 3 untouched
(
	set -a
	. "$TUI_SIM/env"
	"$CLOUDSIM_PYTHON" - "$M1" "$M2" "$M3" "$top_srcdir/data/policies/discover.json" <<'EOF'
import json, os, sys, boto3, botocore.exceptions
ep, ca = os.environ["AWS_ENDPOINT_URL"], os.environ["AWS_CA_BUNDLE"]
admin = boto3.session.Session(region_name="us-east-1")
user = "arn:aws:iam::123456789012:user/certerox-discover"
disc = json.load(open(sys.argv[4]))
def iam_in(acct):
    c = admin.client("sts", endpoint_url=ep, verify=ca).assume_role(
        RoleArn=f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole",
        RoleSessionName="tui-test")["Credentials"]
    return boto3.session.Session(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"],
                                 region_name="us-east-1").client("iam", endpoint_url=ep, verify=ca)
for acct in sys.argv[1:3]:
    iam = iam_in(acct)
    role = iam.get_role(RoleName="CerteroXDiscover")["Role"]
    trust = role["AssumeRolePolicyDocument"]
    if isinstance(trust, str):
        trust = json.loads(trust)
    st = trust["Statement"]
    st = st if isinstance(st, list) else [st]
    ok = any(s.get("Effect") == "Allow" and "sts:AssumeRole" in json.dumps(s.get("Action"))
             and user in json.dumps(s.get("Principal")) for s in st)
    tags = {t["Key"] for t in iam.list_role_tags(RoleName="CerteroXDiscover")["Tags"]}
    # the guide's way: the customer managed policy, tagged, attached; no inline policy
    inline = iam.list_role_policies(RoleName="CerteroXDiscover")["PolicyNames"]
    arns = [a["PolicyArn"] for a in iam.list_attached_role_policies(RoleName="CerteroXDiscover")["AttachedPolicies"]]
    docs = []
    for arn in arns:
        v = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        d = iam.get_policy_version(PolicyArn=arn, VersionId=v)["PolicyVersion"]["Document"]
        ptags = {t["Key"] for t in iam.list_policy_tags(PolicyArn=arn)["Tags"]}
        docs.append((json.loads(d) if isinstance(d, str) else d, "certerox-aws-setup" in ptags))
    print(acct, "trust" if ok else "no-trust", "tagged" if "certerox-aws-setup" in tags else "untagged",
          "discover" if not inline and docs == [(disc, True)] else "no-discover")
try:
    iam_in(sys.argv[3]).get_role(RoleName="CerteroXDiscover")
    print(sys.argv[3], "has-role")
except botocore.exceptions.ClientError as e:
    print(sys.argv[3], "no-role" if e.response["Error"]["Code"] == "NoSuchEntity" else e)
EOF
) >"$T_TMP/roles.txt" 2>"$T_TMP/roles.err" || sed 's/^/# boto3: /' "$T_TMP/roles.err"
for m in $M1 $M2; do
	check "boto3: $m has CerteroXDiscover trusting the management user, tagged, with the Discover policy" \
		grep -qx "$m trust tagged discover" "$T_TMP/roles.txt"
done
check "boto3: $M3 (left out) has no CerteroXDiscover" grep -qx "$M3 no-role" "$T_TMP/roles.txt"

# curl: the Linked data sources with the assume-role keys and the management user's key
curl -sS --cacert "$TUI_SIM/ca.pem" -H "Authorization: Bearer $(tui_sim_var CERTEROX_TOKEN)" \
	"$(tui_sim_var CERTEROX_URL)/restapi/v2/organizations/$(tui_sim_var CERTEROX_ORGANIZATION_ID)/cloud_accounts?details=true" \
	>"$T_TMP/ds.json" 2>&1 || true
"$CLOUDSIM_PYTHON" -c '
import json, sys
for d in json.load(open(sys.argv[1]))["cloud_accounts"]:
    c = d.get("config") or {}
    print(d.get("account_id"), c.get("linked"), c.get("assume_role_account_id"),
          c.get("assume_role_name"), c.get("access_key_id"))' "$T_TMP/ds.json" >"$T_TMP/cx.txt" 2>&1
KEY=$(sed -n 's/.*"access_key_id": "\(AKIA[A-Z0-9]*\)".*/\1/p' "$T_TMP/summary.txt" | head -n 1)
check "the summary names the management user's key" test -n "$KEY"
for m in $M1 $M2 $M4; do
	check "curl: $m is a Linked data source assuming CerteroXDiscover with that key" \
		grep -qx "$m True $m CerteroXDiscover $KEY" "$T_TMP/cx.txt"
done
check "curl: no data source for $M3" sh -c "! grep -q '^$M3 ' '$T_TMP/cx.txt'"
check "one data source per chosen account" test "$(wc -l <"$T_TMP/cx.txt")" -eq 3
check "no secret on any screen" sh -c "! grep -q 'secret_access_key\"' '$TUI_ALL'"

# 50 members: the checklist scrolls and keeps the cursor's row on the screen
sh "$top_srcdir/tests/sim/cloudsim" stop "$TUI_SIM" >/dev/null 2>&1 || true
tui_sim_start --member-accounts 50 --latency-ms 100
ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch --vault-kdf interactive
check "50: Welcome offers the Organization" tui_wait "( ) Connect member accounts of this Organization" 30
tui_keys Down Down Down Down Down Down Enter
check "50: signed in" tui_wait "Signed in; organization" 20
tui_keys Enter
# the same sim directory: CerteroX still has members 1, 2 and 4, which are not chosen;
# member 5 is still SUSPENDED
check "50: 52 accounts listed" tui_wait "Organization of 123456789012: 52 accounts, 47 selected" 60
check "50: the first rows and the position" tui_wait "1-13 of 52" 5
tui_keys End
check "50: End shows the last rows" tui_wait "40-52 of 52" 5
check "50: member 50 and the management account among them" tui_wait "[-] 123456789012" 5
check "50: the last row, the bootstrap member, under the cursor" tui_wait "member@example.com" 5
tui_capture >"$T_TMP/end.screen"
check "50: the first rows are gone at the end" sh -c "! grep -q '400000000001  member-001' '$T_TMP/end.screen'"
tui_keys Space
check "50: Space on the last row" tui_wait "52 accounts, 46 selected" 5
tui_keys PPage
check "50: PgUp moves a page up" tui_wait "39-51 of 52" 5
check "50: the cursor's row is shown" tui_wait "[x] 400000000039  member-039" 5
tui_keys Home
check "50: Home back to the top" tui_wait "1-13 of 52" 5
check "50: member 1 on top again" tui_wait "[ ] 400000000001  member-001" 5
# the apply with 46 accounts, 8 in flight, 100 ms per request: the screen answers keys at once
tui_keys Enter
check "50: review" tui_wait "46 accounts, access role." 10
tui_keys Enter
check "50: vault" tui_wait "Unlock the existing vault" 10
tui_type "$PASS"
tui_keys Enter
check "50: 8 accounts in flight" tui_wait "running 8" 60
T0=$(date +%s%N)
tui_keys F1
check "50: F1 while 8 are in flight: the help at once" tui_wait "One line per chosen account" 5
T1=$(date +%s%N)
echo "# help shown $(((T1 - T0) / 1000000)) ms after F1, with accounts in flight"
check "50: within 1 s (the worker thread runs the accounts; the screen polls the tty)" \
	test $(((T1 - T0) / 1000000)) -lt $((1000 * TUI_FACTOR))
tui_keys Escape
check "50: the help closes, the run goes on" tui_wait_gone "One line per chosen account" 5
# Esc: no further account starts, those in flight finish; the rest are left for a re-run
tui_keys Escape
check "50: Esc: stopping after those in flight" tui_wait "stopping after those in flight" 5
check "50: the run ends with accounts left" tui_wait "accounts are not connected" 60
tui_capture >"$T_TMP/stopped.screen"
NCON=$(sed -n 's/.*connected \([0-9]*\)  already.*/\1/p' "$T_TMP/stopped.screen" | head -n 1)
echo "# ${NCON:-?} of 46 connected before the stop took effect"
check "50: some connected, some left" test -n "$NCON" -a "${NCON:-0}" -gt 0 -a "${NCON:-46}" -lt 46
check "50: none waiting or running once stopped" grep -q "running 0  waiting 0" "$T_TMP/stopped.screen"
tui_keys Enter
check "50: Done says how many are left" tui_wait "$NCON of 46 accounts connected; $((46 - ${NCON:-0})) not" 10
tui_keys End
check "50: Done lists the accounts left (End)" tui_wait "left (not reached)" 5
tui_keys Enter
check "50: exit 75 (accounts left)" tui_wait "[exit 75]" 20
# a re-run (--batch, every account) continues: the rest, and the bootstrap member left out above
printf '%s\n' '{"action": "organization", "organization": {"accounts": "all", "access": "role"}}' >"$T_TMP/all.json"
tui_batch_connect "$T_TMP/all.json"
check "50: the re-run connects the rest and the bootstrap member" \
	grep -q "\"connected\": $((46 - ${NCON:-0} + 1))," "$T_TMP/batch.json"
curl -sS --cacert "$TUI_SIM/ca.pem" -H "Authorization: Bearer $(tui_sim_var CERTEROX_TOKEN)" \
	"$(tui_sim_var CERTEROX_URL)/restapi/v2/organizations/$(tui_sim_var CERTEROX_ORGANIZATION_ID)/cloud_accounts" \
	>"$T_TMP/ds50.json" 2>&1 || true
"$CLOUDSIM_PYTHON" -c '
import json, sys
print(" ".join(sorted(d["account_id"] for d in json.load(open(sys.argv[1]))["cloud_accounts"])))' \
	"$T_TMP/ds50.json" >"$T_TMP/ds50.txt" 2>&1
check "50: curl: one data source per ACTIVE member (50), none twice" \
	test "$(tr ' ' '\n' <"$T_TMP/ds50.txt" | sort -u | wc -l)" -eq 50 -a "$(wc -w <"$T_TMP/ds50.txt")" -eq 50

# A CerteroX without the assume-role keys (OptScale 2025-06): the probe makes user the default
# access mode, and role is refused on Enter, saying why
sh "$top_srcdir/tests/sim/cloudsim" stop "$TUI_SIM" >/dev/null 2>&1 || true
tui_sim_start --member-accounts 50 --certerox-version 2025-06
ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch --vault-kdf interactive
check "old CerteroX: Welcome offers the Organization" tui_wait "( ) Connect member accounts of this Organization" 30
tui_keys Down Down Down Down Down Down Enter
check "old CerteroX: signed in" tui_wait "Signed in; organization" 20
tui_keys Enter
check "old CerteroX: the accounts are listed" tui_wait "Organization of 123456789012: 52 accounts" 60
check "old CerteroX: user is the default access mode" tui_wait "< user: a user and a key in each account >" 5
tui_keys Tab
check "old CerteroX: the note says why" tui_wait "This CerteroX does not accept the assume-role keys" 5
tui_keys Left
check "old CerteroX: role chosen by hand" tui_wait "< role: one key, a role in each account >" 5
tui_keys a
check "old CerteroX: a chooses every ACTIVE account (all connected already)" tui_wait "52 accounts, 50 selected" 5
tui_keys Enter
check "old CerteroX: role refused on Enter, naming the keys" tui_status_has "Access mode role needs a CerteroX that accepts assume_role_account_id" 5
check "old CerteroX: still the checklist" tui_wait "Page 3 of 7: Member accounts" 5
tui_keys F10
check "old CerteroX: F10 quits" tui_wait "[exit 130]" 10
finish

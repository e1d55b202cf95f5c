#!/bin/sh
# The Linked flow by keystrokes with the member account's administrator (MEMBER_AWS_* of the
# simulated cloud): page 1 says member account, page 2 pre-selects Linked and warns that
# CerteroX has no Root AWS data source, the export, bucket policy and export type pages are
# skipped, only the Discover Resources policy is shown, no EDP switch; the data source ends up
# in CerteroX as linked, the key in the vault. A golden of every page at 80x24, 120x40 and
# back, 60x20 and back.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
tui_sim_start
PASS="linked-Passphrase-5"
tui_home
printf '%s\n' "$PASS" >"$T_TMP/passfile"
chmod 600 "$T_TMP/passfile"
TUI_MASK_EXTRA='s/127\.0\.0\.1:\d+/127.0.0.1:PORT/g;
	s/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/UUID/g;
	s/(Vault(: | {2,}))\S+/$1PATH/;'
export TUI_MASK_EXTRA
MEMBER_ID=$(tui_sim_var MEMBER_AWS_ACCESS_KEY_ID)
MEMBER_SECRET=$(tui_sim_var MEMBER_AWS_SECRET_ACCESS_KEY)
ENVS="$TUI_HOME_ENV $TUI_SIM_ENV AWS_ACCESS_KEY_ID=$MEMBER_ID AWS_SECRET_ACCESS_KEY=$MEMBER_SECRET"

# page N TITLE GOLDEN: goldens at 80x24, 120x40 and back, 60x20 and back (tui_page).
page() { tui_page "$1" 9 "$2" "$3"; }

# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch --vault-kdf interactive
check "the wizard acts as the member account" tui_wait "Account   234567890123, member account" 30
check "CerteroX signed in with the token" tui_wait "(0 AWS data sources)" 20
# page 1 counts the Root flow's pages until the choice is made
tui_page 1 12 Welcome linked-01-start
tui_keys Enter
page 2 "Connection type" linked-02-connection
check "Linked is pre-selected" tui_wait "(*) Linked"
check "member account: the page says why" tui_wait "Linked is pre-selected"
check "no Root in CerteroX: the warning" tui_wait "AWS Root Account is missing"
tui_keys Up
check "the warning is for Linked only" tui_wait_gone "AWS Root Account is missing"
tui_keys Down
check "the warning is back on Linked" tui_wait "AWS Root Account is missing"
tui_keys Enter
page 3 "IAM policies" linked-03-iam
tui_capture >"$T_TMP/iam"
check "only the Discover Resources policy" sh -c "! grep -q CerteroXReadOnly '$T_TMP/iam'"
check "the Discover Resources policy is shown" grep -q "\[CerteroXDiscoverResources\]" "$T_TMP/iam"
tui_keys Tab
check "Tab stays on the one policy" tui_wait "[CerteroXDiscoverResources]"
tui_keys Enter
check "page 4 says what will be created" tui_wait "create  iam CreateAccessKey certerox-billing" 20
page 4 "IAM user and access key" linked-04-user
tui_keys Enter
check "page 5 signed in" tui_wait "Signed in; organization" 20
page 5 CerteroX linked-05-certerox
check "no EDP switch for Linked" tui_wait_gone "Use EDP discount" 1
tui_keys Enter
check "page 6: the plan has no export" tui_wait "create  iam CreatePolicy CerteroXDiscoverResources" 20
page 6 "Review the plan" linked-06-review
tui_capture >"$T_TMP/review"
check "the plan makes no export" sh -c "! grep -q 'CreateExport\|CreateBucket\|PutBucketPolicy' '$T_TMP/review'"
check "the plan makes a linked data source" grep -q "certerox CreateDataSource" "$T_TMP/review"
tui_keys Enter
page 7 "Credential vault" linked-07-vault
tui_type "$PASS"
tui_keys Tab
tui_type "$PASS"
tui_keys Enter
check "Apply now? after the vault" tui_apply_now
check "apply finishes" tui_wait "Done: every step finished" 60
TUI_GOLDEN_LINES=12 page 8 Apply linked-08-apply
tui_keys Enter
check "page 9 names the data source" tui_wait "Data source id" 10
page 9 Done linked-09-done
check "done: what happens next for a Linked account" tui_wait "Root AWS data source: connect the management (payer)"
tui_keys Enter
check "exit 0" tui_wait "[exit 0]" 10

# CerteroX has the member account as a linked data source; the vault has its key.
CXURL=$(tui_sim_var CERTEROX_URL)
ORG=$(tui_sim_var CERTEROX_ORGANIZATION_ID)
TOKEN=$(tui_sim_var CERTEROX_TOKEN)
curl -sS --cacert "$TUI_SIM/ca.pem" -H "Authorization: Bearer $TOKEN" \
	"$CXURL/restapi/v2/organizations/$ORG/cloud_accounts?only_linked=true" 2>&1 |
	tr -d ' \n' >"$T_TMP/linked.json" || true
check "CerteroX lists it among the linked data sources" grep -q '"AWS234567890123"' "$T_TMP/linked.json"
check "its config says linked" grep -q '"linked":true' "$T_TMP/linked.json"
env XDG_DATA_HOME="$HOMEDIR/data" "$CX_BIN" --list --passphrase-file "$T_TMP/passfile" \
	--format json >"$T_TMP/list.json" 2>"$T_TMP/list.err" || true
check "the vault holds the member account's key" grep -q '"access_key_id": "AKIA' "$T_TMP/list.json"
check "passphrase never on screen" sh -c "! grep -qF -- '$PASS' '$TUI_ALL'"
check "the member's secret never on screen" sh -c "! grep -qF -- '$MEMBER_SECRET' '$TUI_ALL'"
finish

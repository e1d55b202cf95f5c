#!/bin/sh
# The migrate flow by keystrokes: a legacy CUR data source is made first with --batch, then the
# wizard switches it to CUR 2.0 (start -> CerteroX -> data source -> bucket policy -> IAM ->
# review -> vault -> apply -> done), and CerteroX's data source then uses CUR 2.0. A golden of
# every page at 80x24, 120x40 and back, 60x20 and back (tui_page).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
tui_sim_start
PASS="migrate-Passphrase-9"
tui_home
printf '%s\n' "$PASS" >"$T_TMP/passfile"
chmod 600 "$T_TMP/passfile"
cat >"$T_TMP/legacy.json" <<'EOF'
{"export": {"type": "legacy", "setup": "wizard", "bucket": "cx-tui-legacy", "create_bucket": true},
 "data_source": {"name": "Legacy billing"}}
EOF
CXURL=$(tui_sim_var CERTEROX_URL)
ORG=$(tui_sim_var CERTEROX_ORGANIZATION_ID)
TOKEN=$(tui_sim_var CERTEROX_TOKEN)
(
	set -a
	. "$TUI_SIM/env"
	XDG_DATA_HOME="$HOMEDIR/data" XDG_STATE_HOME="$HOMEDIR/state" CX_KEY_WAIT_MS=30000 \
		"$CX_BIN" --batch --answers "$T_TMP/legacy.json" --passphrase-file "$T_TMP/passfile" \
		--vault-kdf interactive >"$T_TMP/batch.json" 2>"$T_TMP/batch.err"
)
check "the legacy data source is made with --batch" grep -q '"status": "done"' "$T_TMP/batch.json"
ds() {
	curl -sS --cacert "$TUI_SIM/ca.pem" -H "Authorization: Bearer $TOKEN" \
		"$CXURL/restapi/v2/organizations/$ORG/cloud_accounts" 2>&1 |
		tr -d ' \n' >"$T_TMP/ds.json" || true
}
ds
check "CerteroX has it as legacy" grep -q '"cur_version":1' "$T_TMP/ds.json"

ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"
TUI_MASK_EXTRA='s/127\.0\.0\.1:\d+/127.0.0.1:PORT/g;
	s/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/UUID/g;
	s/(Vault(: | {2,}))\S+/$1PATH/;'
export TUI_MASK_EXTRA
page() { tui_page "$1" 10 "$2" "$3"; }
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch --vault-kdf interactive
check "start page sees the data source" tui_wait "(1 AWS data source)" 20
# page 1 counts the connect flow's pages until the choice is made
tui_page 1 12 Welcome migrate-01-start
tui_keys Down Enter
check "migrate: CerteroX page next" tui_wait "Page 2 of 10: CerteroX" 10
check "signed in" tui_wait "Signed in; organization" 10
page 2 CerteroX migrate-02-certerox
tui_keys Enter
check "choose the data source" tui_wait "Page 3 of 10: Data source to migrate" 10
check "the legacy data source is listed" tui_wait "(*) Legacy billing (account 123456789012, legacy CUR)" 10
page 3 "Data source to migrate" migrate-03-data-source
tui_keys Enter
check "the new export: the defaults" tui_wait "Export name        [certerox-cur2" 10
check "the legacy report is kept by default" tui_wait "Legacy report      < keep >" 5
page 4 "New CUR 2.0 export" migrate-04-export
tui_keys Enter
check "bucket policy of its bucket" tui_wait "Bucket cx-tui-legacy (exists)" 15
page 5 "Bucket policy" migrate-05-bucket-policy
tui_keys Enter
check "IAM policies page" tui_wait "Page 6 of 10: IAM policies" 10
check "IAM: the wizard's user, found from its key" tui_wait "User certerox-billing (found by" 10
page 6 "IAM policies" migrate-06-iam
tui_keys Enter
check "review: the CUR 2.0 export is created" tui_wait "create  bcm-data-exports CreateExport" 15
check "review: the data source is updated" tui_wait "update  certerox UpdateDataSource Legacy billing" 5
page 7 "Review the plan" migrate-07-review
tui_keys End
check "review: the locked vault is noted" tui_wait "note: the vault is unlocked on the next page" 5
tui_keys Enter
check "vault: unlock" tui_wait "Unlock the existing vault" 10
page 8 "Credential vault" migrate-08-vault
tui_type "$PASS"
tui_keys Enter
check "Apply now? after the vault" tui_apply_now
check "apply finishes" tui_wait "Done: every step finished" 60
TUI_GOLDEN_LINES=12 page 9 Apply migrate-09-apply
tui_keys Enter
check "done page names the data source" tui_wait "Name             Legacy billing" 5
page 10 Done migrate-10-done
tui_keys Enter
check "exit 0" tui_wait "[exit 0]" 10
ds
check "CerteroX's data source now uses CUR 2.0" grep -q '"cur_version":2' "$T_TMP/ds.json"
check "the Done page: the legacy report kept (the default)" grep -q "Legacy report    certerox-cur (kept)" "$TUI_ALL"
(
	set -a
	. "$TUI_SIM/env"
	"$CLOUDSIM_PYTHON" -c '
import boto3
cur = boto3.client("cur", region_name="us-east-1")
for r in cur.describe_report_definitions()["ReportDefinitions"]:
    print("report", r["ReportName"])
bcm = boto3.client("bcm-data-exports", region_name="us-east-1")
for e in bcm.list_exports()["Exports"]:
    print("export", e["ExportName"])'
) >"$T_TMP/aws.txt" 2>"$T_TMP/aws.err"
check "boto3: the legacy report is kept, as chosen" grep -qx "report certerox-cur" "$T_TMP/aws.txt"
check "boto3: the CUR 2.0 export exists" grep -qx "export certerox-cur2" "$T_TMP/aws.txt"
check "passphrase never on screen" sh -c "! grep -qF -- '$PASS' '$TUI_ALL'"
finish

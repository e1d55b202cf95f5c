#!/bin/sh
# The organization chooser: the simulated CerteroX gives the bootstrap user two organizations
# (cloudsim start --organizations 2) and no CERTEROX_ORGANIZATION_ID is set, so the CerteroX
# page lists both; the second is chosen by keystrokes, and the data source ends up in it (and
# not in the first). Golden of the page with the chooser at 80x24.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
tui_sim_start --organizations 2
PASS="orgs-Passphrase-8"
tui_home
TUI_MASK_EXTRA='s/127\.0\.0\.1:\d+/127.0.0.1:PORT/g;'
export TUI_MASK_EXTRA
cat >"$T_TMP/answers.json" <<'EOF'
{"connection": "root",
 "export": {"type": "cur2", "setup": "wizard", "bucket": "cx-tui-orgs",
            "create_bucket": true, "bucket_region": "us-east-1"},
 "data_source": {"name": "Second org billing"}}
EOF
CXURL=$(tui_sim_var CERTEROX_URL)
ORG1=$(tui_sim_var CERTEROX_ORGANIZATION_ID)
TOKEN=$(tui_sim_var CERTEROX_TOKEN)
cx() { curl -sS --cacert "$TUI_SIM/ca.pem" -H "Authorization: Bearer $TOKEN" "$CXURL/restapi/v2/$1"; }
cx organizations >"$T_TMP/orgs.json" 2>&1 || true
check "the sim gives the token two organizations" grep -q '"name": *"Cloudsim Org 2"' "$T_TMP/orgs.json"
ORG2=$(perl -MJSON::PP -0ne 'for (@{decode_json($_)->{organizations}}) {
	print $_->{id} if $_->{name} eq "Cloudsim Org 2" }' "$T_TMP/orgs.json")
check "the second organization has an id" test -n "$ORG2"
# No organization preset: the sign-in must choose.
SIM_ENV=$(echo "$TUI_SIM_ENV" | tr ' ' '\n' | grep -v '^CERTEROX_ORGANIZATION_ID=' | tr '\n' ' ')
ENVS="$TUI_HOME_ENV $SIM_ENV"
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
check "page 4" next 4 "[cx-tui-orgs"
check "page 5" next 5 "Bucket cx-tui-orgs"
check "page 6" next 6 "IAM policies"
check "page 7" next 7 "What will be done"
check "page 8" next 8 "CerteroX URL"
check "several organizations: the page asks" tui_wait "The sign-in sees several organizations: choose one." 20
check "the chooser shows the first" tui_wait "< Cloudsim Org >"
check "golden of the chooser" tui_golden orgs-08-certerox
tui_keys Tab Tab
check "focus on the organization" tui_wait "▸ Organization"
tui_keys Right
check "Right chooses the second" tui_wait "< Cloudsim Org 2 >"
tui_keys Left
check "Left goes back to the first" tui_wait "< Cloudsim Org >"
tui_keys Right
tui_wait "< Cloudsim Org 2 >"
check "page 9" next 9 " create, "
tui_keys End
check "page 9: the plan for the chosen organization" tui_wait "create  certerox CreateDataSource Second org billing" 20
tui_keys Escape
check "back on page 8: signed in to the chosen one" tui_wait "Signed in; organization Cloudsim Org 2" 20
check "the chooser keeps the choice" tui_wait "< Cloudsim Org 2 >"
check "page 9 again" next 9 " create, "
tui_keys End
check "page 9: the data source is still planned" tui_wait "create  certerox CreateDataSource Second org billing" 20
check "page 10" next 10 "Vault passphrase"
tui_type "$PASS"
tui_keys Tab
tui_type "$PASS"
tui_keys Enter
check "Apply now? after the vault" tui_apply_now
check "apply finishes" tui_wait "Done: every step finished" 60
tui_keys Enter
check "done page" tui_wait "Data source id" 10
tui_keys Enter
check "exit 0" tui_wait "[exit 0]" 10
cx "organizations/$ORG2/cloud_accounts" >"$T_TMP/ds2.json" 2>&1 || true
cx "organizations/$ORG1/cloud_accounts" >"$T_TMP/ds1.json" 2>&1 || true
check "the data source is in the chosen organization" grep -q '"Second org billing"' "$T_TMP/ds2.json"
check "and not in the other one" sh -c "! grep -q '\"Second org billing\"' '$T_TMP/ds1.json'"
finish

#!/bin/sh
# The wizard's connect flow (root, CUR 2.0, export created by the wizard) by keystrokes in tmux
# at 80x24 against the simulated cloud: a golden of every page, a resize to 120x40 and back
# and the 60x20 too-small screen and its recovery on every page, then the data source in
# CerteroX, the key in the vault, the summary after exit, and neither the passphrase, the
# secret key nor the CerteroX token on any screen. Then NO_COLOR and LANG=C on the first page.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
tui_sim_start
PASS="tui-Passphrase-x7q!"
BUCKET="cx-tui-billing"
tui_home
printf '%s\n' "$PASS" >"$T_TMP/passfile"
chmod 600 "$T_TMP/passfile"
# Dynamic values: the sim's ports, ids, the temporary directory.
TUI_MASK_EXTRA='s/127\.0\.0\.1:\d+/127.0.0.1:PORT/g;
	s/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/UUID/g;
	s/(Vault:? +)\S+/$1PATH/;
	s/(Policy backup: +)\S+/$1PATH/;
	s/\d{8}T\d{6}Z/YYYYMMDDTHHMMSSZ/g;
	s/cxtui\.\w{6}/cxtui.XXXXXX/g;'
export TUI_MASK_EXTRA
ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"

# page N TITLE GOLDEN: goldens at 80x24, 120x40 and back, 60x20 and back (tui_page).
page() { tui_page "$1" 12 "$2" "$3"; }

# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch --vault-kdf interactive
check "discovery shows the identity" tui_wait "management (payer) account" 20
check "CerteroX signed in with the token" tui_wait "(0 AWS data sources)" 20
page 1 Welcome connect-01-start
tui_keys Enter
page 2 "Connection type" connect-02-connection
tui_keys Down
check "a payer account set to Linked is warned" \
	tui_wait "This is the management (payer) account of an Organization" 5
tui_keys Up
check "back on Root: no warning" \
	tui_wait_gone "This is the management (payer) account of an Organization" 5
tui_keys Enter
page 3 "Export type" connect-03-export-type
tui_keys Enter
check "page 4 lists the exports" tui_wait "Data exports (CUR 2.0) found in account 123456789012" 10
tui_keys Tab Tab
tui_type "Bad_Bucket"
check "inline validation of the bucket" tui_wait "may contain only lowercase"
check "a message wider than its field ends with an ellipsis" tui_wait "may contain only lowercase let…"
tui_keys Enter
# the status line gives the whole rule, wrapped above the key bar, and follows the edits
check "Enter: the status line gives the whole message" tui_status_has "hyphens (S3 bucket naming rules)"
tui_keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
check "the status line follows the field as it is edited" tui_status_has '"Ba" must be 3 to 63'
tui_keys C-u
tui_type "$BUCKET"
check "a valid field takes its message off the status line" tui_status_lacks "S3 bucket naming"
tui_keys C-u
tui_type "$BUCKET"
tui_keys Enter
check "a bucket that does not exist is flagged on this page" \
	tui_status_has "$BUCKET does not exist in this account" 20
check "the page stays" tui_wait "Page 4 of 12: Data export"
tui_keys Tab Space
check "create the bucket switch" tui_wait "[x] Create the bucket"
check "region field shown" tui_wait "Bucket region"
page 4 "Data export" connect-04-export
tui_resize 60 20
check "60x20: too small" tui_wait "terminal too small (need 80x24, have 60x20)"
tui_resize 80 24
tui_wait "? help  q/F10 quit" 5
check "80x24 again: the page is back with its values" tui_wait "[$BUCKET"
tui_keys Enter
check "page 5 shows the diff" tui_wait "Current → merged (diff)" 10
page 5 "Bucket policy" connect-05-bucket-policy
tui_keys Tab
check "Tab shows the merged JSON" tui_wait "Merged policy (JSON)"
tui_keys Tab Enter
page 6 "IAM policies" connect-06-iam
tui_keys Tab
check "Tab shows the Discover policy" tui_wait "[CerteroXDiscoverResources]"
tui_keys Enter
check "page 7 says what will be created" tui_wait "create  iam CreateAccessKey certerox-billing" 10
page 7 "IAM user and access key" connect-07-user
tui_keys Enter
check "page 8 signed in" tui_wait "Signed in; organization" 10
page 8 CerteroX connect-08-certerox
# another sign-in method: the stale "Signed in" is cleared; back to the token signs in again
tui_keys Tab Right
check "another sign-in method clears Signed in" tui_wait_gone "Signed in; organization" 5
check "it asks to sign in" tui_wait "Not signed in yet: Enter signs in."
tui_keys Left Enter
check "back to the token: signed in again, on to page 9" tui_wait "Page 9 of 12" 20
check "page 9 shows the plan" tui_wait "create  bcm-data-exports CreateExport certerox-cur2" 10
page 9 "Review the plan" connect-09-review
# s saves the plan as JSON, a shows and saves the awscli script, w the answers file
tui_keys s
check "s asks where to save the plan" tui_wait "Save the plan as (Enter: certerox-plan.json):"
tui_type "$T_TMP/plan.json"
tui_keys Enter
check "s: saved" tui_wait "Saved the plan to $T_TMP/plan.json" 5
check "the saved plan is the plan's JSON" python3 -c "
import json, sys
p = json.load(open(sys.argv[1]))
ops = [s['operation'] for s in p['steps']]
sys.exit(0 if 'CreateExport' in ops and 'CreateAccessKey' in ops else 1)" "$T_TMP/plan.json"
tui_keys a
check "a shows the awscli script" tui_wait "aws s3api create-bucket --bucket '$BUCKET'" 5
check "golden of the awscli script" tui_golden connect-09-review-awscli
tui_keys q
check "then asks where to save it" tui_wait "Save the awscli script as (Enter: certerox-plan.sh):"
tui_type "$T_TMP/plan.sh"
tui_keys Enter
check "a: saved" tui_wait "Saved the awscli script to" 5
check "the script is valid bash naming the bucket" sh -c "bash -n '$T_TMP/plan.sh' && grep -q '$BUCKET' '$T_TMP/plan.sh'"
tui_keys w
check "w asks where to write the answers" tui_wait "Save the answers file as"
tui_type "$T_TMP/answers.json"
tui_keys Enter
check "w: saved" tui_wait "Saved the answers file to" 5
check "the answers file has this session's bucket" python3 -c "
import json, sys
a = json.load(open(sys.argv[1]))
sys.exit(0 if a['export']['bucket'] == sys.argv[2] else 1)" "$T_TMP/answers.json" "$BUCKET"
tui_keys Enter
page 10 "Credential vault" connect-10-vault
check "the vault page warns that a forgotten passphrase is lost" \
	tui_wait "no way to recover a forgotten passphrase"
# issue 17: a live strength meter; a weak passphrase is refused with the estimator's hint
tui_type "password123"
check "the meter rates it as it is typed" tui_wait "very weak"
check "the meter gives the estimator's hint" tui_wait "common words or passwords"
tui_keys Tab
tui_type "password123"
tui_keys Enter
check "a weak passphrase is refused" tui_wait "too easy to guess (very weak)"
check "golden weak passphrase" tui_golden connect-10-vault-weak
check "no vault was made for it" test ! -e "$HOMEDIR/data/certerox-aws-setup/credentials.vault"
tui_keys C-u Tab C-u Tab
tui_type "$PASS"
check "the meter rates the real one strong" tui_wait "very strong"
tui_keys Tab
tui_type "$PASS"
check "passphrase masked" tui_wait "[*******"
tui_keys Enter
check "Apply now? after the vault" tui_apply_now
check "apply finishes" tui_wait "Done: every step finished" 40
TUI_GOLDEN_LINES=15 page 11 Apply connect-11-apply
tui_keys Enter
check "page 12 names the data source" tui_wait "Data source id" 5
page 12 Done connect-12-done
tui_keys Enter
check "exit 0" tui_wait "[exit 0]" 10
tui_tmux capture-pane -t cx -p -S -200 >"$T_TMP/scrollback"
cat "$T_TMP/scrollback" >>"$TUI_ALL"
check "summary printed after exit (text on a terminal)" grep -q '^certerox-aws-setup: done (connect)' "$T_TMP/scrollback"
check "summary has the data source id" grep -q '^  Data source: ' "$T_TMP/scrollback"
check "summary names the export and the bucket" sh -c "grep -q '^  Export: *certerox-cur2' '$T_TMP/scrollback' && grep -q '^  Bucket: *s3://' '$T_TMP/scrollback'"
check "summary names the key id and the vault" sh -c "grep -q '^  Access key: *AKIA' '$T_TMP/scrollback' && grep -q '^  Vault: ' '$T_TMP/scrollback'"
check "summary says what happens next" grep -q '^  Next: ' "$T_TMP/scrollback"
check "no JSON on a terminal" sh -c "! grep -q '\"status\"' '$T_TMP/scrollback'"
check "golden of the exit summary" tui_golden connect-13-summary

# The data source exists in CerteroX.
CXURL=$(tui_sim_var CERTEROX_URL)
ORG=$(tui_sim_var CERTEROX_ORGANIZATION_ID)
TOKEN=$(tui_sim_var CERTEROX_TOKEN)
curl -sS --cacert "$TUI_SIM/ca.pem" -H "Authorization: Bearer $TOKEN" \
	"$CXURL/restapi/v2/organizations/$ORG/cloud_accounts" >"$T_TMP/ds.json" 2>&1 || true
check "CerteroX has the data source" grep -q '"AWS 123456789012"' "$T_TMP/ds.json"
DSID=$(sed -n 's/^  Data source: *\([^ ]*\).*/\1/p' "$T_TMP/scrollback" | head -n 1)
check "the summary's id is CerteroX's" grep -q "\"$DSID\"" "$T_TMP/ds.json"
# The key is in the vault.
env XDG_DATA_HOME="$HOMEDIR/data" "$CX_BIN" --list --passphrase-file "$T_TMP/passfile" \
	--format json >"$T_TMP/list.json" 2>"$T_TMP/list.err" || true
check "the vault holds the data source" grep -q "\"$DSID\"" "$T_TMP/list.json"
check "the vault holds the key id" grep -q '"access_key_id": "AKIA' "$T_TMP/list.json"
# Never on screen: the passphrase, the CerteroX token, anything like a secret access key.
check "passphrase never on screen" sh -c "! grep -qF -- '$PASS' '$TUI_ALL'"
check "token never on screen" sh -c "! grep -qF -- '$TOKEN' '$TUI_ALL'"
# (a secret access key: exactly 40 base64 characters, alone, mixed case with two digits or a
# '/' or '+': an identifier cropped to 40 columns by a resize, such as
# "EnableAWSDataExportsToWriteToS3AndCheckP", is not one)
no_secret_like() {
	! perl -ne 'while (/(?<![A-Za-z0-9\/+])([A-Za-z0-9\/+]{40})(?![A-Za-z0-9\/+=])/g) {
		my $s = $1; my $d = () = $s =~ /\d/g;
		if (($d >= 2 || $s =~ m{[/+]}) && $s =~ /[a-z]/ && $s =~ /[A-Z]/) { print "$s\n"; $f = 1 } }
		END { exit($f ? 0 : 1) }' "$1"
}
check "no secret access key on screen" no_secret_like "$TUI_ALL"
# The new key's secret itself (CerteroX's sim keeps what was submitted: a test fixture).
perl -MJSON::PP -0ne 'print "$_->{config}{secret_access_key}\n" for @{decode_json($_)->{cloud_accounts}}' \
	"$TUI_SIM/certerox.json" >"$T_TMP/secrets" 2>/dev/null || true
check "the submitted secret is known to the test" grep -q . "$T_TMP/secrets"
check "the new secret access key never on screen" sh -c "! grep -qFf '$T_TMP/secrets' '$TUI_ALL'"

# NO_COLOR: no colour escapes; LANG=C: ASCII only.
# shellcheck disable=SC2086
tui_start 80 24 NO_COLOR=1 $ENVS
tui_launch
check "NO_COLOR: page 1" tui_wait "management (payer) account" 20
tui_capture_e >"$T_TMP/nocolor"
check "NO_COLOR: no colour escape" tui_no_color "$T_TMP/nocolor"
tui_keys F10
check "F10 quits (exit 130)" tui_wait "[exit 130]" 5
# shellcheck disable=SC2086
tui_start 80 24 $(echo "$ENVS" | sed 's/LANG=C.UTF-8/LANG=C/')
tui_launch
check "LANG=C: page 1" tui_wait "management (payer) account" 20
tui_capture >"$T_TMP/ascii"
check "LANG=C: ASCII only" tui_no_8bit "$T_TMP/ascii"
check "LANG=C: ASCII radio pointer" grep -q "> (\*) Connect" "$T_TMP/ascii"
tui_keys F10
check "F10 quits" tui_wait "[exit 130]" 5
finish

#!/bin/sh
# The `e` editor on the IAM policies page, with VISUAL set to a small script that edits the
# file: invalid JSON is reported and the document stays; removing an action CerteroX needs
# lists the missing action and the document stays; a valid edit that keeps the needed actions
# (an extra harmless action) is used by the apply. The ReadOnly policy exists beforehand with
# exactly the template's document (so the plan alone would skip it): the edited document still
# makes a new default version (CreatePolicyVersion). The Discover Resources policy does not
# exist: it is created from its edited document. Both are checked with the AWS CLI.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
command -v aws >/dev/null 2>&1 || skip "no aws CLI"
tui_sim_start
PASS="edit-Passphrase-31"
BUCKET="cx-tui-edit"
tui_home
cat >"$T_TMP/answers.json" <<EOF
{"connection": "root",
 "export": {"type": "cur2", "setup": "wizard", "bucket": "$BUCKET",
            "create_bucket": true, "bucket_region": "us-east-1"},
 "data_source": {"name": "Edited policies"}}
EOF
awsx() { (set -a; . "$TUI_SIM/env"; aws "$@"); }
# The ReadOnly policy as the wizard would make it: the plan finds it equal and skips it.
sed "s/\${BUCKET}/$BUCKET/g" "$top_srcdir/data/policies/readonly.json" >"$T_TMP/readonly.json"
awsx iam create-policy --policy-name CerteroXReadOnly \
	--policy-document "file://$T_TMP/readonly.json" --output json >"$T_TMP/created.json" 2>&1 || true
check "the template ReadOnly policy exists beforehand" grep -q '"DefaultVersionId": "v1"' "$T_TMP/created.json"

# The editor: what it does comes from $T_TMP/edmode.
cat >"$T_TMP/ed.sh" <<EOF
#!/bin/sh
case "\$(cat '$T_TMP/edmode')" in
invalid) printf '{"Version": "2012-10-17", "Statement": [' >"\$1" ;;
remove) perl -0pi -e 's/\\s*"bcm-data-exports:GetExport",//' "\$1" ;;
add-readonly) perl -0pi -e 's/"s3:GetObject"/"s3:GetObject",\\n        "s3:GetObjectVersion"/' "\$1" ;;
add-discover) perl -0pi -e 's/"s3:GetBucketTagging",/"s3:GetBucketTagging",\\n        "s3:GetBucketVersioning",/' "\$1" ;;
fail) exit 3 ;;
esac
echo "\$1" >>'$T_TMP/edited-files'
EOF
chmod +x "$T_TMP/ed.sh"
edit() { echo "$1" >"$T_TMP/edmode"; tui_keys e; }
ENVS="$TUI_HOME_ENV VISUAL=$T_TMP/ed.sh TMPDIR=$T_TMP $TUI_SIM_ENV"
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
check "page 4" next 4 "[$BUCKET"
check "page 5" next 5 "Bucket $BUCKET"
check "page 6" next 6 "[CerteroXReadOnly]"
check "the existing policy is noticed" tui_wait "Exists (default version v1, 1 version)" 10

edit invalid
check "invalid JSON: reported" tui_wait "The edited document is not valid JSON" 10
check "invalid JSON: the document is unchanged" tui_wait "The document is unchanged."
tui_keys Enter
tui_wait_gone "Policy not changed"
check "invalid JSON: the page still shows the template" tui_wait '"bcm-data-exports:GetExport"'

edit remove
check "a missing action: reported" tui_wait "no longer grants what CerteroX needs" 10
check "the missing action is named" tui_wait "bcm-data-exports:GetExport"
tui_keys Enter
tui_wait_gone "Policy not changed"
check "still the template after a refused edit" tui_wait "updated when it differs"

edit fail
check "an editor that fails changes nothing" tui_wait "the editor failed; the document is unchanged" 10

edit add-readonly
check "a valid edit is accepted" tui_wait "Edited document accepted" 10
tui_keys /
tui_type "GetObjectVersion"
tui_keys Enter
check "the edited ReadOnly document is shown (search finds the action)" \
	tui_wait 'found "GetObjectVersion" on line' 5
check "the page says the edit will be used" tui_wait "your edited document will be used"
tui_keys Tab
check "Tab: the Discover policy" tui_wait "[CerteroXDiscoverResources]"
check "the Discover policy will be created" tui_wait "Will be created"
edit add-discover
check "the Discover edit is accepted" tui_wait "Edited document accepted" 10
check "the Discover page says so" tui_wait "Will be created from your edited document"
check "the temporary files are removed" sh -c "! ls '$T_TMP'/certerox-policy-* 2>/dev/null | grep -q ."

check "page 7" next 7 "What will be done"
check "page 8" next 8 "Signed in; organization"
check "page 9: a new version of the existing policy" next 9 "update  iam CreatePolicyVersion CerteroXReadOnly"
check "page 9: the Discover policy is created" tui_wait "create  iam CreatePolicy CerteroXDiscoverResources"
check "page 10" next 10 "Vault passphrase"
tui_type "$PASS"
tui_keys Tab
tui_type "$PASS"
tui_keys Enter
check "Apply now? after the vault" tui_apply_now
check "apply finishes" tui_wait "Done: every step finished" 60
check "the policy version step ran" tui_wait "done      iam CreatePolicyVersion CerteroXReadOnly"
tui_keys Enter
check "done page" tui_wait "Data source id" 10
tui_keys Enter
check "exit 0" tui_wait "[exit 0]" 10

# In AWS: the ReadOnly policy's default version is the edited one; the Discover policy was
# created from its edited document.
awsx iam get-policy --policy-arn arn:aws:iam::123456789012:policy/CerteroXReadOnly \
	--output json >"$T_TMP/ro-policy.json" 2>&1 || true
check "ReadOnly: a second version is the default" grep -q '"DefaultVersionId": "v2"' "$T_TMP/ro-policy.json"
awsx iam get-policy-version --policy-arn arn:aws:iam::123456789012:policy/CerteroXReadOnly \
	--version-id v2 --output json >"$T_TMP/ro-v2.json" 2>&1 || true
check "ReadOnly v2 is the default version" grep -q '"IsDefaultVersion": true' "$T_TMP/ro-v2.json"
check "ReadOnly v2 has the edited action" grep -q '"s3:GetObjectVersion"' "$T_TMP/ro-v2.json"
check "ReadOnly v2 keeps what CerteroX needs" grep -q '"bcm-data-exports:GetExport"' "$T_TMP/ro-v2.json"
awsx iam get-policy --policy-arn arn:aws:iam::123456789012:policy/CerteroXDiscoverResources \
	--output json >"$T_TMP/d-policy.json" 2>&1 || true
DV=$(sed -n 's/.*"DefaultVersionId": "\([^"]*\)".*/\1/p' "$T_TMP/d-policy.json")
awsx iam get-policy-version --policy-arn arn:aws:iam::123456789012:policy/CerteroXDiscoverResources \
	--version-id "${DV:-v1}" --output json >"$T_TMP/d-v.json" 2>&1 || true
check "Discover: its default version has the edited action" grep -q '"s3:GetBucketVersioning"' "$T_TMP/d-v.json"
check "Discover: created once (v1)" test "$DV" = v1
finish

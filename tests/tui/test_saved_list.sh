#!/bin/sh
# Page 1, "Show saved data sources": after a --batch onboarding, the wizard (same vault) asks
# for the vault passphrase in a masked modal, refuses a wrong one (stays on page 1), then lists
# the vault's data source (name, id, present in CerteroX, access key id) without ever showing
# the passphrase or the secret access key. Without a vault file it says nothing is saved yet.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
tui_sim_start
PASS="saved-List-Passphrase-77"
tui_home
printf '%s\n' "$PASS" >"$T_TMP/pass"
chmod 600 "$T_TMP/pass"
cat >"$T_TMP/answers.json" <<'EOF2'
{"connection": "root",
 "export": {"type": "cur2", "setup": "wizard", "bucket": "cx-tui-saved",
            "create_bucket": true, "bucket_region": "eu-west-1"},
 "data_source": {"name": "Saved list account"}}
EOF2
ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"
VAULT="$HOMEDIR/data/certerox-aws-setup/credentials.vault"

# No vault yet: nothing saved (and no passphrase asked).
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch
check "page 1" tui_wait "management (payer) account" 20
tui_keys Down Down
# the note of the choice under the cursor (the Welcome page shows only that one)
check "the choice's note" tui_wait "The vault's data sources and keys, checked against CerteroX."
tui_keys Enter
check "no vault: nothing saved yet" tui_wait "no vault at" 10
check "no vault: the message" tui_wait "nothing saved yet"
tui_keys Enter
check "back on page 1" tui_wait_gone "nothing saved yet"
tui_keys F10
tui_confirm_quit
check "wizard exits" tui_wait "[exit" 10

# The onboarding, by --batch (passphrase from a file, never on the command line's screen).
# shellcheck disable=SC2086
env $ENVS "$CX_BIN" --batch --answers "$T_TMP/answers.json" --passphrase-file "$T_TMP/pass" \
	--vault-kdf interactive >"$T_TMP/batch.json" 2>"$T_TMP/batch.err"
check "batch onboarding exits 0" test $? -eq 0
DSID=$(sed -n 's/^ *"data_source_id": *"\([^"]*\)".*/\1/p' "$T_TMP/batch.json" | head -n 1)
check "batch printed the data source id" test -n "$DSID"
check "the vault exists" test -f "$VAULT"
# the vault's record (access key id and secret) through the independent decryptor
python3 - "$VAULT" "$T_TMP/pass" >"$T_TMP/rec" 2>"$T_TMP/rec.err" <<'EOF2'
import json, sys, os
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests", "integration"))
import test_vault_format as vf
vf.SODIUM = vf.load_sodium()
doc = vf.decrypt_vault(open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read().rstrip(b"\n"))[0]
r = doc["data_sources"][0]
print(r["access_key_id"])
print(r["secret_access_key"])
EOF2
rc=$?
[ "$rc" -eq 77 ] && skip "libsodium not loadable from python"
check "vault record read back" test "$rc" -eq 0
AKID=$(sed -n 1p "$T_TMP/rec")
SECRET=$(sed -n 2p "$T_TMP/rec")
check "access key id known" test -n "$AKID"
check "secret known" test -n "$SECRET"

# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch
check "page 1 again" tui_wait "management (payer) account" 20
check "CerteroX has one data source" tui_wait "(1 AWS data source)" 20
check "the Welcome page names the account's data source" \
	tui_wait 'Connected: "Saved list account"' 20
check "... with its id" tui_wait "($DSID)"
check "... and the actions that change it" tui_wait "To change it"
tui_keys Down Down Enter
check "passphrase asked in a modal" tui_wait "Unlock the vault" 10
# another run holds the vault: said at once (the screen does not freeze waiting for the lock)
tui_hold_lock "$VAULT.lock"
tui_type "$PASS"
tui_keys Enter
check "a vault held by another run: said at once" tui_status_has "in use by another" 3
check "... and still on page 1" tui_wait "Page 1 of 12: Welcome"
tui_release_lock
tui_keys Enter
check "asked again after the held vault" tui_wait "Unlock the vault" 10
tui_type "wrong-$PASS"
check "masked: stars only" tui_wait "**********"
tui_keys Enter
check "a wrong passphrase is refused" tui_wait "wrong passphrase" 20
check "stays on page 1" tui_wait "Page 1 of 12: Welcome"
tui_keys Enter
check "asked again" tui_wait "Unlock the vault" 10
tui_type "$PASS"
tui_keys Enter
check "the list is shown" tui_wait "Saved data sources" 20
check "the data source name" tui_wait "Saved list account" 10
check "the data source id" tui_wait "$DSID"
check "present in CerteroX" tui_wait "present in CerteroX"
check "the access key id" tui_wait "$AKID"
tui_capture >"$T_TMP/list"
check "the secret is not on the list" sh -c "! grep -qF -- '$SECRET' '$T_TMP/list'"
# one key bar: the list's keys on the bottom line, no second bar of the page's keys
check "one key bar: the list's keys at the bottom" \
	sh -c "tail -n 1 '$T_TMP/list' | grep -q 'Enter or Esc close'"
check "... shown once" test "$(grep -c 'Enter or Esc close' "$T_TMP/list")" -eq 1
check "... and not the page's keys" sh -c "! grep -q 'Enter continue' '$T_TMP/list'"
tui_keys Escape
check "list closed" tui_wait_gone "present in CerteroX"
check "wizard still on page 1" tui_wait "Page 1 of 12: Welcome"
tui_keys Up Up Enter
check "the wizard goes on to page 2" tui_wait "Page 2 of 12: Connection type" 20
# the Data export page lists the export the batch run made, with its bucket and prefix
tui_keys Enter
check "page 3" tui_wait "Page 3 of 12: Export type" 20
tui_keys Enter
check "page 4" tui_wait "Page 4 of 12: Data export" 20
check "the existing export is listed" tui_wait "found in account" 20
check "... with its bucket and prefix" tui_wait "bucket cx-tui-saved, prefix " 20
tui_capture >"$T_TMP/exports"
PFX=$(
	. "$TUI_SIM/env"
	"$CLOUDSIM_PYTHON" - <<'EOF2'
import boto3
c = boto3.client("bcm-data-exports", region_name="us-east-1")
for x in c.list_exports()["Exports"]:
    d = c.get_export(ExportArn=x["ExportArn"])["Export"]["DestinationConfigurations"]["S3Destination"]
    if d["S3Bucket"] == "cx-tui-saved":
        print(d["S3Prefix"] or "(none)")
EOF2
)
check "the sim (boto3) knows the export's prefix" test -n "$PFX"
check "... and the page shows that prefix" grep -qF "bucket cx-tui-saved, prefix $PFX" "$T_TMP/exports"
tui_keys F10
tui_confirm_quit
check "wizard exits" tui_wait "[exit" 10
check "passphrase never on screen" sh -c "! grep -qF -- '$PASS' '$TUI_ALL'"
check "secret never on screen" sh -c "! grep -qF -- '$SECRET' '$TUI_ALL'"
finish

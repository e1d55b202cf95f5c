#!/bin/sh
# The Data export page's export list follows the facts as they arrive (issue 17, TUI polish 6):
# each export's row gets its delivered files from its own ListObjectsV2 answer, while the rest
# of the account is still read. A data source with a CUR 2.0 export is made with --batch and
# AWS delivers its files (cloudsim deliver); the sim then restarts on that state with the second
# discovery's iam ListPolicies stalled 9 s and its s3 ListObjectsV2 (the export's destination)
# 3 s. On page 4, "Use an existing export" and Enter read the account again for those answers:
# the export's row first says its delivered files are looked for, then, with its own listing's
# answer, that they are delivered, while the page still says it reads the account. Judged against boto3: the bucket holds data files under
# the export's prefix.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
tui_sim_start
PASS="live-Horse-battery-staple-91"
tui_home
printf '%s\n' "$PASS" >"$T_TMP/passfile"
chmod 600 "$T_TMP/passfile"
cat >"$T_TMP/connect.json" <<'EOF2'
{"export": {"type": "cur2", "setup": "wizard", "bucket": "cx-tui-live", "create_bucket": true},
 "data_source": {"name": "Live billing"}}
EOF2
tui_batch_connect "$T_TMP/connect.json"
check "the export is made with --batch" grep -q '"status": "done"' "$T_TMP/batch.json"
sh "$top_srcdir/tests/sim/cloudsim" deliver "$TUI_SIM" >"$T_TMP/deliver.out" 2>&1
(
	set -a
	. "$TUI_SIM/env"
	"$CLOUDSIM_PYTHON" -c '
import boto3
r = boto3.client("s3").list_objects_v2(Bucket="cx-tui-live", Prefix="reports/certerox-cur2/")
print(sum(1 for o in r.get("Contents", []) if o["Key"].endswith((".snappy.parquet", ".csv.gz", ".csv.zip"))))'
) >"$T_TMP/files.txt" 2>&1
check "boto3: AWS delivered data files under the export's prefix" grep -qv '^0$' "$T_TMP/files.txt"
sh "$top_srcdir/tests/sim/cloudsim" stop "$TUI_SIM" >/dev/null 2>&1 || true
cat >"$T_TMP/faults.json" <<'EOF2'
[{"service": "iam", "operation": "ListPolicies", "nth": 2, "count": 1, "fault": "stall:9000"},
 {"service": "s3", "operation": "ListObjectsV2", "nth": 2, "count": 1, "fault": "stall:3000"}]
EOF2
tui_sim_start --faults "$T_TMP/faults.json"
ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"

# both TEXT1 TEXT2: one screen shows both
both() { tui_capture >"$T_TMP/both" && grep -qF -- "$1" "$T_TMP/both" && grep -qF -- "$2" "$T_TMP/both"; }

# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch
check "page 1" tui_wait "management (payer) account" 20
tui_keys Enter
check "page 2" tui_wait "Page 2 of 12: Connection type" 20
tui_keys Enter
check "page 3" tui_wait "Page 3 of 12: Export type" 10
tui_keys Enter
check "page 4" tui_wait "Page 4 of 12: Data export" 10
check "page 4 lists the export with its delivered files" \
	tui_wait "certerox-cur2  accepted by CerteroX; files delivered" 10
tui_keys Right Right
check "setup: use an existing export" tui_wait "< Use an existing export >" 5
check "... the export is picked" tui_wait "Existing export    < certerox-cur2 >" 5
tui_keys Enter
check "Enter: the account is read again for these answers" tui_wait "Reading the account" 5
check "the export's row while its listing is stalled: looked for" \
	tui_until 3 both "Reading the account" "certerox-cur2  accepted by CerteroX; looking for delivered files"
check "the export's delivered files are shown while the account is still read" \
	tui_until 6 both "Reading the account" "certerox-cur2  accepted by CerteroX; files delivered"
check "the read then ends: page 5" tui_wait "Page 5 of 12: Bucket policy" 30
tui_keys F10
tui_confirm_quit
check "wizard exits" tui_wait "[exit" 10
finish

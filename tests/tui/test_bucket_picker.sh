#!/bin/sh
# The Data export page's bucket picker (issue 17, TUI polish 10): F4 (or Ctrl-L) on the bucket
# field lists the account's buckets with their regions, as discovery read them (s3 ListBuckets).
# - an account with no bucket: the picker says so and that a new name is created;
# - buckets made by boto3 in three regions: each listed with its region (golden); Esc leaves the
#   field as it was; Enter fills it; the review shows the bucket; after the apply boto3 sees
#   the Data Export delivering to the picked bucket;
# - legacy CUR: the bucket in a region the legacy CUR API does not deliver to is marked;
# - ListBuckets denied: no discovery error; F4 says the list could not be read.
# The picker's key is in the key bar on the bucket field only.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
tui_sim_start
PASS="picker-Horse-battery-staple-91"
tui_home
TUI_MASK_EXTRA='s/127\.0\.0\.1:\d+/127.0.0.1:PORT/g;'
export TUI_MASK_EXTRA
ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"

# to_bucket_field: pages 1-3 (Enter on each: CUR 2.0 unless $1 is "legacy"), then Tab Tab from
# the setup choice to the bucket field
to_bucket_field() {
	check "$2: page 1" tui_wait "management (payer) account" 20
	tui_keys Enter
	check "$2: page 2" tui_wait "Page 2 of 12: Connection type" 20
	tui_keys Enter
	check "$2: page 3" tui_wait "Page 3 of 12: Export type" 10
	if [ "$1" = legacy ]; then tui_keys Down; fi
	tui_keys Enter
	check "$2: page 4" tui_wait "Page 4 of 12: Data export" 10
	check "$2: the picker's key is not shown off the bucket field" tui_wait_gone "F4 buckets" 5
	tui_keys Tab Tab
	check "$2: on the bucket field the key bar shows the picker's key" tui_wait "F4 buckets" 5
}

# 1. No bucket in the account.
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch
to_bucket_field cur2 "no bucket"
tui_keys F4
check "no bucket: the picker says the account has none" tui_wait "Account 123456789012 has no buckets." 5
check "... and that a new name is created" tui_wait "switch on 'Create the bucket': the wizard creates it." 5
check "golden: the empty picker" tui_golden picker-empty
tui_keys Escape
check "no bucket: Esc closes the picker" tui_wait_gone "has no buckets" 5
check "no bucket: still on page 4" tui_wait "Page 4 of 12: Data export" 1
tui_keys F10
tui_confirm_quit
check "no bucket: exits" tui_wait "[exit" 10

# Three buckets, by boto3: us-east-1, eu-west-1, and ca-west-1 (not in the legacy CUR API's
# S3Region list).
(
	set -a
	. "$TUI_SIM/env"
	"$CLOUDSIM_PYTHON" -c '
import boto3
for name, region in (("cx-pick-alpha", "us-east-1"), ("cx-pick-beta", "eu-west-1"),
                     ("cx-pick-gamma", "ca-west-1")):
    s3 = boto3.client("s3", region_name=region)
    kw = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **kw)'
) >"$T_TMP/mk.out" 2>&1
check "boto3 made three buckets" sh -c "! test -s '$T_TMP/mk.out'"

# 2. CUR 2.0: pick cx-pick-beta, then apply.
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch --vault-kdf interactive
to_bucket_field cur2 "cur2"
tui_keys F4
check "cur2: the picker lists the buckets" tui_wait "3 buckets in account 123456789012" 5
check "cur2: each with its region" tui_wait "cx-pick-beta          eu-west-1" 5
check "cur2: ca-west-1 listed" tui_wait "cx-pick-gamma         ca-west-1" 5
check "cur2: CUR 2.0 delivers to any region: none marked" tui_wait_gone "cannot deliver" 1
check "golden: the picker" tui_golden picker-cur2
tui_keys Down Escape
check "cur2: Esc closes the picker" tui_wait_gone "3 buckets in account" 5
tui_capture >"$T_TMP/after-esc"
check "cur2: Esc left the field empty" sh -c "! grep -q 'cx-pick' '$T_TMP/after-esc'"
tui_keys C-l
check "cur2: Ctrl-L opens it too" tui_wait "3 buckets in account 123456789012" 5
tui_keys Down Enter
check "cur2: Enter fills the bucket field" tui_wait "[cx-pick-beta" 5
check "cur2: the picker is closed" tui_wait_gone "3 buckets in account" 5
check "golden: the page with the picked bucket" tui_golden picker-cur2-picked
tui_keys Enter
check "cur2: the picked bucket exists: page 5" tui_wait "Page 5 of 12: Bucket policy" 20
# each page once its content is drawn (the diff, the IAM policies, the user's steps), then on
check "cur2: page 5 shows the diff" tui_wait "Current → merged (diff)" 10
tui_keys Enter
check "cur2: page 6" tui_wait "Page 6 of 12: IAM policies" 20
tui_keys Enter
check "cur2: page 7" tui_wait "Page 7 of 12" 20
check "cur2: page 7 says what will be created" tui_wait "create  iam CreateAccessKey certerox-billing" 10
tui_keys Enter
check "cur2: page 8" tui_wait "Page 8 of 12" 20
tui_keys Enter
check "cur2: review" tui_wait "Page 9 of 12: Review the plan" 20
check "cur2: the review names the picked bucket and its region" \
	tui_wait "Bucket s3://cx-pick-beta/" 10
tui_capture >"$T_TMP/review"
check "cur2: ... in eu-west-1" grep -q "Bucket s3://cx-pick-beta/.* in eu-west-1" "$T_TMP/review"
tui_keys Enter
check "cur2: vault page" tui_wait "Page 10 of 12" 10
tui_type "$PASS"
tui_keys Tab
tui_type "$PASS"
tui_keys Enter
check "cur2: Apply now?" tui_apply_now
check "cur2: apply finishes" tui_wait "Done: every step finished" 60
tui_keys Enter
check "cur2: Done page" tui_wait "Page 12 of 12" 10
tui_keys Enter
check "cur2: exit 0" tui_wait "[exit 0]" 10
# boto3: the Data Export delivers to the picked bucket
(
	set -a
	. "$TUI_SIM/env"
	"$CLOUDSIM_PYTHON" -c '
import boto3
c = boto3.client("bcm-data-exports", region_name="us-east-1")
for e in c.list_exports()["Exports"]:
    d = c.get_export(ExportArn=e["ExportArn"])["Export"]["DestinationConfigurations"]["S3Destination"]
    print(e["ExportName"], d["S3Bucket"], d["S3Region"])'
) >"$T_TMP/exports.txt" 2>&1
check "boto3: the export delivers to the picked bucket in its region" \
	grep -q " cx-pick-beta eu-west-1\$" "$T_TMP/exports.txt"

# 3. Legacy CUR: the ca-west-1 bucket is marked.
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch
to_bucket_field legacy "legacy"
tui_keys F4
check "legacy: the picker lists the buckets" tui_wait "3 buckets in account 123456789012" 5
check "legacy: the ca-west-1 bucket is marked" \
	tui_wait "cx-pick-gamma         ca-west-1        legacy CUR cannot deliver here" 5
check "legacy: the marks are explained" tui_wait "Marked: in a region the legacy CUR API" 5
tui_capture >"$T_TMP/legacy"
check "legacy: only that one is marked" test "$(grep -c 'cannot deliver here' "$T_TMP/legacy")" -eq 1
check "golden: the legacy picker" tui_golden picker-legacy
tui_keys Escape
tui_keys F10
tui_confirm_quit
check "legacy: exits" tui_wait "[exit" 10

# 4. ListBuckets refused (s3:ListAllMyBuckets denied): the account is still read, the page works,
# and F4 says why there is no list.
sh "$top_srcdir/tests/sim/cloudsim" stop "$TUI_SIM" >/dev/null 2>&1 || true
cat >"$T_TMP/faults.json" <<'EOF2'
[{"service": "s3", "operation": "ListBuckets", "nth": 1, "count": 5, "fault": "access_denied"}]
EOF2
tui_sim_start --faults "$T_TMP/faults.json"
ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch
to_bucket_field cur2 "denied"
tui_keys F4
check "denied: F4 says the buckets could not be listed" \
	tui_status_has "The account's buckets could not be listed" 5
check "denied: ... and to type the name" tui_status_has "type the bucket's name." 5
check "denied: no picker opened" tui_wait_gone "buckets in account" 1
tui_type "cx-pick-alpha"
tui_keys Enter
check "denied: a typed existing bucket still goes on" tui_wait "Page 5 of 12: Bucket policy" 20
tui_keys F10
tui_confirm_quit
check "denied: exits" tui_wait "[exit" 10
finish

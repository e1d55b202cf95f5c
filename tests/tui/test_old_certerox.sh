#!/bin/sh
# A CerteroX whose OptScale predates CUR 2.0 (the sim as the 2024-07 release, issue 13 B2): the
# key probe during discovery learns that it refuses cur_version; the export type page then
# pre-selects the legacy CUR export and says why, and the next page lists legacy reports.
# Back on the export type page, CUR 2.0: the export page marks a Data Export without
# TIME_GRANULARITY, which CerteroX's listing fails on (issue 13 B4).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
command -v aws >/dev/null 2>&1 || skip "no aws CLI"
tui_sim_start --certerox-version 2024-07
odd_ok=0
(
	set -e
	set -a
	. "$TUI_SIM/env"
	aws s3api create-bucket --bucket odd-bkt >/dev/null
	aws s3api put-bucket-policy --bucket odd-bkt --policy '{"Version": "2012-10-17", "Statement": [{
	  "Effect": "Allow", "Principal": {"Service": "bcm-data-exports.amazonaws.com"},
	  "Action": ["s3:PutObject", "s3:GetBucketPolicy"],
	  "Resource": ["arn:aws:s3:::odd-bkt", "arn:aws:s3:::odd-bkt/*"]}]}'
	aws bcm-data-exports create-export --export '{"Name": "odd-export", "DataQuery": {
	  "QueryStatement": "SELECT line_item_usage_account_id FROM COST_AND_USAGE_REPORT",
	  "TableConfigurations": {"COST_AND_USAGE_REPORT": {"INCLUDE_RESOURCES": "TRUE"}}},
	  "DestinationConfigurations": {"S3Destination": {"S3Bucket": "odd-bkt", "S3Prefix": "odd",
	  "S3Region": "us-east-1", "S3OutputConfigurations": {"OutputType": "CUSTOM",
	  "Format": "TEXT_OR_CSV", "Compression": "GZIP", "Overwrite": "OVERWRITE_REPORT"}}},
	  "RefreshCadence": {"Frequency": "SYNCHRONOUS"}}' >/dev/null
) >"$T_TMP/odd.log" 2>&1 && odd_ok=1
check "a Data Export without TIME_GRANULARITY made with the aws CLI" test "$odd_ok" = 1 ||
	cat "$T_TMP/odd.log" >&2
tui_home
ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch --vault-kdf interactive
check "discovery shows the identity" tui_wait "management (payer) account" 20
check "CerteroX signed in with the token" tui_wait "(0 AWS data sources)" 20
tui_keys Enter
check "page 2: connection type" tui_wait "Connection type" 10
tui_keys Enter
check "page 3: export type" tui_wait "Which kind of billing export" 10
check "the page says this CerteroX has no CUR 2.0" tui_wait "does not accept CUR 2.0" 5
check "the legacy CUR export is pre-selected" tui_wait "(*) Legacy CUR export" 5
tui_keys Enter
check "page 4 is about legacy reports" tui_wait "Legacy CUR reports found in account" 10
tui_keys Escape
check "back on the export type page" tui_wait "Which kind of billing export" 10
tui_keys Up Enter
check "page 4 lists the Data Exports" tui_wait "Data exports (CUR 2.0) found in account" 10
check "the export without TIME_GRANULARITY is marked" \
	tui_wait "odd-export  no TIME_GRANULARITY: CerteroX's listing fails on it (HTTP 500)" 5
check "the probe was one cloud_account_verify answered OE0212" \
	grep -q '"operation": "POST /restapi/v2/cloud_account_verify".*"error": "OE0212"' "$TUI_SIM/requests.jsonl"
finish

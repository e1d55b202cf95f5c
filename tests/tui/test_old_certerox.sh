#!/bin/sh
# A CerteroX whose OptScale predates CUR 2.0 (the sim as the 2024-07 release, issue 13 B2): the
# key probe during discovery learns that it refuses cur_version; the export type page then
# pre-selects the legacy CUR export and says why, and the next page lists legacy reports.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
tui_sim_start --certerox-version 2024-07
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
check "the probe was one cloud_account_verify answered OE0212" \
	grep -q '"operation": "POST /restapi/v2/cloud_account_verify".*"error": "OE0212"' "$TUI_SIM/requests.jsonl"
finish

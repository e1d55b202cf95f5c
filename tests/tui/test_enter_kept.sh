#!/bin/sh
# An Enter pressed while the Welcome page still reads the account is kept: the simulated cloud
# stalls discovery's iam ListPolicies for 4 s; Enter during the read says the wizard goes on when it
# is read, and page 2 appears once the read ends, with no other key. Another key after Enter
# (the choice may change) drops the kept Enter. Then the same on other pages that load: the
# rotate flow's data source page, and a data source still being checked on the Check page.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/tui/lib.sh"
tui_require
cat >"$T_TMP/faults.json" <<'EOF2'
[{"service": "iam", "operation": "ListPolicies", "nth": 1, "count": 2,
  "fault": "stall:4000"}]
EOF2
tui_sim_start --faults "$T_TMP/faults.json"
tui_home
ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"

# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch
check "page 1" tui_wait "Page 1 of 12: Welcome" 20
check "the account is being read" tui_wait "Reading the account" 10
tui_keys Enter
check "Enter while reading: kept" tui_wait "the wizard goes on when it is read" 3
check "... still reading then (the Enter came during the load)" tui_wait "Reading the account" 1
check "still on page 1 while reading" tui_wait "Page 1 of 12: Welcome" 1
check "page 2 once the account is read, with no other key" \
	tui_wait "Page 2 of 12: Connection type" 20
tui_keys F10
tui_confirm_quit
check "wizard exits" tui_wait "[exit" 10

# Enter, then Down: the kept Enter is dropped (the choice under the cursor changed)
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch
check "page 1 (second run)" tui_wait "Page 1 of 12: Welcome" 20
check "the account is being read (second run)" tui_wait "Reading the account" 10
tui_keys Enter
check "Enter kept (second run)" tui_wait "the wizard goes on when it is read" 3
tui_keys Down
check "the read ends" tui_wait_gone "Reading the account" 20
sleep 1
check "a key after Enter dropped it: still on page 1" tui_wait "Page 1 of 12: Welcome" 1
tui_keys F10
tui_confirm_quit
check "wizard exits (second run)" tui_wait "[exit" 10

# Another page: the rotate flow's data source page reads the account again for the rotate (the
# answers changed on page 1); iam ListPolicies of that read (the second of this sim) stalls
# 5 s. Enter while it reads is kept by the app and acted on when the page is ready: the review
# follows with no other key. (The data source is made with --batch first; the sim then
# restarts on the same state with the fault.)
sh "$top_srcdir/tests/sim/cloudsim" stop "$TUI_SIM" >/dev/null 2>&1 || true
tui_sim_start
PASS="kept-Horse-battery-staple-91"
printf '%s\n' "$PASS" >"$T_TMP/passfile"
chmod 600 "$T_TMP/passfile"
cat >"$T_TMP/connect.json" <<'EOF2'
{"export": {"type": "cur2", "setup": "wizard", "bucket": "cx-tui-kept", "create_bucket": true},
 "data_source": {"name": "Kept billing"}}
EOF2
tui_batch_connect "$T_TMP/connect.json"
check "the data source is made with --batch" grep -q '"status": "done"' "$T_TMP/batch.json"
sh "$top_srcdir/tests/sim/cloudsim" stop "$TUI_SIM" >/dev/null 2>&1 || true
cat >"$T_TMP/faults2.json" <<'EOF2'
[{"service": "iam", "operation": "ListPolicies", "nth": 2, "count": 1, "fault": "stall:5000"}]
EOF2
tui_sim_start --faults "$T_TMP/faults2.json"
ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch --vault-kdf interactive
check "rotate: page 1 sees the data source" tui_wait "(1 AWS data source)" 20
tui_keys Down Down Down Down Enter
check "rotate: CerteroX page" tui_wait "Page 2 of 7: CerteroX" 10
check "rotate: signed in" tui_wait "Signed in; organization" 10
tui_keys Enter
check "rotate: the data source page reads the account" tui_wait "Reading the account" 10
check "... on page 3" tui_wait "Page 3 of 7: Data source" 1
tui_keys Enter
check "rotate: Enter while reading: kept" tui_wait "the wizard goes on when it is read" 3
check "... still reading then" tui_wait "Reading the account" 1
check "rotate: the review once the data sources are read, with no other key" \
	tui_wait "Page 4 of 7: Review the plan" 30
check "rotate: the review is the chosen data source's plan" \
	tui_wait "create  iam CreateAccessKey certerox-billing" 20
tui_keys F10
tui_confirm_quit
check "wizard exits (rotate)" tui_wait "[exit" 10

# The Check page: Enter on a data source still being checked (its bcm-data-exports
# ListExecutions stalls 5 s) is kept; its details open once its checks end, with no other key.
sh "$top_srcdir/tests/sim/cloudsim" stop "$TUI_SIM" >/dev/null 2>&1 || true
cat >"$T_TMP/faults3.json" <<'EOF2'
[{"service": "bcm-data-exports", "operation": "ListExecutions", "nth": 1, "count": 1,
  "fault": "stall:5000"}]
EOF2
tui_sim_start --faults "$T_TMP/faults3.json"
ENVS="$TUI_HOME_ENV $TUI_SIM_ENV"
# shellcheck disable=SC2086
tui_start 80 24 $ENVS
tui_launch
check "check: page 1 sees the data source" tui_wait "(1 AWS data source)" 20
tui_keys Down Down Down Enter
check "check: the data source is being checked" tui_wait "Checking 1 AWS data source" 10
tui_keys Enter
check "check: Enter while it is checked: kept" \
	tui_status_has "Still checking Kept billing; its details open when it is checked." 3
check "... still checking then" tui_wait "Checking 1 AWS data source" 1
check "check: its details open once it is checked, with no other key" \
	tui_wait "Enter or Esc close" 20
check "check: the checks had ended" tui_wait_gone "Checking 1 AWS data source" 1
tui_keys Escape
tui_keys F10
tui_confirm_quit
check "wizard exits (check)" tui_wait "[exit" 10
finish

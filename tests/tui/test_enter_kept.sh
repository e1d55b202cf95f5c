#!/bin/sh
# An Enter pressed while the Welcome page still reads the account is kept: the simulated cloud
# stalls discovery's iam ListPolicies for 4 s; Enter during the read says the wizard goes on when it
# is read, and page 2 appears once the read ends, with no other key. Another key after Enter
# (the choice may change) drops the kept Enter.
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
tui_wait "[exit" 10 >/dev/null 2>&1 || tui_keys y
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
tui_wait "[exit" 10 >/dev/null 2>&1 || tui_keys y
check "wizard exits (second run)" tui_wait "[exit" 10
finish

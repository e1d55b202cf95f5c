#!/bin/sh
# The --format awscli plans (goldens of tests/unit/test_core_plan) are valid bash, start
# with set -euo pipefail and never print a secret access key.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v bash >/dev/null 2>&1 || skip "no bash"
n=0
for f in "$top_srcdir"/tests/unit/golden/plan-*.awscli.golden; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	name=$(basename "$f" .awscli.golden)
	check "$name passes bash -n" bash -n "$f"
	check "$name sets -euo pipefail" grep -q '^set -euo pipefail$' "$f"
	check "$name keeps the secret out of stdout" sh -c "! grep -q 'SecretAccessKey' '$f' || grep -q 'create-access-key .*>\"\$CX_KEY_FILE\"' '$f'"
done
check "found the awscli goldens" test "$n" -ge 10
finish

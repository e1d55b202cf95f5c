#!/bin/sh
# run.sh SECONDS TARGET...: runs each libFuzzer target for SECONDS over a scratch copy of
# its seed corpus (tests/fuzz/corpus/NAME). Any crash, leak or timeout fails the run.
set -eu
secs=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
fail=0; n=0
for t in "$@"; do
	name=$(basename "$t" | sed 's/^fuzz_//')
	work=$(mktemp -d)
	[ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$work/" 2>/dev/null || true
	n=$((n + 1))
	if "./$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
		-artifact_prefix="$work/crash-" "$work" >"$work.log" 2>&1; then
		echo "PASS: fuzz $name ($secs s)"
	else
		echo "FAIL: fuzz $name"; tail -40 "$work.log"; fail=$((fail + 1))
	fi
	rm -rf "$work" "$work.log"
done
echo "fuzz: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]

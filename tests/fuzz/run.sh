#!/bin/sh
# run.sh SECONDS TARGET...: runs each libFuzzer target for SECONDS over a scratch copy of
# its seed corpus (tests/fuzz/corpus/NAME). Any crash, leak or timeout fails the run.
# FUZZ_JOBS targets (default 2, one per core of CI's machine) run at the same time; each
# target's verdict and, on failure, its log's end are printed in the targets' order.
set -eu
secs=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
jobs=${FUZZ_JOBS:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# one TARGET INDEX: runs TARGET; leaves INDEX.ok or INDEX.fail (with the log's end) in $out
one() {
	name=$(basename "$1" | sed 's/^fuzz_//')
	work=$(mktemp -d)
	[ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$work/" 2>/dev/null || true
	if "./$1" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
		-artifact_prefix="$work/crash-" "$work" >"$work.log" 2>&1; then
		echo "PASS: fuzz $name ($secs s)" >"$out/$2.ok"
	else
		{ echo "FAIL: fuzz $name"; tail -40 "$work.log"; } >"$out/$2.fail"
	fi
	rm -rf "$work" "$work.log"
}

n=0
running=0
for t in "$@"; do
	n=$((n + 1))
	one "$t" "$n" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

fail=0
i=1
while [ "$i" -le "$n" ]; do
	if [ -f "$out/$i.ok" ]; then
		cat "$out/$i.ok"
	else
		fail=$((fail + 1))
		cat "$out/$i.fail" 2>/dev/null || echo "FAIL: fuzz target $i left no verdict"
	fi
	i=$((i + 1))
done
echo "fuzz: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]

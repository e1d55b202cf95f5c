# tests/lib.sh - shared helpers for shell tests. Source it; it sets -eu.
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${CX_BIN:=$top_builddir/src/certerox-aws-setup}"
export top_srcdir top_builddir CX_BIN
T_PASS=0
T_FAIL=0
skip() { echo "SKIP: $*"; exit 77; }
ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }
# check DESC CMD...: runs CMD, records ok/not ok.
check() { local d="$1"; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# expect_rc N DESC CMD...: CMD must exit with status N.
expect_rc() {
	local want="$1" d="$2"; shift 2
	local rc=0; "$@" || rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$d"; else not_ok "$d (exit $rc, want $want)"; fi
}
# A scratch directory under the build tree, removed on exit.
scratch() {
	T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cxtest.XXXXXX")
	trap 'rm -rf "$T_TMP"' EXIT
}
finish() {
	echo "# $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
# The python3 that can import moto (the pyenv one on this image), or skip.
find_python() {
	local d p
	for d in $(echo "$PATH" | tr ':' ' ') /usr/bin; do
		p="$d/python3"
		if [ -x "$p" ] && "$p" -c 'import moto, boto3' 2>/dev/null; then PYTHON=$p; export PYTHON; return 0; fi
	done
	skip "no python3 with moto and boto3 (pip install 'moto[server]' boto3 awscli)"
}

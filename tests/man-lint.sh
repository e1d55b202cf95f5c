#!/bin/sh
# The man page renders and mandoc -Tlint -W warning finds nothing.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
MANDOC=${MANDOC:-$(command -v mandoc || true)}
[ -n "$MANDOC" ] || skip "mandoc not installed (apt-get install mandoc)"
scratch
page="$top_srcdir/man/certerox-aws-setup.1"
out=$("$MANDOC" -Tlint -W warning "$page" 2>&1 || true)
check "mandoc -Tlint -W warning is clean" test -z "$out"
[ -z "$out" ] || echo "$out"
"$MANDOC" -Tascii "$page" 2>/dev/null | sed 's/.\x08//g' >"$T_TMP/man.txt"
for sect in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	check "renders section $sect" grep -q "^$sect" "$T_TMP/man.txt"
done
# every long option of --help is documented in the man page
for opt in $("$CX_BIN" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	check "man page documents $opt" grep -q -- "$opt" "$T_TMP/man.txt"
done
finish

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
# where the terminal takes F10: the keys the key bar shows (as the TUI draws it, src/tui/app.c)
bar=$(sed -n 's/.*app_keys\[\] = "\([^"]*\)".*/\1/p' "$top_srcdir/src/tui/app.c" | sed 's/  */ /g;s/ $//')
check "the TUI's key bar is found in src/tui/app.c" test -n "$bar"
check "man page quotes the key bar ($bar)" grep -qF -- "\"$bar\"" "$T_TMP/man.txt"
check "man page says what to use where the terminal takes F10" \
	grep -q "Where the terminal takes F10" "$T_TMP/man.txt"
# every long option of --help is documented in the man page
for opt in $("$CX_BIN" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	check "man page documents $opt" grep -q -- "$opt" "$T_TMP/man.txt"
done
finish

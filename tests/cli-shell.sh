#!/bin/sh
# The program shell: --help, --version, usage errors, "not implemented yet" statuses.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
scratch
expect_rc 0 "--help exits 0" "$CX_BIN" --help
"$CX_BIN" --help >"$T_TMP/help"
for opt in answers batch dry-run format list profile region endpoint-url ca-bundle \
	certerox-url certerox-token-file certerox-org vault passphrase-file vault-kdf log \
	no-color ascii yes help version; do
	check "--help lists --$opt" grep -q -- "--$opt" "$T_TMP/help"
done
for group in Mode: AWS: CerteroX: Vault: Display:; do
	check "--help has group $group" grep -q "^$group" "$T_TMP/help"
done
check "--help fits 80 columns" sh -c "! awk 'length > 80' '$T_TMP/help' | grep -q ."
"$CX_BIN" --version >"$T_TMP/version"
check "--version names the program" grep -q '^certerox-aws-setup [0-9]' "$T_TMP/version"
for lib in libcurl OpenSSL cJSON libsodium libxml2 ncurses; do
	check "--version shows $lib" grep -q "$lib" "$T_TMP/version"
done
check "--version names the data directory" grep -q '^data directory /' "$T_TMP/version"
d=$(env -u CERTEROX_DATADIR "$CX_BIN" --version | sed -n 's/^data directory //p')
check "the build-tree binary finds the source tree's data ($d)" test -f "$d/policies/readonly.json"
d=$(CERTEROX_DATADIR=/opt/elsewhere "$CX_BIN" --version | sed -n 's/^data directory //p')
check "CERTEROX_DATADIR overrides the data directory" test "$d" = /opt/elsewhere
expect_rc 64 "unknown option is a usage error" "$CX_BIN" --bogus
expect_rc 64 "missing argument is a usage error" "$CX_BIN" --answers
expect_rc 64 "--batch without --answers" "$CX_BIN" --batch
expect_rc 64 "bad --format" "$CX_BIN" --list --format xml
expect_rc 64 "bad --vault-kdf" "$CX_BIN" --vault-kdf fast --list
expect_rc 64 "stray argument" "$CX_BIN" extra
"$CX_BIN" --bogus 2>"$T_TMP/err" || true
check "usage error names the option" grep -q "unrecognized option '--bogus'" "$T_TMP/err"

# The command answers --version alone and executes the wizard proper for anything else.
main_bin="$(dirname "$CX_BIN")/certerox-aws-setup-main"
check "the wizard proper is built next to the command" test -x "$main_bin"
check "--version is answered without the wizard's libraries (no libcurl loaded)" \
	sh -c "! ldd '$CX_BIN' | grep -q libcurl"
check "--version says the library versions are those it was built with" grep -q '^built with:$' "$T_TMP/version"
"$main_bin" --version >"$T_TMP/version-main"
check "the wizard's own --version (runtime libraries) names the same data directory" \
	test "$(sed -n 's/^data directory //p' "$T_TMP/version")" = "$(sed -n 's/^data directory //p' "$T_TMP/version-main")"
"$CX_BIN" --list --format 'x m l' 2>"$T_TMP/err-args" || true
check "the command line reaches the wizard whole (an argument with spaces named back)" \
	grep -q "x m l" "$T_TMP/err-args"
mkdir -p "$T_TMP/lonely"
cp "$CX_BIN" "$T_TMP/lonely/certerox-aws-setup"
rc=0
"$T_TMP/lonely/certerox-aws-setup" --help >/dev/null 2>"$T_TMP/err-lonely" || rc=$?
if [ $rc -eq 0 ]; then
	echo "# an installed wizard in \$(pkglibexecdir) answered for the lonely copy: not checked"
else
	check "without the wizard proper next to it or installed: exit 70 ($rc)" test $rc -eq 70
	check "... saying what it looked for" grep -q "cannot find certerox-aws-setup-main" "$T_TMP/err-lonely"
fi
mkdir -p "$T_TMP/inst/bin" "$T_TMP/inst/libexec/certerox-aws-setup"
cp "$CX_BIN" "$T_TMP/inst/bin/certerox-aws-setup"
ln -s "$main_bin" "$T_TMP/inst/libexec/certerox-aws-setup/certerox-aws-setup-main"
expect_rc 0 "an installed tree (bin/ and libexec/certerox-aws-setup/) runs the wizard" \
	"$T_TMP/inst/bin/certerox-aws-setup" --help
finish

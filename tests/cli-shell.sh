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
finish

#!/bin/sh
# make demo: demo.sh BINARY [ARGS...]
# Starts the simulated cloud in a temporary directory, runs BINARY against it with a
# throwaway vault and state (XDG_* in the temporary directory) and --certerox-url, and
# stops the sim on exit, Ctrl-C included.  CLOUDSIM_OPTS adds cloudsim start options
# (e.g. CLOUDSIM_OPTS='--latency-ms 80'); DEMO_KEEP=1 keeps the directory for a look.
set -u
if [ $# -lt 1 ]; then
	echo "usage: $0 BINARY [ARGS...]" >&2
	exit 64
fi
bin=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cx-demo.XXXXXX") || exit 1
cleanup() {
	trap - EXIT INT TERM HUP
	sh "$here/cloudsim" stop "$tmp/sim" >/dev/null 2>&1
	if [ "${DEMO_KEEP:-0}" = 1 ]; then
		echo "demo: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM HUP

# shellcheck disable=SC2086
sh "$here/cloudsim" start "$tmp/sim" ${CLOUDSIM_OPTS:-} >&2 || exit 1
# shellcheck disable=SC1091
. "$tmp/sim/env"
XDG_DATA_HOME="$tmp/data"
XDG_STATE_HOME="$tmp/state"
XDG_CONFIG_HOME="$tmp/config"
XDG_CACHE_HOME="$tmp/cache"
export XDG_DATA_HOME XDG_STATE_HOME XDG_CONFIG_HOME XDG_CACHE_HOME
mkdir -p "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
umask 077
printf '%s\n' "$CERTEROX_TOKEN" >"$tmp/certerox-token"
cat >&2 <<MSG
demo: AWS      $AWS_ENDPOINT_URL (management 123456789012 as the administrator in AWS_*;
demo:          member $MEMBER_AWS_ACCOUNT_ID, standalone $STANDALONE_AWS_ACCOUNT_ID)
demo: CerteroX $CERTEROX_URL  organization $CERTEROX_ORGANIZATION_ID
demo:          token file $tmp/certerox-token  (login $CERTEROX_EMAIL)
demo: deliver billing files: $here/cloudsim deliver $tmp/sim
demo: requests: $tmp/sim/requests.jsonl
MSG
"$bin" --certerox-url "$CERTEROX_URL" "$@"
rc=$?
if [ "$rc" -eq 70 ]; then
	echo "demo: $bin exited 70 (internal error / not implemented yet)" >&2
fi
exit "$rc"

# _py.sh - sourced by the bench/ scripts: BENCH_PY = a python3 that has moto and boto3
# (the simulated cloud's; tests/sim/findpython.sh), else exit 77 saying why.
bench_here=$(cd "$(dirname "$0")" && pwd)
. "$bench_here/../tests/sim/findpython.sh"
if ! cloudsim_find_python; then
	echo "bench: no python3 on PATH can import moto and boto3: pip install 'moto[server]' boto3 awscli" >&2
	exit 77
fi
BENCH_PY=$CLOUDSIM_PYTHON
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE

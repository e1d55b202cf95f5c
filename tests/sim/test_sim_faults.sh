#!/bin/sh
# Faults, latency and key delay of the simulated cloud (see check_faults.py).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/findpython.sh"
cloudsim_find_python || { echo "SKIP: no python3 with moto and boto3 (pip install 'moto[server]' boto3 awscli)"; exit 77; }
command -v aws >/dev/null 2>&1 || { echo "SKIP: awscli not found (pip install awscli)"; exit 77; }
command -v openssl >/dev/null 2>&1 || { echo "SKIP: openssl not found"; exit 77; }
PYTHONDONTWRITEBYTECODE=1; export PYTHONDONTWRITEBYTECODE
exec "$CLOUDSIM_PYTHON" "$here/check_faults.py"

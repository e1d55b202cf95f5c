#!/bin/sh
# The CerteroX side of the simulated cloud (see check_certerox.py).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/findpython.sh"
cloudsim_find_python || { echo "SKIP: no python3 with moto and boto3 (pip install 'moto[server]' boto3 awscli)"; exit 77; }
command -v openssl >/dev/null 2>&1 || { echo "SKIP: openssl not found"; exit 77; }
command -v curl >/dev/null 2>&1 || { echo "SKIP: curl not found"; exit 77; }
PYTHONDONTWRITEBYTECODE=1; export PYTHONDONTWRITEBYTECODE
exec "$CLOUDSIM_PYTHON" "$here/check_certerox.py"

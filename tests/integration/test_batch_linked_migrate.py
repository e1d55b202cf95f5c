#!/usr/bin/env python3
"""End to end, --batch against the simulated cloud: linked, migrate (see batchflows.py)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import batchflows  # noqa: E402

sys.exit(batchflows.main(['linked', 'migrate']))

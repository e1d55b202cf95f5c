#!/usr/bin/env python3
"""Reliability (issue 8): every write step of the cur2/legacy/migrate plans with a `reset` (the
operation takes effect, the client sees no answer) -> exit 0, the end state of a clean run."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rellib  # noqa: E402

rellib.fault_matrix(["reset"])
sys.exit(rellib.summary("fault matrix: reset"))

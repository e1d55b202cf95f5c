#!/usr/bin/env python3
"""Reliability (issue 8): SIGKILL of the wizard at points spread over the apply of the cur2 flow
(this file: KILL_POINTS range(0, 10) of rellib.py; the sim's stall holds a request in flight, the kill
comes when the wizard's progress line shows the step started or done) -> the vault always opens,
a re-run completes (a key the vault lacks is named by the re-run, then --yes deletes it), exactly
one key exists and it is in the vault, and the end state is that of a clean run."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rellib  # noqa: E402

rellib.kill_matrix(list(range(0, 10)))
sys.exit(rellib.summary("kill"))

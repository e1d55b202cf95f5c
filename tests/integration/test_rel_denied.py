#!/usr/bin/env python3
"""Reliability (issue 8): a permanent `access_denied` at each write step of the cur2, legacy
(PutReportDefinition) and migrate plans -> exit 77, a message naming the step, the AWS action and
the fix; the bucket policy is the old one or the merged one; after the fault is removed (the sim
restarted without it, its state kept), a re-run completes with the end state of a clean run (no
duplicates). See rellib.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rellib  # noqa: E402

rellib.denied_matrix()
sys.exit(rellib.summary("access_denied"))

#!/usr/bin/env python3
"""Reliability (issue 8), fault matrix: every write step of the cur2, legacy (PutReportDefinition)
and migrate plans with throttled twice (no effect; retried with backoff) -> exit 0 through retries, exactly one access key (in the vault), and
the AWS and CerteroX end state of a clean run. See rellib.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rellib  # noqa: E402

rellib.fault_matrix(["throttle"])
sys.exit(rellib.summary("fault matrix: throttle"))

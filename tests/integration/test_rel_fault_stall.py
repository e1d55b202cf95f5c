#!/usr/bin/env python3
"""Reliability (issue 8), fault matrix: every write step of the cur2, legacy (PutReportDefinition)
and migrate plans with one `stall` beyond the request timeout (the operation takes effect, the answer comes too late) -> exit 0 through retries, exactly one access key (in the vault), and
the AWS and CerteroX end state of a clean run. See rellib.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rellib  # noqa: E402

rellib.fault_matrix(["stall"])
sys.exit(rellib.summary("fault matrix: stall"))

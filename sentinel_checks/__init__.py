"""Gradient Sentinel: a pre-promotion gate for binary risk classifiers.

The library (`sentinel_checks`) holds pure checks, loaders, split builders,
hypothesis strategies and report writers; the gate's pytest suites call them.
"""

from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status

__version__ = "0.1.0"

__all__ = ["CheckResult", "Direction", "Evidence", "Reason", "Status", "__version__"]

"""Pure check functions: data and keyword-only limits in, a frozen CheckResult out.

No pytest, no I/O, no global state. The suites, the CLI and the library's own tests
all call these.
"""

from sentinel_checks.checks.contract import check_labels, check_schema
from sentinel_checks.checks.leakage import check_target_leakage
from sentinel_checks.checks.ordering import check_time_order
from sentinel_checks.checks.overlap import check_entity_overlap, check_row_overlap
from sentinel_checks.checks.purge import check_purge
from sentinel_checks.checks.scores import check_scores

__all__ = [
    "check_entity_overlap",
    "check_labels",
    "check_purge",
    "check_row_overlap",
    "check_schema",
    "check_scores",
    "check_target_leakage",
    "check_time_order",
]

"""Kept for the public path ``sentinel_checks.splits``: the split builders live in
:mod:`sentinel_checks.data.splits`."""

from sentinel_checks.data.splits import (
    SPLIT_NAMES,
    SPLIT_PAIRS,
    Splits,
    assign_time_splits,
    build_splits,
    group_time_split,
    purge_entity_overlap,
)

__all__ = [
    "SPLIT_NAMES",
    "SPLIT_PAIRS",
    "Splits",
    "assign_time_splits",
    "build_splits",
    "group_time_split",
    "purge_entity_overlap",
]

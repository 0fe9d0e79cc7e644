"""Which Evidently drift method each column gets, and the columns set aside before Evidently.

Part of the Evidently adapter (:mod:`sentinel_checks.adapters.evidently_drift`):

- a column holding one and the same value on both sides has no drift to measure (a
  chi-square or G-test of it is undefined): it is set aside as *constant*, no drift;
- ``[drift] method`` is applied to the columns whose type it fits (Evidently's
  ``allowed_feature_types``: ``chisquare`` takes categories only, ``wasserstein`` and
  ``ks`` numbers only); every other column gets Evidently's automatic choice for its
  type, and the plan says so. The column types are known only once the data are read,
  so this cannot be refused at config load;
- a ``[drift] per_column_method`` that does not fit its column is the user's explicit
  choice for that column: the column is set aside with an error naming it.

``[drift] threshold`` belongs to the configured method: a column that falls back to the
automatic choice keeps that method's own threshold (a p-value threshold is no distance).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

KIND_NAMES = {"num": "numeric", "cat": "categorical"}


@dataclass(frozen=True)
class MethodPlan:
    """Evidently's per-column methods and thresholds, and the columns set aside."""

    methods: dict[str, str] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    #: column -> why its method is not the configured one (evidence, not a caution)
    fallback: dict[str, str] = field(default_factory=dict)
    #: column -> the single value it holds on both sides
    constant: dict[str, str] = field(default_factory=dict)
    #: column -> why it cannot be measured (an error naming it)
    refused: dict[str, str] = field(default_factory=dict)

    def compared(self, columns: list[str]) -> list[str]:
        """The columns Evidently compares (those not set aside), in order."""
        return [c for c in columns if c not in self.constant and c not in self.refused]


def plan_methods(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    numerical: list[str],
    categorical: list[str],
    method: str | None = None,
    threshold: float | None = None,
    per_column_method: Mapping[str, str] | None = None,
    per_column_threshold: Mapping[str, float] | None = None,
) -> MethodPlan:
    """Decide each column's method and threshold (see the module docstring).

    Parameters
    ----------
    reference, current : pandas.DataFrame
        The prepared samples (:func:`~sentinel_checks.checks.drift_inputs.prepare_drift_inputs`).
    numerical, categorical : list of str
        The columns by kind.
    method, threshold : optional
        ``[drift] method`` and ``[drift] threshold``.
    per_column_method, per_column_threshold : Mapping, optional
        ``[drift] per_column_method`` and ``per_column_threshold``.

    Returns
    -------
    MethodPlan
        Methods and thresholds by column for Evidently's preset, and the columns set aside.
    """
    from sentinel_checks.adapters.evidently_columns import METHOD_KINDS

    per_method, per_threshold = dict(per_column_method or {}), dict(per_column_threshold or {})
    plan = MethodPlan()
    kinds = {c: "num" for c in numerical} | {c: "cat" for c in categorical}
    for column, kind in kinds.items():
        single = _single_value(reference[column], current[column])
        if single is not None:
            plan.constant[column] = single
            continue
        chosen = per_method.get(column, method)
        takes = METHOD_KINDS.get(chosen, frozenset()) if chosen is not None else frozenset({kind})
        if kind not in takes:
            fits = " or ".join(KIND_NAMES[k] for k in sorted(takes))
            if column in per_method:
                plan.refused[column] = (
                    f"[drift] per_column_method {chosen} does not apply to a {KIND_NAMES[kind]} column "
                    f"(it takes {fits} columns)"
                )
                continue
            plan.fallback[column] = (
                f"[drift] method {chosen} takes {fits} columns only: Evidently's default "
                f"for {KIND_NAMES[kind]} columns used"
            )
            chosen = None
        if chosen is not None:
            plan.methods[column] = chosen
        if column in per_threshold:
            plan.thresholds[column] = per_threshold[column]
        elif threshold is not None and column not in plan.fallback:
            plan.thresholds[column] = threshold
    return plan


def _single_value(reference: pd.Series, current: pd.Series) -> str | None:
    """The value, as text, when both sides hold that one value only (nulls aside); else None."""
    a, b = reference.dropna(), current.dropna()
    if a.empty or b.empty or a.nunique() != 1 or b.nunique() != 1:
        return None
    x, y = a.iloc[0], b.iloc[0]
    if x != y and not (isinstance(x, float) and isinstance(y, float) and math.isclose(x, y)):
        return None
    return str(x)

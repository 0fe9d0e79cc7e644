"""``splits.target_leakage`` on an engine session: every reading from engine counts
(:mod:`~sentinel_checks.engine.encoding_statistics`), the train split never read into
pandas."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sentinel_checks.config.section import LabelValue
from sentinel_checks.engine.ibis_connection import whole_count
from sentinel_checks.gate import policy

if TYPE_CHECKING:
    from ibis.expr.types import Table

    from sentinel_checks.gate.session import GateSession
    from sentinel_checks.result import CheckResult


def engine_target_leakage(session: GateSession) -> CheckResult | None:
    """The check from engine counts on ``session``'s train table; ``None`` with
    ``[data] engine = "pandas"`` (the caller then runs the pandas check).

    The labels of every split are checked first, as the pandas split labels are (a null
    or foreign label is the same DataError); the features pandas widens (integers and
    booleans with a null) are found on the whole dataset where it lies, else on the splits.

    Raises
    ------
    DataError
        A split's label is missing, null or neither class.
    """
    from sentinel_checks.engine import encoding_statistics as engine

    train = session.engine_table("train")
    if train is None:
        return None
    cols, tables = session.config.columns, session.engine_tables
    assert tables is not None
    checked_labels(tables, label=cols.label, positive=cols.positive, negative=cols.negative)
    whole = session.engine_source
    nulls = nullable_columns([whole] if whole is not None else list(tables.values()), session.features)
    return engine.check_target_leakage_in_engine(
        train,
        features=session.features,
        label=cols.label,
        positive=cols.positive,
        nulls_in_dataset=nulls,
        **policy.target_leakage(session.config),
    )


def nullable_columns(tables: Sequence[Table], columns: Sequence[str]) -> set[str]:
    """The integer and boolean ``columns`` holding a null in any of ``tables`` (one
    aggregate a table): pandas reads those as float64 and objects."""
    out: set[str] = set()
    for table in tables:
        kinds = {c: table[c].type() for c in columns if c in table.columns}
        asked = [c for c, k in kinds.items() if k.is_integer() or k.is_boolean()]
        if not asked:
            continue
        row = table.aggregate(**{f"n{i}": table[c].isnull().cast("int64").sum() for i, c in enumerate(asked)})
        got = row.to_pandas().iloc[0]
        out |= {c for i, c in enumerate(asked) if whole_count(got[f"n{i}"])}
    return out


def checked_labels(
    tables: dict[str, Table], *, label: str, positive: LabelValue, negative: LabelValue
) -> None:
    """Raise as the pandas split labels do (``binary_target`` of each split) when a split's
    label holds a null or a value other than ``positive``/``negative``
    (:func:`~sentinel_checks.engine.labels.label_counts`, one aggregate a split).

    Raises
    ------
    DataError
        Naming the split and the label column.
    """
    from sentinel_checks.engine.labels import label_counts
    from sentinel_checks.errors import DataError

    for name, table in tables.items():
        if label not in table.columns:
            raise DataError(f"{name} split: label column {label!r} is missing")
        label_counts(
            table, label, positive=positive, negative=negative, where=f"{name} split", allow_unlabelled=False
        )

"""``splits.target_leakage``'s readings of every feature from engine aggregates.

The engine counterpart of :func:`~sentinel_checks.checks.leakage.check_target_leakage`'s
per-row work: each train row gets its cross-fitting fold by value (its rank within its
class, ordered by :data:`~sentinel_checks.engine.ibis_connection.ROW`, picks its digit of
the fold numbers :func:`~sentinel_checks.stats.target_encoding.class_folds` draws from
the class counts and the seed, uploaded packed as text:
:func:`~sentinel_checks.engine.class_rank.join_class_digits`); rows are then counted per (bin or category,
fold, class) and those counts, summarised by what the encoding depends on, feed the
same count-based encoding and AUC as the pandas path
(:mod:`~sentinel_checks.stats.target_encoding`). Quantile bin edges are numpy's
(:func:`~sentinel_checks.engine.calibration_statistics.reference_quantiles`, bit-equal);
the monotone reading is :func:`~sentinel_checks.engine.leakage_statistics.monotone_auc`
of the column as :func:`~sentinel_checks.stats.leakage.numeric_view` reads it.

Only aggregates leave the engine: per feature at most ``5 × distinct (bin or category
counts)`` summary rows, the bin edges' order statistics, and one value per class for a
feature constant within a class. Parity: ``tests/test_engine_target_leakage.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sentinel_checks.config.section import LabelValue
from sentinel_checks.engine.bins import binned
from sentinel_checks.engine.class_rank import RISKY as _RISKY
from sentinel_checks.engine.class_rank import join_class_digits
from sentinel_checks.engine.float_values import infinite
from sentinel_checks.engine.held_table import held
from sentinel_checks.engine.ibis_connection import ROW, whole_count, with_floats
from sentinel_checks.engine.labels import risky as label_risky
from sentinel_checks.stats.target_encoding import Cells, class_folds, cross_fitted_auc
from sentinel_checks.stats.univariate import BINS, FeatureAssociation, association

if TYPE_CHECKING:
    from ibis.expr.types import Table

_FOLD, _KEY = "__fold", "__key"

#: The unit pandas' int64 of a datetime64 column counts in, by the engine timestamp's scale.
_UNIT = {0: "second", 3: "millisecond", 6: "microsecond", 9: "nanosecond"}


@dataclass(frozen=True)
class LeakageReadings:
    """What ``splits.target_leakage`` judges: rows ``n``, risky rows ``n_pos``, per feature
    its readings, and the features constant within one class (where, as text)."""

    n: int
    n_pos: int
    readings: dict[str, FeatureAssociation]
    constant: dict[str, str]


def class_counts(table: Table, *, label: str, positive: LabelValue) -> tuple[int, int, bool]:
    """(rows, risky rows, whether the first row (:data:`ROW` 0) is risky) in one aggregate.

    Raises
    ------
    ValueError
        The table has rows but none at :data:`ROW` 0.
    """

    risky = label_risky(table, label, positive)
    row = table.aggregate(
        n=table.count(),
        pos=risky.cast("int64").sum(),
        first=risky.cast("int64").max(where=table[ROW] == 0),
    ).to_pandas()
    n, pos = whole_count(row["n"].iloc[0]), whole_count(row["pos"].iloc[0])
    if n and pd.isna(row["first"].iloc[0]):
        # the folds depend on the first row's class: never guess it
        raise ValueError(f"the table's {ROW} does not start at 0: its rows are not positions 0..n-1")
    return n, pos, bool(whole_count(row["first"].iloc[0]))


def with_folds(table: Table, *, label: str, positive: LabelValue, seed: int) -> Table:
    """``table`` with ``__sentinel_risky`` (bool) and ``__fold`` (int8, 0..4): scikit-learn's
    ``StratifiedKFold(5, shuffle=True, random_state=seed)`` test fold of each row.

    The fold numbers of each class (n digits in all) are drawn in numpy from the class
    counts and uploaded packed, a text of digits per block of ranks; each row's rank
    within its class in :data:`ROW` order picks its fold
    (:func:`~sentinel_checks.engine.class_rank.join_class_digits`). Both classes must
    hold rows.
    """
    n, n_pos, first_risky = class_counts(table, label=label, positive=positive)
    sizes = (n_pos, n - n_pos) if first_risky else (n - n_pos, n_pos)
    first, second = class_folds(*sizes, seed=seed)
    risky_folds, safe_folds = (first, second) if first_risky else (second, first)
    return join_class_digits(
        table, label=label, positive=positive, safe_digits=safe_folds, risky_digits=risky_folds, name=_FOLD
    )


def float_key(table: Table, column: str) -> tuple[Any, Any]:
    """(float64 view of a numeric, boolean or datetime column, its missing mask):
    :func:`~sentinel_checks.stats.leakage.numeric_view` before it fills missing values.
    Datetimes as their epoch integer in the unit of their type's scale (pandas' int64 of
    datetime64 of that unit; microseconds when unknown), then as float64."""
    import ibis

    value = table[column]
    kind = value.type()
    missing = value.isnull()
    if kind.is_boolean():
        key = value.cast("int8").cast("float64")
    elif kind.is_timestamp():
        unit = _UNIT.get(kind.scale if kind.scale is not None else 6, "microsecond")
        epoch = (
            ibis.timestamp("1970-01-01", timezone=kind.timezone)
            if kind.timezone
            else ibis.timestamp("1970-01-01")
        )
        key = value.delta(epoch, unit=unit).cast("float64")
    else:
        key = value.cast("float64")
        if kind.is_floating():
            missing = missing | value.isnan().fill_null(True) | infinite(value).fill_null(True)
    return ibis.ifelse(missing, ibis.null("float64"), key), missing


def is_numeric(kind: Any, *, nullable_in_pandas: bool) -> bool:
    """Whether pandas reads a column of this engine type as numbers
    (:func:`~sentinel_checks.stats.leakage.numeric_view` not None): numbers, datetimes and
    booleans, except a boolean column holding a null somewhere in the dataset (pandas holds
    it as Python objects, read as categories). Decimals are categories too (pandas holds
    Python ``Decimal`` objects)."""
    if kind.is_boolean():
        return not nullable_in_pandas
    if kind.is_decimal():
        return False
    return bool(kind.is_numeric() or kind.is_timestamp())


def feature_readings(
    folded: Table,
    features: Sequence[str],
    *,
    n: int,
    n_pos: int,
    nulls_in_dataset: set[str],
    flag_constant_per_class: bool,
    bins: int = BINS,
) -> LeakageReadings:
    """Every feature's readings and constancy from a table of :func:`with_folds`.

    Parameters
    ----------
    folded : ibis Table
        The train split with ``__sentinel_risky`` and ``__fold``.
    features : sequence of str
    n, n_pos : int
        Rows and risky rows (both classes with at least 5 rows).
    nulls_in_dataset : set of str
        Features with a null anywhere in the dataset (pandas widens an integer column
        with nulls to float64 and a boolean one to objects).
    flag_constant_per_class : bool
    bins : int, default 20
    """
    from sentinel_checks.engine.columns import missing

    risky = folded[_RISKY]
    metrics = {}
    for i, name in enumerate(features):
        miss = missing(folded, name)
        metrics[f"r{i}"] = (miss & risky).cast("int64").sum()
        metrics[f"s{i}"] = (miss & ~risky).cast("int64").sum()
    row = folded.aggregate(**metrics).to_pandas().iloc[0]
    readings: dict[str, FeatureAssociation] = {}
    constant: dict[str, str] = {}
    for i, name in enumerate(features):
        miss_risky, miss_safe = whole_count(row[f"r{i}"]), whole_count(row[f"s{i}"])
        numeric = is_numeric(folded[name].type(), nullable_in_pandas=name in nulls_in_dataset)
        if numeric:
            reading, where = _numeric(folded, name, bins=bins, flag=flag_constant_per_class)
            readings[name] = association(reading[0], reading[1], n_pos, n - n_pos, miss_risky, miss_safe)
        else:
            auc = cross_fitted_auc(_cells(folded, folded[name]))
            readings[name] = association(None, auc, n_pos, n - n_pos, miss_risky, miss_safe)
            where = _constant_categories(folded, name) if flag_constant_per_class else None
        if where is not None:
            constant[name] = _level_text(folded, name, where, float_text=name in nulls_in_dataset)
    return LeakageReadings(n, n_pos, readings, constant)


def _cells(folded: Table, code: Any) -> Cells:
    """Rows per (code, fold, class), summarised by what the encoding depends on: (fold,
    the cell's risky and safe rows, its category's) with how many cells share them."""
    import ibis

    rows = folded.select(code=code, fold=folded[_FOLD], risky=folded[_RISKY])
    cells = rows.group_by(["code", "fold"]).aggregate(
        pos=rows.risky.cast("int64").sum(), neg=(~rows.risky).cast("int64").sum()
    )
    per_code = ibis.window(group_by=cells.code)
    cells = cells.mutate(cat_pos=cells.pos.sum().over(per_code), cat_neg=cells.neg.sum().over(per_code))
    keys = ["fold", "pos", "neg", "cat_pos", "cat_neg"]
    got = cells.group_by(keys).aggregate(cells=cells.count()).to_pandas()
    column = {k: got[k].to_numpy(dtype=np.int64) for k in [*keys, "cells"]}
    return Cells(
        column["fold"], column["pos"], column["neg"], column["cat_pos"], column["cat_neg"], column["cells"]
    )


def _numeric(folded: Table, name: str, *, bins: int, flag: bool) -> tuple[tuple[float, float], str | None]:
    """((monotone AUC, binned AUC), the risky/safe class the feature is constant in or None)."""
    import ibis

    from sentinel_checks.engine.calibration_statistics import reference_quantiles
    from sentinel_checks.engine.leakage_statistics import monotone_auc

    key, _ = float_key(folded, name)
    keyed = folded.mutate(**{_KEY: key})
    risky = keyed[_RISKY]
    stats = (
        keyed.aggregate(
            finite=keyed[_KEY].count(),
            distinct=keyed[_KEY].nunique(),
            low=keyed[_KEY].min(),
            **{
                f"{side}_{what}": agg
                for side, mask in (("pos", risky), ("neg", ~risky))
                for what, agg in (
                    ("min", keyed[_KEY].min(where=mask)),
                    ("max", keyed[_KEY].max(where=mask)),
                    ("miss", (keyed[_KEY].isnull() & mask).cast("int64").sum()),
                )
            },
        )
        .to_pandas()
        .iloc[0]
    )
    finite = whole_count(stats["finite"])
    # numeric_view: missing one below the finite minimum (0.0 when none is finite)
    low = float(np.float64(stats["low"]) - 1.0) if finite else 0.0
    filled = with_floats(keyed, __low=low)
    filled = filled.mutate(**{_KEY: filled[_KEY].fill_null(filled["__low"])})
    monotone = monotone_auc(filled, _KEY, label=_RISKY, positive=True)
    if whole_count(stats["distinct"]) <= bins:
        code = keyed[_KEY]
    else:
        present = keyed.filter(keyed[_KEY].notnull()).select(score=keyed[_KEY])
        edges = np.unique(reference_quantiles(present, finite, np.linspace(0.0, 1.0, bins + 1)[1:-1]))
        edged, above = binned(keyed, _KEY, edges)
        keyed = edged.mutate(
            **{_KEY: ibis.ifelse(edged[_KEY].isnull(), ibis.null("float64"), above.cast("float64"))}
        )
        code = keyed[_KEY]
    binned_auc = cross_fitted_auc(_cells(keyed, code))
    where = None
    if flag:
        where = _constant_numeric(stats, low)
    return (monotone, binned_auc), where


def _constant_numeric(stats: pd.Series, low: float) -> str | None:
    """ "risky"/"safe" when the filled float view is constant in that class only."""

    def constant(side: str) -> bool:
        lo, hi, miss = stats[f"{side}_min"], stats[f"{side}_max"], whole_count(stats[f"{side}_miss"])
        if pd.isna(lo):
            return True  # every row missing: one level
        if float(lo) != float(hi):
            return False
        return miss == 0 or float(lo) == low

    return _which(constant("pos"), constant("neg"))


def _constant_categories(folded: Table, name: str) -> str | None:
    value, risky = folded[name], folded[_RISKY]
    got = (
        folded.aggregate(
            **{
                f"{side}_{what}": agg
                for side, mask in (("pos", risky), ("neg", ~risky))
                for what, agg in (
                    ("distinct", value.nunique(where=mask)),
                    ("null", (value.isnull() & mask).cast("int64").sum()),
                )
            }
        )
        .to_pandas()
        .iloc[0]
    )

    def constant(side: str) -> bool:
        levels = whole_count(got[f"{side}_distinct"]) + (1 if whole_count(got[f"{side}_null"]) else 0)
        return levels == 1

    return _which(constant("pos"), constant("neg"))


def _which(pos_constant: bool, neg_constant: bool) -> str | None:
    if pos_constant and not neg_constant:
        return "risky"
    if neg_constant and not pos_constant:
        return "safe"
    return None


def _level_text(folded: Table, name: str, where: str, *, float_text: bool) -> str:
    """``"always V when risky"``: V the value of the class's first row by :data:`ROW`, as
    pandas prints it (``missing`` for a null; an integer column with nulls as a float)."""
    mask = folded[_RISKY] if where == "risky" else ~folded[_RISKY]
    rows = folded.filter(mask)
    value = rows.order_by(rows[ROW]).select(name).limit(1).to_pandas()[name].iloc[0]
    if pd.isna(value):
        text = "missing"
    elif float_text and folded[name].type().is_integer():
        text = str(np.float64(value))
    else:
        text = str(value)
    return f"always {text} when {where}"


def check_target_leakage_in_engine(
    train: Table,
    *,
    features: list[str],
    label: str,
    positive: LabelValue,
    nulls_in_dataset: set[str],
    max_auc: float = 0.95,
    flag_constant_per_class: bool = True,
    seed: int = 0,
    time_column: str | None = None,
) -> Any:
    """:func:`~sentinel_checks.checks.leakage.check_target_leakage` on a table of the train
    split (with :data:`ROW`), from engine aggregates: the same CheckResult as the pandas
    path on the same rows (``tests/test_engine_target_leakage.py``).

    Parameters
    ----------
    train : ibis Table
        The train split; ``label`` already checked (no nulls, two values).
    features : list of str
    label : str
    positive : bool, int, float or str
    nulls_in_dataset : set of str
        From :func:`nullable_columns` over every split.
    max_auc, flag_constant_per_class, seed, time_column
        As ``check_target_leakage``.

    Returns
    -------
    CheckResult
    """
    from sentinel_checks.checks.leakage import leakage_result, undefined_leakage

    n, n_pos, _ = class_counts(train, label=label, positive=positive)
    early = undefined_leakage(n, n_pos, features)
    if early is not None:
        return early
    missing = [f for f in features if f not in train.columns]
    if missing:
        raise KeyError(f"feature column(s) {missing} are not in the train split")
    folded = with_folds(train, label=label, positive=positive, seed=seed)
    # Every feature reads the folds several times: the rank window and the join run once,
    # into a table the engine holds (and spills past its memory limit), dropped on exit.
    with held(folded.select(ROW, *features, _RISKY, _FOLD)) as cached:
        got = feature_readings(
            cached,
            features,
            n=n,
            n_pos=n_pos,
            nulls_in_dataset=nulls_in_dataset,
            flag_constant_per_class=flag_constant_per_class,
        )
    return leakage_result(
        got.readings, got.constant, n=n, n_pos=n_pos, max_auc=max_auc, time_column=time_column
    )

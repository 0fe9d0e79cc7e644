"""Evidently 0.7: per-column drift through the public ``Report`` / ``DataDriftPreset`` API.

Evidently picks a method per column from the sample size and type (Kolmogorov–
Smirnov or chi-square p-values on small samples; Wasserstein or Jensen–Shannon
distances on large ones) unless one is configured. Whether a larger score means
more drift (a distance) or less (a p-value) differs by method: this adapter records
the direction of every method explicitly and refuses one it does not know.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.adapters.evidently_columns import DISTANCE_TESTS as DISTANCE_TESTS
from sentinel_checks.adapters.evidently_columns import KNOWN_TESTS as KNOWN_TESTS
from sentinel_checks.adapters.evidently_columns import P_VALUE_TESTS as P_VALUE_TESTS
from sentinel_checks.adapters.evidently_columns import ColumnDrift as ColumnDrift
from sentinel_checks.adapters.evidently_columns import DriftRun as DriftRun
from sentinel_checks.adapters.evidently_columns import _direction_by_display_name, _import_quietly
from sentinel_checks.adapters.evidently_columns import validate_method as validate_method
from sentinel_checks.errors import ConfigError, DataError


def effect_size(reference: pd.Series, current: pd.Series, *, categorical: bool) -> tuple[str, float]:
    """Evidently's effect size for one column: normed Wasserstein (numbers) or Jensen–Shannon (categories).

    Parameters
    ----------
    reference, current : pandas.Series
        The column in the two samples; nulls are dropped (numbers) or are a level
        already (categories, see :func:`~sentinel_checks.checks.drift_inputs.prepare_drift_inputs`).
    categorical : bool
        Whether the column is categorical.

    Returns
    -------
    tuple of (str, float)
        ``("wasserstein", W / std(reference))`` or ``("jensenshannon", distance)`` (natural
        log, in [0, sqrt(ln 2)]); NaN when a side has no value.
    """
    _import_quietly()
    from evidently.legacy.calculations.stattests import registry
    from evidently.legacy.core import ColumnType

    kind = ColumnType.Categorical if categorical else ColumnType.Numerical
    name = "jensenshannon" if categorical else "wasserstein"
    a, b = reference.dropna(), current.dropna()
    if a.empty or b.empty:
        return name, math.nan
    test = registry.get_stattest(a, b, kind, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return name, float(test(a, b, kind, 0.1).drift_score)


def column_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    numerical: list[str],
    categorical: list[str],
    method: str | None = None,
    threshold: float | None = None,
    per_column_method: Mapping[str, str] | None = None,
    per_column_threshold: Mapping[str, float] | None = None,
    timestamp: Any = None,
    noise_alpha: float = 0.001,
    noise_draws: int = 200,
    seed: int = 0,
) -> DriftRun:
    """Evidently's drift of each given column between two frames (``ValueDrift``, as ``DataDriftPreset``).

    Before Evidently: a column holding one and the same value on both sides is set aside
    as constant (no drift); a configured method is applied to the columns whose type it
    fits, others get Evidently's default (:mod:`~sentinel_checks.adapters.evidently_methods`).
    After it: a distance at or over its threshold is compared with its noise at these
    sample sizes (:mod:`sentinel_checks.stats.distance_noise`); it counts as drift only
    beyond that.

    Parameters
    ----------
    reference, current : DataFrame
        The two samples; each holds every column of ``numerical`` and ``categorical``.
    numerical, categorical : list of str
        The columns by kind, as Evidently's data definition.
    method : str, optional
        The stattest for every column it fits (``[drift] method``); Evidently chooses by
        size and type when ``None``.
    threshold : float, optional
        The drift threshold of ``method`` (``[drift] threshold``).
    per_column_method, per_column_threshold : mapping, optional
        Overrides by column (``[drift] per_column_method`` / ``per_column_threshold``).
    timestamp : datetime, optional
        The snapshot's time, e.g. a monitored batch's end.
    noise_alpha : float, default 0.001
        One-sided error of the noise test of a distance (per column).
    noise_draws : int, default 200
        Random splits drawn for a distance's noise.
    seed : int, default 0
        Seed of the splits, and of numpy's global generator while Evidently runs (its
        ``empirical_mmd`` permutes with it).

    Returns
    -------
    DriftRun
        One :class:`ColumnDrift` per column, in the order numerical then categorical: a
        constant column scores 0; a column Evidently could not measure (its exception,
        or a per-column method that does not fit it) scores NaN with :attr:`ColumnDrift.error`.

    Raises
    ------
    ConfigError
        Evidently used a drift method whose direction the gate does not know.
    """
    from sentinel_checks.adapters.evidently_methods import plan_methods

    columns = [*numerical, *categorical]
    plan = plan_methods(
        reference,
        current,
        numerical=numerical,
        categorical=categorical,
        method=method,
        threshold=threshold,
        per_column_method=per_column_method,
        per_column_threshold=per_column_threshold,
    )
    compared = plan.compared(columns)
    found: dict[str, ColumnDrift] = {}
    snapshot = None
    if compared:
        try:
            snapshot = _run(
                reference, current, compared, categorical, plan.methods, plan.thresholds, timestamp, seed
            )
        except Exception:  # find the column(s) Evidently fails on, and measure the others
            snapshots = []
            for column in compared:
                try:
                    snapshots.append(
                        _run(
                            reference,
                            current,
                            [column],
                            categorical,
                            plan.methods,
                            plan.thresholds,
                            timestamp,
                            seed,
                        )
                    )
                except Exception as exc:
                    found[column] = ColumnDrift(
                        column, "none", math.nan, math.nan, "distance", error=f"Evidently failed: {exc}"
                    )
            snapshot = snapshots[0] if snapshots else None
            for one in snapshots:
                found.update({c.column: c for c in _read(one, reference, current, categorical)})
        else:
            found.update({c.column: c for c in _read(snapshot, reference, current, categorical)})
    for column, value in plan.constant.items():
        note = f"one value on both sides ({value}): no drift"
        found[column] = ColumnDrift(column, "constant", 0.0, math.nan, "distance", note=note)
    for column, why in plan.refused.items():
        found[column] = ColumnDrift(column, "none", math.nan, math.nan, "distance", error=why)
    for column, why in plan.fallback.items():
        found[column] = replace(found[column], note=why)
    results = [
        _with_noise(found[c], reference[c], current[c], c in categorical, noise_alpha, noise_draws, seed)
        for c in columns
    ]
    return DriftRun([replace(r, stattest=r.test) for r in results], snapshot)


def _run(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: list[str],
    categorical: list[str],
    methods: Mapping[str, str],
    thresholds: Mapping[str, float],
    timestamp: Any,
    seed: int,
) -> Any:
    """Evidently's snapshot of one ``ValueDrift`` metric per column of ``columns``.

    These are the metrics ``DataDriftPreset`` generates (same method and threshold per
    column: the configured one, else Evidently's choice by size and type), without the
    preset's dataset-drift count and drift table: each recomputed every column's drift
    (three computations per column, the gate reads one). The page
    (:meth:`DriftRun.save_html`) shows each column's score, method, threshold and
    distributions from the same metrics. Evidently's permutation tests draw from numpy's
    global generator, seeded here with ``seed`` (``[gate] seed``): the same inputs and
    columns give the same p-values (a column's p-value may still change when the columns
    drawn before it change).
    """
    _import_quietly()
    from evidently import DataDefinition, Dataset, Report
    from evidently.metrics import ValueDrift

    definition = DataDefinition(
        numerical_columns=[c for c in columns if c not in categorical],
        categorical_columns=[c for c in columns if c in categorical],
    )
    metrics = [ValueDrift(column=c, method=methods.get(c), threshold=thresholds.get(c)) for c in columns]
    with warnings.catch_warnings(), _numpy_seeded(seed):
        # scipy warns on empty categories (chi-square) and plotly/pandas on internals
        warnings.simplefilter("ignore")
        return Report(metrics).run(
            Dataset.from_pandas(current[columns], data_definition=definition),
            Dataset.from_pandas(reference[columns], data_definition=definition),
            timestamp=timestamp,
        )


@contextlib.contextmanager
def _numpy_seeded(seed: int) -> Iterator[None]:
    """numpy's global generator seeded for the block, then put back as it was.

    Evidently 0.7's ``empirical_mmd`` permutes with ``np.random.permutation`` unseeded
    (``legacy/calculations/stattests/mmd_stattest.py``) and its TVD test calls
    ``np.random.seed(0)``: without this, the same two samples gave a different MMD p-value
    on each run, and a run reseeded the user's global generator.
    """
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def _read(
    snapshot: Any, reference: pd.DataFrame, current: pd.DataFrame, categorical: list[str]
) -> list[ColumnDrift]:
    """The per-column drift scores of a snapshot, with their direction (and an effect beside a p-value)."""
    directions = _direction_by_display_name()
    results = []
    for metric in snapshot.dict()["metrics"]:
        config = metric.get("config", {})
        if not str(config.get("type", "")).endswith("ValueDrift"):
            continue
        shown = str(config.get("method"))
        direction = directions.get(shown)
        if direction is None:
            raise ConfigError(
                f"Evidently used drift method {shown!r}, whose direction the gate does not know"
            )
        value = metric.get("value")
        score = float(value) if isinstance(value, (int, float)) else math.nan
        column = str(config["column"])
        extra = None
        if direction == "p_value":  # a p-value says nothing of size: measure an effect beside it
            extra = effect_size(reference[column], current[column], categorical=column in categorical)
        error = "" if math.isfinite(score) else f"Evidently's {shown} gave no score"
        results.append(
            ColumnDrift(column, shown, score, float(config["threshold"]), direction, extra, error=error)
        )
    return results


#: Draws read first; more only when they do not show the distance to be noise (see :func:`_with_noise`).
FIRST_DRAWS = 25
#: How far under the level of the first draws a distance must be for them to call it noise.
CLEAR_FACTOR = 3.0


def _with_noise(
    drift: ColumnDrift,
    reference: pd.Series,
    current: pd.Series,
    categorical: bool,
    alpha: float,
    draws: int,
    seed: int,
) -> ColumnDrift:
    """``drift`` with the noise of its distance drawn, when the distance is at or over its threshold.

    Only such a distance can turn into drift, so only its null is drawn. The first
    ``FIRST_DRAWS`` random splits come first (the same splits the full draw starts
    with); when the distance is under a third (``1 / CLEAR_FACTOR``) of the level they
    give, it is noise and the rest are not drawn. Otherwise all ``draws`` are: a
    distance is called drift only against the full draw. The early stop is one-sided
    because 25 draws can miss the tail of a heavy-tailed column (Pareto(0.9), 1,500
    against 80 rows: level 0.06 after 25 draws, 5.8 after 200), which understates the
    level; stopping there toward drift would block a same-population sample, while
    stopping toward noise can only miss a drift the full level would also have to clear.
    """
    from sentinel_checks.stats.distance_noise import NOISE_STATISTICS, distance_null, noise_level

    test = drift.test
    if drift.direction != "distance" or test not in NOISE_STATISTICS or not drift.score >= drift.threshold:
        return drift

    def level(n: int) -> float:
        null = distance_null(reference, current, statistic=test, categorical=categorical, draws=n, seed=seed)  # type: ignore[arg-type]
        return noise_level(null, alpha=alpha, statistic=test)

    first = min(FIRST_DRAWS, draws)
    noise = level(first)
    if first < draws and not drift.score * CLEAR_FACTOR <= noise:
        noise, first = level(draws), draws
    return replace(drift, noise=noise, noise_draws=first)


def score_drift(reference: Any, current: Any) -> ColumnDrift | None:
    """Evidently's drift score for one numeric column of scores (method chosen by size).

    Parameters
    ----------
    reference, current : array-like of float, shape (n,) and (m,)
        Risk scores of the two samples.

    Returns
    -------
    ColumnDrift or None
        The score column's drift; ``None`` when either side is empty or not finite.
    """
    run = score_drift_run(reference, current)
    return None if run is None else run.columns[0]


def score_drift_run(reference: Any, current: Any, *, timestamp: Any = None) -> DriftRun | None:
    """The Evidently run behind :func:`score_drift` (its snapshot can go to a workspace).

    Parameters
    ----------
    reference, current : array-like of float, shape (n,) and (m,)
        Risk scores of the two samples.
    timestamp : datetime, optional
        The snapshot's time.

    Returns
    -------
    DriftRun or None
        ``None`` when either side is empty or not finite.
    """
    import numpy as np

    a, b = np.asarray(reference, dtype=float), np.asarray(current, dtype=float)
    if min(len(a), len(b)) == 0 or not (np.isfinite(a).all() and np.isfinite(b).all()):
        return None
    return column_drift(
        pd.DataFrame({"score": a}),
        pd.DataFrame({"score": b}),
        numerical=["score"],
        categorical=[],
        timestamp=timestamp,
    )


def push_to_workspace(folder: Path, project: str, snapshot: Any) -> str:
    """Add a snapshot to a local Evidently workspace (created if needed), in ``project``
    (created if needed), so ``evidently ui --workspace FOLDER`` serves the dashboard.

    Parameters
    ----------
    folder : Path
        The workspace folder.
    project : str
        The project's name.
    snapshot : object
        An Evidently snapshot (:attr:`DriftRun.snapshot`).

    Returns
    -------
    str
        The id of the run added.

    Raises
    ------
    DataError
        The folder is not a workspace Evidently can write to.
    """
    _import_quietly()
    from evidently.ui.workspace import Workspace

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workspace = Workspace.create(str(folder))
            found = workspace.search_project(project)
            target = found[0] if found else workspace.create_project(project)
            ref = workspace.add_run(target.id, snapshot, include_data=False)
    except Exception as exc:  # a foreign or unwritable folder
        raise DataError(f"Evidently workspace {folder}: cannot add the snapshot: {exc}") from exc
    return str(getattr(ref, "id", ref))

"""Evidently 0.7: per-column drift through the public ``Report`` / ``DataDriftPreset`` API.

Evidently picks a method per column from the sample size and type (Kolmogorov–
Smirnov or chi-square p-values on small samples; Wasserstein or Jensen–Shannon
distances on large ones) unless one is configured. Whether a larger score means
more drift (a distance) or less (a p-value) differs by method: this adapter records
the direction of every method explicitly and refuses one it does not know.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sentinel_checks.errors import ConfigError, DataError

#: Evidently stat-test names whose score is a p-value (drift when score < threshold).
P_VALUE_TESTS = frozenset(
    {
        "ks",
        "chisquare",
        "z",
        "anderson",
        "t_test",
        "mannw",
        "cramer_von_mises",
        "g_test",
        "fisher_exact",
        "epps_singleton",
        "empirical_mmd",
        "TVD",  # Evidently 0.7 reports the permutation p-value of the total variation distance
    }
)
#: Evidently stat-test names whose score is a distance (drift when score >= threshold).
DISTANCE_TESTS = frozenset({"psi", "wasserstein", "jensenshannon", "kl_div", "hellinger"})
KNOWN_TESTS = P_VALUE_TESTS | DISTANCE_TESTS


@dataclass(frozen=True)
class ColumnDrift:
    column: str
    method: str  # Evidently's display name, e.g. "Wasserstein distance (normed)"
    score: float
    threshold: float
    direction: str  # "p_value" (smaller = drift) or "distance" (larger = drift)
    #: For a p-value test: an effect size measured beside it (Evidently's normed Wasserstein
    #: for numbers, Jensen-Shannon for categories), as (stattest name, value); None for a distance.
    extra_effect: tuple[str, float] | None = None

    @property
    def test(self) -> str:
        """Evidently's stattest name of :attr:`method` (e.g. ``"wasserstein"``), or the display name."""
        return _name_by_display_name().get(self.method, self.method)

    @property
    def effect(self) -> tuple[str, float] | None:
        """The effect size judged for severity: (stattest name, value), larger = more drift.

        The score itself for a distance; the effect measured beside a p-value test
        (:attr:`extra_effect`), since a p-value on thousands of rows flags tiny shifts.
        """
        if self.direction == "distance":
            return self.test, self.score
        return self.extra_effect

    @property
    def drifted(self) -> bool:
        if not math.isfinite(self.score):
            return False  # undefined: judged by the caller, never silently a pass
        if self.direction == "p_value":
            return self.score < self.threshold
        return self.score >= self.threshold

    @property
    def severity(self) -> float:
        """A number that grows with drift whatever the direction (for sorting)."""
        if not math.isfinite(self.score):
            return math.inf
        if self.direction == "p_value":
            return -math.log10(max(self.score, 1e-300))
        return self.score


@dataclass
class DriftRun:
    columns: list[ColumnDrift]
    snapshot: Any

    def save_html(self, path: Path) -> Path:
        """Write Evidently's HTML report of this run.

        Parameters
        ----------
        path : Path
            The file written (its folder is created).

        Returns
        -------
        Path
            ``path``.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        self.snapshot.save_html(str(path))
        return path


def validate_method(name: str | None, *, key: str) -> None:
    """Check that a configured drift method is one whose direction the gate knows.

    Parameters
    ----------
    name : str or None
        An Evidently stattest name (one of :data:`KNOWN_TESTS`); ``None`` is Evidently's default.
    key : str
        The config key that names it, for the error message (e.g. ``"[drift] method"``).

    Raises
    ------
    ConfigError
        ``name`` is not in :data:`KNOWN_TESTS`.
    """
    if name is not None and name not in KNOWN_TESTS:
        raise ConfigError(
            f"{key} = {name!r}: not a drift method the gate knows the direction of; "
            f"use one of {sorted(KNOWN_TESTS)}"
        )


def _import_quietly() -> None:
    """Import Evidently once with its import-time deprecation warnings silenced
    (it touches ``numpy.core``; the gate runs tests with warnings as errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import evidently
        import evidently.legacy.calculations.stattests.registry
        import evidently.presets  # noqa: F401


def _direction_by_display_name() -> dict[str, str]:
    _import_quietly()
    from evidently.legacy.calculations.stattests import registry
    from evidently.legacy.core import ColumnType

    out: dict[str, str] = {}
    for name in KNOWN_TESTS:
        for kind in (ColumnType.Numerical, ColumnType.Categorical):
            try:
                test = registry.get_stattest(None, None, kind, name)
            except Exception:  # not defined for this column type
                continue
            out[test.display_name] = "p_value" if name in P_VALUE_TESTS else "distance"
            out[name] = out[test.display_name]
    return out


@functools.cache
def _name_by_display_name() -> dict[str, str]:
    _import_quietly()
    from evidently.legacy.calculations.stattests import registry
    from evidently.legacy.core import ColumnType

    out: dict[str, str] = {}
    for name in KNOWN_TESTS:
        for kind in (ColumnType.Numerical, ColumnType.Categorical):
            try:
                out[registry.get_stattest(None, None, kind, name).display_name] = name
            except Exception:  # not defined for this column type
                continue
    return out


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
) -> DriftRun:
    """Run Evidently's data-drift preset on the given columns of two frames.

    Parameters
    ----------
    reference, current : DataFrame
        The two samples; each holds every column of ``numerical`` and ``categorical``.
    numerical, categorical : list of str
        The columns by kind, as Evidently's data definition.
    method : str, optional
        The stattest for every column (``[drift] method``); Evidently chooses by size when ``None``.
    threshold : float, optional
        The stattest's drift threshold (``[drift] threshold``).
    per_column_method, per_column_threshold : mapping, optional
        Overrides by column (``[drift] per_column_method`` / ``per_column_threshold``).
    timestamp : datetime, optional
        The snapshot's time, e.g. a monitored batch's end.

    Returns
    -------
    DriftRun
        One :class:`ColumnDrift` per column (score NaN when Evidently gives none) and
        the Evidently snapshot.

    Raises
    ------
    ConfigError
        Evidently used a drift method whose direction the gate does not know.
    """
    _import_quietly()
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    columns = [*numerical, *categorical]
    definition = DataDefinition(numerical_columns=numerical, categorical_columns=categorical)
    preset = DataDriftPreset(
        columns=columns,
        method=method,
        threshold=threshold,
        per_column_method=dict(per_column_method or {}) or None,
        per_column_threshold=dict(per_column_threshold or {}) or None,
    )
    with warnings.catch_warnings():
        # scipy warns on empty categories (chi-square) and plotly/pandas on internals
        warnings.simplefilter("ignore")
        snapshot = Report([preset]).run(
            Dataset.from_pandas(current[columns], data_definition=definition),
            Dataset.from_pandas(reference[columns], data_definition=definition),
            timestamp=timestamp,
        )
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
        results.append(ColumnDrift(column, shown, score, float(config["threshold"]), direction, extra))
    return DriftRun(results, snapshot)


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

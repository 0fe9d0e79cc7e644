"""Evidently 0.7 per-column drift results: the methods the gate knows, their direction
(a p-value: smaller = drift; a distance: larger = drift), and one column's result.

Part of the Evidently adapter (:mod:`sentinel_checks.adapters.evidently_drift`, which
re-exports these names).
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sentinel_checks.errors import ConfigError

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
        "es",  # Epps-Singleton
        "empirical_mmd",
        "TVD",  # Evidently 0.7 reports the permutation p-value of the total variation distance
    }
)
#: Evidently stat-test names whose score is a distance (drift when score >= threshold).
DISTANCE_TESTS = frozenset({"psi", "wasserstein", "jensenshannon", "kl_div", "hellinger"})
KNOWN_TESTS = P_VALUE_TESTS | DISTANCE_TESTS
#: The column kinds each method takes (``"num"``, ``"cat"``), as Evidently 0.7's stattest
#: registry has them (``registry.get_stattest``; checked against it in
#: ``tests/test_drift_degenerate.py``): written out so that the preflight can refuse a
#: ``[drift] per_column_method`` that does not fit its column without importing Evidently.
METHOD_KINDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("ks", "anderson", "t_test", "mannw", "cramer_von_mises", "es", "empirical_mmd", "wasserstein"),
        frozenset({"num"}),
    ),
    **dict.fromkeys(("chisquare", "z", "g_test", "fisher_exact", "TVD"), frozenset({"cat"})),
    **dict.fromkeys(("psi", "jensenshannon", "kl_div", "hellinger"), frozenset({"num", "cat"})),
}


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
    #: For a distance: the distance two same-population samples of these sizes exceed with
    #: probability ``noise_alpha`` (:mod:`sentinel_checks.stats.distance_noise`); NaN when not drawn.
    noise: float = math.nan
    #: How many random splits :attr:`noise` was read from (0 when not drawn): 25 when the
    #: first draws already decide (the distance is 3 times their level, or under a third).
    noise_draws: int = 0
    #: Why the score is undefined (NaN): the column and the cause, for the error message.
    error: str = ""
    #: Why the method is not the configured one, or that the column is constant.
    note: str = ""
    #: Evidently's stattest name of :attr:`method`, set where the run is made (the drift
    #: worker's runs are read without importing Evidently); "" reads it from Evidently.
    stattest: str = ""

    @property
    def beyond_noise(self) -> bool:
        """Whether a distance exceeds what sampling noise reaches at these sizes (True when not drawn)."""
        return not (self.direction == "distance" and math.isfinite(self.noise) and self.score <= self.noise)

    @property
    def test(self) -> str:
        """Evidently's stattest name of :attr:`method` (e.g. ``"wasserstein"``), or the display name."""
        return self.stattest or _name_by_display_name().get(self.method, self.method)

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
        return self.score >= self.threshold and self.beyond_noise

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
        if self.snapshot is None:  # every column set aside (constant, or a method that does not fit)
            listed = "; ".join(f"{c.column}: {c.note or c.error}" for c in self.columns)
            path.write_text(f"<html><body><p>No column was compared by Evidently. {listed}</p></body></html>")
            return path
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

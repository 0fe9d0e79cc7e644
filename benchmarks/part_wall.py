"""A pytest plugin summing the wall seconds of the gate's costly parts (issue 18's demo gate).

    PYTHONPATH=$PWD/benchmarks .venv/bin/python -m pytest suites/ -p part_wall \\
        --sentinel-config sentinel-demo/fixed.toml -q

Prints, once the run ends, the wall seconds (``time.perf_counter``) spent in each part
and how often it ran: Evidently's import (timed when pytest configures, before any
test, so it is not charged to the first drift test), Evidently's reports, the drift
distances' noise draws, permutation importance, the baselines' fit, the figures, the
preflight, and the process before pytest configured (interpreter, pytest, plugins). Parts
nest (the noise draws run inside ``column_drift``): the figures do not add up to the run.
Unlike ``profile_gate.py`` (cProfile, CPU seconds) nothing here slows Python code down.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections import Counter, defaultdict
from typing import Any

_STARTED = time.perf_counter()
_wall: defaultdict[str, float] = defaultdict(float)
_calls: Counter[str] = Counter()

#: (label, module, function) of the parts timed.
PARTS = (
    (
        "feature drift, one pair (whole, or its wait)",
        "sentinel_checks.gate.session_evidently",
        "SessionEvidently.measured_drift",
    ),
    ("  Evidently + noise (column_drift)", "sentinel_checks.adapters.evidently_drift", "column_drift"),
    ("    Evidently report (ValueDrift per column)", "sentinel_checks.adapters.evidently_drift", "_run"),
    ("    noise draws of a distance", "sentinel_checks.stats.distance_noise", "distance_null"),
    ("permutation importance", "sentinel_checks.models.importance", "importance_shares"),
    ("baselines fit", "sentinel_checks.models.baselines", "fit_baselines"),
    ("paired bootstrap (champion, baselines)", "sentinel_checks.stats.paired_cells", "paired_cell_bootstrap"),
    ("figures and drift pages", "sentinel_checks.gate.artefacts", "_write_figures"),
    ("preflight", "sentinel_checks.gate.preflight", "preflight"),
)


def _timed(label: str, module: Any, name: str) -> None:
    *owners, name = name.split(".")  # "Class.method": timed on the class
    for owner in owners:
        module = getattr(module, owner)
    real = getattr(module, name)

    @functools.wraps(real)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            _wall[label] += time.perf_counter() - start
            _calls[label] += 1

    setattr(module, name, wrapper)


def pytest_configure(config: Any) -> None:
    _wall["start to pytest_configure (interpreter, pytest, plugins)"] = time.perf_counter() - _STARTED
    from sentinel_checks.adapters.evidently_columns import _import_quietly

    start = time.perf_counter()
    _import_quietly()
    _wall["Evidently import"] = time.perf_counter() - start
    for label, module, name in PARTS:
        _timed(label, importlib.import_module(module), name)


def pytest_unconfigure(config: Any) -> None:
    print(f"\nwall seconds by part (whole process: {time.perf_counter() - _STARTED:.2f} s)")
    for label, seconds in _wall.items():
        calls = f" x{_calls[label]}" if _calls[label] else ""
        print(f"  {label:58s} {seconds:6.2f}{calls}")

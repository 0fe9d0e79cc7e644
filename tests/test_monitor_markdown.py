"""latest.md's Metrics table: each Evidently figure names its method and verdict, and
segment values under ``[monitor] min_segment_rows`` are listed as not judged."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sentinel_checks.monitor.markdown import monitor_markdown
from sentinel_checks.monitor.outcome import MonitorOutcome
from sentinel_checks.monitor.statistics import batch_stats, small_segments


def _scope(n: int, evidently: dict | None) -> dict:
    scope = {
        "n": n,
        "flagged_fraction": 0.5,
        "psi": 0.1,
        "n_positive": 10,
        "recall": 0.9,
        "recall_low": 0.8,
        "recall_high": 0.95,
        "fnr": 0.1,
        "fpr": 0.4,
        "brier": 0.2,
        "estimated_recall": 0.8,
    }
    return scope | ({"evidently": evidently} if evidently else {})


def _markdown(**extra) -> str:
    wasserstein = {
        "method": "Wasserstein distance (normed)",
        "score": 0.324,
        "threshold": 0.1,
        "drifted": True,
    }
    ks = {"method": "K-S p_value", "score": 0.0, "threshold": 0.05, "drifted": True}
    record = {
        "batch": "b.parquet",
        "threshold": 0.4,
        "time_range": None,
        "scopes": {"overall": _scope(3000, wasserstein), "country=ES": _scope(608, ks)},
        "evidently_score_drift": wasserstein,
    } | extra
    return monitor_markdown(MonitorOutcome(record, []))


def _row(text: str, scope: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"| {scope} |"))


def test_each_evidently_figure_names_its_method_and_verdict():
    text = _markdown()
    assert "Wasserstein distance (normed): 0.324, drifted" in _row(text, "overall"), text
    assert "K-S p_value: 0.000, drifted" in _row(text, "country=ES"), text
    assert "| Evidently |" not in text and "p-value: small means drifted" in text, text


def test_segment_values_under_the_minimum_are_listed_as_not_judged():
    text = _markdown(min_segment_rows=500, not_judged={"channel=pos": 434})
    row = _row(text, "channel=pos")
    assert "| 434 | not judged (434 rows < min 500) |" in row, text
    assert row.count("|") == _row(text, "overall").count("|"), text  # as many cells as the header


def test_small_segments_are_exactly_those_batch_stats_leaves_out():
    rng = np.random.default_rng(0)
    n = 1000
    channel = pd.Series(np.repeat(["app", "pos", "web"], [500, 499, 1]))
    country = pd.Series(["DE"] * (n - 2) + [None, None])
    segments = {"channel": channel, "country": country}
    scores, labels = rng.random(n), (rng.random(n) < 0.1).astype(float)
    judged = batch_stats(
        scores, labels, segments, threshold=0.5, reference=None, confidence=0.95, min_segment_rows=500
    )
    small = small_segments(segments, min_segment_rows=500)
    assert small == {"channel=pos": 499, "channel=web": 1, "country=<missing>": 2}
    assert set(judged) == {"overall", "channel=app", "country=DE"} and not set(small) & set(judged)

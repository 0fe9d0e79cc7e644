"""``sentinel monitor --batch PATH``: score one production batch, judge it, keep the history.

The steps: load the batch (parquet/CSV), refuse a bad one (empty, missing columns,
duplicate request ids, scores outside [0, 1], older than the last monitored batch,
or the same file again), join late labels from a separate file on the request id,
score it with the monitored model (or read its score column), compute the batch's
statistics overall and per segment (:mod:`sentinel_checks.monitor.statistics`), compare
them with the reference (the test split, or a reference batch) by the alert rules
(:mod:`sentinel_checks.checks.monitor`), append one JSON line to the history and
write ``reports/monitoring/latest.json`` and ``latest.md``.

This module is the orchestration; the parts live by what they are: loading, label
join and scoring in :mod:`sentinel_checks.monitor.batch`, Evidently on the scores in
:mod:`sentinel_checks.monitor.evidently_scores`, the retraining policy in
:mod:`sentinel_checks.monitor.retraining`, the Markdown in
:mod:`sentinel_checks.monitor.markdown`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sentinel_checks.checks.monitor import alerts, judge_scope, overall_first
from sentinel_checks.config import SentinelConfig
from sentinel_checks.data.fingerprints import fingerprint_frame
from sentinel_checks.data.jsonl import append_line, read_lines
from sentinel_checks.errors import DataError
from sentinel_checks.formatting import moment
from sentinel_checks.monitor.batch import Scored as Scored
from sentinel_checks.monitor.batch import (
    load_batch,
    load_reference,
    monitored_model,
    operating_threshold,
    score_batch,
)
from sentinel_checks.monitor.evidently_scores import EVIDENTLY_MAX_ROWS as EVIDENTLY_MAX_ROWS
from sentinel_checks.monitor.evidently_scores import EVIDENTLY_SEGMENT_MAX_ROWS as EVIDENTLY_SEGMENT_MAX_ROWS
from sentinel_checks.monitor.evidently_scores import evidently_score_drift
from sentinel_checks.monitor.markdown import monitor_markdown
from sentinel_checks.monitor.outcome import MonitorOutcome, alert_severity
from sentinel_checks.monitor.outcome import scope_names as scope_names
from sentinel_checks.monitor.retraining import retraining
from sentinel_checks.monitor.statistics import batch_stats, small_segments
from sentinel_checks.reports.gate_report import write_atomic
from sentinel_checks.result import CheckResult, plain

__all__ = [
    "EVIDENTLY_MAX_ROWS",
    "EVIDENTLY_SEGMENT_MAX_ROWS",
    "MonitorOutcome",
    "Scored",
    "monitor_markdown",
    "run_monitor",
    "scope_names",
]


def run_monitor(
    config: SentinelConfig,
    batch_path: Path | str,
    *,
    labels_path: Path | None = None,
    reports_dir: Path = Path("reports"),
    now: dt.datetime | None = None,
) -> MonitorOutcome:
    """Monitor one batch: score it, judge it against the reference, record and report it.

    Appends the record to ``[monitor] history`` and writes
    ``REPORTS/monitoring/latest.json`` and ``latest.md``.

    Parameters
    ----------
    config : SentinelConfig
        ``[monitor]``, ``[columns]``, ``[quality] confidence`` and the models.
    batch_path : Path or str
        The batch file, or ``"module:function"``.
    labels_path : Path, optional
        Late labels joined on the request id (default ``[monitor] labels``).
    reports_dir : Path, optional
        The reports folder (also where the gate's ``threshold.json`` is read).
    now : datetime, optional
        Timezone-aware time of the run (default: now, UTC).

    Returns
    -------
    MonitorOutcome
        The record, rule results, triggers, next steps and files written.

    Raises
    ------
    DataError
        The batch was already monitored, starts before the last monitored batch
        ends, or cannot be loaded or scored; or the reference cannot be.
    ConfigError
        No operating threshold can be found, or the monitored model is not configured.
    ModelLoadError
        The model cannot be loaded or cannot score.
    """
    m = config.monitor
    history_path = m.history
    history = read_lines(history_path)
    frame = load_batch(config, batch_path, "batch")
    batch_sha = f"sha256:{fingerprint_frame(frame)}"
    if any(h.get("batch_sha256") == batch_sha for h in history):
        raise DataError(f"batch {batch_path} ({batch_sha[:19]}…) was already monitored ({history_path})")
    model = monitored_model(config)
    threshold = operating_threshold(config, reports_dir, model)
    batch = score_batch(config, frame, model, labels_path or m.labels, "batch")
    if batch.time_range is not None and history:
        last = history[-1].get("time_range")
        if last and batch.time_range[0] < last[1]:
            raise DataError(
                f"batch {batch_path} starts at {moment(batch.time_range[0])}, before the end of the last "
                f"monitored batch ({moment(last[1])}): out of order. Monitor batches in time order "
                f"(history: {history_path})"
            )
    reference = load_reference(config, model)
    stats = batch_stats(
        batch.scores,
        batch.labels,
        batch.segments,
        threshold=threshold,
        reference=(reference.scores, reference.labels, reference.segments),
        confidence=config.quality.confidence,
        min_segment_rows=m.min_segment_rows,
    )
    ref_stats = batch_stats(
        reference.scores,
        reference.labels,
        reference.segments,
        threshold=threshold,
        reference=None,
        confidence=config.quality.confidence,
        min_segment_rows=1,
    )
    results: list[CheckResult] = []
    for scope, current in stats.items():
        if scope not in ref_stats:
            continue  # a segment value the reference never saw: its drift shows overall
        results += judge_scope(
            current,
            ref_stats[scope],
            max_score_psi=m.max_score_psi,
            max_flagged_change=m.max_flagged_change,
            max_recall_drop=m.max_recall_drop,
            max_brier_increase=m.max_brier_increase,
            max_estimated_recall_drop=m.max_estimated_recall_drop,
            min_labelled_positives=m.min_labelled_positives,
            severity=m.severity.model_dump(),
            confidence=config.quality.confidence,
        )
    results = overall_first(results)
    now = now or dt.datetime.now(dt.UTC)
    scopes = {k: v.to_dict() for k, v in stats.items()}
    record: dict[str, Any] = {
        "batch": str(batch_path),
        "batch_sha256": batch_sha,
        "monitored_at": now.isoformat(timespec="seconds"),
        "time_range": list(batch.time_range) if batch.time_range else None,
        "model": model.identity if model is not None else f"column:{m.score_column}",
        "threshold": threshold,
        "evidently_score_drift": None,
        "scopes": scopes,
        # segment values under [monitor] min_segment_rows: listed as not judged, with their rows
        "min_segment_rows": m.min_segment_rows,
        "not_judged": small_segments(batch.segments, min_segment_rows=m.min_segment_rows),
        "reference": {k: v.to_dict() for k, v in ref_stats.items() if k in stats},
        "alerts": [
            {
                "id": r.id,
                "scope": r.parameters.get("segment"),
                "severity": alert_severity(r),
                "message": r.message,
            }
            for r in alerts(results)
        ],
    }
    record["evidently_score_drift"], snapshot = evidently_score_drift(reference, batch, stats, scopes)
    if m.evidently_workspace is not None and snapshot is not None:
        from sentinel_checks.adapters.evidently_drift import push_to_workspace

        record["evidently_snapshot"] = push_to_workspace(m.evidently_workspace, m.evidently_project, snapshot)
    outcome = MonitorOutcome(record, results)
    outcome.triggers, outcome.next_steps = retraining(config, outcome, history, batch.time_range, now)
    record["retrain_triggers"] = outcome.triggers
    append_line(history_path, record)
    outcome.written = _write(reports_dir / "monitoring", outcome)
    return outcome


def _write(folder: Path, outcome: MonitorOutcome) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    doc = json.dumps(plain(outcome.record), indent=2, ensure_ascii=False) + "\n"
    return [
        write_atomic(folder / "latest.json", doc),
        write_atomic(folder / "latest.md", monitor_markdown(outcome)),
    ]

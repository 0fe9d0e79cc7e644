"""``sentinel monitor --batch PATH``: score one production batch, judge it, keep the history.

The steps: load the batch (parquet/CSV), refuse a bad one (empty, missing columns,
duplicate request ids, scores outside [0, 1], older than the last monitored batch,
or the same file again), join late labels from a separate file on the request id,
score it with the monitored model (or read its score column), compute the batch's
statistics overall and per segment (:mod:`sentinel_checks.monitor.statistics`), compare
them with the reference (the test split, or a reference batch) by the alert rules
(:mod:`sentinel_checks.checks.monitor`), append one JSON line to the history and
write ``reports/monitoring/latest.json`` and ``latest.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.checks.monitor import alerts, judge_scope, overall_first
from sentinel_checks.config import DataSource, SentinelConfig
from sentinel_checks.data.io import fingerprint_frame, load_frame, prepare_frame, risky_mask
from sentinel_checks.data.jsonl import append_line, read_lines
from sentinel_checks.errors import ConfigError, DataError, ReportError
from sentinel_checks.monitor.statistics import OVERALL, batch_stats
from sentinel_checks.reports.gate_report import write_atomic
from sentinel_checks.result import CheckResult, Status

_CALLABLE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
#: Rows per side Evidently gets for the scores: overall, and within each segment value.
EVIDENTLY_MAX_ROWS = 200_000
EVIDENTLY_SEGMENT_MAX_ROWS = 5_000


@dataclass
class Scored:
    """A batch (or the reference) ready to judge."""

    scores: np.ndarray
    labels: np.ndarray  # 1.0 risky, 0.0 safe, NaN unlabelled
    segments: dict[str, pd.Series]
    time_range: tuple[str, str] | None = None


@dataclass
class MonitorOutcome:
    record: dict[str, Any]
    results: list[CheckResult]
    triggers: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def alerts(self) -> list[CheckResult]:
        return alerts(self.results)


def run_monitor(
    config: SentinelConfig,
    batch_path: Path | str,
    *,
    labels_path: Path | None = None,
    reports_dir: Path = Path("reports"),
    now: dt.datetime | None = None,
) -> MonitorOutcome:
    m = config.monitor
    history_path = m.history
    history = read_lines(history_path)
    frame = _load(config, batch_path, "batch")
    batch_sha = f"sha256:{fingerprint_frame(frame)}"
    if any(h.get("batch_sha256") == batch_sha for h in history):
        raise DataError(f"batch {batch_path} ({batch_sha[:19]}…) was already monitored ({history_path})")
    model = _model(config)
    threshold = _threshold(config, reports_dir, model)
    batch = _score(config, frame, model, labels_path or m.labels, "batch")
    if batch.time_range is not None and history:
        last = history[-1].get("time_range")
        if last and batch.time_range[0] < last[1]:
            raise DataError(
                f"batch {batch_path} starts at {batch.time_range[0]}, before the end of the last monitored "
                f"batch ({last[1]}): out of order. Monitor batches in time order (history: {history_path})"
            )
    reference = _reference(config, model)
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
        "reference": {k: v.to_dict() for k, v in ref_stats.items() if k in stats},
        "alerts": [
            {"id": r.id, "scope": r.parameters.get("segment"), "severity": _severity(r), "message": r.message}
            for r in alerts(results)
        ],
    }
    record["evidently_score_drift"], snapshot = _evidently(reference, batch, stats, scopes)
    if m.evidently_workspace is not None and snapshot is not None:
        from sentinel_checks.adapters.evidently_drift import push_to_workspace

        record["evidently_snapshot"] = push_to_workspace(m.evidently_workspace, m.evidently_project, snapshot)
    outcome = MonitorOutcome(record, results)
    outcome.triggers, outcome.next_steps = _retraining(config, outcome, history, batch.time_range, now)
    record["retrain_triggers"] = outcome.triggers
    append_line(history_path, record)
    outcome.written = _write(reports_dir / "monitoring", outcome)
    return outcome


def _severity(result: CheckResult) -> str:
    return "critical" if result.status is Status.FAIL else "warning"


# --------------------------------------------------------------------------- inputs


def _threshold(config: SentinelConfig, reports_dir: Path, model: Any) -> float:
    """``[monitor] threshold``, else ``[quality] threshold``, else the gate's threshold.json
    — only when that file was written for the very model being monitored."""
    if config.monitor.threshold is not None:
        return config.monitor.threshold
    if config.quality.threshold is not None:
        return config.quality.threshold
    from sentinel_checks.data.identity import identity_hashes
    from sentinel_checks.reports.quality import THRESHOLD_JSON, ThresholdRecord

    path = reports_dir / THRESHOLD_JSON
    try:
        record = ThresholdRecord.read(path)
    except ReportError as exc:
        if exc.missing:
            raise ConfigError(
                f"{config.source}: no operating threshold: set [monitor] threshold (the one the promoted "
                f"model serves with), or run the gate so that {path} exists"
            ) from None
        raise ConfigError(str(exc)) from None
    if model is not None and not identity_hashes(model.identity) & record.model_hashes:
        raise ConfigError(
            f"{path} holds the threshold chosen for {record.identity}, but the monitored model is "
            f"{model.identity}: set [monitor] threshold to the threshold it serves with"
        )
    return record.threshold


def _model(config: SentinelConfig) -> Any:
    from sentinel_checks.models.loading import load_model

    m = config.monitor
    if m.score_column is not None:
        return None
    spec = getattr(config.models, m.model)
    if spec is None:
        raise ConfigError(
            f"{config.source}: [monitor] model = {m.model!r} but [models.{m.model}] is not configured "
            "(or set [monitor] score_column)"
        )
    return load_model(spec, role=m.model, tracking_uri=config.registry.store)


def _load(config: SentinelConfig, path: Path | str, what: str) -> pd.DataFrame:
    """A batch from a parquet/CSV file, or from ``module:function`` (the team's own loader)."""
    text = str(path)
    if not Path(text).exists() and _CALLABLE.match(text):
        source = DataSource(loader=text)
    else:
        source = DataSource(path=Path(text))
        if not Path(text).is_file():
            raise DataError(f"{what} file not found: {text}")
    frame = load_frame(source, base_dir=config.base_dir, what=what)
    if frame.empty:
        raise DataError(f"{what} {path} has no rows")
    frame = prepare_frame(frame, config, what=what)
    id_col = config.columns.id
    if id_col is not None:
        if id_col not in frame.columns:
            raise DataError(f"{what} {path}: request id column {id_col!r} ([columns] id) is missing")
        dupes = frame[id_col][frame[id_col].duplicated(keep=False)]
        if len(dupes):
            shown = ", ".join(map(str, dupes.drop_duplicates().head(5)))
            raise DataError(
                f"{what} {path}: {dupes.nunique()} request id(s) appear more than once ({shown}…): "
                "a batch must not count a request twice"
            )
    return frame


def _score(
    config: SentinelConfig, frame: pd.DataFrame, model: Any, labels_path: Path | None, what: str
) -> Scored:
    from sentinel_checks.data.io import feature_columns
    from sentinel_checks.models.scoring import risk_scores

    m, cols = config.monitor, config.columns
    origin = frame.attrs.get("sentinel_origin", what)
    if model is None:
        assert m.score_column is not None
        if m.score_column not in frame.columns:
            raise DataError(
                f"{what} {origin}: score column {m.score_column!r} ([monitor] score_column) is missing"
            )
        scores = pd.to_numeric(frame[m.score_column], errors="coerce").to_numpy(dtype=float)
    else:
        features = model.feature_list(feature_columns(frame, config, require_present=False))
        missing = [f for f in features if f not in frame.columns]
        if missing:
            raise DataError(f"{what} {origin}: feature column(s) {missing} are missing")
        scores = risk_scores(model, frame, features=features, positive=cols.positive)
    bad = ~np.isfinite(scores) | (scores < 0) | (scores > 1)
    if bad.any():
        raise DataError(
            f"{what} {origin}: {int(bad.sum())} score(s) are missing or outside [0, 1] "
            f"(first at row {int(np.flatnonzero(bad)[0])}): the batch cannot be judged"
        )
    labels = _labels(config, frame, labels_path, what, origin)
    segments = {c: frame[c] for c in cols.segments if c in frame.columns}
    time_range = None
    if cols.timestamp is not None and cols.timestamp in frame.columns:
        stamps = frame[cols.timestamp].dropna()
        if len(stamps):
            time_range = (stamps.min().isoformat(), stamps.max().isoformat())
    return Scored(scores, labels, segments, time_range)


def _labels(
    config: SentinelConfig, frame: pd.DataFrame, labels_path: Path | None, what: str, origin: str
) -> np.ndarray:
    cols = config.columns
    raw = (
        frame[cols.label]
        if cols.label in frame.columns
        else pd.Series(pd.NA, index=frame.index, dtype=object)
    )
    if labels_path is not None:
        if cols.id is None:
            raise ConfigError(f"{config.source}: joining a labels file needs [columns] id (the request id)")
        late = load_frame(DataSource(path=labels_path), base_dir=config.base_dir, what="labels")
        for column in (cols.id, cols.label):
            if column not in late.columns:
                raise DataError(f"labels {labels_path}: column {column!r} is missing")
        late = late.drop_duplicates(subset=cols.id, keep="last").set_index(cols.id)[cols.label]
        joined = frame[cols.id].map(late)
        raw = raw.where(raw.notna(), joined)
    risky, labelled = risky_mask(
        raw.rename(cols.label),
        positive=cols.positive,
        negative=cols.negative,
        where=f"{what} {origin}",
        allow_unlabelled=True,
    )
    labels = np.full(len(raw), np.nan)
    labels[risky], labels[labelled & ~risky] = 1.0, 0.0
    return labels


def _reference(config: SentinelConfig, model: Any) -> Scored:
    if config.monitor.reference is not None:
        return _score(config, _load(config, config.monitor.reference, "reference"), model, None, "reference")
    from sentinel_checks.data.inputs import load_inputs

    test = load_inputs(config).splits.test
    reference = _score(config, test, model, None, "reference (test split)")
    if not np.isfinite(reference.labels).any():
        raise DataError("reference (test split) has no labels: set [monitor] reference to a labelled batch")
    return reference


def _evidently(
    reference: Scored, batch: Scored, stats: dict[str, Any], scopes: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any] | None, Any]:
    """Evidently's drift score of the scores overall (kept as a snapshot, for a workspace)
    and within each judged segment value (added to that scope's record)."""
    from sentinel_checks.adapters.evidently_drift import score_drift_run

    rng = np.random.default_rng(0)

    def cap(x: np.ndarray, limit: int) -> np.ndarray:
        return x if len(x) <= limit else rng.choice(x, limit, replace=False)

    end = pd.Timestamp(batch.time_range[1]).floor("us").to_pydatetime() if batch.time_range else None
    run = score_drift_run(
        cap(reference.scores, EVIDENTLY_MAX_ROWS), cap(batch.scores, EVIDENTLY_MAX_ROWS), timestamp=end
    )
    overall = None if run is None else _drift_entry(run.columns[0])
    for scope in stats:
        if scope == OVERALL:
            continue
        column, value = scope.split("=", 1)
        ref_mask = _in_segment(reference.segments.get(column), value)
        cur_mask = _in_segment(batch.segments.get(column), value)
        if ref_mask is None or cur_mask is None or not ref_mask.any():
            continue
        seg = score_drift_run(
            cap(reference.scores[ref_mask], EVIDENTLY_SEGMENT_MAX_ROWS),
            cap(batch.scores[cur_mask], EVIDENTLY_SEGMENT_MAX_ROWS),
        )
        if seg is not None:
            scopes[scope]["evidently"] = _drift_entry(seg.columns[0])
    if overall is not None:
        scopes[OVERALL]["evidently"] = overall
    return overall, None if run is None else run.snapshot


def _drift_entry(drift: Any) -> dict[str, Any]:
    return {
        "method": drift.method,
        "score": drift.score,
        "threshold": drift.threshold,
        "drifted": drift.drifted,
    }


def _in_segment(values: pd.Series | None, value: str) -> np.ndarray | None:
    if values is None:
        return None
    return (values.astype("string").fillna("<missing>") == value).to_numpy(dtype=bool)


# --------------------------------------------------------------------------- retraining policy


def _retraining(
    config: SentinelConfig,
    outcome: MonitorOutcome,
    history: list[dict[str, Any]],
    time_range: tuple[str, str] | None,
    now: dt.datetime,
) -> tuple[list[str], list[str]]:
    m = config.monitor
    fired = sorted({a.id.removeprefix("monitor.") for a in outcome.alerts} & set(m.retrain_on))
    triggers = [f"alert: {name}" for name in fired]
    promotions = [x for x in read_lines(config.registry.audit_log) if x.get("action") in ("promote", "adopt")]
    if promotions:
        since = now - dt.datetime.fromisoformat(promotions[-1]["at"])
        if since.days >= m.retrain_cadence_days:
            triggers.append(
                f"cadence: the champion was promoted {since.days} days ago (cadence {m.retrain_cadence_days})"
            )
    steps: list[str] = []
    critical = [a for a in outcome.alerts if a.status is Status.FAIL]
    if critical:
        steps.append(
            "critical alert: roll back now if the previous model is sound — "
            "`sentinel rollback --reason '...'` (or `sentinel disable` to switch the model off)"
        )
    if triggers:
        end = pd.Timestamp(time_range[1]) if time_range else pd.Timestamp(now)
        start = end - pd.DateOffset(months=m.retrain_window_months)
        steps += [
            f"retrain on {start.date()} .. {end.date()} (the last {m.retrain_window_months} months)",
            "gate it: `sentinel gate` (compares with @champion on test and the labelled production sample)",
            "canary: serve it to a slice or in shadow mode; put the labelled canary sample in "
            "[production] and gate again",
            "promote: `sentinel promote` (refused unless that gate passed)",
        ]
    return triggers, steps


# --------------------------------------------------------------------------- reports


def _write(folder: Path, outcome: MonitorOutcome) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    doc = json.dumps(_plain(outcome.record), indent=2, ensure_ascii=False) + "\n"
    return [
        write_atomic(folder / "latest.json", doc),
        write_atomic(folder / "latest.md", monitor_markdown(outcome)),
    ]


def _plain(value: Any) -> Any:
    from sentinel_checks.result import plain

    return plain(value)


def monitor_markdown(outcome: MonitorOutcome) -> str:
    rec = outcome.record
    verdict = "ALERT" if outcome.alerts else "HEALTHY"
    lines = [
        f"# Gradient Sentinel monitor: {verdict}",
        "",
        f"Batch `{rec['batch']}` · threshold {rec['threshold']:.4g}",
    ]
    if rec["time_range"]:
        lines.append(f"Requests from {rec['time_range'][0]} to {rec['time_range'][1]}")
    lines.append("")
    if outcome.alerts:
        lines += ["## Alerts", "", "| alert | scope | severity | message |", "|---|---|---|---|"]
        for r in outcome.alerts:
            lines.append(f"| `{r.id}` | {r.parameters.get('segment')} | {_severity(r)} | {r.message} |")
        lines.append("")
    if outcome.triggers:
        lines += ["## Retraining", "", *[f"- trigger: {t}" for t in outcome.triggers], ""]
    if outcome.next_steps:
        lines += ["## Next steps", "", *[f"{i}. {s}" for i, s in enumerate(outcome.next_steps, 1)], ""]
    lines += [
        "## Metrics",
        "",
        "| scope | rows | flagged | PSI | Evidently | labelled risky | recall [CI] | FNR | FPR | Brier "
        "| est. recall |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scope, s in rec["scopes"].items():
        lines.append(
            f"| {scope} | {s['n']} | {_pct(s['flagged_fraction'])} | {_num(s['psi'])} | "
            f"{_num((s.get('evidently') or {}).get('score'))} | {s['n_positive']} | "
            f"{_num(s['recall'])} [{_num(s['recall_low'])}, {_num(s['recall_high'])}] | {_num(s['fnr'])} | "
            f"{_num(s['fpr'])} | {_num(s['brier'])} | {_num(s['estimated_recall'])} (estimate) |"
        )
    ev = rec.get("evidently_score_drift")
    if ev:
        lines += [
            "",
            f"Evidently on the scores ({ev['method']}): {ev['score']:.3g} overall (drift: {ev['drifted']}).",
        ]
    return "\n".join(lines) + "\n"


def _num(value: Any) -> str:
    return "—" if value is None or (isinstance(value, float) and not math.isfinite(value)) else f"{value:.3f}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value:.2%}"


def scope_names(record: dict[str, Any]) -> list[str]:
    return [OVERALL, *sorted(k for k in record.get("scopes", {}) if k != OVERALL)]

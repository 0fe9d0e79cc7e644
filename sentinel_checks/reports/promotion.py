"""The promotion decision record: ``reports/promotion.json`` and ``reports/promotion.md``.

A document to attach to a change request: which candidate and which champion
(file hash or registry URI), on which data (fingerprints), the metric table with
intervals on each split, each model's threshold and its rationale, every
criterion with its finding (shown better, shown no worse, shown worse or neither,
with the interval and the rows it rests on) and verdict, and the final decision.
The decision is ``promote`` only when the whole gate passed *and* every champion
comparison that ran passed or was inconclusive without blocking (the reasons then
say which criteria were not settled and the rows that would settle them);
with no champion configured (and none required) a passing gate gives
``promote_first_model``.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sentinel_checks.formatting import number
from sentinel_checks.models.evaluation import ModelEvaluation
from sentinel_checks.reports.gate_report import GateRun, blocks, write_atomic
from sentinel_checks.result import CheckResult, Status, plain
from sentinel_checks.stats.comparison import MODEL_METRICS, PairedComparison, segment_name

PROMOTION_JSON = "promotion.json"
#: Segments whose FNR rose that promotion.md tabulates per split (the rest are counted).
SEGMENTS_SHOWN = 8
PROMOTION_MD = "promotion.md"

_METRIC_NAMES = {
    "recall": "recall (risky)",
    "fnr": "FNR (risky missed)",
    "precision": "precision",
    "flagged_fraction": "flagged share",
    "roc_auc": "ROC-AUC",
    "pr_auc": "PR-AUC",
}


def decide(run: GateRun, comparisons: list[CheckResult]) -> tuple[str, list[str]]:
    """The decision and the reasons for it.

    Parameters
    ----------
    run : GateRun
        The gate's outcomes.
    comparisons : list of CheckResult
        The ``promotion.vs_champion`` results, one per compared split.

    Returns
    -------
    decision : str
        ``"do_not_promote"`` (no check ran, a gate check failed or errored, or a
        configured champion was never compared),
        ``"promote_first_model"`` (no champion compared), or ``"promote"``.
    reasons : list of str
        One line each.
    """
    blocking = [o.result.label if o.result else o.nodeid for o in run.outcomes if blocks(o)]
    if run.verdict == "no_checks":
        return "do_not_promote", ["no gate check ran"]
    if blocking:
        return "do_not_promote", [f"the gate failed: {', '.join(blocking)}"]
    judged = [r for r in comparisons if r.status is not Status.SKIP]
    if not judged and run.models.get("champion"):  # configured, yet never compared (review)
        return "do_not_promote", ["a champion is configured but promotion.vs_champion judged nothing"]
    if not judged:
        skipped = [r.message for r in comparisons] or ["promotion.vs_champion did not run"]
        return "promote_first_model", [f"no comparison with a champion: {'; '.join(skipped)}"]
    return "promote", [_reason(r) for r in judged]


def _reason(result: CheckResult) -> str:
    """One line per comparison: passed, or inconclusive and what would settle it."""
    if result.status is not Status.INCONCLUSIVE:
        return f"{result.label} passed"
    open_criteria = [
        c["criterion"]
        for e in result.evidence
        if e.kind == "criteria"
        for c in e.items
        if c["verdict"] == "inconclusive"
    ]
    rows = result.needed.get("n_positive")
    return (
        f"{result.label} inconclusive, not blocking ([gate] block_inconclusive does not list it): "
        f"{', '.join(open_criteria)} not settled on {_num(result.support.get('n_positive'))} risky rows"
        + (f"; ≈ {rows:,} would settle it" if rows else "")
    )


def promotion_document(
    run: GateRun,
    *,
    evaluations: Mapping[str, ModelEvaluation],
    comparisons: Mapping[str, PairedComparison],
    results: list[CheckResult],
) -> dict[str, Any]:
    """``promotion.json``: the decision, the models compared and the evidence.

    Parameters
    ----------
    run : GateRun
        The gate's outcomes.
    evaluations : mapping of str to ModelEvaluation
        By role (``"candidate"``, ``"champion"``), those evaluated.
    comparisons : mapping of str to PairedComparison
        By split, candidate vs champion.
    results : list of CheckResult
        The ``promotion.vs_champion`` results.

    Returns
    -------
    dict
        ``decision``, ``reasons``, ``gate_verdict``, ``config``, ``data``, ``seed``,
        ``models``, ``splits`` and ``criteria``.
    """
    decision, reasons = decide(run, results)
    models = {}
    for role in ("candidate", "champion"):
        ev = evaluations.get(role)
        models[role] = {
            "identity": run.models.get(role) or (ev.identity if ev else None),
            "threshold": ev.threshold if ev else None,
            "threshold_rule": ev.choice.rule if ev else None,
            "rationale": ev.choice.rationale() if ev else None,
        }
    return {
        "decision": decision,
        "reasons": reasons,
        "gate_verdict": run.verdict,
        "config": run.config_path,
        "data": dict(run.data),
        "seed": run.seed,
        "models": models,
        "splits": {name: c.to_dict() for name, c in comparisons.items()},
        "criteria": [
            {
                "label": r.label,
                "status": r.status.value,
                "message": r.message,
                "criteria": next((list(e.items) for e in r.evidence if e.kind == "criteria"), []),
            }
            for r in results
        ],
    }


def promotion_markdown(doc: Mapping[str, Any]) -> str:
    """``promotion.md``: the decision record for a human reviewer.

    Parameters
    ----------
    doc : mapping
        As :func:`promotion_document` returns it.

    Returns
    -------
    str
        Markdown text.
    """
    title = {
        "promote": "PROMOTE the candidate",
        "promote_first_model": "PROMOTE (first model: no champion to compare with)",
        "do_not_promote": "DO NOT PROMOTE: keep the champion",
    }[doc["decision"]]
    lines = [f"# Promotion decision: {title}", ""]
    lines += [f"- {r}" for r in doc["reasons"]]
    lines += [
        "",
        "## What was compared",
        "",
        "| role | identity | threshold | how it was chosen |",
        "|---|---|---|---|",
    ]
    for role, m in doc["models"].items():
        thr = "—" if m["threshold"] is None else f"{m['threshold']:.4g}"
        lines.append(f"| {role} | `{m['identity'] or 'not configured'}` | {thr} | {m['rationale'] or '—'} |")
    lines += ["", f"Config `{doc['config']}` · seed {doc['seed']} · gate verdict **{doc['gate_verdict']}**"]
    if doc["data"]:
        lines.append("Data: " + ", ".join(f"{k} `{v}`" for k, v in doc["data"].items()))
    for name, split in doc["splits"].items():
        conf = split["bootstrap"]["confidence"]
        lines += [
            "",
            f"## {name}: {_num(split['n'])} rows, {_num(split['n_positive'])} risky",
            "",
            f"Each model at its own threshold; two-sided intervals at {100 * conf:.4g}% each (the gate's "
            "confidence split over the criteria × splits, Bonferroni; Wilson for proportions, paired "
            f"Poisson bootstrap with {split['bootstrap']['resamples']} resamples, seed "
            f"{split['bootstrap']['seed']}, for AUCs and differences).",
            *_grid_lines(split.get("score_grid")),
            "",
            "| metric | candidate | champion | candidate − champion |",
            "|---|---|---|---|",
        ]
        for metric in MODEL_METRICS:
            delta = split["delta"].get(metric)
            lines.append(
                f"| {_METRIC_NAMES[metric]} | {_iv(split['candidate'][metric])} | "
                f"{_iv(split['champion'][metric])} | {_iv(delta, signed=True) if delta else '—'} |"
            )
        f = split["flips"]
        lines += [
            "",
            f"Decisions that change: {_num(f['changed'])} ({split['flip_rate']:.1%}): "
            f"{_num(f['newly_flagged'])} newly flagged, {_num(f['newly_cleared'])} newly cleared; "
            f"risky requests newly missed {_num(f['risky_newly_missed'])}, newly caught "
            f"{_num(f['risky_newly_caught'])} (McNemar exact p = "
            f"{split['mcnemar_p']:.3g}).",
        ]
        rose = [s for s in split["segments"] if s["measurable"] and s["fnr_change"] > 0]
        # one past the cap is tabulated rather than counted (as formatting.listing names it)
        worse = rose if len(rose) == SEGMENTS_SHOWN + 1 else rose[:SEGMENTS_SHOWN]
        if worse:
            lines += [
                "",
                "Segments where the candidate misses more risky requests:",
                "",
                "| segment | risky rows | FNR candidate | FNR champion | newly missed | newly caught |",
                "|---|---|---|---|---|---|",
            ]
            for s in worse:
                lines.append(
                    f"| {segment_name(s)} | {_num(s['n_positive'])} | {s['fnr_candidate']:.3f} | "
                    f"{s['fnr_champion']:.3f} | {_num(s['risky_newly_missed'])} | "
                    f"{_num(s['risky_newly_caught'])} |"
                )
            if len(rose) > len(worse):  # counted, not dropped (review)
                lines += [
                    "",
                    f"… and {len(rose) - len(worse):,} more such segment(s): promotion.json lists every one.",
                ]
    if doc["criteria"]:
        lines += [
            "",
            "## Criteria",
            "",
            "Each interval criterion records what the paired interval shows: the candidate *shown "
            "better*, *shown no worse* (within the margin), *shown worse* (beyond the margin) or "
            "*neither* (the interval holds the margin: the data cannot tell; the last column gives "
            "the risky rows that would settle it). FNR: lower is better.",
            "",
            "| check | criterion | finding | estimate [interval] | limit | rows (risky) | verdict | "
            "settled by ≈ risky rows |",
            "|---|---|---|---|---|---|---|---|",
        ]
        gap_shown = ""  # the candidate's one val→test gap: its figure once, not per split (trial)
        for r in doc["criteria"]:
            for c in r["criteria"] or [
                {"criterion": r["message"], "measured": None, "limit": None, "verdict": r["status"]}
            ]:
                estimate = (
                    _iv({"point": c["measured"], "low": c["low"], "high": c["high"]}, signed=True)
                    if "low" in c
                    else _num(c["measured"])
                ) + _decided_by(c)
                if c["criterion"] == "no_val_test_gap":
                    same = estimate == gap_shown
                    gap_shown = estimate
                    of = f" {c['metric']}" if c.get("metric") else ""
                    estimate = "val→test, as above" if same else f"val→test{of} {estimate}"
                rows = f"{_num(c['n'])} ({_num(c['n_positive'])})" if "n" in c else "—"
                lines.append(
                    f"| `{r['label']}` | {c['criterion']} | {c.get('finding', '—').replace('_', ' ')} | "
                    f"{estimate} | {_num(c['limit'])} | {rows} | {c['verdict']} | "
                    f"{_num(c.get('needed'))} |"
                )
    lines.append("")
    return "\n".join(lines)


def write_promotion_record(
    folder: Path,
    run: GateRun,
    *,
    evaluations: Mapping[str, ModelEvaluation],
    comparisons: Mapping[str, PairedComparison],
    results: list[CheckResult],
) -> dict[str, Path]:
    """Write ``promotion.json`` and ``promotion.md`` into ``folder``.

    Parameters
    ----------
    folder : Path
        The reports folder; it must exist.
    run, evaluations, comparisons, results
        As for :func:`promotion_document`.

    Returns
    -------
    dict of str to Path
        The files written, by name.

    Raises
    ------
    OSError
        A file cannot be written.
    """
    doc = promotion_document(run, evaluations=evaluations, comparisons=comparisons, results=results)
    text = json.dumps(plain(doc), indent=2, ensure_ascii=False) + "\n"
    return {
        PROMOTION_JSON: write_atomic(folder / PROMOTION_JSON, text),
        PROMOTION_MD: write_atomic(folder / PROMOTION_MD, promotion_markdown(doc)),
    }


def _iv(value: Mapping[str, float] | None, *, signed: bool = False) -> str:
    if value is None or value["point"] is None or not math.isfinite(value["point"]):
        return "—"
    fmt = "+.3f" if signed else ".3f"
    low, high = value["low"], value["high"]
    if low is None or not (math.isfinite(low) and math.isfinite(high)):
        return f"{value['point']:{fmt}}"
    return f"{value['point']:{fmt}} [{low:{fmt}}, {high:{fmt}}]"


def _decided_by(criterion: Mapping[str, Any]) -> str:
    """``" · upper end 0.04396 ≤ 0.05"``: the interval end a criterion judged on another
    check's interval (the val/test gap, a ceiling) compared with its limit; ``""`` otherwise."""
    end = criterion.get("decided_by")
    if end not in ("upper end", "lower end") or criterion.get("limit") is None:
        return ""
    value = criterion["high"] if end == "upper end" else criterion["low"]
    op = "≤" if end == "upper end" else ">"
    return f" · {end} {_num(value)} {op} {_num(criterion['limit'])}"


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else "—"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return number(int(value))  # a row count, grouped by thousands: 21,592
    return "—" if value is None else str(value)


def _grid_lines(grid: dict[str, Any] | None) -> list[str]:
    """What promotion.md says when the engine put the scores on a grid (trial: the decision
    record did not say so, and its AUCs differed from ``quality.auc``'s)."""
    if not grid:
        return []
    widest = max(max(v) for ranges in grid["auc_below_above"].values() for v in ranges.values())
    return [
        "",
        f"**Scores grouped on a grid in the engine** (cells 1/{grid['grid']} wide, `[engine] "
        "max_paired_groups`): the decisions at the thresholds (recall, FNR, precision, flips) are "
        "exact; each AUC is that of the grouped scores and its interval, and each AUC difference's, "
        f"is widened by how far ties inside a cell could move it (up to {widest:.4f} per model), so "
        "the AUCs here can differ from `quality.auc`'s exact ones. A larger `max_paired_groups` gives "
        "a finer grid.",
    ]

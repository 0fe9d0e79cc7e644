"""The self-test's reports: the JSON document (``reports/selftest.json``), its
Markdown rendering (``reports/selftest.md``) and the terminal matrix
(one row per fault at its default strength, one column per check)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sentinel_checks.selftest.outcome import SelftestOutcome

SCHEMA_VERSION = 1


def to_json(outcome: SelftestOutcome) -> dict[str, Any]:
    alarms = outcome.false_alarms()
    n = len(outcome.resamples)
    reasons = outcome.reasons()
    return {
        "schema_version": SCHEMA_VERSION,
        "verdict": "fail" if reasons else "pass",
        "reasons": reasons,
        "config": str(outcome.config),
        "seed": outcome.seed,
        "resamples": n,
        "resample_share": outcome.share,
        "clean": {
            "verdict": outcome.clean.verdict,
            "failed": sorted(outcome.clean.failed_ids()),
            "problems": outcome.clean.problems,
        },
        "faults": [
            {
                "name": fo.fault.name,
                "description": fo.fault.description,
                "expects": list(fo.fault.expects),
                "unit": fo.fault.unit,
                "default_strength": fo.fault.default,
                "applicable": fo.applicable is None,
                "not_applicable_because": fo.applicable,
                "caught_at_default": fo.caught_at_default if fo.applicable is None else None,
                "weakest_detected_strength": fo.weakest_detected,
                "runs": [
                    {
                        "strength": r.job.strength,
                        "detected": bool(fo.detected(r)),
                        "caught_by": fo.detected(r),
                        "also_failed": fo.also_failed(r),
                        "verdict": r.verdict,
                        "problems": r.problems,
                    }
                    for r in fo.runs
                ],
            }
            for fo in outcome.faults
        ],
        "false_alarms": {
            check_id: {"resamples": n, "failed": k, "rate": (k / n if n else None)}
            for check_id, k in alarms.items()
        },
        "run": {
            "seconds": round(outcome.seconds, 1),
            "copies_judged": 1 + n + sum(len(f.runs) for f in outcome.faults),
        },
    }


def to_markdown(doc: dict[str, Any]) -> str:
    lines = [
        f"# Gate self-test: **{doc['verdict'].upper()}**",
        "",
        f"Config `{doc['config']}`; seed {doc['seed']}; clean copy: {doc['clean']['verdict']}.",
        "",
    ]
    if doc["reasons"]:
        lines += ["Why it fails:", "", *[f"- {r}" for r in doc["reasons"]], ""]
    lines += [
        "## Detection by fault",
        "",
        "| fault | strength (unit) | caught by | also failed |",
        "|---|---|---|---|",
    ]
    for f in doc["faults"]:
        if not f["applicable"]:
            lines.append(f"| {f['name']} | — | not applicable: {f['not_applicable_because']} | |")
            continue
        for r in f["runs"]:
            default = " (default)" if r["strength"] == f["default_strength"] else ""
            caught = ", ".join(r["caught_by"]) or "**missed**"
            lines.append(
                f"| {f['name']} | {r['strength']:g} {f['unit']}{default} | {caught} | "
                f"{', '.join(r['also_failed'])} |"
            )
    lines += [
        "",
        "## Detection curve",
        "",
        "| fault | expected checks | weakest strength caught | at default |",
        "|---|---|---|---|",
    ]
    for f in doc["faults"]:
        if f["applicable"]:
            weakest = (
                "none" if f["weakest_detected_strength"] is None else f"{f['weakest_detected_strength']:g}"
            )
            lines.append(
                f"| {f['name']} | {', '.join(f['expects'])} | {weakest} {f['unit']} | "
                f"{'caught' if f['caught_at_default'] else 'MISSED'} |"
            )
    lines += [
        "",
        f"## False alarms over {doc['resamples']} clean resample(s) "
        f"({doc['resample_share']:.0%} of rows each)",
        "",
        "| check | failed | rate |",
        "|---|---:|---:|",
    ]
    for check_id, fa in doc["false_alarms"].items():
        rate = "—" if fa["rate"] is None else f"{fa['rate']:.0%}"
        lines.append(f"| {check_id} | {fa['failed']} of {fa['resamples']} | {rate} |")
    lines += ["", f"{doc['run']['copies_judged']} copies judged in {doc['run']['seconds']:.0f} s."]
    return "\n".join(lines) + "\n"


def matrix(doc: dict[str, Any]) -> str:
    """The terminal view: one row per fault at its default strength, one column per check."""
    ids = sorted({c for f in doc["faults"] for c in f["expects"]})
    width = max(len(f["name"]) for f in doc["faults"]) if doc["faults"] else 10
    head = " " * (width + 2) + " ".join(f"{i.split('.')[-1][:10]:>10}" for i in ids)
    rows = [head]
    for f in doc["faults"]:
        run = next((r for r in f["runs"] if r["strength"] == f["default_strength"]), None)
        cells = []
        for i in ids:
            if run is None:
                cells.append(f"{'n/a':>10}")
            elif i in run["caught_by"]:
                cells.append(f"{'CAUGHT':>10}")
            elif i in f["expects"]:
                cells.append(f"{'missed':>10}")
            else:
                cells.append(f"{'.':>10}")
        rows.append(f"{f['name']:<{width}}  " + " ".join(cells))
    return "\n".join(rows)


def write_reports(doc: dict[str, Any], reports: Path) -> tuple[Path, Path]:
    reports.mkdir(parents=True, exist_ok=True)
    js, md = reports / "selftest.json", reports / "selftest.md"
    js.write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    md.write_text(to_markdown(doc), encoding="utf-8")
    return js, md

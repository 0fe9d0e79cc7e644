"""``reports/gate.html``: one self-contained page a person can read (figures inlined)."""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Mapping
from pathlib import Path

from sentinel_checks.reports.gate_report import GateRun
from sentinel_checks.reports.html_cards import (
    all_checks,
    cards,
    header,
    overview,
    setup_section,
    warnings,
)
from sentinel_checks.reports.setup_stop import other_notes

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.2rem auto;max-width:1150px;
color:#1b1f24;padding:0 1rem;line-height:1.4}
h1{margin:.2rem 0;font-size:1.6rem} h2{margin-top:1.6rem;border-bottom:1px solid #d0d7de}
.meta{color:#57606a;font-size:.85rem} code{font-size:.85em}
.verdict{display:inline-block;padding:.15rem .7rem;border-radius:4px;color:#fff;font-weight:700;
vertical-align:middle}
.verdict.pass{background:#1a7f37} .verdict.fail{background:#cf222e}
.verdict.no_checks{background:#9a6700} .verdict.setup_error{background:#57606a}
.counts .count{display:inline-block;margin-right:.5rem;padding:.15rem .6rem;border-radius:12px;
background:#f6f8fa;
border:1px solid #d0d7de} .counts b{font-size:1.1rem}
.first.ok{background:#dafbe1;border-color:#4ac26b}
.first{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.5rem .8rem;
font-size:1.02rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.86rem}
th,td{border:1px solid #d0d7de;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#f6f8fa} caption{text-align:left;font-weight:600;padding:.2rem 0;font-size:.85rem}
.s-fail,.s-error{color:#cf222e;font-weight:600} .s-setup{color:#57606a;font-weight:600}
#setup li{margin:.3rem 0} #setup pre{margin:.1rem 0} .s-pass{color:#1a7f37} .s-skip,.s-skipped{color:#57606a}
.s-inconclusive{color:#8250df;font-weight:600} .s-warn{color:#9a6700;font-weight:600}
td.zero{color:#afb8c1}
.card{border:1px solid #d0d7de;border-left:6px solid #cf222e;border-radius:6px;padding:.5rem .9rem;
margin:.6rem 0;
color:#1b1f24;font-weight:400} .card.s-inconclusive{border-left-color:#8250df}
.card.s-warn{border-left-color:#d4a72c;background:#fffdf2}
.card h3{margin:.1rem 0 .3rem;font-size:1rem} .card .tag{font-size:.75rem;padding:.05rem .4rem;
border-radius:3px;
color:#fff;background:#cf222e} .card.s-inconclusive .tag{background:#8250df}
.card.s-warn .tag{background:#9a6700}
.card .phase{color:#57606a;font-weight:400;font-size:.8rem} .card p{margin:.25rem 0}
.card .ml{font-weight:600} .card .support{font-weight:400;color:#57606a}
.card table.ev{width:auto;max-width:100%;font-size:.8rem} .fix{color:#0a3069} .settle{color:#6639ba}
h3.phase-title{margin:1rem 0 .2rem;color:#57606a;font-size:.95rem;text-transform:uppercase;
letter-spacing:.04em}
table.all{table-layout:fixed} col.c-id{width:30%} col.c-phase{width:11%} col.c-status{width:9%}
col.c-ml{width:18%}
td.id{overflow:hidden;text-overflow:ellipsis;white-space:nowrap} td.m{overflow-wrap:anywhere}
pre{white-space:pre-wrap;background:#f6f8fa;padding:.6rem;border-radius:4px;font-size:.78rem}
details summary{cursor:pointer;color:#57606a;font-size:.85rem}
.figs{display:flex;flex-wrap:wrap;gap:1rem} .figs figure{margin:0} .figs img{max-width:100%;
border:1px solid #d0d7de}
"""

FIGURES = [
    ("pr_curve.png", "Precision–recall on test, operating thresholds marked"),
    ("reliability.png", "Reliability diagram (equal-mass bins)"),
    ("scores.png", "Score histograms by class"),
    ("training_curves.png", "Training curves"),
]


def _notes(run: GateRun) -> list[str]:
    """The run's notes (what the engine could not do where the data lies, and did
    otherwise) as a list under the header; none when there are none."""
    notes = other_notes(run)  # a setup stop's "(not checked)" notes: under its problems
    if not notes:
        return []
    items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    return [f"<h2>Notes on this run</h2><ul>{items}</ul>"]


def gate_html(run: GateRun, artefacts: Mapping[str, Path]) -> str:
    """``gate.html``: the verdict, every check, and the figures and drift reports written.

    Parameters
    ----------
    run : GateRun
        The gate's outcomes.
    artefacts : mapping of str to Path
        Files written next to it, by name (e.g. ``"reliability.png"``, drift HTML
        reports); those present are linked or embedded.

    Returns
    -------
    str
        A self-contained HTML page (text escaped).
    """
    esc = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Gradient Sentinel gate: {esc(run.verdict.replace('_', ' ').upper())}</title>",
        f"<style>{_STYLE}</style></head><body>",
        *header(run),
        *setup_section(run),
        *_notes(run),
        *overview(run),
        *_confidence_note(run),
        *cards(run),
        *warnings(run),
        *all_checks(run),
    ]
    segments = [o.result for o in run.outcomes if o.result is not None and o.result.id == "quality.segments"]
    if segments:
        parts.append(
            "<h2>Segments</h2><table><tr><th>column</th><th>split</th><th>segment</th>"
            "<th>rows</th><th>risky</th><th>recall</th></tr>"
        )
        for r in sorted(segments, key=lambda r: r.label):
            for ev in r.evidence:
                for row in ev.items:
                    recall = row.get("recall")
                    parts.append(
                        f"<tr><td>{esc(str(r.parameters.get('column')))}</td>"
                        f"<td>{esc(str(r.parameters.get('split')))}</td><td>{esc(str(row.get('segment')))}</td>"
                        f"<td>{row.get('rows')}</td><td>{row.get('positives')}</td>"
                        f"<td>{'' if recall is None else f'{recall:.3f}'}</td></tr>"
                    )
        parts.append("</table>")
    experiments = artefacts.get("experiments.csv")
    if experiments is not None and experiments.exists():
        rows = list(csv.DictReader(io.StringIO(experiments.read_text(encoding="utf-8"))))
        shown = [
            "model",
            "split",
            "threshold",
            "recall",
            "fnr",
            "precision",
            "roc_auc",
            "pr_auc",
            "ece",
            "brier",
        ]
        parts.append("<h2>Models and baselines</h2><table><tr>")
        parts.extend(f"<th>{esc(c)}</th>" for c in shown)
        parts.append("</tr>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{esc(row.get(c, ''))}</td>" for c in shown) + "</tr>")
        parts.append("</table>")
    parts.extend(_promotion_section(artefacts.get("promotion.json")))
    drift_pages = sorted(name for name in artefacts if name.startswith("drift/"))
    if drift_pages:
        parts.append("<h2>Drift reports (Evidently)</h2><ul>")
        parts.extend(f"<li><a href='{esc(name)}'>{esc(name)}</a></li>" for name in drift_pages)
        parts.append("</ul>")
    figures = [(name, caption) for name, caption in FIGURES if name in artefacts]
    if figures:
        parts.append("<h2>Figures</h2><div class='figs'>")
        for name, caption in figures:
            data = base64.b64encode(artefacts[name].read_bytes()).decode("ascii")
            parts.append(
                f"<figure><img alt='{esc(caption)}' src='data:image/png;base64,{data}'>"
                f"<figcaption>{esc(caption)}</figcaption></figure>"
            )
        parts.append("</div>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _promotion_section(path: Path | None) -> list[str]:
    """Candidate vs champion: the decision and, per split, the metrics with intervals."""
    if path is None or not path.exists():
        return []
    import json

    esc = html.escape
    doc = json.loads(path.read_text(encoding="utf-8"))
    parts = [
        f"<h2>Promotion: {esc(doc['decision'].replace('_', ' '))}</h2>",
        "<ul>" + "".join(f"<li>{esc(r)}</li>" for r in doc["reasons"]) + "</ul>",
        "<p>The decision record: <a href='promotion.md'>promotion.md</a></p>",
    ]
    for name, split in doc["splits"].items():
        parts.append(
            f"<h3>{esc(name)}: {split['n']} rows, {split['n_positive']} risky</h3><table><tr><th>metric</th>"
            "<th>candidate</th><th>champion</th><th>candidate − champion</th></tr>"
        )
        for metric in ("fnr", "precision", "flagged_fraction", "pr_auc", "roc_auc"):
            values = (split["candidate"][metric], split["champion"][metric], split["delta"].get(metric))
            cells = "".join(f"<td>{esc(_interval(v))}</td>" for v in values)
            parts.append(f"<tr><td>{esc(metric)}</td>{cells}</tr>")
        parts.append("</table>")
    return parts


def _interval(value: Mapping[str, float | None] | None) -> str:
    if not value or value.get("point") is None:
        return "—"
    point, low, high = value["point"], value.get("low"), value.get("high")
    return f"{point:.3f}" if low is None or high is None else f"{point:.3f} [{low:.3f}, {high:.3f}]"


def _confidence_note(run: GateRun) -> list[str]:
    """gate.md's paragraph on why confidence levels differ, when a check shows an interval."""
    from sentinel_checks.reports.gate_md import CONFIDENCE_NOTE, shows_an_interval

    if not shows_an_interval(run.outcomes):
        return []
    return [f"<p class='note'>{html.escape(CONFIDENCE_NOTE.replace('`', ''))}</p>"]

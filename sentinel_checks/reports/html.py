"""``reports/gate.html``: one self-contained page a person can read (figures inlined)."""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Mapping
from pathlib import Path

from sentinel_checks.reports.explain import explain, measured_vs_limit, what_would_settle
from sentinel_checks.reports.gate_report import GateRun, inconclusive

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#1b1f24;padding:0 1rem}
h1{margin-bottom:.2rem} .meta{color:#57606a;font-size:.9rem}
.verdict{display:inline-block;padding:.3rem .8rem;border-radius:4px;color:#fff;font-weight:600}
.pass{background:#1a7f37} .fail{background:#cf222e} .no_checks{background:#9a6700}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem;font-size:.88rem}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa} td.s-fail,td.s-error{color:#cf222e;font-weight:600} td.s-pass{color:#1a7f37}
td.s-skipped,td.s-skip{color:#57606a}
td.s-inconclusive,td.s-warn{color:#9a6700;font-weight:600}
pre{white-space:pre-wrap;background:#f6f8fa;padding:.6rem;
border-radius:4px;font-size:.82rem} .figs{display:flex;flex-wrap:wrap;gap:1rem}
.figs figure{margin:0} .figs img{max-width:520px;border:1px solid #d0d7de}
"""

FIGURES = [
    ("pr_curve.png", "Precision–recall on test, operating thresholds marked"),
    ("reliability.png", "Reliability diagram (equal-mass bins)"),
    ("scores.png", "Score histograms by class"),
    ("training_curves.png", "Training curves"),
]


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
        "<title>Gradient Sentinel gate</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Gradient Sentinel gate</h1>",
        f"<p><span class='verdict {esc(run.verdict)}'>"
        f"{esc(run.verdict.replace('_', ' ').upper())}</span></p>",
        f"<p class='meta'>config <code>{esc(run.config_path)}</code> · seed {run.seed} · "
        + " · ".join(f"{esc(k)} <code>{esc(str(v)[:23])}</code>" for k, v in run.data.items())
        + "</p>",
    ]
    bad = sorted((o for o in run.outcomes if o.outcome in ("failed", "error")), key=lambda o: o.nodeid)
    if bad:
        parts.append("<h2>Failing checks</h2>")
        for o in bad:
            text = explain(o.result) if o.result is not None else f"{o.nodeid}\n{o.message}"
            parts.append(f"<pre>{esc(text)}</pre>")
    unsettled = inconclusive(run)
    if unsettled:
        parts.append(
            "<h2>Inconclusive: the data cannot tell</h2><p>The interval holds the limit at this sample "
            "size. Blocks the gate only when listed in <code>[gate] block_inconclusive</code>.</p>"
            "<table><tr><th>check</th><th>blocks</th><th>measured vs limit</th><th>what would settle it</th>"
            "<th>message</th></tr>"
        )
        for r in unsettled:
            parts.append(
                f"<tr><td><code>{esc(r.label)}</code></td><td>{'yes' if r.inconclusive_blocks else 'no'}</td>"
                f"<td>{esc(measured_vs_limit(r))}</td>"
                f"<td class='settle'>{esc(what_would_settle(r) or '—')}</td>"
                f"<td>{esc(r.message)}</td></tr>"
            )
        parts.append("</table>")
    parts.append(
        "<h2>All checks</h2><table><tr><th>check</th><th>status</th><th>measured vs limit</th>"
        "<th>message</th></tr>"
    )
    for o in sorted(run.outcomes, key=lambda o: o.nodeid):
        if o.result is not None:
            r = o.result
            parts.append(
                f"<tr><td><code>{esc(r.label)}</code></td><td class='s-{esc(r.status.value)}'>"
                f"{esc(r.status.value)}</td><td>{esc(measured_vs_limit(r))}</td><td>{esc(r.message)}</td></tr>"
            )
        else:
            parts.append(
                f"<tr><td><code>{esc(o.nodeid)}</code></td><td class='s-{esc(o.outcome)}'>{esc(o.outcome)}"
                f"</td><td>—</td><td>{esc(o.message)}</td></tr>"
            )
    parts.append("</table>")
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

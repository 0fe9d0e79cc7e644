"""Whether a gate report allows a promotion: the gate passed for exactly these inputs
(the same config file, the same data fingerprints — a loader's rows, the training log —
the same candidate and champion files), and was not partial."""

from __future__ import annotations

import json
from pathlib import Path

from sentinel_checks.config import SentinelConfig
from sentinel_checks.data.identity import config_fingerprint, data_identity, model_identities
from sentinel_checks.errors import DataError, PromotionRefused, ReportError
from sentinel_checks.reports.gate_report import GateReport

PROMOTABLE = ("promote", "promote_first_model")


def verify_report(config: SentinelConfig, report: Path, *, allow_partial: bool = False) -> GateReport:
    """The gate report, if it allows promoting the configured candidate; else PromotionRefused
    listing every reason.

    A report of a partial gate (suites left out, tests deselected with -k/-m) is
    refused unless ``allow_partial``.

    Parameters
    ----------
    config : SentinelConfig
        The configuration the promotion is for: its file, data (a loader is called:
        the rows it returns now), training log, candidate and champion (a file or score
        column; a registry URI is checked against the registry when promoting) are
        fingerprinted and compared with what the report recorded.
    report : Path
        The ``gate.json`` written by the gate; a ``promotion.json`` next to it is read too.
    allow_partial : bool, optional
        Accept a report of a gate that did not run every suite or test.

    Returns
    -------
    GateReport
        The report, parsed.

    Raises
    ------
    PromotionRefused
        The report is missing or unreadable, the gate did not pass, it was written for
        another config, data, training log, candidate or champion, a loader fails, the
        gate was partial (without ``allow_partial``), or ``promotion.json`` records a
        decision other than promote.
    """
    try:
        doc = GateReport.read(report)
    except ReportError as exc:
        if not exc.missing:
            raise PromotionRefused(str(exc)) from None
        # trial: run from another folder than the gate, neither where nor --report was said
        where = f" (in {Path.cwd()})" if not report.is_absolute() else ""
        raise PromotionRefused(
            f"{exc}{where}: run `sentinel gate` first, or, when the gate wrote its reports "
            "elsewhere, give --report <the gate's reports folder or its gate.json>"
        ) from None
    problems: list[str] = []
    verdict = doc.verdict
    if verdict != "pass":
        failing = [c.name for c in doc.bad]
        shown = f": {', '.join(failing[:8])}" + (" …" if len(failing) > 8 else "") if failing else ""
        problems.append(f"the gate did not pass (verdict {verdict!r}){shown}")
    elif doc.bad:  # a gate.json of before the fix: a failed check pytest counted as xfailed
        named = ", ".join(c.name for c in doc.bad[:8]) + (" …" if len(doc.bad) > 8 else "")
        problems.append(f"the report's verdict is 'pass' but it records failed checks: {named}")
    try:  # a loader's rows as it returns them now
        data_now = data_identity(config, load=True).fingerprints
    except DataError as exc:
        problems.append(f"the data cannot be read to compare it with the report's: {exc}")
        data_now = data_identity(config).fingerprints
    expected = {
        "config": config_fingerprint(config),
        **{f"data {k}": v for k, v in data_now.items()},
        **model_identities(config),
    }
    recorded = {"config": doc.config_sha256, **{f"data {k}": v for k, v in doc.data.items()}, **doc.models}
    expected.setdefault("candidate", "")
    champion = config.models.champion
    if champion is not None and champion.uri is not None:
        # a registry's alias is checked against the registry when promoting
        # (promotion._check_champion_unchanged); its unresolved URI matches no report
        expected.pop("champion", None)
        recorded.pop("champion", None)
    for key, value in expected.items():
        if recorded.get(key) != value:
            problems.append(
                f"the report is for another {_INPUTS.get(key, key)}: it recorded "
                f"{recorded.get(key) or 'nothing'}, the configured one is {value or 'missing'}"
            )
    for key in recorded.keys() - expected.keys():
        problems.append(f"the report covers the {_INPUTS.get(key, key)}, which the config no longer names")
    if not allow_partial:
        problems += _partial(doc)
    decision = _decision(report.parent / "promotion.json")
    if decision is not None and decision not in PROMOTABLE:
        problems.append(f"the promotion record says {decision!r} ({report.parent / 'promotion.json'})")
    if problems:
        raise PromotionRefused(
            f"refusing to promote with {report}:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    return doc


#: The inputs a report records, in the config's words (trial: "another data training_log").
_INPUTS = {
    "config": "config file",
    "data dataset": "dataset ([data])",
    "data production": "production sample ([production])",
    "data training_log": "training log ([training] log)",
    "candidate": "candidate ([models.candidate])",
    "champion": "champion ([models.champion])",
}


def _partial(doc: GateReport) -> list[str]:
    from sentinel_checks.scaffold import SHIPPED_SUITES

    coverage = doc.coverage
    problems = []
    missing = sorted({f"{s}.py" for s in SHIPPED_SUITES} - set(coverage.get("suites") or []))
    if missing:
        problems.append(f"the gate did not run every suite (missing: {', '.join(missing)})")
    if coverage.get("deselected"):
        problems.append(f"{coverage['deselected']} gate test(s) were deselected (-k/-m): a partial gate")
    if problems:
        problems[-1] += "; run the whole gate, or pass --allow-partial deliberately"
    return problems


def _decision(path: Path) -> str | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("decision")
    except (OSError, ValueError, AttributeError):
        return None
    return str(value) if value is not None else None

"""Promotion, rollback and the kill switch over an MLflow model registry (runbook steps 15–16).

Aliases on one registered model carry the state:

``@champion``  the version serving code loads (``models:/<name>@champion``)
``@previous``  the version ``sentinel rollback`` returns to
``@disabled``  set by ``sentinel disable`` (the kill switch): ``@champion`` is removed

The order of champion versions lives in the registered model's tag
``sentinel.lineage`` (``"1,3,4"``), so rollback can step back more than once.
Every move is appended to an audit log (JSON lines: who, when, which version,
which gate report) and tagged on the version.

``promote`` refuses unless ``gate.json`` says the gate passed *for exactly these
inputs*: the same config file, the same data fingerprints and the same candidate
file. Registry errors happen before the alias moves, so a failed promotion changes
no alias.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sentinel_checks.adapters.mlflow_registry import Registry, Version
from sentinel_checks.config import SentinelConfig
from sentinel_checks.data.identity import config_fingerprint, data_fingerprints, model_identities
from sentinel_checks.data.io import fingerprint_file
from sentinel_checks.data.jsonl import append_line, read_lines
from sentinel_checks.errors import PromotionRefused, RegistryError, ReportError
from sentinel_checks.reports.gate_report import GateReport

CHAMPION, PREVIOUS, DISABLED = "champion", "previous", "disabled"
LINEAGE_TAG = "sentinel.lineage"
STATE_TAG = "sentinel.state"
PROMOTABLE = ("promote", "promote_first_model")


@dataclass(frozen=True)
class Move:
    """One registry change, as written to the audit log."""

    action: str
    model: str
    version: str | None
    previous: str | None
    actor: str
    at: str
    registry: str
    gate_report: str | None = None
    gate_report_sha256: str | None = None
    candidate: str | None = None
    reason: str = ""


def open_registry(config: SentinelConfig) -> Registry:
    """The registry ``[registry]`` names, ready for the moves below.

    Parameters
    ----------
    config : SentinelConfig
        ``[registry]``: ``store`` (MLflow tracking URI), ``model_name``,
        ``artifact_location``, ``timeout_seconds``.

    Returns
    -------
    Registry
        A handle on the registered model (nothing is contacted until it is used).
    """
    r = config.registry
    return Registry(
        r.store,
        model_name=r.model_name,
        artifact_location=r.artifact_location,
        timeout=r.timeout_seconds,
    )


def actor() -> str:
    """Who is acting: $SENTINEL_ACTOR, the CI's user ($GITHUB_ACTOR, $GITLAB_USER_LOGIN), else the login."""
    for var in ("SENTINEL_ACTOR", "GITHUB_ACTOR", "GITLAB_USER_LOGIN"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# --------------------------------------------------------------------------- verify


def verify_report(config: SentinelConfig, report: Path, *, allow_partial: bool = False) -> GateReport:
    """The gate report, if it allows promoting the configured candidate; else PromotionRefused
    listing every reason.

    A report of a partial gate (suites left out, tests deselected with -k/-m) is
    refused unless ``allow_partial``.

    Parameters
    ----------
    config : SentinelConfig
        The configuration the promotion is for: its file, data and candidate are
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
        another config, data or candidate file, the gate was partial (without
        ``allow_partial``), or ``promotion.json`` records a decision other than promote.
    """
    try:
        doc = GateReport.read(report)
    except ReportError as exc:
        hint = " (run `sentinel gate` first)" if exc.missing else ""
        raise PromotionRefused(f"{exc}{hint}") from None
    problems: list[str] = []
    verdict = doc.verdict
    if verdict != "pass":
        failing = [c.name for c in doc.bad]
        shown = f": {', '.join(failing[:8])}" + (" …" if len(failing) > 8 else "") if failing else ""
        problems.append(f"the gate did not pass (verdict {verdict!r}){shown}")
    expected = {
        "config": config_fingerprint(config),
        **{f"data {k}": v for k, v in data_fingerprints(config).items()},
        "candidate": model_identities(config).get("candidate", ""),
    }
    recorded = {
        "config": doc.config_sha256,
        **{f"data {k}": v for k, v in doc.data.items()},
        "candidate": doc.models.get("candidate", ""),
    }
    for key, value in expected.items():
        if recorded.get(key) != value:
            problems.append(
                f"the report is for another {key}: it recorded {recorded.get(key) or 'nothing'}, "
                f"the configured one is {value or 'missing'}"
            )
    for key in recorded.keys() - expected.keys():
        problems.append(f"the report covers {key}, which the config no longer names")
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


# --------------------------------------------------------------------------- moves


def promote(
    config: SentinelConfig, report: Path, *, who: str | None = None, allow_partial: bool = False
) -> Move:
    """Register the candidate and make it the champion, if its gate report allows it.

    ``@champion`` moves to the new version, the old champion (unless disabled)
    becomes ``@previous``, ``@disabled`` is cleared, and the move is appended to
    ``[registry] audit_log``.

    Parameters
    ----------
    config : SentinelConfig
        ``[models.candidate] path`` (the file registered) and ``[registry]``.
    report : Path
        The ``gate.json`` of the gate run on these inputs.
    who : str, optional
        The actor recorded; default :func:`actor`.
    allow_partial : bool, optional
        Accept a report of a partial gate (see :func:`verify_report`).

    Returns
    -------
    Move
        The move, as written to the audit log.

    Raises
    ------
    PromotionRefused
        The candidate is not a file, the report does not allow it (:func:`verify_report`),
        the champion the gate compared against has changed, or the current champion
        is already this file.
    ModelLoadError
        The candidate file cannot be loaded under the gate's trust rules.
    RegistryError
        The registry cannot be reached or an operation fails.
    """
    from sentinel_checks.models.loading import load_model

    spec = config.models.candidate
    if spec is None or spec.path is None:
        raise PromotionRefused(
            "only a candidate model file can be promoted: set [models.candidate] path "
            "(a score column or a registry URI cannot be registered)"
        )
    gate = verify_report(config, report, allow_partial=allow_partial)
    registry = open_registry(config)
    model = load_model(spec, role="candidate")  # the same trust rules as the gate
    current = _current(registry)
    _check_champion_unchanged(config, registry, report, gate)
    candidate_sha = f"sha256:{fingerprint_file(spec.path)}"
    if current is not None and current.tags.get("sentinel.model_sha256") == candidate_sha:
        raise PromotionRefused(
            f"{registry.name} version {current.version} is already this model ({candidate_sha})"
        )
    report_sha = f"sha256:{fingerprint_file(report)}"
    who, at = who or actor(), _now()
    tags = {
        "sentinel.model_sha256": candidate_sha,
        "sentinel.gate_report": str(report.resolve()),
        "sentinel.gate_report_sha256": report_sha,
        "sentinel.config_sha256": config_fingerprint(config),
        "sentinel.promoted_by": who,
        "sentinel.promoted_at": at,
        **{f"sentinel.data.{k}": v for k, v in data_fingerprints(config).items()},
    }
    version = registry.register(model.estimator, tags=tags)
    lineage = [*_lineage(registry), version.version]
    registry.tag_model(LINEAGE_TAG, ",".join(lineage))
    serving = _alias(registry, CHAMPION)
    if serving is not None:  # a disabled champion never becomes @previous
        registry.set_alias(PREVIOUS, serving.version)
    registry.set_alias(CHAMPION, version.version)
    registry.tag_version(version.version, STATE_TAG, CHAMPION)
    if _alias(registry, DISABLED) is not None:
        registry.delete_alias(DISABLED)
    return _record(
        config,
        registry,
        "promote",
        version=version.version,
        previous=serving.version if serving else None,
        who=who,
        at=at,
        gate_report=str(report.resolve()),
        gate_report_sha256=report_sha,
        candidate=candidate_sha,
    )


def adopt(config: SentinelConfig, *, who: str | None = None, reason: str = "") -> Move:
    """Register the model already in production (``[models.champion] path``) as the first
    ``@champion``, without a gate: the starting point for gated promotions.

    Parameters
    ----------
    config : SentinelConfig
        ``[models.champion] path`` and ``[registry]``.
    who : str, optional
        The actor recorded; default :func:`actor`.
    reason : str, optional
        Recorded in the audit log.

    Returns
    -------
    Move
        The move, as written to the audit log.

    Raises
    ------
    PromotionRefused
        No champion file is configured, or the registered model already has a champion
        (or a champion history).
    ModelLoadError
        The champion file cannot be loaded.
    RegistryError
        The registry cannot be reached or an operation fails.
    """
    from sentinel_checks.models.loading import load_model

    spec = config.models.champion
    if spec is None or spec.path is None:
        raise PromotionRefused("adopt needs [models.champion] path: the model file serving today")
    registry = open_registry(config)
    existing = _current(registry)
    if existing is not None or _lineage(registry):
        raise PromotionRefused(
            f"{registry.name} already has a champion history "
            f"(version {existing.version if existing else '?'}): "
            "adopt only starts an empty registry; use the gate and `sentinel promote`"
        )
    model = load_model(spec, role="champion")
    sha = f"sha256:{fingerprint_file(spec.path)}"
    who, at = who or actor(), _now()
    version = registry.register(
        model.estimator,
        tags={"sentinel.model_sha256": sha, "sentinel.adopted_by": who, "sentinel.adopted_at": at},
    )
    registry.tag_model(LINEAGE_TAG, version.version)
    registry.set_alias(CHAMPION, version.version)
    registry.tag_version(version.version, STATE_TAG, CHAMPION)
    return _record(
        config,
        registry,
        "adopt",
        version=version.version,
        previous=None,
        who=who,
        at=at,
        candidate=sha,
        reason=reason,
    )


def _check_champion_unchanged(
    config: SentinelConfig, registry: Registry, report: Path, gate: GateReport
) -> None:
    """When the gate compared against ``models:/<this model>@alias``, that alias must still
    name the version the gate loaded: otherwise the comparison is stale."""
    spec = config.models.champion
    prefix = f"models:/{registry.name}@"
    if spec is None or spec.uri is None or not spec.uri.startswith(prefix):
        return
    recorded = gate.models.get("champion", "")
    now = registry.version_by_alias(spec.uri.removeprefix(prefix))
    expected = f"models:/{registry.name}/{now.version} " if now is not None else None
    if expected is None or not recorded.startswith(expected):
        raise PromotionRefused(
            f"the champion changed since the gate ran: {report} compared against {recorded or 'nothing'}, "
            f"{spec.uri} is now {expected.strip() if expected else 'not set'}; run the gate again"
        )


def rollback(config: SentinelConfig, *, who: str | None = None, reason: str = "") -> Move:
    """Make the previous champion the champion again (also after ``disable``).

    Parameters
    ----------
    config : SentinelConfig
        ``[registry]``.
    who : str, optional
        The actor recorded; default :func:`actor`.
    reason : str, optional
        Recorded in the audit log.

    Returns
    -------
    Move
        The move, as written to the audit log.

    Raises
    ------
    RegistryError
        There is no ``@previous`` version, or the registry cannot be reached or an
        operation fails.
    """
    registry = open_registry(config)
    current = _current(registry)
    previous = _alias(registry, PREVIOUS)
    if previous is None:
        raise RegistryError(
            f"{registry.name}: no @{PREVIOUS} version to roll back to "
            f"(champion is {current.version if current else 'not set'})"
        )
    lineage = [v for v in _lineage(registry) if current is None or v != current.version]
    registry.set_alias(CHAMPION, previous.version)
    registry.tag_version(previous.version, STATE_TAG, CHAMPION)
    if current is not None:
        registry.tag_version(current.version, STATE_TAG, "rolled_back")
    before = lineage[: lineage.index(previous.version)] if previous.version in lineage else []
    if before:
        registry.set_alias(PREVIOUS, before[-1])
    else:
        registry.delete_alias(PREVIOUS)
    if _alias(registry, DISABLED) is not None:
        registry.delete_alias(DISABLED)
    registry.tag_model(LINEAGE_TAG, ",".join(lineage))
    return _record(
        config,
        registry,
        "rollback",
        version=previous.version,
        previous=current.version if current else None,
        who=who,
        reason=reason,
    )


def disable(config: SentinelConfig, *, reason: str, who: str | None = None) -> Move:
    """The kill switch: remove ``@champion`` so no serving process loads it, keep it under ``@disabled``.

    Parameters
    ----------
    config : SentinelConfig
        ``[registry]``.
    reason : str
        Why, recorded in the audit log.
    who : str, optional
        The actor recorded; default :func:`actor`.

    Returns
    -------
    Move
        The move, as written to the audit log.

    Raises
    ------
    RegistryError
        There is no ``@champion``, or the registry cannot be reached or an operation fails.
    """
    registry = open_registry(config)
    current = _alias(registry, CHAMPION)
    if current is None:
        raise RegistryError(f"{registry.name}: there is no @{CHAMPION} to disable")
    registry.set_alias(DISABLED, current.version)
    registry.tag_version(current.version, STATE_TAG, DISABLED)
    registry.delete_alias(CHAMPION)
    registry.tag_model(LINEAGE_TAG, ",".join(v for v in _lineage(registry) if v != current.version))
    return _record(
        config, registry, "disable", version=current.version, previous=None, who=who, reason=reason
    )


def status(config: SentinelConfig) -> dict[str, Any]:
    """Which version holds each alias, the lineage, and the last moves of the audit log.

    Parameters
    ----------
    config : SentinelConfig
        ``[registry]``.

    Returns
    -------
    dict
        ``model``, ``registry`` (URI), ``aliases`` (per alias ``None`` or
        ``{"version", "tags"}``), ``lineage`` (versions, oldest first), ``serving``
        (:func:`serving_uri`) and ``audit`` (the last 10 moves).

    Raises
    ------
    RegistryError
        The registry cannot be reached.
    """
    registry = open_registry(config)
    aliases = {}
    for alias in (CHAMPION, PREVIOUS, DISABLED):
        v = _alias(registry, alias)
        aliases[alias] = None if v is None else {"version": v.version, "tags": dict(v.tags)}
    return {
        "model": registry.name,
        "registry": registry.uri,
        "aliases": aliases,
        "lineage": _lineage(registry),
        "serving": serving_uri(registry),
        "audit": read_audit(config)[-10:],
    }


def serving_uri(registry: Registry) -> str | None:
    """What serving code should load: ``models:/<name>@champion``, or ``None`` when the kill
    switch is on (fall back to the rules engine / manual review, never to an unknown model).

    Parameters
    ----------
    registry : Registry
        The registry (:func:`open_registry`).

    Returns
    -------
    str or None
        The URI, or ``None`` when no version holds ``@champion``.

    Raises
    ------
    RegistryError
        The registry cannot be reached.
    """
    champion = _alias(registry, CHAMPION)
    return None if champion is None else f"models:/{registry.name}@{CHAMPION}"


def _current(registry: Registry) -> Version | None:
    """The version in service, or the one disabled by the kill switch."""
    return _alias(registry, CHAMPION) or _alias(registry, DISABLED)


def _alias(registry: Registry, alias: str) -> Version | None:
    return registry.version_by_alias(alias)


def _lineage(registry: Registry) -> list[str]:
    text = registry.model_tags().get(LINEAGE_TAG, "")
    return [v for v in text.split(",") if v]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- audit log


def _record(
    config: SentinelConfig,
    registry: Registry,
    action: str,
    *,
    version: str | None,
    previous: str | None,
    who: str | None,
    at: str | None = None,
    **extra: Any,
) -> Move:
    """Build the move, append it to the audit log, return it."""
    move = Move(
        action=action,
        model=registry.name,
        version=version,
        previous=previous,
        actor=who or actor(),
        at=at or _now(),
        registry=registry.uri,
        **extra,
    )
    _audit(config, move)
    return move


def _audit(config: SentinelConfig, move: Move) -> None:
    append_line(config.registry.audit_log, asdict(move))


def read_audit(config: SentinelConfig) -> list[dict[str, Any]]:
    """Every move recorded so far (a torn last line from a crash is skipped).

    Parameters
    ----------
    config : SentinelConfig
        ``[registry] audit_log`` is the JSON-lines file read.

    Returns
    -------
    list of dict
        The moves (fields of :class:`Move`), oldest first; ``[]`` without a log.
    """
    return read_lines(config.registry.audit_log)

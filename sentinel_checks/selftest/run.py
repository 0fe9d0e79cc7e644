"""``sentinel selftest``: does the gate catch each planted fault on *your* data, and
does it pass clean data?

For each fault of the catalogue (:mod:`sentinel_checks.selftest.faults`) and each of its
strengths, a corrupted copy of the configured inputs is written to a temporary folder
and the real gate (the steps the shipped suites run, in process; or pytest on the
suites given with ``--suites``) judges it. The clean
copy is judged too, and clean resamples of it (a random share of rows, several seeds)
measure each check's false-alarm rate. Nothing the user owns is read for writing:
copies live in a temporary folder, results in ``reports/selftest.json`` and ``.md``.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.config import SentinelConfig, load_config
from sentinel_checks.errors import ReportError
from sentinel_checks.gate.pytest_run import run_gate
from sentinel_checks.reports.gate_report import GateReport
from sentinel_checks.selftest.faults import SPLIT_COLUMN, Context, Fault, Material, catalogue

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Job:
    name: str
    fault: str | None = None
    strength: float | None = None
    resample: int | None = None


@dataclass
class JobResult:
    job: Job
    exit_code: int
    verdict: str
    statuses: dict[str, str] = field(default_factory=dict)  # check label -> status
    ids: dict[str, str] = field(default_factory=dict)  # check label -> check id
    problems: list[str] = field(default_factory=list)  # errors and failed tests without a check
    seconds: float = 0.0

    def failed_ids(self) -> set[str]:
        return {self.ids[label] for label, status in self.statuses.items() if status == "fail"}


# --------------------------------------------------------------------------- the clean inputs


def clean_material(config: SentinelConfig) -> tuple[Material, Context]:
    """Load the configured inputs once; freeze the split they get into a column."""
    from sentinel_checks.data.inputs import load_inputs
    from sentinel_checks.data.io import load_training_log
    from sentinel_checks.models.loading import load_model
    from sentinel_checks.models.scoring import risk_scores

    inputs = load_inputs(config)
    frames = []
    for name, part in inputs.splits.items():
        frames.append(part.assign(**{SPLIT_COLUMN: name}))
    dataset = pd.concat(frames).sort_index()
    dataset.index = pd.RangeIndex(len(dataset))
    production = inputs.production
    if production is not None:
        production = production.reset_index(drop=True)
    scores = production_scores = None
    spec = config.models.candidate
    if spec is not None:
        model = load_model(spec, role="candidate", tracking_uri=config.registry.store)
        cols = model.feature_list(inputs.features)
        positive = config.columns.positive
        scores = pd.Series(risk_scores(model, dataset, features=cols, positive=positive), index=dataset.index)
        if production is not None:
            production_scores = pd.Series(
                risk_scores(model, production, features=cols, positive=positive), index=production.index
            )
    log = load_training_log(config.training.log) if config.training.log is not None else None
    numeric = [
        f
        for f in inputs.features
        if pd.api.types.is_numeric_dtype(dataset[f].dtype)
        and not pd.api.types.is_bool_dtype(dataset[f].dtype)
    ]
    ctx = Context(config, list(inputs.features), numeric, scores, production_scores)
    if production is not None:
        ctx = replace(ctx, production_positives=int(ctx.y(production).sum()))
    return Material(dataset, production, log, _config_mapping(config, inputs.features)), ctx


def _config_mapping(config: SentinelConfig, features: list[str]) -> dict[str, Any]:
    """The config as a TOML mapping for the copies: absolute paths, the split frozen
    into :data:`SPLIT_COLUMN`, features and model inputs pinned so added columns
    never reach a model or become features by accident."""
    raw = config.model_dump(mode="json", exclude_none=True)
    raw["data"] = {"path": "dataset.parquet"}
    if config.production is not None:
        raw["production"] = {"path": "production.parquet"}
    raw["splits"] = {"method": "column", "column": SPLIT_COLUMN}
    raw["columns"]["features"] = list(features)
    for role in ("candidate", "champion"):
        spec = raw.get("models", {}).get(role)
        if spec is not None and "score_column" not in spec:
            spec.setdefault("features", list(features))
    raw.setdefault("registry", {})["tracking_uri"] = config.registry.store
    if config.training.log is not None:
        raw["training"]["log"] = "training.csv"
    return raw


def resample(material: Material, share: float, seed: int) -> Material:
    """A clean copy: a random ``share`` of the rows (offline and production), no replacement."""
    rng = np.random.default_rng(seed)
    data = material.dataset[rng.random(len(material.dataset)) < share]
    production = material.production
    if production is not None:
        production = production[rng.random(len(production)) < share]
    return replace(material, dataset=data, production=production)


# --------------------------------------------------------------------------- running one copy


_BASE: tuple[Material, Context] | None = None


def _init_worker(config_path: str) -> None:
    global _BASE
    _BASE = clean_material(load_config(config_path))


def _material_for(job: Job, seed: int, share: float) -> Material:
    assert _BASE is not None
    base, ctx = _BASE
    if job.resample is not None:
        return resample(base, share, seed + 1 + job.resample)
    if job.fault is None:
        return base
    fault = catalogue([job.fault])[0]
    assert job.strength is not None
    return fault.apply(base, ctx, job.strength, np.random.default_rng(seed))


def write_copy(material: Material, folder: Path) -> Path:
    """Write a copy's files into ``folder`` (which the self-test owns); return its config."""
    from sentinel_checks.toml_writer import toml_dumps

    folder.mkdir(parents=True, exist_ok=False)
    material.dataset.to_parquet(folder / "dataset.parquet", index=False)
    if material.production is not None:
        material.production.to_parquet(folder / "production.parquet", index=False)
    if material.training_log is not None:
        material.training_log.to_csv(folder / "training.csv", index=False)
    config = folder / "sentinel.toml"
    config.write_text(toml_dumps(material.config), encoding="utf-8")
    return config


def _run_job(job: Job, root: str, suites: list[str] | None, seed: int, share: float) -> JobResult:
    """Write the job's copy and judge it: in process with the gate's steps, or, when
    ``suites`` are given (a user's own tests beside the shipped ones), with pytest."""
    started = time.perf_counter()
    folder = Path(root) / job.name
    config = write_copy(_material_for(job, seed, share), folder)
    reports = folder / "reports"
    if suites is None:
        from sentinel_checks.gate.pytest_run import exit_code_of
        from sentinel_checks.gate.runner import gate_run_in_process
        from sentinel_checks.reports.gate_report import gate_document

        run, _ = gate_run_in_process(load_config(config))
        result = _from_document(job, exit_code_of(run), GateReport.from_dict(gate_document(run)))
    else:
        with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(out):
            # Each worker runs the gate many times: the plugin is imported after the first run.
            args = ["-q", "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning"]
            code = run_gate(config, reports, suites, args)
        result = _read_result(job, code, reports / "gate.json", out.getvalue())
    for name in ("dataset.parquet", "production.parquet"):
        (folder / name).unlink(missing_ok=True)
    result.seconds = time.perf_counter() - started
    return result


def _read_result(job: Job, code: int, gate_json: Path, output: str) -> JobResult:
    try:
        doc = GateReport.read(gate_json)
    except ReportError as exc:
        problem = f"no gate.json ({exc}); pytest said: {output[-800:]}"
        return JobResult(job, code, "missing", problems=[problem])
    return _from_document(job, code, doc)


def _from_document(job: Job, code: int, doc: GateReport) -> JobResult:
    result = JobResult(job, code, doc.verdict)
    for check in doc.checks:
        label = check.name
        status = check.status
        if status is None:  # a test that did not record a check
            if check.bad:
                result.problems.append(f"{label}: {check.message}"[:300])
            continue
        result.statuses[label] = status
        result.ids[label] = str(check.id)
        if status == "error":
            result.problems.append(f"{label}: {check.message}"[:300])
    return result


# --------------------------------------------------------------------------- the self-test


@dataclass
class FaultOutcome:
    fault: Fault
    applicable: str | None  # None: applies; else why not
    runs: list[JobResult] = field(default_factory=list)
    clean_failed: set[str] = field(default_factory=set)

    def detected(self, run: JobResult) -> list[str]:
        return sorted(run.failed_ids() & set(self.fault.expects))

    def also_failed(self, run: JobResult) -> list[str]:
        return sorted(run.failed_ids() - set(self.fault.expects) - self.clean_failed)

    def at(self, strength: float) -> JobResult | None:
        return next((r for r in self.runs if r.job.strength == strength), None)

    @property
    def weakest_detected(self) -> float | None:
        """The weakest strength from which every stronger one is detected too."""
        weakest = None
        for run in sorted(self.runs, key=lambda r: -float(r.job.strength or 0)):
            if not self.detected(run):
                break
            weakest = run.job.strength
        return weakest

    @property
    def caught_at_default(self) -> bool:
        run = self.at(self.fault.default)
        return run is not None and bool(self.detected(run))


@dataclass
class SelftestOutcome:
    config: Path
    seed: int
    share: float
    clean: JobResult
    faults: list[FaultOutcome]
    resamples: list[JobResult]
    seconds: float

    def false_alarms(self) -> dict[str, int]:
        """Check id -> number of clean resamples in which it failed."""
        counts: dict[str, int] = {}
        ids = {i for r in [self.clean, *self.resamples] for i in r.ids.values()}
        for check_id in sorted(ids):
            counts[check_id] = sum(check_id in r.failed_ids() for r in self.resamples)
        return counts

    def reasons(self) -> list[str]:
        """Why the self-test fails (empty when it passes)."""
        out = []
        if self.clean.verdict != "pass":
            out.append(
                f"the clean copy does not pass (verdict {self.clean.verdict}: "
                f"{sorted(self.clean.failed_ids()) or self.clean.problems[:2]})"
            )
        for fo in self.faults:
            if fo.applicable is None and not fo.caught_at_default:
                out.append(
                    f"{fo.fault.name} at its default strength {fo.fault.default:g} was not caught "
                    f"by {list(fo.fault.expects)}"
                )
        for check_id, n in self.false_alarms().items():
            if n:
                out.append(f"{check_id} failed {n} of {len(self.resamples)} clean resample(s)")
        broken = [r.job.name for r in self.resamples if r.verdict not in ("pass", "fail")]
        if broken:
            out.append(f"clean resample(s) {broken} did not produce a verdict")
        return out


def run_selftest(
    config_path: Path,
    *,
    suites: Sequence[str] | None = None,
    faults: list[str] | None = None,
    resamples: int = 20,
    share: float = 0.8,
    seed: int = 0,
    workers: int = 2,
    progress: Any = None,
) -> SelftestOutcome:
    """Judge the clean copy, each fault at each strength, and ``resamples`` clean resamples.

    ``suites``: pytest suite folders or files to judge each copy with (a user's own
    tests beside the shipped ones); ``None`` (the default) judges each copy in process
    with the gate's steps (:mod:`sentinel_checks.gate.runner`), the same checks
    without a pytest session per copy.
    """
    started = time.perf_counter()
    config = load_config(config_path)
    chosen = catalogue(faults)
    _init_worker(str(config.source))  # fails here, with the gate's own errors, on bad inputs
    assert _BASE is not None
    _, ctx = _BASE
    outcomes = [FaultOutcome(f, f.needs(ctx)) for f in chosen]
    jobs = [Job("clean")]
    for fo in outcomes:
        if fo.applicable is None:
            jobs += [Job(f"{fo.fault.name}@{s:g}", fo.fault.name, s) for s in fo.fault.strengths]
    jobs += [Job(f"resample-{i:02d}", resample=i) for i in range(resamples)]
    with tempfile.TemporaryDirectory(prefix="sentinel-selftest-") as root:
        chosen_suites = None if suites is None else list(suites)
        results = _run_all(jobs, root, chosen_suites, config, seed, share, workers, progress)
    by_name = {r.job.name: r for r in results}
    clean = by_name["clean"]
    for fo in outcomes:
        fo.clean_failed = clean.failed_ids()
        fo.runs = [by_name[j.name] for j in jobs if j.fault == fo.fault.name]
    return SelftestOutcome(
        config=config.source,
        seed=seed,
        share=share,
        clean=clean,
        faults=outcomes,
        resamples=[by_name[j.name] for j in jobs if j.resample is not None],
        seconds=time.perf_counter() - started,
    )


def _run_all(
    jobs: list[Job],
    root: str,
    suites: list[str] | None,
    config: SentinelConfig,
    seed: int,
    share: float,
    workers: int,
    progress: Any,
) -> list[JobResult]:
    results = []
    if workers <= 1:
        for job in jobs:
            results.append(_run_job(job, root, suites, seed, share))
            if progress:
                progress(results[-1])
        return results
    # spawn: each worker imports and loads once, then judges many copies
    context = get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(str(config.source),)
    ) as pool:
        futures = [pool.submit(_run_job, job, root, suites, seed, share) for job in jobs]
        for future in futures:
            results.append(future.result())
            if progress:
                progress(results[-1])
    return results


# --------------------------------------------------------------------------- reports


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

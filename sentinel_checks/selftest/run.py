"""``sentinel selftest``: does the gate catch each planted fault on *your* data, and
does it pass clean data?

For each fault of the catalogue (:mod:`sentinel_checks.selftest.faults`) and each of its
strengths, a corrupted copy of the configured inputs is written to a temporary folder
and the real gate (the steps the shipped suites run, in process; or pytest on the
suites given with ``--suites``) judges it. The clean
copy is judged too, and clean resamples of it (a random share of rows, several seeds)
measure each check's false-alarm rate. Nothing the user owns is read for writing:
copies live in a temporary folder, results in ``reports/selftest.json`` and ``.md``.

This module runs the jobs; what they found is in
:mod:`sentinel_checks.selftest.outcome`, the reports in
:mod:`sentinel_checks.selftest.report` (both re-exported here).
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.config import SentinelConfig, load_config
from sentinel_checks.errors import ReportError
from sentinel_checks.gate.pytest_run import run_gate
from sentinel_checks.reports.gate_json import GateReport
from sentinel_checks.selftest.faults import SPLIT_COLUMN, Context, Material, catalogue
from sentinel_checks.selftest.outcome import FaultOutcome as FaultOutcome
from sentinel_checks.selftest.outcome import Job as Job
from sentinel_checks.selftest.outcome import JobResult as JobResult
from sentinel_checks.selftest.outcome import SelftestOutcome as SelftestOutcome
from sentinel_checks.selftest.report import SCHEMA_VERSION as SCHEMA_VERSION
from sentinel_checks.selftest.report import matrix as matrix
from sentinel_checks.selftest.report import to_json as to_json
from sentinel_checks.selftest.report import to_markdown as to_markdown
from sentinel_checks.selftest.report import write_reports as write_reports

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


#: This process's clean material, by config path: loaded once per process (the
#: parent, or a spawned worker) and read by every job that process judges.
_LOADED: dict[str, tuple[Material, Context]] = {}


def load_material(config_path: str, *, fresh: bool = False) -> tuple[Material, Context]:
    """The clean material of the config at ``config_path``, loaded once per process
    (``fresh``: load it again, replacing what this process holds)."""
    if fresh or config_path not in _LOADED:
        _LOADED.clear()  # one config at a time: a process never holds two copies of the data
        _LOADED[config_path] = clean_material(load_config(config_path))
    return _LOADED[config_path]


def _init_worker(config_path: str) -> None:
    """A spawned worker's initializer: load the clean material before the first job."""
    load_material(config_path)


@dataclass(frozen=True)
class Batch:
    """What every job of one self-test shares (picklable: sent to each worker)."""

    config_path: str  # the user's config: the clean material's key in :data:`_LOADED`
    root: str  # the temporary folder the copies are written to
    suites: tuple[str, ...] | None  # None: the gate's steps in process; else pytest on these
    seed: int
    share: float


def _material_for(job: Job, batch: Batch) -> Material:
    base, ctx = load_material(batch.config_path)
    if job.resample is not None:
        return resample(base, batch.share, batch.seed + 1 + job.resample)
    if job.fault is None:
        return base
    fault = catalogue([job.fault])[0]
    assert job.strength is not None
    return fault.apply(base, ctx, job.strength, np.random.default_rng(batch.seed))


def write_copy(material: Material, folder: Path) -> Path:
    """Write a copy's files into ``folder`` (which the self-test owns); return its config."""
    from sentinel_checks.config.toml_writer import toml_dumps

    folder.mkdir(parents=True, exist_ok=False)
    material.dataset.to_parquet(folder / "dataset.parquet", index=False)
    if material.production is not None:
        material.production.to_parquet(folder / "production.parquet", index=False)
    if material.training_log is not None:
        material.training_log.to_csv(folder / "training.csv", index=False)
    config = folder / "sentinel.toml"
    config.write_text(toml_dumps(material.config), encoding="utf-8")
    return config


def _run_job(job: Job, batch: Batch) -> JobResult:
    """Write the job's copy and judge it: in process with the gate's steps, or, when
    ``batch.suites`` are given (a user's own tests beside the shipped ones), with pytest."""
    started = time.perf_counter()
    folder = Path(batch.root) / job.name
    config = write_copy(_material_for(job, batch), folder)
    reports = folder / "reports"
    if batch.suites is None:
        from sentinel_checks.gate.pytest_run import exit_code_of
        from sentinel_checks.gate.runner import gate_run_in_process
        from sentinel_checks.reports.gate_report import gate_document

        run, _ = gate_run_in_process(load_config(config))
        result = _from_document(job, exit_code_of(run), GateReport.from_dict(gate_document(run)))
    else:
        with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(out):
            # Each worker runs the gate many times: the plugin is imported after the first run.
            args = ["-q", "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning"]
            code = run_gate(config, reports, list(batch.suites), args)
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
        if status is None or not check.recorded_check:  # a test that did not record a check
            if check.bad:
                result.problems.append(f"{label}: {check.message}"[:300])
            continue
        result.statuses[label] = status
        result.ids[label] = str(check.id)
        if status == "error":
            result.problems.append(f"{label}: {check.message}"[:300])
    return result


# --------------------------------------------------------------------------- the self-test


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
    source = str(config.source)
    # fails here, with the gate's own errors, on bad inputs; fresh: the files may have changed
    _, ctx = load_material(source, fresh=True)
    outcomes = [FaultOutcome(f, f.needs(ctx)) for f in chosen]
    jobs = [Job("clean")]
    for fo in outcomes:
        if fo.applicable is None:
            jobs += [Job(f"{fo.fault.name}@{s:g}", fo.fault.name, s) for s in fo.fault.strengths]
    jobs += [Job(f"resample-{i:02d}", resample=i) for i in range(resamples)]
    with tempfile.TemporaryDirectory(prefix="sentinel-selftest-") as root:
        batch = Batch(source, root, None if suites is None else tuple(suites), seed, share)
        results = _run_all(jobs, batch, workers, progress)
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


def _run_all(jobs: list[Job], batch: Batch, workers: int, progress: Any) -> list[JobResult]:
    results = []
    if workers <= 1:  # this process judges them all, with the material it has loaded
        for job in jobs:
            results.append(_run_job(job, batch))
            if progress:
                progress(results[-1])
        return results
    # spawn: each worker imports and loads once, then judges many copies
    context = get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(batch.config_path,)
    ) as pool:
        futures = [pool.submit(_run_job, job, batch) for job in jobs]
        for future in futures:
            results.append(future.result())
            if progress:
                progress(results[-1])
    return results

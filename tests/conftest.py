"""Shared helpers for the library's own tests.

``gate_project`` writes a small but realistic gate setup (the demo generator at
30k rows, a time split with users purged, a score column as the candidate) into a
temporary folder; ``run_gate`` runs the shipped suites on it in a subprocess,
exactly as a user would, and returns the exit code, the output and gate.json;
``judge_in_process`` gets the same gate.json from the gate's steps without pytest
(its output: what each test that did not pass says).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from sentinel_checks.data.splits import group_time_split
from sentinel_checks.demo.build import sound_model
from sentinel_checks.demo.data import FEATURES_BASE, FEATURES_HISTORY, generate

REPO = Path(__file__).resolve().parents[1]
SUITES = REPO / "suites"

BASE_CONFIG = """
[data]
path = "data/requests.parquet"

[columns]
label = "label"
positive = "risky"
negative = "safe"
timestamp = "request_ts"
id = "request_id"
entities = ["user_id", "session_id"]
segments = ["country", "channel"]
features = ["amount", "country", "channel", "account_age_days", "hour", "device_new", "ip_risk", "user_prior_requests", "user_prior_risk_rate"]

[splits]
method = "time"
val_start = "2025-09-15"
test_start = "2025-10-01"
embargo = "1D"
purge_entities = true

[models.candidate]
score_column = "score"

[production]
path = "data/production.parquet"

[quality]
# 40k rows leave ~180 risky rows in test: too few for the default confidence bounds
# to clear the floors (that strictness is tested on its own); judge point estimates.
bound = "point"
baseline_bound = "point"
target_recall = 0.90  # a small validation split: aim well above the 0.75 floor
baseline_features = ["amount", "country", "channel", "account_age_days", "hour", "device_new", "ip_risk"]

[drift]
segment_columns = ["channel"]
"""


SOUND_FEATURES = [*FEATURES_BASE, *FEATURES_HISTORY]


@pytest.fixture(autouse=True)
def _no_drift_worker(monkeypatch):
    """In-process gate sessions compute drift in the test's own process (a worker per
    session would import Evidently again each time); the tests of the worker enable it,
    and gate runs in a subprocess start theirs as a user's run does."""
    monkeypatch.setattr("sentinel_checks.gate.drift_worker.ENABLED", False)


@pytest.fixture(autouse=True)
def _no_ambient_mlflow_store(monkeypatch):
    """A developer's MLFLOW_TRACKING_URI must never receive the tests' models: every
    test (and the gate runs it starts) uses the store its config names, or a local one."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)


def small_splits_of(offline: pd.DataFrame):
    """The time+user split of BASE_CONFIG, made by the library's own split function."""
    return group_time_split(
        offline,
        timestamp="request_ts",
        entities=["user_id", "session_id"],
        val_start="2025-09-15",
        test_start="2025-10-01",
        embargo="1D",
    )


@pytest.fixture(scope="session")
def small_model():
    """The demo's fixed model (class-weighted boosting, calibrated) trained on the
    time+user split of BASE_CONFIG of the 40k-row log, and that log."""
    log = generate(40_000, seed=3)
    splits = small_splits_of(log.offline)
    model = sound_model(SOUND_FEATURES, seed=0)
    model.fit(splits.train[SOUND_FEATURES], splits.train["label"].eq("risky").to_numpy())
    return model, log


@pytest.fixture(scope="session")
def small_log(small_model):
    """The demo's request log at 40k rows, with the sound candidate's scores as a column,
    so the clean setup passes every quality check."""
    model, log = small_model
    for frame in (log.offline, log.production):
        frame["score"] = model.predict_proba(frame[SOUND_FEATURES])[:, 1]
    return log


@dataclass
class GateProject:
    folder: Path
    config: Path


@pytest.fixture
def gate_project(tmp_path, small_log):
    """Write data and a config; ``extra`` TOML is appended, frames may be replaced."""

    def make(
        *,
        offline: pd.DataFrame | None = None,
        production: pd.DataFrame | None = None,
        config_text: str = BASE_CONFIG,
        extra: str = "",
    ) -> GateProject:
        data = tmp_path / "data"
        data.mkdir(exist_ok=True)
        (small_log.offline if offline is None else offline).to_parquet(data / "requests.parquet")
        (small_log.production if production is None else production).to_parquet(data / "production.parquet")
        config = tmp_path / "sentinel.toml"
        config.write_text(textwrap.dedent(config_text) + "\n" + textwrap.dedent(extra))
        return GateProject(tmp_path, config)

    return make


@dataclass
class GateRunResult:
    code: int
    output: str
    report: dict | None

    def statuses(self, check_id: str) -> list[str]:
        assert self.report is not None, self.output
        return [c["status"] for c in self.report["checks"] if c.get("id") == check_id]

    def failed_ids(self) -> set[str]:
        """Check ids that failed or errored; a failed test without a check result
        (an exception before the check ran) counts under its test file's name."""
        assert self.report is not None, self.output
        failed = set()
        for c in self.report["checks"]:
            if c["outcome"] in ("failed", "error"):
                failed.add(c.get("id") or c["test"].split("::")[0].rsplit("/", 1)[-1])
        return failed


def judge_in_process(config: Path, cwd: Path) -> GateRunResult:
    """The gate's steps on ``config`` in this process (no pytest session), reports written
    to ``cwd/reports`` as ``run_gate`` writes them; ``output`` is the summary line."""
    from sentinel_checks.config import load_config
    from sentinel_checks.gate.artefacts import write_gate_reports
    from sentinel_checks.gate.pytest_run import exit_code_of
    from sentinel_checks.gate.runner import gate_run_in_process
    from sentinel_checks.reports.explain import explain

    run, session = gate_run_in_process(load_config(config))
    written, note = write_gate_reports(run, session, cwd / "reports")
    report = json.loads((cwd / "reports" / "gate.json").read_text())
    # what pytest would print of each test that did not pass: the explanation or the error
    told = [
        explain(o.result) if o.result is not None else o.message
        for o in run.outcomes
        if o.outcome != "passed"
    ]
    output = "\n".join([*told, note + f"gate {run.verdict.upper()}; reports: {written}"])
    return GateRunResult(exit_code_of(run), output, report)


def run_gate(config: Path, cwd: Path, *extra: str, suites: Path = SUITES) -> GateRunResult:
    """Run ``pytest suites/ --sentinel-config CONFIG`` in a subprocess from ``cwd``
    (``suites``: the folder, or one suite file)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(suites),
            "--sentinel-config",
            str(config),
            "--sentinel-reports",
            "reports",
            "-q",
            "-p",
            "no:cacheprovider",
            *extra,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report_path = cwd / "reports" / "gate.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else None
    return GateRunResult(proc.returncode, proc.stdout + proc.stderr, report)


def run_sentinel(*args: str, cwd: Path, timeout: int = 300) -> tuple[int, str]:
    """Run the ``sentinel`` command (``python -m sentinel_checks.cli ARGS``) in a subprocess
    from ``cwd``, this repository first on ``PYTHONPATH``: its exit code and its stdout
    followed by its stderr."""
    return _run_module("sentinel_checks.cli", *args, cwd=cwd, timeout=timeout)


def free_port() -> int:
    """A TCP port of 127.0.0.1 nothing listened on a moment ago."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_suites(
    suites: Path, config: Path, *extra: str, cwd: Path, timeout: int = 300, pythonpath: Path | None = None
) -> tuple[int, str]:
    """``pytest SUITES --sentinel-config CONFIG --sentinel-reports reports EXTRA`` in a
    subprocess from ``cwd`` (as :func:`run_sentinel`): its exit code and its stdout then
    stderr; ``pythonpath``: a folder of the test's own modules (a ``-p`` plugin)."""
    args = (str(suites), "--sentinel-config", str(config), "--sentinel-reports", "reports")
    extra = ("-p", "no:cacheprovider", *extra)
    return _run_module("pytest", *args, *extra, cwd=cwd, timeout=timeout, pythonpath=pythonpath)


def _run_module(
    module: str, *args: str, cwd: Path, timeout: int, pythonpath: Path | None = None
) -> tuple[int, str]:
    import os

    paths = [str(REPO), *([str(pythonpath)] if pythonpath else []), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )
    return proc.returncode, proc.stdout + proc.stderr


#: Set to 1 to skip the Spark tests on a machine without Java or PySpark (an explicit
#: opt-out: without it a missing Java or PySpark fails those tests, it does not hide them).
SKIP_SPARK = "SENTINEL_SKIP_SPARK"


@pytest.fixture
def closing():
    """``closing(session)`` returns ``session`` and closes it when the test ends, passed or
    failed: what its engine holds (DuckDB temp tables, Spark persisted rows and views) is
    released, and a Spark session the gate built is stopped."""
    from sentinel_checks.engine.held_table import release_all

    opened: list = []

    def keep(session):
        opened.append(session)
        return session

    yield keep
    release_all([session.close for session in opened])


@pytest.fixture(scope="session")
def spark_session():
    """One local[2] SparkSession for the whole test run (UI off, UTC, 4 shuffle partitions, 2 GiB).

    Fails, naming what is missing, when Java or PySpark is absent, unless the
    environment sets ``SENTINEL_SKIP_SPARK=1``; stopped when the run ends.
    """
    import os

    from sentinel_checks.engine.spark_connection import EXIT_ON_OUT_OF_MEMORY, java_path

    def unavailable(what: str) -> None:
        if os.environ.get(SKIP_SPARK) == "1":
            pytest.skip(f"{what} ({SKIP_SPARK}=1)")
        pytest.fail(
            f"the spark tests need {what}; install it (pip install -e '.[spark]', "
            f"apt-get install openjdk-17-jre-headless) or set {SKIP_SPARK}=1 to skip them",
            pytrace=False,
        )

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        unavailable("PySpark")
    if java_path() is None:
        unavailable("Java 17+ (no $JAVA_HOME/bin/java, no java on PATH)")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the workers score with this venv's libraries
    session = (
        SparkSession.builder.master("local[2]")
        .appName("gradient-sentinel-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")  # as the gate sets it
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "2g")  # local mode: the driver is the executor
        # as the gate builds its sessions: the JVM exits on OutOfMemoryError
        .config("spark.driver.extraJavaOptions", EXIT_ON_OUT_OF_MEMORY)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()

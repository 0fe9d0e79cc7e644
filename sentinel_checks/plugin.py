"""The pytest plugin: options, session-scoped fixtures, the ``gate`` recorder and reports.

Registered through the ``pytest11`` entry point, so installing the package is enough.
It stays light: the config is read only when a gate fixture is first used, and
pandas, pandera and scikit-learn are imported inside fixtures.

Fixtures (all session-scoped, computed once):

``sentinel_config``        the validated :class:`~sentinel_checks.config.SentinelConfig`
``sentinel_dataset``       the offline dataset, timestamps parsed
``sentinel_features``      the feature column names
``sentinel_splits``        train/val/test (:class:`~sentinel_checks.splits.Splits`)
``sentinel_split_labels``  per split, the label as a boolean array (True = risky)
``sentinel_production``    the production sample (skips when none is configured)
``sentinel_candidate``     the candidate model (:class:`~sentinel_checks.models.LoadedModel`)
``sentinel_champion``      the champion model (skips when none is configured)

and, per test, ``gate``: ``gate.check(result)`` records a CheckResult for the reports
and passes, skips or fails the test with measured vs limit, evidence and a fix.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sentinel_checks.errors import ConfigError, DataError, ModelLoadError, SentinelError
from sentinel_checks.gate_run import clash_message, inputs_inside

if TYPE_CHECKING:
    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.reports import TestOutcome
    from sentinel_checks.result import CheckResult

GATE_FIXTURES = frozenset(
    {
        "gate",
        "sentinel_config",
        "sentinel_dataset",
        "sentinel_features",
        "sentinel_splits",
        "sentinel_split_labels",
        "sentinel_production",
        "sentinel_candidate",
        "sentinel_champion",
        "sentinel_candidate_eval",
        "sentinel_champion_eval",
        "sentinel_baseline_evals",
        "sentinel_training_log",
        "sentinel_drift",
        "sentinel_production_scores",
        "sentinel_promotion",
    }
)


@dataclass
class GateState:
    """Per-session state of the plugin, kept in ``config.stash``."""

    config_option: str | None
    reports_dir: Path
    results: dict[str, CheckResult] = field(default_factory=dict)
    outcomes: dict[str, TestOutcome] = field(default_factory=dict)
    loaded: SentinelConfig | None = None
    data_fingerprint: dict[str, str] = field(default_factory=dict)
    started: str = ""
    summary: str = ""
    evaluations: dict[str, Any] = field(default_factory=dict)
    training_log: Any = None
    drift_runs: dict[str, Any] = field(default_factory=dict)
    drift_inputs: dict[str, Any] = field(default_factory=dict)
    comparisons: dict[str, Any] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    deselected: int = 0
    suites: set[str] = field(default_factory=set)
    refused: str = ""  # why nothing may be written to reports_dir (it holds an input)


STATE = pytest.StashKey[GateState]()


def _reports_dir(value: str) -> Path:
    import argparse

    if not value.strip():
        raise argparse.ArgumentTypeError("--sentinel-reports needs a folder name")
    return Path(value)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sentinel", "Gradient Sentinel gate")
    group.addoption(
        "--sentinel-config",
        action="store",
        default=None,
        metavar="PATH",
        help="gate configuration (sentinel.toml or a pyproject.toml with [tool.sentinel]); "
        "default: $SENTINEL_CONFIG, then ./sentinel.toml, then ./pyproject.toml",
    )
    group.addoption(
        "--sentinel-reports",
        action="store",
        default="reports",
        type=_reports_dir,
        metavar="DIR",
        help="folder for gate.json and gate.md (default: ./reports)",
    )


def pytest_configure(config: pytest.Config) -> None:
    reports = Path(config.getoption("--sentinel-reports"))
    if not reports.is_absolute():
        reports = Path(config.invocation_params.dir) / reports
    config.stash[STATE] = GateState(
        config_option=config.getoption("--sentinel-config"),
        reports_dir=reports,
        started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def _state(config: pytest.Config) -> GateState:
    return config.stash[STATE]


def _load(config: pytest.Config) -> SentinelConfig:
    from sentinel_checks.config import find_config, load_config

    state = _state(config)
    if state.loaded is None:
        path = find_config(state.config_option, cwd=Path(config.invocation_params.dir))
        loaded = load_config(path)
        clash = inputs_inside(state.reports_dir, loaded.input_files())
        if clash:
            state.refused = clash_message(state.reports_dir, clash)
            raise ConfigError(state.refused)
        state.loaded = loaded
    return state.loaded


def pytest_deselected(items: list[pytest.Item]) -> None:
    """Gate tests left out with -k/-m: a report of a partial gate must say so."""
    if items:
        state = items[0].config.stash.get(STATE, None)
        if state is not None:
            state.deselected += sum(
                1 for i in items if GATE_FIXTURES.intersection(getattr(i, "fixturenames", ()))
            )


def pytest_collection_finish(session: pytest.Session) -> None:
    """Which suite files the gate ran (by file name), for the report's coverage."""
    state = session.config.stash.get(STATE, None)
    if state is None:
        return
    for item in session.items:
        if GATE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            state.suites.add(item.path.name)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    from sentinel_checks.config import find_config

    state = _state(config)
    try:
        path = find_config(state.config_option, cwd=Path(config.invocation_params.dir))
    except SentinelError:
        if state.config_option or os.environ.get("SENTINEL_CONFIG"):
            return ["sentinel: configuration not found (gate tests will error)"]
        return None
    try:
        cfg = _load(config)
    except SentinelError as exc:
        return [f"sentinel: config {path} is invalid: {str(exc).splitlines()[0]}"]
    from sentinel_checks.identity import data_fingerprints

    fp = data_fingerprints(cfg)
    state.data_fingerprint = fp
    shown = ", ".join(f"{k}={v[:19]}" for k, v in fp.items())
    return [f"sentinel: config {path}", f"sentinel: data {shown}; seed {cfg.gate.seed}"]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def sentinel_config(request: pytest.FixtureRequest) -> SentinelConfig:
    return _load(request.config)


@pytest.fixture(scope="session")
def sentinel_dataset(sentinel_config: SentinelConfig) -> Any:
    from sentinel_checks.inputs import load_dataset

    return load_dataset(sentinel_config)


@pytest.fixture(scope="session")
def sentinel_features(sentinel_config: SentinelConfig, sentinel_dataset: Any) -> list[str]:
    from sentinel_checks.loaders import feature_columns

    return feature_columns(sentinel_dataset, sentinel_config, require_present=True)


@pytest.fixture(scope="session")
def sentinel_splits(sentinel_config: SentinelConfig, sentinel_dataset: Any) -> Any:
    from sentinel_checks.splits import build_splits

    return build_splits(sentinel_dataset, sentinel_config)


@pytest.fixture(scope="session")
def sentinel_split_labels(sentinel_config: SentinelConfig, sentinel_splits: Any) -> dict[str, Any]:
    from sentinel_checks.loaders import binary_target

    return {
        name: binary_target(frame, sentinel_config, what=f"{name} split")
        for name, frame in sentinel_splits.items()
    }


@pytest.fixture(scope="session")
def sentinel_production(sentinel_config: SentinelConfig) -> Any:
    from sentinel_checks.inputs import load_production

    production = load_production(sentinel_config)
    if production is None:
        pytest.skip("no [production] sample configured")
    return production


@pytest.fixture(scope="session")
def sentinel_candidate(request: pytest.FixtureRequest, sentinel_config: SentinelConfig) -> Any:
    from sentinel_checks.errors import ConfigError
    from sentinel_checks.models import load_model

    spec = sentinel_config.models.candidate
    if spec is None:
        raise ConfigError(f"{sentinel_config.source}: [models.candidate] is not configured")
    return _loaded(request, load_model(spec, role="candidate", tracking_uri=sentinel_config.registry.store))


@pytest.fixture(scope="session")
def sentinel_champion(request: pytest.FixtureRequest, sentinel_config: SentinelConfig) -> Any:
    from sentinel_checks.models import load_model

    spec = sentinel_config.models.champion
    if spec is None:
        pytest.skip("no [models.champion] configured")
    return _loaded(request, load_model(spec, role="champion", tracking_uri=sentinel_config.registry.store))


def _loaded(request: pytest.FixtureRequest, model: Any) -> Any:
    _state(request.config).models[model.role] = model.identity
    return model


def _evaluate(request: pytest.FixtureRequest, model: Any) -> Any:
    from sentinel_checks.evaluation import evaluate_model

    cfg = request.getfixturevalue("sentinel_config")
    production = None
    if cfg.production is not None:
        production = request.getfixturevalue("sentinel_production")
    evaluation = evaluate_model(
        model,
        config=cfg,
        splits=request.getfixturevalue("sentinel_splits"),
        production=production,
        features=request.getfixturevalue("sentinel_features"),
    )
    _state(request.config).evaluations[model.role] = evaluation
    return evaluation


@pytest.fixture(scope="session")
def sentinel_candidate_eval(request: pytest.FixtureRequest, sentinel_candidate: Any) -> Any:
    """The candidate scored once on val, test and labelled production; threshold chosen."""
    return _evaluate(request, sentinel_candidate)


@pytest.fixture(scope="session")
def sentinel_champion_eval(request: pytest.FixtureRequest, sentinel_champion: Any) -> Any:
    return _evaluate(request, sentinel_champion)


@pytest.fixture(scope="session")
def sentinel_baseline_evals(
    request: pytest.FixtureRequest,
    sentinel_config: SentinelConfig,
    sentinel_splits: Any,
    sentinel_split_labels: dict[str, Any],
    sentinel_features: list[str],
) -> dict[str, Any]:
    """Baselines A and B trained on the same train split, evaluated like the candidate."""
    from sentinel_checks.baselines import fit_baselines

    if not sentinel_config.quality.baselines:
        pytest.skip("[quality] baselines = false")
    features = sentinel_config.quality.baseline_features or sentinel_features
    missing = [f for f in features if f not in sentinel_splits.train.columns]
    if missing:
        from sentinel_checks.errors import DataError

        raise DataError(f"[quality] baseline_features {missing} are not in the data")
    fitted = fit_baselines(
        sentinel_splits.train,
        sentinel_split_labels["train"],
        features=features,
        seed=sentinel_config.gate.seed,
        max_rows=sentinel_config.quality.baseline_max_train_rows,
    )
    return {name: _evaluate(request, model) for name, model in fitted.items()}


class DriftSamples:
    """The frames a drift pair names (train, val, test, production), and Evidently runs
    computed once per pair and kept for the HTML reports."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request
        self._state = _state(request.config)

    def frame(self, name: str) -> Any:
        if name == "production":
            return self._request.getfixturevalue("sentinel_production")  # skips when absent
        return self._request.getfixturevalue("sentinel_splits")[name]

    def features(self, pair: tuple[str, str], *, segment: tuple[str, str] | None = None) -> Any:
        """(DriftRun, DriftInputs) for a pair, optionally within one segment value."""
        from sentinel_checks.adapters.evidently_drift import column_drift
        from sentinel_checks.checks.drift import prepare_drift_inputs

        key = f"{pair[0]}_vs_{pair[1]}" + (f"__{segment[0]}={segment[1]}" if segment else "")
        cfg = self._request.getfixturevalue("sentinel_config")
        features = self._request.getfixturevalue("sentinel_features")
        ref, cur = self.frame(pair[0]), self.frame(pair[1])
        for name, frame in zip(pair, (ref, cur), strict=True):
            missing = [f for f in features if f not in frame.columns]
            if missing:
                from sentinel_checks.errors import DataError

                raise DataError(f"{name}: feature column(s) {missing} are missing: drift cannot be measured")
        if segment is not None:
            ref = ref[ref[segment[0]].astype("string") == segment[1]]
            cur = cur[cur[segment[0]].astype("string") == segment[1]]
        d = cfg.drift
        if key not in self._state.drift_runs:
            # Drift scores are effect sizes (distances) or tests that saturate on huge
            # samples: a seeded sample of each side is enough and keeps Evidently fast.
            # The leakage checks, unlike this, always read every row.
            inputs = prepare_drift_inputs(
                _sample(ref, d.max_rows, cfg.gate.seed), _sample(cur, d.max_rows, cfg.gate.seed), features
            )
            run = None
            if min(len(ref), len(cur)) >= (d.min_segment_rows if segment else d.min_rows):
                run = column_drift(
                    inputs.reference,
                    inputs.current,
                    numerical=inputs.numerical,
                    categorical=inputs.categorical,
                    method=d.method,
                    threshold=d.threshold,
                    per_column_method={k: v for k, v in d.per_column_method.items() if k in features},
                    per_column_threshold={k: v for k, v in d.per_column_threshold.items() if k in features},
                )
            self._state.drift_runs[key] = run
            self._state.drift_inputs[key] = inputs
        return self._state.drift_runs[key], self._state.drift_inputs[key], ref, cur


def _sample(frame: Any, limit: int, seed: int) -> Any:
    return frame if len(frame) <= limit else frame.sample(n=limit, random_state=seed).sort_index()


@pytest.fixture(scope="session")
def sentinel_drift(request: pytest.FixtureRequest) -> DriftSamples:
    return DriftSamples(request)


@pytest.fixture(scope="session")
def sentinel_production_scores(
    sentinel_config: SentinelConfig,
    sentinel_candidate: Any,
    sentinel_production: Any,
    sentinel_features: list[str],
) -> Any:
    """The candidate's scores on every production row, labelled or not."""
    from sentinel_checks.scoring import risk_scores

    return risk_scores(
        sentinel_candidate,
        sentinel_production,
        features=sentinel_candidate.feature_list(sentinel_features),
        positive=sentinel_config.columns.positive,
    )


class PromotionComparisons:
    """Candidate vs champion on each judged split, compared once and kept for the decision record."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request
        self._state = _state(request.config)
        self.config: SentinelConfig = request.getfixturevalue("sentinel_config")

    @property
    def has_champion(self) -> bool:
        return self.config.models.champion is not None

    def compare(self, split: str) -> Any:
        """The :class:`~sentinel_checks.comparison.PairedComparison` on ``split`` (skips when
        the split has no labelled rows)."""
        from sentinel_checks.comparison import compare_evaluations

        if split in self._state.comparisons:
            return self._state.comparisons[split]
        candidate = self._request.getfixturevalue("sentinel_candidate_eval")
        champion = self._request.getfixturevalue("sentinel_champion_eval")
        if split not in candidate.splits:
            pytest.skip(f"no labelled {split} rows: configure [production] with labels to compare on it")
        comparison = compare_evaluations(candidate, champion, split, self.config)
        self._state.comparisons[split] = comparison
        return comparison


@pytest.fixture(scope="session")
def sentinel_promotion(request: pytest.FixtureRequest) -> PromotionComparisons:
    return PromotionComparisons(request)


@pytest.fixture(scope="session")
def sentinel_training_log(request: pytest.FixtureRequest, sentinel_config: SentinelConfig) -> Any:
    from sentinel_checks.loaders import load_training_log

    if sentinel_config.training.log is None:
        pytest.skip("no [training] log configured")
    log = load_training_log(sentinel_config.training.log)
    _state(request.config).training_log = log
    return log


class Gate:
    """Records check results for the reports and turns them into test outcomes."""

    def __init__(self, item: pytest.Item, state: GateState) -> None:
        self._item = item
        self._state = state

    def check(self, result: CheckResult) -> CheckResult:
        """Pass on PASS/WARN, skip on SKIP, fail (with the explanation) on FAIL/ERROR."""
        __tracebackhide__ = True
        from sentinel_checks.explain import explain
        from sentinel_checks.result import Status

        self._state.results[self._item.nodeid] = result
        props = self._item.user_properties
        props.append(("sentinel.check", result.id))
        props.append(("sentinel.status", result.status.value))
        if result.measured is not None:
            props.append(("sentinel.measured", result.measured))
        if result.limit is not None:
            props.append(("sentinel.limit", result.limit))
        if result.status is Status.SKIP:
            pytest.skip(f"{result.label}: {result.message}")
        if not result.passed:
            pytest.fail(explain(result), pytrace=False)
        return result


@pytest.fixture
def gate(request: pytest.FixtureRequest) -> Gate:
    return Gate(request.node, _state(request.config))


# --------------------------------------------------------------------------- reporting


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if not GATE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        return report
    excinfo = call.excinfo
    if excinfo is not None and excinfo.errisinstance(SentinelError):
        # A bad input is the user's to fix: show the message, not pandas' stack.
        report.longrepr = f"{excinfo.typename}: {excinfo.value}"
    input_error = excinfo is not None and excinfo.errisinstance(INPUT_ERRORS)
    _record_outcome(item, report, input_error=input_error)
    return report


#: Exceptions that make a gate test a bad input (exit 2), not a failed gate (exit 1).
INPUT_ERRORS = (ConfigError, DataError, ModelLoadError)


def _record_outcome(item: pytest.Item, report: pytest.TestReport, *, input_error: bool = False) -> None:
    from sentinel_checks.reports import TestOutcome

    state = _state(item.config)
    previous = state.outcomes.get(item.nodeid)
    if report.when == "call" or report.failed or (report.skipped and report.when == "setup"):
        if report.failed:
            outcome = "failed" if report.when == "call" else "error"
        else:
            outcome = "skipped" if report.skipped else "passed"
        if previous is not None and previous.outcome in ("failed", "error"):
            return  # a teardown pass does not undo a failure
        message = _short(report)
        state.outcomes[item.nodeid] = TestOutcome(
            item.nodeid,
            outcome,
            message,
            state.results.get(item.nodeid),
            input_error=input_error and report.failed,
        )


def _short(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    text = str(report.longrepr or "")
    return text.strip().splitlines()[-1] if text.strip() else ""


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from sentinel_checks.identity import config_fingerprint, data_fingerprints, model_identities
    from sentinel_checks.reports import GateRun, write_reports

    config = session.config
    state = config.stash.get(STATE, None)
    if state is None:
        return
    if not state.outcomes and state.config_option is None:
        return  # not a gate run (e.g. the library's own tests)
    # With --sentinel-config given, a report is always written, so a stale gate.json
    # from an earlier run is never mistaken for this one (verdict "no_checks" here).
    if hasattr(config, "workerinput"):  # pytest-xdist worker: the controller writes
        return
    cfg = state.loaded
    if not state.refused:  # the config may never have loaded: its own path is still an input
        inputs = cfg.input_files() if cfg is not None else [Path(str(state.config_option))]
        clash = inputs_inside(state.reports_dir, inputs)
        state.refused = clash_message(state.reports_dir, clash) if clash else ""
    if state.refused:  # write nothing: an input could be overwritten
        state.summary = "gate ERROR, no report written: " + state.refused
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
        return
    if cfg is not None and not state.data_fingerprint:
        state.data_fingerprint = data_fingerprints(cfg)
    run = GateRun(
        config_path=str(cfg.source) if cfg is not None else str(state.config_option),
        data=state.data_fingerprint,
        seed=cfg.gate.seed if cfg is not None else 0,
        outcomes=list(state.outcomes.values()),
        run_info={"started": state.started, "pytest_exitstatus": int(exitstatus)},
        models=model_identities(cfg, state.models) if cfg is not None else {},
        coverage={"suites": sorted(state.suites), "deselected": state.deselected},
        config_sha256=config_fingerprint(cfg) if cfg is not None else "",
    )
    written = write_reports(run, state.reports_dir)
    try:
        written += _write_quality(state, cfg, run)
    except Exception as exc:  # a figure must never hide the verdict already written
        state.summary = f"could not write the quality reports: {type(exc).__name__}: {exc}\n"
    state.summary += f"gate {run.verdict.upper()}; reports: " + ", ".join(str(p) for p in written)


def _write_promotion(state: GateState, run: Any) -> dict[str, Path]:
    from sentinel_checks.checks.promotion import VS_CHAMPION_ID
    from sentinel_checks.promotion_record import write_promotion_record

    results = [r for _, r in sorted(state.results.items()) if r.id == VS_CHAMPION_ID]
    if not results and not state.comparisons:
        return {}
    return write_promotion_record(
        state.reports_dir,
        run,
        evaluations=state.evaluations,
        comparisons=dict(sorted(state.comparisons.items())),
        results=results,
    )


def _write_quality(state: GateState, cfg: SentinelConfig | None, run: Any) -> list[Path]:
    from sentinel_checks.html_report import gate_html
    from sentinel_checks.quality_reports import write_quality_reports
    from sentinel_checks.reports import write_atomic

    artefacts: dict[str, Path] = {}
    if cfg is not None and (state.evaluations or state.training_log is not None):
        training = cfg.training
        series = [
            c
            for c in (training.train_loss, training.val_loss)
            if state.training_log is not None and c in state.training_log.columns
        ]
        artefacts = write_quality_reports(
            state.reports_dir,
            state.evaluations,
            n_bins=cfg.quality.calibration_bins,
            training_log=state.training_log,
            training_columns=(training.epoch, series) if series else None,
        )
    artefacts.update(_write_promotion(state, run))
    for key, drift_run in sorted(state.drift_runs.items()):
        if drift_run is not None:
            artefacts[f"drift/{key}.html"] = drift_run.save_html(state.reports_dir / "drift" / f"{key}.html")
    html = write_atomic(state.reports_dir / "gate.html", gate_html(run, artefacts))
    return [html, *artefacts.values()]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    state = terminalreporter.config.stash.get(STATE, None)
    if state is not None and state.summary:
        terminalreporter.write_sep("-", "sentinel")
        terminalreporter.write_line(state.summary)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``sentinel_entity_column`` / ``sentinel_segment_column`` over the
    configured entity / segment columns.

    With no config yet (or an invalid one) the test gets ``None`` and its fixtures
    raise the configuration error in the test's own report.
    """
    lists: dict[str, Callable[[SentinelConfig], list[str]]] = {
        "sentinel_entity_column": lambda c: c.columns.entities,
        "sentinel_segment_column": lambda c: c.columns.segments,
        "sentinel_feature_pair": lambda c: c.drift.feature_pairs,
        "sentinel_label_pair": lambda c: c.drift.label_pairs,
        "sentinel_score_pair": lambda c: c.drift.score_pairs,
        "sentinel_drift_segment_column": lambda c: c.drift.segment_columns,
        "sentinel_promotion_split": lambda c: list(c.promotion.splits),
    }
    for name, values_of in lists.items():
        if name not in metafunc.fixturenames:
            continue
        try:
            values: list[str | None] = list(values_of(_load(metafunc.config)))
        except SentinelError:
            values = []
        metafunc.parametrize(name, values or [None], ids=[str(v) for v in values] or ["none"])

"""The runbook's experiment matrix (steps 10–12): ``sentinel experiments``.

Baseline A (class-weighted logistic regression) and Baseline B (class-weighted
gradient-boosted trees) are trained on the clean train split; each experiment in
``[[experiments.runs]]`` changes exactly one thing of its base (the feature set,
class weighting, or the threshold rule). Every run is evaluated like the
candidate — threshold chosen on validation, metrics on val, test and labelled
production — and compared with Baseline A on the test split by the promotion
criteria (``promotion.vs_champion`` with Baseline A in the champion's place).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sentinel_checks.config import Experiment, SentinelConfig
from sentinel_checks.data.io import binary_target
from sentinel_checks.data.splits import Splits
from sentinel_checks.errors import ConfigError
from sentinel_checks.formatting import shortened
from sentinel_checks.models.baselines import fit_simple_model
from sentinel_checks.models.evaluation import ModelEvaluation, evaluate_model
from sentinel_checks.reports.quality import EXPERIMENT_COLUMNS, format_cell
from sentinel_checks.result import CheckResult, Status
from sentinel_checks.stats.comparison import compare_paired

BASELINE_A = Experiment(name="baseline_A", base="A", class_weight="balanced")
BASELINE_B = Experiment(name="baseline_B", base="B", class_weight="balanced")
MATRIX_COLUMNS = [
    "experiment",
    "base",
    "change",
    *EXPERIMENT_COLUMNS,
    "meets_criteria",
    "criteria_failed",
    "criteria_not_shown",
]
#: ``meets_criteria`` of a run whose verdict is inconclusive: the bar is neither shown met nor missed.
NOT_SHOWN = "not shown"


@dataclass(frozen=True)
class ExperimentRun:
    spec: Experiment
    features: tuple[str, ...]
    evaluation: ModelEvaluation
    verdict: CheckResult | None  # against Baseline A (None for Baseline A itself)

    @property
    def change(self) -> str:
        if self.spec.name in (BASELINE_A.name, BASELINE_B.name):
            return "baseline"
        s = self.spec
        if "features" in s.changes():
            if s.features is not None:
                return f"features = {', '.join(s.features)}"
            parts = [f"+{f}" for f in s.features_add] + [f"-{f}" for f in s.features_remove]
            return "features " + " ".join(parts)
        if s.class_weight is not None:
            return f"class_weight = {s.class_weight}"
        if s.threshold is not None:
            return f"threshold = {s.threshold:g}"
        return f"target_recall = {s.target_recall:g}"

    def _criteria(self, *verdicts: str) -> list[str]:
        if self.verdict is None:
            return []
        items = next((e.items for e in self.verdict.evidence if e.kind == "criteria"), ())
        return [str(c["criterion"]) for c in items if c["verdict"] in verdicts]

    @property
    def failed(self) -> list[str]:
        """The criteria shown missed (fail or error); the verdict's reason when none is named."""
        if self.verdict is None:
            return []
        failed = self._criteria("fail", "error")
        shown_missed = self.verdict.status in (Status.FAIL, Status.ERROR)
        return failed or ([self.verdict.reason.value] if shown_missed else [])

    @property
    def not_shown(self) -> list[str]:
        """The criteria whose interval holds the margin (inconclusive): neither met nor missed."""
        if self.verdict is None or self.verdict.status is not Status.INCONCLUSIVE:
            return []
        return self._criteria("inconclusive") or [self.verdict.reason.value]

    @property
    def meets(self) -> bool | None:
        """True when the bar is shown met (pass or warn), False when shown missed (fail, error),
        None for Baseline A itself and for an inconclusive verdict (see :attr:`outcome`).

        Not :attr:`CheckResult.passed`: the gate lets an inconclusive result through unless
        ``[gate] block_inconclusive`` names it, but an experiment that cannot show the bar
        has not met it.
        """
        if self.verdict is None or self.verdict.status is Status.INCONCLUSIVE:
            return None
        return self.verdict.status in (Status.PASS, Status.WARN)

    @property
    def outcome(self) -> str:
        """``"reference"`` (Baseline A), ``"yes"``, ``"no"`` or :data:`NOT_SHOWN`."""
        if self.verdict is None:
            return "reference"
        if self.verdict.status is Status.INCONCLUSIVE:
            return NOT_SHOWN
        return "yes" if self.meets else "no"


def run_matrix(
    config: SentinelConfig,
    *,
    splits: Splits,
    features: list[str],
    production: pd.DataFrame | None,
) -> list[ExperimentRun]:
    """Train and evaluate Baseline A, Baseline B and every configured experiment.

    Each experiment after Baseline A is judged against it with the
    ``promotion.vs_champion`` criteria (:func:`~sentinel_checks.gate.steps.promotion_verdict`).

    Parameters
    ----------
    config : SentinelConfig
        ``[experiments]`` (the runs), ``[quality]``, ``[promotion]`` and ``[gate] seed``.
    splits : Splits
        The train/val/test frames.
    features : list of str
        The configured feature columns (``[quality] baseline_features`` take precedence).
    production : DataFrame or None
        The production sample, evaluated on its labelled rows.

    Returns
    -------
    list of ExperimentRun
        Baseline A (``verdict`` None), then the other runs with their verdict.

    Raises
    ------
    ConfigError
        An experiment names columns not in the data, or leaves no feature.
    DataError
        A split's label is not binary, or the train or validation split has one class.
    """
    base_features = list(config.quality.baseline_features or features)
    y_train = binary_target(splits.train, config, what="train split")
    runs: list[ExperimentRun] = []
    for spec in (BASELINE_A, BASELINE_B, *config.experiments.runs):
        cols = _features(spec, base_features, splits.train.columns)
        model = fit_simple_model(
            splits.train,
            y_train,
            kind="logistic" if spec.base == "A" else "boosting",
            name=spec.name,
            features=cols,
            class_weight=None if spec.class_weight == "none" else "balanced",
            seed=config.gate.seed,
            max_rows=config.quality.baseline_max_train_rows,
        )
        q = config.quality
        if spec.threshold is not None or spec.target_recall is not None:
            q = q.model_copy(
                update={"threshold": spec.threshold, "target_recall": spec.target_recall or q.target_recall}
            )
        evaluation = evaluate_model(
            model,
            config=config.model_copy(update={"quality": q}),
            splits=splits,
            production=production,
            features=cols,
        )
        runs.append(ExperimentRun(spec, tuple(cols), evaluation, None))
    reference = runs[0].evaluation
    return [runs[0], *(_judged(config, run, reference) for run in runs[1:])]


def _features(spec: Experiment, base: list[str], present: Sequence[str]) -> list[str]:
    cols = list(spec.features) if spec.features is not None else [*base, *spec.features_add]
    cols = [c for c in dict.fromkeys(cols) if c not in set(spec.features_remove)]
    missing = [c for c in [*cols, *spec.features_remove] if c not in set(present)]
    if missing:
        raise ConfigError(f"[[experiments.runs]] {spec.name!r}: column(s) {missing} are not in the data")
    if not cols:
        raise ConfigError(f"[[experiments.runs]] {spec.name!r}: no features left")
    return cols


def _judged(config: SentinelConfig, run: ExperimentRun, reference: ModelEvaluation) -> ExperimentRun:
    from sentinel_checks.gate import policy

    p = config.promotion
    ev = run.evaluation
    test, ref = ev.splits["test"], reference.splits["test"]
    comparison = compare_paired(
        test.y,
        test.scores,
        ref.scores,
        split="test",
        candidate_threshold=ev.threshold,
        champion_threshold=reference.threshold,
        resamples=p.bootstrap_resamples,
        confidence=policy.promotion_confidence(config),  # as the gate judges promotion
        seed=config.gate.seed,
    )
    from sentinel_checks.checks.quality import check_val_test_gap
    from sentinel_checks.gate.steps.promotion import promotion_verdict

    gap = check_val_test_gap(ev.summary("val"), ev.summary("test"), **policy.val_test_gap(config))
    verdict = promotion_verdict(comparison, val_test_gap=gap, config=config)
    return ExperimentRun(run.spec, run.features, ev, verdict)


def matrix_rows(runs: list[ExperimentRun], *, n_bins: int) -> list[dict[str, Any]]:
    """One row per run and evaluated split: metrics and the verdict against Baseline A.

    Parameters
    ----------
    runs : list of ExperimentRun
        As :func:`run_matrix` returns them.
    n_bins : int
        Equal-mass bins of the ECE (``[quality] calibration_bins``).

    Returns
    -------
    list of dict
        Rows keyed by ``experiment``, ``base``, ``change``, the split's metrics,
        ``meets_criteria`` (``"yes"``, ``"no"``, ``"not shown"`` for an inconclusive
        verdict, ``""`` for the reference), ``criteria_failed`` and ``criteria_not_shown``.
    """
    rows = []
    for run in runs:
        for row in run.evaluation.experiment_rows(n_bins=n_bins):
            rows.append(
                {
                    "experiment": run.spec.name,
                    "base": run.spec.base,
                    "change": run.change,
                    **row,
                    "meets_criteria": "" if run.outcome == "reference" else run.outcome,
                    "criteria_failed": " ".join(run.failed),
                    "criteria_not_shown": " ".join(run.not_shown),
                }
            )
    return rows


def matrix_csv(runs: list[ExperimentRun], *, n_bins: int) -> str:
    """The experiment matrix as CSV text (columns :data:`MATRIX_COLUMNS`).

    Parameters
    ----------
    runs : list of ExperimentRun
        As :func:`run_matrix` returns them.
    n_bins : int
        Equal-mass bins of the ECE.

    Returns
    -------
    str
        A header and one line per row of :func:`matrix_rows`, newline-terminated.
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MATRIX_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in matrix_rows(runs, n_bins=n_bins):
        writer.writerow({k: format_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def matrix_table(runs: list[ExperimentRun], *, n_bins: int) -> str:
    """The terminal view: one line per run, test-split metrics, the verdict against Baseline A.

    Parameters
    ----------
    runs : list of ExperimentRun
        As :func:`run_matrix` returns them.
    n_bins : int
        Equal-mass bins of the ECE.

    Returns
    -------
    str
        A header, a rule and one line per run; its last column says whether the run meets
        Baseline A's bar ("meets", "no: <criteria missed>", "not shown: <criteria>", or
        "not judged: <why>" when the comparison was skipped).
    """
    head = f"{'experiment':24} {'change':34} {'thr':>6} {'FNR':>6} {'prec':>6} {'PR-AUC':>6} {'ECE':>6}  vs A"
    lines = [head, "-" * len(head)]
    for run in runs:
        row = next(r for r in run.evaluation.experiment_rows(n_bins=n_bins) if r["split"] == "test")
        verdict = {
            "reference": "reference",
            "yes": "meets",
            "no": "no: " + ", ".join(run.failed),
            NOT_SHOWN: f"{NOT_SHOWN}: " + ", ".join(run.not_shown),
        }[run.outcome]
        if run.verdict is not None and run.verdict.status is Status.SKIP:  # nothing shown missed
            verdict = f"not judged: {run.verdict.message}"
        lines.append(
            f"{shortened(run.spec.name, 24):24} {shortened(run.change, 34):34} "  # cut with "…" (trial)
            f"{row['threshold']:>6.3f} {row['fnr']:>6.3f} "
            f"{row['precision']:>6.3f} {row['pr_auc']:>6.3f} {row['ece']:>6.3f}  {verdict}"
        )
    return "\n".join(lines)


def tracking_records(runs: list[ExperimentRun], *, n_bins: int) -> list[dict[str, Any]]:
    """What MLflow tracking gets per run: params, and metrics named ``<split>_<metric>``.

    Parameters
    ----------
    runs : list of ExperimentRun
        As :func:`run_matrix` returns them.
    n_bins : int
        Equal-mass bins of the ECE.

    Returns
    -------
    list of dict
        Per run ``name``, ``params``, ``metrics`` and ``tags`` (``sentinel.meets_criteria``:
        ``"true"``, ``"false"``, ``"not shown"`` or ``""`` for the reference;
        ``sentinel.criteria_failed``, ``sentinel.criteria_not_shown``).
    """
    records = []
    for run in runs:
        metrics = {}
        for row in run.evaluation.experiment_rows(n_bins=n_bins):
            for key in ("threshold", "recall", "fnr", "precision", "roc_auc", "pr_auc", "ece", "brier"):
                metrics[f"{row['split']}_{key}"] = row[key]
        records.append(
            {
                "name": run.spec.name,
                "params": {
                    "base": run.spec.base,
                    "change": run.change,
                    "features": ",".join(run.features),
                    "threshold_rule": run.evaluation.choice.rule,
                },
                "metrics": metrics,
                "tags": {
                    "sentinel.meets_criteria": {"reference": "", "yes": "true", "no": "false"}.get(
                        run.outcome, NOT_SHOWN
                    ),
                    "sentinel.criteria_failed": " ".join(run.failed),
                    "sentinel.criteria_not_shown": " ".join(run.not_shown),
                },
            }
        )
    return records

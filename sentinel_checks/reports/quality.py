"""Write the model-quality artefacts: threshold.json, experiments.csv and the figures."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from sentinel_checks.adapters import plots
from sentinel_checks.data.identity import identity_hashes
from sentinel_checks.errors import ReportError
from sentinel_checks.models.evaluation import ModelEvaluation
from sentinel_checks.reports.gate_json import read_json_document
from sentinel_checks.reports.gate_report import write_atomic

THRESHOLD_JSON = "threshold.json"
#: threshold.json is written with ``schema_version``; a file without one (written before it
#: had the field) reads as version 1.
THRESHOLD_SCHEMA_VERSION = 1
READABLE_THRESHOLD_VERSIONS = frozenset({1})

EXPERIMENT_COLUMNS = [
    "model",
    "split",
    "threshold",
    "recall",
    "fnr",
    "precision",
    "flagged_fraction",
    "roc_auc",
    "pr_auc",
    "ece",
    "brier",
    "n",
    "n_positive",
    "identity",
]


def threshold_document(evaluation: ModelEvaluation) -> dict[str, Any]:
    """The operating threshold, its rule and rationale, and what 0.5 would give.

    Parameters
    ----------
    evaluation : ModelEvaluation
        The candidate's evaluation.

    Returns
    -------
    dict
        ``threshold.json``'s content (see :class:`ThresholdRecord`); per split the
        recall, FNR, precision, flagged fraction, positives and rows at the threshold and at 0.5.
    """
    choice = evaluation.choice
    per_split: dict[str, dict[str, Any]] = {}
    for name in evaluation.splits:
        for label, t in (("at_threshold", choice.threshold), ("at_0.5", 0.5)):
            c = evaluation.confusion(name, t)
            per_split.setdefault(name, {})[label] = {
                "recall": _num(c.recall),
                "fnr": _num(c.fnr),
                "precision": _num(c.precision),
                "flagged_fraction": _num(c.flagged_fraction),
                "positives": c.positives,
                "n": c.n,
            }
    return {
        "schema_version": THRESHOLD_SCHEMA_VERSION,
        "model": evaluation.role,
        "identity": evaluation.identity,
        "threshold": choice.threshold,
        "rule": choice.rule,
        "target_recall": choice.target_recall,
        "reached_on_validation": choice.reached,
        "rationale": choice.rationale(),
        "splits": per_split,
    }


@dataclass(frozen=True)
class ThresholdRecord:
    """``threshold.json`` as a typed document: the operating threshold chosen for a model.

    What :func:`threshold_document` writes, read back by :meth:`read` (``sentinel monitor``
    takes its threshold from it). The file written stays as it always was: it has no
    ``schema_version`` key, which reads as version 1.
    """

    model: str
    identity: str
    threshold: float
    rule: str = ""
    target_recall: float | None = None
    reached_on_validation: bool | None = None
    rationale: str = ""
    splits: Mapping[str, Any] = field(default_factory=dict)
    schema_version: int = THRESHOLD_SCHEMA_VERSION

    @property
    def model_hashes(self) -> frozenset[str]:
        """The ``sha256:`` hashes of the model file(s) the threshold was chosen for."""
        return identity_hashes(self.identity)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any], *, source: object = THRESHOLD_JSON) -> ThresholdRecord:
        """Validate a parsed ``threshold.json``; :class:`ReportError` naming ``source`` otherwise.

        Parameters
        ----------
        doc : mapping
            The parsed JSON object; without ``schema_version`` it reads as version 1.
        source : object, optional
            What to name in errors (a path).

        Returns
        -------
        ThresholdRecord

        Raises
        ------
        ReportError
            An unsupported ``schema_version``, or no finite ``threshold``, or a field of the wrong type.
        """
        version = doc.get("schema_version", THRESHOLD_SCHEMA_VERSION)
        if not isinstance(version, int) or version not in READABLE_THRESHOLD_VERSIONS:
            raise ReportError(
                f"{source}: threshold.json schema_version {version!r} is not supported "
                f"(this library reads {sorted(READABLE_THRESHOLD_VERSIONS)})",
                path=source,
            )
        try:
            threshold = float(doc["threshold"])
            if not math.isfinite(threshold):
                raise ValueError(f"threshold {threshold} is not a finite number")
            target = doc.get("target_recall")
            reached = doc.get("reached_on_validation")
            return cls(
                model=str(doc.get("model", "")),
                identity=str(doc.get("identity", "")),
                threshold=threshold,
                rule=str(doc.get("rule", "")),
                target_recall=None if target is None else float(target),
                reached_on_validation=None if reached is None else bool(reached),
                rationale=str(doc.get("rationale", "")),
                splits=dict(doc.get("splits") or {}),
                schema_version=version,
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise ReportError(
                f"{source}: not a threshold.json written by the gate: {exc!r}", path=source
            ) from None

    @classmethod
    def read(cls, path: Path) -> ThresholdRecord:
        """Read and validate ``path``; :class:`ReportError` naming the file when it is
        missing, unreadable, not a threshold record, or of an unsupported schema version.

        Parameters
        ----------
        path : Path
            A ``threshold.json`` file.

        Returns
        -------
        ThresholdRecord

        Raises
        ------
        ReportError
            As said; ``missing`` is True when the file does not exist.
        """
        return cls.from_dict(read_json_document(path, "threshold record"), source=path)


def experiments_csv(evaluations: Mapping[str, ModelEvaluation], *, n_bins: int) -> str:
    """The metrics of every evaluated model per split, as CSV text (columns :data:`EXPERIMENT_COLUMNS`).

    Parameters
    ----------
    evaluations : mapping of str to ModelEvaluation
        By role or name.
    n_bins : int
        Equal-mass bins of the ECE (``[quality] calibration_bins``).

    Returns
    -------
    str
        A header and one line per model and split.
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPERIMENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for evaluation in evaluations.values():
        for row in evaluation.experiment_rows(n_bins=n_bins):
            writer.writerow({k: format_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def write_quality_reports(
    folder: Path,
    evaluations: Mapping[str, ModelEvaluation],
    *,
    n_bins: int,
    training_log: pd.DataFrame | None = None,
    training_columns: tuple[str, list[str]] | None = None,
    failures: list[str] | None = None,
) -> dict[str, Path]:
    """Write every artefact that the evaluations allow; returns name → path.

    ``threshold.json``, ``reliability.png`` and ``scores.png`` need the candidate;
    ``experiments.csv`` and ``pr_curve.png`` any evaluation; ``training_curves.png``
    the training log.

    Parameters
    ----------
    folder : Path
        The reports folder (created if needed).
    evaluations : mapping of str to ModelEvaluation
        By role (``"candidate"``, ``"champion"``, baselines).
    n_bins : int
        Equal-mass bins of the ECE.
    training_log : DataFrame, optional
        One row per epoch.
    training_columns : (str, list of str), optional
        The epoch column and the columns drawn.
    failures : list of str, optional
        When given, a figure that raises is left out and ``"<name>: <error>"`` appended
        here, and the other figures are still drawn; when omitted, the error propagates.

    Returns
    -------
    dict of str to Path
        The files written, by name.

    Raises
    ------
    OSError
        A file cannot be written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    candidate = evaluations.get("candidate")
    if candidate is not None:
        doc = json.dumps(threshold_document(candidate), indent=2)
        out[THRESHOLD_JSON] = write_atomic(folder / THRESHOLD_JSON, doc + "\n")
        # from the counts alone: y and scores would read every row of the split back
        splits = candidate.splits.items()
        bins = {name: s.calibration(n_bins) for name, s in splits if name != "val" and s.counts.n}
        if bins:
            _figure(
                out, "reliability.png", failures, plots.reliability_diagram, bins, folder / "reliability.png"
            )
        test = candidate.splits["test"]
        if 0 < test.counts.positives < test.counts.n:
            _figure(
                out,
                "scores.png",
                failures,
                partial(plots.score_histograms, grid=test.counts.grid),
                test.cells,
                candidate.threshold,
                folder / "scores.png",
            )
    if evaluations:
        out["experiments.csv"] = write_atomic(
            folder / "experiments.csv", experiments_csv(evaluations, n_bins=n_bins)
        )
        curves = {
            role: (e.splits["test"].counts, e.threshold)
            for role, e in evaluations.items()
            if "test" in e.splits and e.splits["test"].counts.positives
        }
        if curves:
            _figure(out, "pr_curve.png", failures, plots.pr_curves, curves, folder / "pr_curve.png")
    if training_log is not None and training_columns is not None:
        epoch, series = training_columns
        _figure(
            out,
            "training_curves.png",
            failures,
            partial(plots.training_curves, epoch=epoch, series=series, path=folder / "training_curves.png"),
            training_log,
        )
    return out


def _figure(
    out: dict[str, Path], name: str, failures: list[str] | None, draw: Callable[..., Path], *args: Any
) -> None:
    """``out[name] = draw(*args)``; with ``failures``, an error is recorded there instead of raised."""
    if failures is None:
        out[name] = draw(*args)
        return
    try:
        out[name] = draw(*args)
    except Exception as exc:  # a figure must not stop the others nor the page
        failures.append(f"{name}: {type(exc).__name__}: {exc}")


def _num(value: float) -> float | None:
    return None if not math.isfinite(value) else float(value)


def format_cell(value: Any) -> Any:
    """A CSV cell: floats to 6 significant digits (empty when not finite), others as given.

    Parameters
    ----------
    value : object
        The cell's value.

    Returns
    -------
    object
        The value to write.

    Examples
    --------
    >>> format_cell(0.1234567), format_cell(float("nan")), format_cell(3)
    ('0.123457', '', 3)
    """
    if isinstance(value, float):
        return "" if not math.isfinite(value) else f"{value:.6g}"
    return value

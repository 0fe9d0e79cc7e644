"""What ``sentinel monitor`` judges: a batch (or the reference) loaded, checked, joined
with its late labels and scored.

Loading refuses a bad batch (empty, missing columns, duplicate request ids); scoring
refuses scores outside [0, 1]; late labels come from a separate file joined on the
request id. The operating threshold and the monitored model are read here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sentinel_checks.config import DataSource, SentinelConfig
from sentinel_checks.data.io import load_frame, prepare_frame
from sentinel_checks.data.labels import risky_mask
from sentinel_checks.errors import ConfigError, DataError, ReportError, path_not_found
from sentinel_checks.formatting import listing

_CALLABLE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


@dataclass
class Scored:
    """A batch (or the reference) ready to judge."""

    scores: np.ndarray
    labels: np.ndarray  # 1.0 risky, 0.0 safe, NaN unlabelled
    segments: dict[str, pd.Series]
    time_range: tuple[str, str] | None = None


def operating_threshold(config: SentinelConfig, reports_dir: Path, model: Any) -> float:
    """``[monitor] threshold``, else ``[quality] threshold``, else the gate's threshold.json
    — only when that file was written for the very model being monitored.

    Parameters
    ----------
    config : SentinelConfig
        ``[monitor]`` and ``[quality]``.
    reports_dir : Path
        The gate's reports folder, holding ``threshold.json``.
    model : LoadedModel or None
        The monitored model (:func:`monitored_model`); ``None`` when the batch carries
        its scores (the file's model is then not compared).

    Returns
    -------
    float
        The threshold: a request is flagged when ``score >= threshold``.

    Raises
    ------
    ConfigError
        No threshold is configured and ``threshold.json`` is missing, unreadable or of
        an unsupported version, or it was written for another model.
    """
    if config.monitor.threshold is not None:
        return config.monitor.threshold
    if config.quality.threshold is not None:
        return config.quality.threshold
    from sentinel_checks.data.identity import identity_hashes
    from sentinel_checks.reports.quality import THRESHOLD_JSON, ThresholdRecord

    path = reports_dir / THRESHOLD_JSON
    monitored = _describe_monitored(config, model)
    try:
        record = ThresholdRecord.read(path)
    except ReportError as exc:
        if exc.missing:
            source = config.source
            raise ConfigError(
                f"{source}: no operating threshold for {monitored}: {path} does not exist. The gate writes "
                f"it (for [models.candidate]): `sentinel gate --config {source} --reports {reports_dir}` or "
                f"`pytest suites/ --sentinel-config {source} --sentinel-reports {reports_dir}`; if the gate "
                "wrote its reports elsewhere, pass that folder to `sentinel monitor --reports DIR`. Or set "
                f"[monitor] threshold in {source} to the threshold the served model uses"
            ) from None
        raise ConfigError(str(exc)) from None
    if model is not None and not identity_hashes(model.identity) & record.model_hashes:
        chosen_for = _describe_identity(config, record.identity, record.model)
        role = config.monitor.model
        raise ConfigError(
            f"{path} holds the threshold chosen for {chosen_for}, but [monitor] model = "
            f'"{role}" monitors {monitored}. If the model the gate passed now serves, '
            f'set [monitor] model = "{record.model or "candidate"}" (or point [models.{role}] '
            "at its file); if the monitored model still serves, set [monitor] threshold to the threshold "
            f"it serves with (in {config.source})"
        )
    return record.threshold


def _short(identity: str) -> str:
    """``sha256:e78d62b0…`` for a file hash; other identities (URIs) as they are."""
    return f"{identity[:15]}…" if identity.startswith("sha256:") and len(identity) > 15 else identity


def _where(config: SentinelConfig, role: str) -> str:
    """The file (relative to the config's folder when inside it) or URI of ``[models.<role>]``."""
    spec = getattr(config.models, role)
    if spec is None:
        return "not configured"
    if spec.path is not None:
        try:
            return str(Path(spec.path).resolve().relative_to(config.base_dir.resolve()))
        except ValueError:
            return str(spec.path)
    return spec.uri or f"score column {spec.score_column}"


def _describe_monitored(config: SentinelConfig, model: Any) -> str:
    """``the champion (models/champion.skops, sha256:3567f138…)``, or the score column."""
    if model is None:
        return f"the served scores ([monitor] score_column = {config.monitor.score_column})"
    role = getattr(model, "role", config.monitor.model)
    return f"the {role} ({_where(config, role)}, {_short(model.identity)})"


def _describe_identity(config: SentinelConfig, identity: str, role: str) -> str:
    """Which configured model ``identity`` (from threshold.json) is, by role and file."""
    from sentinel_checks.data.identity import identity_hashes
    from sentinel_checks.models.loading import model_identity

    hashes = identity_hashes(identity)
    for name in ("candidate", "champion"):
        spec = getattr(config.models, name)
        found = model_identity(spec) if spec is not None else None
        if found is not None and identity_hashes(found) & hashes:
            return f"the {name} ({_where(config, name)}, {_short(identity)})"
    was = f" (the {role} when the gate ran)" if role else ""
    return f"a model no [models] table of {config.source} names now: {_short(identity)}{was}"


def monitored_model(config: SentinelConfig) -> Any:
    """The model ``[monitor] model`` names, or None when the batch carries its scores
    (``[monitor] score_column``).

    Parameters
    ----------
    config : SentinelConfig
        ``[monitor]``, ``[models]`` and ``[registry] store``.

    Returns
    -------
    LoadedModel or None

    Raises
    ------
    ConfigError
        ``[monitor] model`` names a role whose ``[models.<role>]`` is not configured.
    ModelLoadError
        The model cannot be loaded.
    """
    from sentinel_checks.models.loading import load_model

    m = config.monitor
    if m.score_column is not None:
        return None
    spec = getattr(config.models, m.model)
    if spec is None:
        raise ConfigError(
            f"{config.source}: [monitor] model = {m.model!r} but [models.{m.model}] is not configured "
            "(or set [monitor] score_column)"
        )
    return load_model(spec, role=m.model, tracking_uri=config.registry.store)


def load_batch(config: SentinelConfig, path: Path | str, what: str) -> pd.DataFrame:
    """A batch from a parquet/CSV file, or from ``module:function`` (the team's own loader).

    Parameters
    ----------
    config : SentinelConfig
        ``[columns]`` (timestamp, id) and the config's folder (for loaders).
    path : Path or str
        A file, or ``"module:function"`` when no such file exists.
    what : str
        Names the batch in errors (``"batch"``, ``"reference"``).

    Returns
    -------
    DataFrame
        The batch, timestamps parsed.

    Raises
    ------
    DataError
        The file is missing or unreadable, the loader fails, the batch has no rows,
        its timestamps cannot be parsed, or the ``[columns] id`` column is missing or
        repeats a request id.
    """
    text = str(path)
    if not Path(text).exists() and _CALLABLE.match(text):
        source = DataSource(loader=text)
    else:
        source = DataSource(path=Path(text))
        if Path(text).is_dir():  # trial: a folder was reported as "file not found"
            raise DataError(
                f"{what} {text} is a folder: sentinel monitor reads one batch file (parquet or csv)"
            )
        if not Path(text).is_file():
            raise DataError(path_not_found(text, what))
    frame = load_frame(source, base_dir=config.base_dir, what=what)
    if frame.empty:
        raise DataError(f"{what} {path} has no rows")
    frame = prepare_frame(frame, config, what=what)
    id_col = config.columns.id
    if id_col is not None:
        if id_col not in frame.columns:
            raise DataError(f"{what} {path}: request id column {id_col!r} ([columns] id) is missing")
        dupes = frame[id_col][frame[id_col].duplicated(keep=False)]
        if len(dupes):
            shown = ", ".join(map(str, dupes.drop_duplicates().head(5)))
            raise DataError(
                f"{what} {path}: {dupes.nunique()} request id(s) appear more than once ({shown}…): "
                "a batch must not count a request twice"
            )
    return frame


def score_batch(
    config: SentinelConfig, frame: pd.DataFrame, model: Any, labels_path: Path | None, what: str
) -> Scored:
    """Scores (from ``model``, or the score column when it is None), labels (late ones
    joined from ``labels_path``), segments and time range of a loaded batch.

    Parameters
    ----------
    config : SentinelConfig
        ``[monitor] score_column`` and ``[columns]`` (features, label, id, segments, timestamp).
    frame : DataFrame, n rows
        The batch (:func:`load_batch`).
    model : LoadedModel or None
        The model scoring the batch; ``None`` to read ``[monitor] score_column``.
    labels_path : Path or None
        A late-labels file (request id and label columns), joined on ``[columns] id``.
    what : str
        Names the batch in errors.

    Returns
    -------
    Scored
        Scores (float, shape (n,)), labels (1.0 risky, 0.0 safe, NaN unlabelled),
        segment columns, and the first and last timestamp (ISO-8601) when configured.

    Raises
    ------
    DataError
        The score or a feature column is missing, a score is missing or outside
        [0, 1], or the labels cannot be read or hold other values.
    ModelLoadError
        The model cannot score the batch.
    ConfigError
        ``labels_path`` is given without ``[columns] id``.
    """
    from sentinel_checks.data.io import feature_columns
    from sentinel_checks.models.scoring import risk_scores

    m, cols = config.monitor, config.columns
    origin = frame.attrs.get("sentinel_origin", what)
    if model is None:
        assert m.score_column is not None
        if m.score_column not in frame.columns:
            raise DataError(
                f"{what} {origin}: score column {m.score_column!r} ([monitor] score_column) is missing"
            )
        scores = pd.to_numeric(frame[m.score_column], errors="coerce").to_numpy(dtype=float)
    else:
        features = model.feature_list(feature_columns(frame, config, require_present=False))
        missing = [f for f in features if f not in frame.columns]
        if missing:
            raise DataError(f"{what} {origin}: feature column(s) {listing(missing)} are missing")
        scores = risk_scores(model, frame, features=features, positive=cols.positive)
    bad = ~np.isfinite(scores) | (scores < 0) | (scores > 1)
    if bad.any():
        raise DataError(
            f"{what} {origin}: {int(bad.sum())} score(s) are missing or outside [0, 1] "
            f"(first at row {int(np.flatnonzero(bad)[0])}): the batch cannot be judged"
        )
    labels = batch_labels(config, frame, labels_path, what, origin)
    segments = {c: frame[c] for c in cols.segments if c in frame.columns}
    time_range = None
    # datetimes only: a period number or a row position is no date for the retraining window
    ts = cols.timestamp
    if ts is not None and ts in frame.columns and pd.api.types.is_datetime64_any_dtype(frame[ts]):
        stamps = frame[ts].dropna()
        if len(stamps):
            time_range = (stamps.min().isoformat(), stamps.max().isoformat())
    return Scored(scores, labels, segments, time_range)


def batch_labels(
    config: SentinelConfig, frame: pd.DataFrame, labels_path: Path | None, what: str, origin: str
) -> np.ndarray:
    """1.0 risky, 0.0 safe, NaN unlabelled per row: the batch's own label column, its
    gaps filled from the late labels file joined on the request id.

    Parameters
    ----------
    config : SentinelConfig
        ``[columns]`` label, positive, negative and id.
    frame : DataFrame, n rows
        The batch; its label column may be absent or partly null.
    labels_path : Path or None
        A late-labels file with the id and label columns (the last row per id wins).
    what, origin : str
        Name the batch in errors.

    Returns
    -------
    ndarray of float, shape (n,)

    Raises
    ------
    ConfigError
        ``labels_path`` is given without ``[columns] id``.
    DataError
        The labels file cannot be read or lacks a column, or a label is neither
        the positive nor the negative value.
    """
    cols = config.columns
    raw = (
        frame[cols.label]
        if cols.label in frame.columns
        else pd.Series(pd.NA, index=frame.index, dtype=object)
    )
    if labels_path is not None:
        if cols.id is None:
            raise ConfigError(f"{config.source}: joining a labels file needs [columns] id (the request id)")
        late = load_frame(DataSource(path=labels_path), base_dir=config.base_dir, what="labels")
        for column in (cols.id, cols.label):
            if column not in late.columns:
                raise DataError(f"labels {labels_path}: column {column!r} is missing")
        late = late.drop_duplicates(subset=cols.id, keep="last").set_index(cols.id)[cols.label]
        joined = frame[cols.id].map(late)
        raw = raw.where(raw.notna(), joined)
    risky, labelled = risky_mask(
        raw.rename(cols.label),
        positive=cols.positive,
        negative=cols.negative,
        where=f"{what} {origin}",
        allow_unlabelled=True,
    )
    labels = np.full(len(raw), np.nan)
    labels[risky], labels[labelled & ~risky] = 1.0, 0.0
    return labels


def load_reference(config: SentinelConfig, model: Any) -> Scored:
    """``[monitor] reference`` scored, else the labelled test split.

    Parameters
    ----------
    config : SentinelConfig
        ``[monitor] reference``, or the dataset and ``[splits]``.
    model : LoadedModel or None
        As for :func:`score_batch`.

    Returns
    -------
    Scored
        The reference the batch is compared with.

    Raises
    ------
    DataError
        The reference cannot be loaded or scored, or the test split has no labels.
    ConfigError, ModelLoadError
        As for :func:`score_batch` (and :func:`~sentinel_checks.data.inputs.load_inputs`).
    """
    if config.monitor.reference is not None:
        return score_batch(
            config, load_batch(config, config.monitor.reference, "reference"), model, None, "reference"
        )
    from sentinel_checks.data.inputs import load_inputs

    test = load_inputs(config).splits.test
    reference = score_batch(config, test, model, None, "reference (test split)")
    if not np.isfinite(reference.labels).any():
        raise DataError("reference (test split) has no labels: set [monitor] reference to a labelled batch")
    return reference

"""The preflight's column names: every configured column (``[columns]`` label,
timestamp, entities, id, segments, features, exclude; ``[splits] column``;
``[drift] segment_columns``; ``[quality] baseline_features``; each model's
``score_column`` and ``features``) is a column of the dataset, and of the production
sample where the gate needs it there (all but the label, the split column and
``exclude``), with the closest existing name as a suggestion
(:func:`difflib.get_close_matches`, ignoring case); every column a ``[drift]`` setting
names (``critical_features``, ``per_column_method``, ``per_column_threshold``) is a
feature, and each ``per_column_method`` takes its feature's kind (numeric or categorical).
Part of :mod:`sentinel_checks.gate.preflight`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from sentinel_checks.gate.preflight import SetupProblem, frame_origin

if TYPE_CHECKING:
    import pandas as pd

    from sentinel_checks.config import SentinelConfig


def _flat(values: Iterable[object]) -> list[str]:
    """Column names, a composite entity (a list of columns) flattened, each once."""
    out: list[str] = []
    for value in values:
        out += [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
    return list(dict.fromkeys(out))


def _configured_columns(config: SentinelConfig) -> list[tuple[str, list[str], set[str]]]:
    """(key, its columns, the frames that must hold them) for every key naming columns."""
    cols, both, offline = config.columns, {"dataset", "production"}, {"dataset"}
    keys: list[tuple[str, list[str], set[str]]] = [
        # a label left unset (the default "label") that the data lacks: see unset_label
        ("[columns] label", [cols.label] if "label" in cols.model_fields_set else [], offline),
        ("[columns] timestamp", _flat([cols.timestamp] if cols.timestamp else []), both),
        ("[columns] id", _flat([cols.id] if cols.id else []), both),
        ("[columns] entities", _flat(cols.entities), both),
        ("[columns] segments", _flat(cols.segments), both),
        ("[columns] features", _flat(cols.features or []), both),
        ("[columns] exclude", _flat(cols.exclude), offline),
        ("[drift] segment_columns", _flat(config.drift.segment_columns), both),
        ("[quality] baseline_features", _flat(config.quality.baseline_features or []), both),
    ]
    if config.splits.method == "column" and config.splits.column is not None:
        keys.append(("[splits] column", [config.splits.column], offline))
    for role in ("candidate", "champion"):
        spec = getattr(config.models, role)
        if spec is not None and spec.score_column is not None:
            keys.append((f"[models.{role}] score_column", [spec.score_column], both))
        if spec is not None and spec.features is not None:
            keys.append((f"[models.{role}] features", _flat(spec.features), both))
    return [(key, columns, needed) for key, columns, needed in keys if columns]


def column_problems(config: SentinelConfig, frames: dict[str, pd.DataFrame]) -> list[SetupProblem]:
    """A problem per key naming a column its frames lack, then per ``[drift]`` key naming a
    column that is not a feature (:func:`drift_keys`). A column named under several keys is
    reported under the first, which names the others (trial: a misspelt segment that is
    also a feature surfaced one key per run)."""
    reported: dict[str, str] = {}  # a column -> the key of the problem naming it
    also: dict[str, list[str]] = {}  # a reported column -> the later keys naming it too
    told: dict[str, list[str]] = {}  # a key -> what is wrong with it, in order

    def claim(key: str, lacking: list[str], problem: Callable[[list[str]], SetupProblem | None]) -> None:
        for column in (c for c in lacking if c in reported):
            also.setdefault(column, []).append(key)
        fresh = [c for c in lacking if c not in reported]
        found = problem(fresh) if fresh else None
        if found is not None:
            told.setdefault(key, []).append(found.message)
            reported.update(dict.fromkeys(fresh, key))

    label = config.columns.label  # first: the label is a column, and it is not a feature
    for key, names in feature_keys(config):
        if label in names:
            claim(key, [label], partial(_label_as_feature, key))
    for key, names, column, why in _roles_as_segments(config):
        if column in names:
            claim(key, [column], partial(_role_as_segment, key, why))
    for key, columns, needed_in in _configured_columns(config):
        needed = {n: f for n, f in frames.items() if n in needed_in}
        lacking = [c for c in columns if any(c not in f.columns for f in needed.values())]
        claim(key, lacking, partial(_missing, key, frames=needed))
    if "dataset" in frames:
        from sentinel_checks.data.io import feature_columns

        features = feature_columns(frames["dataset"], config)
        for key, names in drift_keys(config):
            lacking = list(dict.fromkeys(n for n in names if n not in features))
            claim(key, lacking, partial(_not_features, key, features=features))
        unfit = _unfit_methods(config, frames["dataset"], features)
        if unfit:
            told.setdefault("[drift] per_column_method", []).append(unfit)
        if "production" in frames and config.columns.features is None and config.production is not None:
            # inferred features: not under any key above (trial: the test split's checks errored)
            key = config.production.key("production")
            lacking = [f for f in features if f not in frames["production"].columns]
            claim(key, lacking, partial(_inferred_missing, key, frames={"production": frames["production"]}))
    out = []
    for key, messages in told.items():
        mine = [c for c, k in reported.items() if k == key]
        others = list(dict.fromkeys(k for c in mine for k in also.get(c, ()) if k != key))
        message = "; ".join(messages) + (f" (also named in {', '.join(others)})" if others else "")
        out.append(SetupProblem(key, message))
    return out


def feature_keys(config: SentinelConfig) -> list[tuple[str, list[str]]]:
    """Every key listing columns a model reads or the drift checks compare, and its columns:
    none may be the label (a model fed its own label is judged on the answer; a baseline
    fitted on it beats any candidate)."""
    # [columns] features, [quality] baseline_features, [models.<role>] features
    keys = [(key, columns) for key, columns, _ in _configured_columns(config) if key.endswith("features")]
    for i, run in enumerate(config.experiments.runs, start=1):
        keys.append((f"[[experiments.runs]] #{i} features", list(run.features or [])))
        keys.append((f"[[experiments.runs]] #{i} features_add", list(run.features_add)))
    return keys + drift_keys(config)


def _label_as_feature(key: str, names: list[str]) -> SetupProblem:
    return SetupProblem(
        key,
        f"'{names[0]}' is the label column ([columns] label): a model fed its own label is judged on "
        "the answer; remove it",
    )


def _roles_as_segments(config: SentinelConfig) -> list[tuple[str, list[str], str | None, str]]:
    """(segment key, its columns, a role column, why it cannot be a segment) for the label
    (a ``[columns] segments`` entry) and the ``[splits] column`` (trial: `sentinel init`
    proposed both as segments and the gate judged "every dead segment … recall ≥ 0.50")."""
    split = config.splits.column if config.splits.method == "column" else None
    roles = [
        (config.columns.label, "is the label column ([columns] label): recall within one label value "
         "is 0 or 1 by construction"),
        (split, "is the split column ([splits] column): its values are the splits, not segments of them"),
    ]  # fmt: skip
    keys = [
        ("[columns] segments", _flat(config.columns.segments)),
        ("[drift] segment_columns", _flat(config.drift.segment_columns)),
    ]
    # the label in [drift] segment_columns compares each class's features: it may be meant
    return [
        (key, names, column, why)
        for key, names in keys
        for column, why in roles
        if not (key.startswith("[drift]") and column == config.columns.label)
    ]


def _role_as_segment(key: str, why: str, names: list[str]) -> SetupProblem:
    return SetupProblem(key, f"'{names[0]}' {why}; remove it")


def drift_keys(config: SentinelConfig) -> list[tuple[str, list[str]]]:
    """The ``[drift]`` keys naming feature columns, and their columns: ``critical_features``,
    and the columns of ``per_column_method`` and ``per_column_threshold``. A name there that
    is not a feature never applies (the drift checks compare the features only) and
    nothing would say it was ignored: a misspelt critical feature could not fail the gate
    on its own."""
    drift = config.drift
    return [
        ("[drift] critical_features", list(drift.critical_features)),
        ("[drift] per_column_method", list(drift.per_column_method)),
        ("[drift] per_column_threshold", list(drift.per_column_threshold)),
    ]


def _unfit_methods(config: SentinelConfig, dataset: pd.DataFrame, features: list[str]) -> str | None:
    """What is wrong with the ``[drift] per_column_method`` entries whose method does not
    take their feature's kind (a category for ``ks``, a number for ``chisquare``): the
    column's drift could not be measured, an error after the whole run. The kind is read
    off the dataset's dtype by the drift step's own rule
    (:func:`~sentinel_checks.checks.drift_inputs.drift_kind`), the methods' kinds from
    :data:`~sentinel_checks.adapters.evidently_columns.METHOD_KINDS`; ``None`` when all fit."""
    from sentinel_checks.adapters.evidently_columns import METHOD_KINDS
    from sentinel_checks.adapters.evidently_methods import KIND_NAMES
    from sentinel_checks.checks.drift_inputs import drift_kind

    phrases = []
    for column, method in config.drift.per_column_method.items():
        if column not in features:
            continue  # not a feature: told above
        kind, takes = drift_kind(dataset[column].dtype), METHOD_KINDS.get(method, frozenset())
        if kind in takes:
            continue
        fitting = sorted((m for m, kinds in METHOD_KINDS.items() if kind in kinds), key=str.lower)
        phrases.append(
            f"'{column}' is a {KIND_NAMES[kind]} column and {method} takes "
            f"{' or '.join(KIND_NAMES[k] for k in sorted(takes))} columns only "
            f"(for a {KIND_NAMES[kind]} column: {', '.join(fitting)})"
        )
    if not phrases:
        return None
    return "; ".join(phrases) + ": the drift step would refuse the column"


def _not_features(key: str, names: list[str], features: list[str]) -> SetupProblem:
    """One problem for a ``[drift]`` key naming columns that are not features: each with the
    closest feature, and the features listed once when one has none."""
    phrases, unmatched = [], False
    for name in names:
        suggestion = close_match(name, features)
        unmatched |= suggestion is None
        hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
        phrases.append(f"'{name}' is not a feature column{hint}")
    text = "; ".join(phrases) + ": the setting would never apply"
    if unmatched:
        shown = ", ".join(features[:12]) + (f" and {len(features) - 12} more" if len(features) > 12 else "")
        text += f" (the features: {shown or 'none'})"
    return SetupProblem(key, text)


def _inferred_missing(key: str, columns: list[str], frames: dict[str, pd.DataFrame]) -> SetupProblem | None:
    """:func:`_missing` for features the gate inferred, saying why production needs them."""
    found = _missing(key, columns, frames)
    if found is None:
        return None
    return SetupProblem(
        key,
        f"{found.message} ({'it is a feature' if len(columns) == 1 else 'they are features'}: every "
        "dataset column without a role, as [columns] features is not set; the models score production "
        "on them): add the column to the production sample, or name it in [columns] exclude",
    )


def _missing(key: str, columns: list[str], frames: dict[str, pd.DataFrame]) -> SetupProblem | None:
    """One problem for a key whose columns are not all in the frames that need them."""
    phrases = []
    for column in columns:
        lacking = [name for name, frame in frames.items() if column not in frame.columns]
        if not lacking:
            continue
        where = " or ".join(frame_origin(name, frames[name]) for name in lacking)
        phrase = f"'{column}' is not a column of {where}"
        suggestion = close_match(column, frames[lacking[0]].columns)
        phrases.append(phrase + (f"; did you mean '{suggestion}'?" if suggestion else ""))
    return SetupProblem(key, "; ".join(phrases)) if phrases else None


def close_match(name: str, columns: Iterable[object]) -> str | None:
    """The existing column closest to a misspelt ``name``, ignoring case, if any is close.

    Parameters
    ----------
    name : str
        The configured column name.
    columns : iterable
        The frame's column names.

    Returns
    -------
    str or None
        The column as the frame spells it (:func:`difflib.get_close_matches`, cutoff 0.6).

    Examples
    --------
    >>> close_match("CANCELED", ["YEAR", "CANCELLED", "AIRLINE"])
    'CANCELLED'
    >>> close_match("cancelled", ["CANCELLED"]), close_match("label", ["amount"])
    ('CANCELLED', None)
    """
    by_lower = {str(c).lower(): str(c) for c in columns}
    found = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[found[0]] if found else None

"""The model half of the preflight (:mod:`.preflight`): each configured model loads,
was trained on the features the gate passes it, and has the risky class among its classes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sentinel_checks.errors import SentinelError
from sentinel_checks.gate.cache import NotConfigured
from sentinel_checks.gate.preflight import SetupProblem, _shown, frame_origin, joined

if TYPE_CHECKING:
    import pandas as pd

    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.gate.session import GateSession


def model_problems(session: GateSession, frames: dict[str, pd.DataFrame]) -> list[SetupProblem]:
    """The problems of each configured model, at most one per model and kind.

    Parameters
    ----------
    session : GateSession
        The run's session; each model is loaded through it (:meth:`GateSession.model`,
        so the gate reuses it), a load error reported once with the fix.
    frames : dict of str to DataFrame
        The frames that loaded (``"dataset"``, ``"production"``), to look for the
        features the model was trained on (``feature_names_in_``).

    Returns
    -------
    list of SetupProblem
        Under the key ``[models.<role>]``: it cannot load; its classes do not include
        the risky one (:func:`~sentinel_checks.models.scoring.positive_column`); it was
        trained on features missing from the data, not passed to it, or in another order
        (looked at once the ``[columns]`` role columns exist, when the features are inferred).
    """
    from sentinel_checks.data.io import feature_columns
    from sentinel_checks.models.scoring import positive_column

    config, problems = session.config, []
    for role in ("candidate", "champion"):
        spec = getattr(config.models, role)
        if spec is None:
            continue
        key = f"[models.{role}]"
        try:
            model = session.model(role)
        except NotConfigured:
            continue
        except SentinelError as exc:
            problems.append(SetupProblem(key, _load_message(str(exc), spec.path, key)))
            continue
        if model.estimator is None:
            continue  # a score column: looked for with the columns
        try:
            positive_column(
                model.estimator, config.columns.positive, positive_class=model.positive_class, role=role
            )
        except SentinelError as exc:
            classes = getattr(model.estimator, "classes_", [])
            held = joined([_shown(c) for c in np.asarray(classes, dtype=object).tolist()] or ["no class"])
            found = f"{_file(spec)}classes {held}"
            problems.append(SetupProblem(key, f"{_file(spec)}{exc}", about="positive", found=found))
        if "dataset" not in frames or _roles_unsettled(session, frames["dataset"], spec):
            continue
        given = model.feature_list(feature_columns(frames["dataset"], config))
        if any(f not in frame.columns for frame in frames.values() for f in given):
            continue  # a configured feature is missing: reported with the columns, once
        source = (
            "model"
            if spec.features is not None
            else ("columns" if config.columns.features is not None else "")
        )
        message = _feature_mismatch(model.estimator, given, frames, source, key, _roles(config))
        if message:
            problems.append(SetupProblem(key, f"{_file(spec)}{message}"))
    return problems


def _roles_unsettled(session: GateSession, dataset: pd.DataFrame, spec: Any) -> bool:
    """Whether the model's features are checked after the ``[columns]`` problems are fixed.

    Features left to inference are every column without a role: with a role column
    misspelt (or the label never set), the real column (``repaid`` for ``label =
    "repayed"``) would count as a feature, and the model would be said to lack it. The
    ``[columns]`` problem is the one to report; a configured feature list is checked as is.
    Only the columns that leave the inferred features count (the roles and ``exclude``):
    a misspelt segment changes no feature, so both problems are listed in one run.
    """
    from sentinel_checks.gate.preflight import unset_label

    config = session.config
    if spec.features is not None or config.columns.features is not None:
        return False
    if unset_label(config, dataset) is not None:
        return True
    leaving = [*config.role_columns(), *config.columns.exclude]
    return any(column not in dataset.columns for column in leaving)


def _file(spec: Any) -> str:
    return f"{spec.path}: " if spec.path is not None else (f"{spec.uri}: " if spec.uri else "")


def _load_message(message: str, path: Path | None, key: str) -> str:
    """The loader's message, with the fix when a ``.skops`` file is not a skops file."""
    import zipfile

    if "not a readable skops file" not in message or path is None or zipfile.is_zipfile(path):
        return message
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        head = b""
    if len(head) < 4:  # review: an empty file (a failed copy) got the joblib advice
        message += f". It holds {len(head)} byte(s): an empty or failed copy; copy the model again"
    elif head.startswith(b"version https://git-lfs"):
        message += ". It is a Git LFS pointer, not the model: fetch the file (git lfs pull)"
    elif head.startswith(b"PK\x03\x04"):  # trial: a truncated skops file was told to load as joblib, trusted
        message += (
            ". It starts as a zip archive (a skops file) but has no end: it is truncated or "
            "damaged (an interrupted copy or upload?); copy it again, or save it again with skops.io.dump"
        )
    else:
        message += (
            f". A .skops file is a zip archive and this one is not: if it was saved with joblib "
            f"or pickle, set format = 'joblib' (or 'pickle') and trusted = true under {key} "
            "— for a file you built yourself, as loading it runs code — or save it again "
            "with skops.io.dump"
        )
    return message


def _roles(config: SentinelConfig) -> dict[str, str]:
    """Each column with a role other than feature, and the key that gives it the role."""
    cols = config.columns
    keyed: list[tuple[str, list[str | None]]] = [
        ("[columns] label", [cols.label]),
        ("[columns] timestamp", [cols.timestamp]),
        ("[columns] id", [cols.id]),
        ("[columns] entities", list(cols.entity_columns())),
        ("[columns] exclude", list(cols.exclude)),
        ("[splits] column", [config.splits.column] if config.splits.method == "column" else []),
    ]
    roles: dict[str, str] = {}
    for key, columns in keyed:
        for column in columns:
            if column is not None:
                roles.setdefault(column, key)
    return roles


def _feature_mismatch(
    estimator: Any,
    given: list[str],
    frames: dict[str, pd.DataFrame],
    listed_in: str,
    key: str,
    roles: dict[str, str] | None = None,
) -> str:
    """What is wrong with the features the gate would pass the model, or ``""``.

    ``listed_in``: ``"model"`` (``<key> features``), ``"columns"`` (``[columns] features``)
    or ``""`` (inferred: every column without a role). An inferred feature the model
    was not trained on is named as inferred, with ``[columns] exclude`` as the first fix.
    ``roles`` (column → the key giving it a role): a column the model was trained on that
    has a role is named with that key (trial: "trained on 'yearacc', which the features
    the gate infers … does not list" did not say it is the timestamp).
    """
    roles = roles or {}
    names = getattr(estimator, "feature_names_in_", None)
    source = {
        "model": f"{key} features",
        "columns": "[columns] features",
        "": "the features the gate infers (every column without a role: [columns] features is not set)",
    }[listed_in]
    if names is None:
        n = getattr(estimator, "n_features_in_", None)
        if n is not None and int(n) != len(given):
            return f"the model was trained on {int(n)} features; the gate passes it {len(given)} ({source})"
        return ""
    trained = [str(f) for f in names]
    if trained == given:
        return ""
    absent = {
        f: [name for name, frame in frames.items() if f not in frame.columns]
        for f in trained
        if any(f not in frame.columns for frame in frames.values())
    }
    phrases = [
        f"it was trained on '{f}', which is not a column of "
        + " or ".join(frame_origin(name, frames[name]) for name in where)
        for f, where in absent.items()
    ]
    phrases += [
        f"it was trained on '{f}', which is "
        + (
            "in [columns] exclude (never passed to a model): remove it from exclude, or retrain without it"
            if roles[f] == "[columns] exclude"
            else f"{roles[f]} (a role, never passed to a model as a feature): retrain without it"
        )
        for f in trained
        if f not in given and f not in absent and f in roles
    ]
    unlisted = [f"'{f}'" for f in trained if f not in given and f not in absent and f not in roles]
    if unlisted:
        phrases.append(f"it was trained on {joined(unlisted)}, which {source} does not list")
    extra = [f for f in given if f not in trained]
    verb = "include" if not listed_in else "lists"
    if extra:
        named = joined([f"'{f}'" for f in extra])
        phrases.append(f"{source} {verb} {named}, which it was not trained on")
    if not phrases:
        phrases.append(f"{source} {verb} its features in another order than it was trained on")
    first = ""
    if extra and not listed_in:  # the user wrote no feature list: leave those columns out
        shown = ", ".join(f'"{f}"' for f in extra)
        first = f" Fix: add exclude = [{shown}] under [columns] (columns that are not features)."
    return (
        "; ".join(phrases)
        + f".{first} The model was trained on {', '.join(trained)}: list them, in that order, "
        f"under {key} features (or fix the data)"
    )

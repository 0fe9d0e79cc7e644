"""Load the candidate and champion models named in the config.

Model files are untrusted input. ``.skops`` files load by default (no code runs);
pickle and joblib files run arbitrary code when loaded, so they load only when the
config says ``trusted = true``. MLflow URIs go through
:mod:`sentinel_checks.adapters.mlflow_loading` (skops-serialised registry models
load with the same type checks; pickled ones need ``trusted = true``). A model may also be "a column that
already holds its scores" (``score_column``).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sentinel_checks.adapters import mlflow_loading, skops_io
from sentinel_checks.config import ModelSpec
from sentinel_checks.data.fingerprints import fingerprint_file
from sentinel_checks.errors import ModelLoadError

_SUFFIX_FORMATS = {".skops": "skops", ".pkl": "pickle", ".pickle": "pickle", ".joblib": "joblib"}


@dataclass(frozen=True)
class LoadedModel:
    """A model ready to score, or the name of the column holding its scores."""

    role: str
    estimator: Any | None
    score_column: str | None
    identity: str  # "sha256:<hex>" of the file, the MLflow URI, or "column:<name>"
    features: tuple[str, ...] | None = None  # None: the [columns] features
    positive_class: bool | int | float | str | None = None  # None: the class equal to [columns] positive

    def feature_list(self, default: list[str]) -> list[str]:
        """The columns this model scores: its own list, or the configured features.

        Parameters
        ----------
        default : list of str
            The configured feature columns.

        Returns
        -------
        list of str
        """
        return list(self.features) if self.features is not None else list(default)


def model_identity(spec: ModelSpec) -> str | None:
    """What identifies a configured model without loading it: the file's sha256, the
    score column, or the (unresolved) URI.

    Parameters
    ----------
    spec : ModelSpec
        A ``[models.<role>]`` table.

    Returns
    -------
    str or None
        ``"column:<name>"``, the URI, or ``"sha256:<hex>"``; ``None`` when the file is missing.
    """
    if spec.score_column is not None:
        return f"column:{spec.score_column}"
    if spec.uri is not None:
        return spec.uri
    assert spec.path is not None
    return f"sha256:{fingerprint_file(spec.path)}" if spec.path.is_file() else None


def load_model(spec: ModelSpec, *, role: str, tracking_uri: str | None = None) -> LoadedModel:
    """Load the model a ``[models.<role>]`` table names.

    Parameters
    ----------
    spec : ModelSpec
        The table: ``path`` (``.skops``, or pickle/joblib with ``trusted = true``),
        ``uri`` (``models:/name/version``) or ``score_column``.
    role : str
        ``"candidate"`` or ``"champion"``; names the table in errors.
    tracking_uri : str, optional
        The registry that ``models:/`` URIs refer to (``[registry] store``).

    Returns
    -------
    LoadedModel
        The estimator (or score column) and its identity.

    Raises
    ------
    ModelLoadError
        The file is missing, of an unknown format, untrusted (pickle/joblib without
        ``trusted``, skops types not allowed), cannot be loaded, or has no
        ``predict_proba``; or the registry model cannot be loaded.
    """
    key = f"[models.{role}]"
    if spec.score_column is not None:
        return LoadedModel(role, None, spec.score_column, f"column:{spec.score_column}")
    features = tuple(spec.features) if spec.features is not None else None
    if spec.uri is not None:
        model, identity = mlflow_loading.load(
            spec.uri,
            key=key,
            trusted=spec.trusted,
            trusted_types=spec.trusted_types,
            tracking_uri=tracking_uri,
        )
        return replace(_checked(model, role, identity, key, features), positive_class=spec.positive_class)
    assert spec.path is not None  # ModelSpec validation guarantees one source
    path = spec.path
    if not path.is_file():
        from sentinel_checks.errors import nearest_hint

        raise ModelLoadError(f"{key} path: model file not found: {path}{nearest_hint(path)}")
    fmt = spec.format if spec.format != "auto" else _SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ModelLoadError(
            f"{key} path = {path}: unknown model format {path.suffix!r}; "
            "set format = 'skops', 'joblib' or 'pickle'"
        )
    identity = f"sha256:{fingerprint_file(path)}"
    if fmt == "skops":
        model = skops_io.load(path, trusted_types=spec.trusted_types, trust_all=spec.trusted, key=key)
    elif fmt in ("pickle", "joblib"):
        model = _load_pickle(path, fmt, trusted=spec.trusted, key=key)
    else:
        raise ModelLoadError(f"{key}: format {fmt!r} needs uri = 'models:/…', not a path")
    return replace(_checked(model, role, identity, key, features), positive_class=spec.positive_class)


def _load_pickle(path: Path, fmt: str, *, trusted: bool, key: str) -> Any:
    if not trusted:
        raise ModelLoadError(
            f"{path}: refusing to load a {fmt} file: unpickling runs arbitrary code. "
            f"Save the model with skops instead, or set trusted = true under {key} "
            "for a file you built yourself."
        )
    try:
        if fmt == "joblib":
            import joblib

            return joblib.load(path)
        with path.open("rb") as fh:
            return pickle.load(fh)
    except Exception as exc:
        raise ModelLoadError(f"{path}: cannot load {fmt} model: {exc}") from exc


def _checked(model: Any, role: str, identity: str, key: str, features: tuple[str, ...] | None) -> LoadedModel:
    if not callable(getattr(model, "predict_proba", None)):
        raise ModelLoadError(
            f"{key}: loaded a {type(model).__name__}, which has no predict_proba(); "
            "the gate needs probability scores for the risky class"
        )
    return LoadedModel(role, model, None, identity, features)

"""``sentinel init``: a starter gate in the user's repository.

Writes ``sentinel.toml`` (every limit with its default, commented), a ``suites/``
folder of thin wrappers around the shipped suites (to extend with the team's own
tests), and a CI workflow. It never overwrites a file: what exists is reported as
skipped. Given a data file, it reads a sample and pre-fills the column roles it can
infer (timestamp, label and its risky value, id-like and entity columns, segments)
for the user to confirm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from sentinel_checks import config as cfg
from sentinel_checks.config.toml_writer import toml_literal
from sentinel_checks.errors import DataError

SHIPPED_SUITES = (
    "test_data_contract",
    "test_splits",
    "test_models",
    "test_quality",
    "test_training",
    "test_drift",
    "test_promotion",
)
CI_FILES = {
    "github": (".github/workflows/sentinel-gate.yml", "github-actions.yml"),
    "gitlab": (".gitlab-ci.sentinel.yml", "gitlab-ci.yml"),
}
#: Sections whose every key is written commented out with its default.
_POLICY_SECTIONS: dict[str, type[BaseModel]] = {
    "contract": cfg.Contract,
    "leakage": cfg.Leakage,
    "quality": cfg.Quality,
    "drift": cfg.DriftPolicy,
    "training": cfg.Training,
    "promotion": cfg.Promotion,
    "registry": cfg.Registry,
    "gate": cfg.Gate,
}
_LABEL_NAME = re.compile(r"(^|_)(label|target|class|y|is_.*|fraud|risk.*|outcome)$", re.IGNORECASE)
_POSITIVE_VALUE = re.compile(r"^(risky|fraud|fraudulent|bad|yes|true|1|positive|high)$", re.IGNORECASE)
_TIME_NAME = re.compile(r"(ts|time|timestamp|date|datetime|created_at|_at)$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_ID_NAME = re.compile(r"(^id$|_id$|[a-z]id$|uuid$|_key$)", re.IGNORECASE)
#: A period an id may be numbered within (case 12 of 1999 is not case 12 of 2000).
_PERIOD_NAME = re.compile(r"(year|yr|season|period)", re.IGNORECASE)
#: Share of an id's values seen in more than one period before it is read as per period.
_REUSED_ACROSS_PERIODS = 0.05


@dataclass
class Roles:
    """Column roles inferred from a sample of the data."""

    timestamp: str | None = None
    label: str | None = None
    positive: Any = None
    negative: Any = None
    label_candidates: list[str] = field(default_factory=list)
    id: str | None = None
    entities: list[str | list[str]] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    split_dates: tuple[str, str] | None = None


@dataclass
class InitResult:
    written: list[Path]
    skipped: list[Path]
    roles: Roles | None


def init_project(folder: Path, *, data: Path | None = None, ci: str = "github") -> InitResult:
    """Scaffold the gate into ``folder``; never overwrites an existing file."""
    folder.mkdir(parents=True, exist_ok=True)
    roles = infer_roles(data) if data is not None else None
    planned: dict[Path, str] = {folder / "sentinel.toml": starter_config(folder, data, roles)}
    for suite in SHIPPED_SUITES:
        planned[folder / "suites" / f"{suite}.py"] = _wrapper(suite)
    if ci != "none":
        target, template = CI_FILES[ci]
        planned[folder / target] = _template(template)
    written, skipped = [], []
    for path, text in planned.items():
        if path.exists():
            skipped.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as fh:  # "x": fail rather than overwrite in a race
            fh.write(text)
        written.append(path)
    return InitResult(written, skipped, roles)


def _template(name: str) -> str:
    return resources.files("sentinel_checks").joinpath("templates", name).read_text(encoding="utf-8")


def _wrapper(suite: str) -> str:
    return (
        f'"""The shipped gate suite `{suite}` (sentinel_checks.suites). Add your own tests below\n'
        'or in new files of this folder; they get the same fixtures (see docs/ci.md)."""\n\n'
        f"from sentinel_checks.suites.{suite} import *  # noqa: F403\n"
    )


# --------------------------------------------------------------------------- inference


def infer_roles(path: Path, *, sample_rows: int = 100_000) -> Roles:
    """Guess column roles from (a sample of) a parquet or CSV file."""
    frame = _read_sample(path, sample_rows)
    roles = Roles()
    for column in frame.columns:
        values = frame[column]
        if roles.timestamp is None and _is_time(column, values):
            roles.timestamp = str(column)
    binary = [str(c) for c in frame.columns if frame[c].nunique(dropna=True) == 2]
    roles.label_candidates = sorted(binary, key=lambda c: (not _LABEL_NAME.search(c), c))
    if roles.label_candidates and _LABEL_NAME.search(roles.label_candidates[0]):
        roles.label = roles.label_candidates[0]
        levels = sorted(frame[roles.label].dropna().unique().tolist(), key=str)
        positive = next((v for v in levels if _POSITIVE_VALUE.match(str(v))), levels[-1])
        roles.positive = positive
        roles.negative = next(v for v in levels if v != positive)
    n = len(frame)
    for column in frame.columns:
        name, values = str(column), frame[column]
        if name in (roles.label, roles.timestamp) or pd.api.types.is_float_dtype(values):
            continue
        distinct = values.nunique(dropna=True)
        if _ID_NAME.search(name) and distinct > 2:
            if distinct == n and roles.id is None:
                roles.id = name
            else:
                roles.entities.append(name)
        elif (values.dtype == object or isinstance(values.dtype, pd.CategoricalDtype | pd.StringDtype)) and (
            2 <= distinct <= 50
        ):
            roles.segments.append(name)
    roles.entities = [_within_period(frame, str(e), roles) for e in roles.entities]
    if roles.timestamp is not None:  # the whole column: a sorted file's first rows are its first weeks
        stamps = pd.to_datetime(_read_column(path, roles.timestamp), errors="coerce", utc=True).dropna()
        if len(stamps):
            val, test = stamps.quantile([0.7, 0.85])
            roles.split_dates = (val.strftime("%Y-%m-%d"), test.strftime("%Y-%m-%d"))
    return roles


def _within_period(frame: pd.DataFrame, entity: str, roles: Roles) -> str | list[str]:
    """``[period, entity]`` when the id is numbered anew in each period, else ``entity``.

    Read so when a period-like column (name with year, season or period; 2 to 50
    whole-number or text values) holds more than one value for at least 5% of the
    id's values: case ids restarting every year name a vehicle only with their year.
    A global id (one user over several years) would look the same; the written
    config says which reading was taken, to confirm.
    """
    ids = frame[entity]
    for column in frame.columns:
        name, values = str(column), frame[column]
        if (
            name in (entity, roles.label, roles.timestamp)
            or not _PERIOD_NAME.search(name)
            or pd.api.types.is_float_dtype(values)
            or not 2 <= values.nunique(dropna=True) <= 50
        ):
            continue
        periods = values.groupby(ids, dropna=True).nunique()
        if len(periods) and float((periods > 1).mean()) >= _REUSED_ACROSS_PERIODS:
            return [name, entity]
    return entity


def _read_sample(path: Path, rows: int) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"--data {path}: file not found")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            table = pq.ParquetFile(path)
            batches = table.iter_batches(batch_size=rows)
            return next(batches).to_pandas() if table.metadata.num_rows else table.read().to_pandas()
        if path.suffix.lower() in (".csv", ".txt"):
            return pd.read_csv(path, nrows=rows)
    except Exception as exc:
        raise DataError(f"--data {path}: cannot read it: {exc}") from exc
    raise DataError(f"--data {path}: expected a .parquet or .csv file")


def _read_column(path: Path, column: str) -> pd.Series:
    if path.suffix.lower() in (".parquet", ".pq"):
        return pd.read_parquet(path, columns=[column])[column]
    return pd.read_csv(path, usecols=[column])[column]


def _is_time(column: object, values: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(values):
        return True
    if values.dtype != object:
        return False
    sample = values.dropna().head(1000).astype(str)
    if not _TIME_NAME.search(str(column)) and not sample.str.match(_ISO_DATE).mean() >= 0.95:
        return False
    parsed = pd.to_datetime(values.dropna().head(1000), errors="coerce", utc=True, format="mixed")
    return bool(len(parsed)) and float(parsed.notna().mean()) >= 0.95


# --------------------------------------------------------------------------- the config text


def starter_config(folder: Path, data: Path | None, roles: Roles | None) -> str:
    lines = [
        "# Gradient Sentinel gate configuration, written by `sentinel init`.",
        "# Every key: docs/configuration.md. Lines starting with '# key =' show the default.",
        "",
        "[data]",
    ]
    if data is not None:
        shown = _relative(data, folder)
        lines.append(f"path = {toml_literal(shown)}")
    else:
        lines.append('path = "data/requests.parquet"   # or loader = "mypackage.data:load_requests"')
    lines += ["", "[columns]"]
    if roles is not None:
        lines.append(f"# inferred from {data} — confirm every line")
        if roles.label is not None:
            lines.append(f"label = {toml_literal(roles.label)}")
            lines.append(f"positive = {toml_literal(roles.positive)}   # the risky class")
            lines.append(f"negative = {toml_literal(roles.negative)}")
        else:
            others = ", ".join(roles.label_candidates) or "none"
            lines.append(f'label = "label"   # TODO: no obvious label; two-valued columns: {others}')
        if len(roles.label_candidates) > 1:
            others = ", ".join(c for c in roles.label_candidates if c != roles.label)
            lines.append(f"# other two-valued columns: {others}")
        if roles.timestamp is not None:
            lines.append(f"timestamp = {toml_literal(roles.timestamp)}")
        if roles.id is not None:
            lines.append(f"id = {toml_literal(roles.id)}   # one value per row: never a feature")
        entities = toml_literal(roles.entities)
        lines.append(f"entities = {entities}   # no entity may be on two sides of a split")
        for entity in roles.entities:
            if isinstance(entity, list):
                period, ident = entity
                lines.append(
                    f"# {ident} repeats across {period}: read as one entity per ({period}, {ident}); "
                    f'write "{ident}" alone if its ids are global'
                )
        lines.append(f"segments = {toml_literal(roles.segments)}   # recall is judged within each value")
    else:
        lines += [
            'label = "label"',
            "positive = 1        # the risky class (labels may be strings)",
            "negative = 0",
            'timestamp = "request_ts"',
            'entities = ["user_id", "session_id"]',
            'segments = ["country", "channel"]',
        ]
    lines += ["# features = [...]   # default: every column without another role", "", "[splits]"]
    dates = roles.split_dates if roles is not None and roles.split_dates else ("2025-09-01", "2025-10-01")
    lines += [
        'method = "time"',
        f"val_start = {toml_literal(dates[0])}   # half-open: [val_start, test_start) is validation",
        f"test_start = {toml_literal(dates[1])}",
        'embargo = "0s"',
        "purge_entities = true",
        "",
        "[models.candidate]",
        'path = "models/candidate.skops"   # save with skops.io.dump; list reviewed types in trusted_types',
        "",
        "# [models.champion]",
        '# uri = "models:/risk-classifier@champion"   # after the first `sentinel promote`',
        "",
        "# [production]",
        '# path = "data/production_sample.parquet"   # recent traffic, labelled where labels exist',
    ]
    for name, model in _POLICY_SECTIONS.items():
        lines += ["", f"[{name}]"]
        for key, info in model.model_fields.items():
            default = info.get_default(call_default_factory=True)
            lines.append(f"# {key} = {toml_literal(default) if default is not None else '(none)'}")
    return "\n".join(lines) + "\n"


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()

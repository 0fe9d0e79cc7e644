"""The preflight: every setup mistake found before any suite runs, each reported once.

A misspelt column, label values that are not the configured classes, or a model file
that cannot load would otherwise surface in every gate test that touches them (the
same message twenty times, a pandas ``KeyError``, pandera's own words) after the
whole gate ran, with the exit code of a rejected model. :func:`preflight` looks for
all of them at once, on the session's own inputs: the frames and models it loads
stay in the :class:`~sentinel_checks.gate.session.GateSession`, so the gate that
follows a clean preflight loads nothing twice.

What is looked for:

- every configured column (``[columns]`` label, timestamp, entities, id, segments,
  features, exclude; ``[splits] column``; ``[drift] segment_columns``;
  ``[quality] baseline_features``; each model's ``score_column`` and ``features``)
  is a column of the dataset, and of the production sample where the gate needs it
  there (all but the label, the split column and ``exclude``), with the closest
  existing name as a suggestion (:func:`difflib.get_close_matches`, ignoring case);
- the label's values are the configured ``positive`` / ``negative`` classes (nulls
  allowed in production only), the values found named with their row counts;
- ``[splits]`` time boundaries and embargo are in the time column's units
  (:func:`~sentinel_checks.gate.preflight_splits.split_problems`);
- each configured model loads (:func:`~sentinel_checks.models.loading.load_model`),
  was trained on the features the gate passes it (``feature_names_in_``, or
  ``n_features_in_`` when it was trained without names) and has a class that is the
  risky one (:func:`~sentinel_checks.models.scoring.positive_column`).

The pytest plugin runs it once gate tests are collected and stops the session with
exit code 2 when anything is found (``sentinel gate`` runs the same plugin in process).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sentinel_checks.data.timestamps import TIMESTAMP_KEY
from sentinel_checks.errors import ColumnSettingError, SentinelError, UnreadableDataFile
from sentinel_checks.gate.cache import NotConfigured

if TYPE_CHECKING:
    import pandas as pd

    from sentinel_checks.config import SentinelConfig
    from sentinel_checks.config.inputs import DataSource
    from sentinel_checks.gate.session import GateSession

#: ``SetupProblem.about`` of a note: what the preflight did not check because of the problems.
NOT_CHECKED = "not_checked"

#: The key of the label values outside ``positive`` / ``negative``.
LABEL_VALUES_KEY = "[columns] positive / negative"

#: How the two frames are named in messages.
FRAME_NAMES = {"dataset": "the dataset", "production": "the production sample"}


@dataclass(frozen=True)
class SetupProblem:
    """One setup mistake: the config key (or table) at fault and what to do, in words."""

    key: str  # e.g. "[columns] label", "[models.candidate]"
    message: str  # names the column, value or file found, and the fix
    #: "positive": a model's classes lack [columns] positive (merged with the data's);
    #: NOT_CHECKED: a note (the engine not started because of the problems), not a problem
    about: str = ""
    found: str = ""  # with about = "positive": the model's file and classes, in words

    def __str__(self) -> str:
        if self.message.startswith((f"{self.key} ", f"{self.key}:")):  # the message names its key
            return self.message
        return f"{self.key}: {self.message}"


def preflight(session: GateSession) -> list[SetupProblem]:
    """Every setup problem of a gate run, each once, before any check runs.

    Parameters
    ----------
    session : GateSession
        The run's session. Its dataset, production sample and models are loaded
        here (and kept: the gate reuses them); nothing else is computed. A dataset or
        production sample the engine reads where it lies is not loaded: its columns
        (no rows) and engine counts are read instead, and the engine holds it.

    Returns
    -------
    list of SetupProblem
        In the order: data that cannot load, columns that are missing, label values,
        models, the engine. Empty when the gate may run. With a problem found before
        the engine and an engine other than pandas, the engine is not started (a Spark
        session takes ~15 s): a last item with ``about == NOT_CHECKED`` says so (likewise
        ``[columns]`` when the dataset cannot be read), a note that
        :mod:`~sentinel_checks.gate.preflight_report` does not count as a problem.

    Notes
    -----
    Only a bad input and an engine failure of its counts the user fixes become problems
    (:func:`~sentinel_checks.gate.engine_setup.failure_problem`); any other error propagates.
    """
    from sentinel_checks.gate.engine_setup import failure_problem

    try:
        return _as_written(_preflight(session), session.config)
    except Exception as error:  # the engine's counts: out of memory or a damaged file, one problem
        problem = failure_problem(session.config, "count the data where it lies", error)
        if problem is None:
            raise
        return [problem]


def _as_written(problems: list[SetupProblem], config: SentinelConfig) -> list[SetupProblem]:
    """A missing input file's problem worded from its path as the TOML writes it
    (:func:`~sentinel_checks.config.loading.missing_inputs_as_written`: a relative path is
    read from the config's folder), not from the resolved path alone (trial)."""
    from dataclasses import replace

    from sentinel_checks.config.loading import missing_inputs_as_written

    if not any("path not found" in p.message for p in problems):
        return problems
    written = missing_inputs_as_written(config)
    return [
        replace(p, message=written[p.key]) if p.key in written and "path not found" in p.message else p
        for p in problems
    ]


def _preflight(session: GateSession) -> list[SetupProblem]:
    from sentinel_checks.gate import preflight_engine
    from sentinel_checks.gate.preflight_columns import column_problems
    from sentinel_checks.gate.preflight_labels import label_values, merged_label_problems

    problems: list[SetupProblem] = []
    frames = _loaded_frames(session, problems)
    config = session.config
    # read where it lies: its columns without rows, its values counted in the engine
    in_place = "dataset" in frames and "dataset" not in session.materialized()
    if "dataset" in frames:
        problems += column_problems(config, frames)
        two_valued = (lambda: preflight_engine.two_valued_columns(session)) if in_place else None
        unset = unset_label(config, frames["dataset"], two_valued)
        counted = (
            preflight_engine.label_counts(
                session,
                dataset=in_place,
                production="production" in frames and "production" not in session.materialized(),
            )
            if unset is None
            else None
        )
        problems += [unset] if unset is not None else label_values(config, frames, counted)
    else:  # said, so a fixed path does not reveal a misspelt column only on the next run (trial)
        # the file was read when only its timestamp column did not parse (trial: "could not be
        # read"); the dataset's problem is the first _loaded_frames records (production's after)
        failed = (
            "loaded with this [columns] timestamp"
            if problems and problems[0].key == TIMESTAMP_KEY
            else "read"
        )
        why = (
            "the column names, and whether the columns [drift] settings name are features, "
            f"as the dataset could not be {failed} (above)"
        )
        problems.append(SetupProblem("[columns]", why, NOT_CHECKED))
    from sentinel_checks.gate.engine_setup import engine_problems
    from sentinel_checks.gate.preflight_models import model_problems
    from sentinel_checks.gate.preflight_splits import split_problems

    problems += preflight_engine.split_problems(session) if in_place else split_problems(config, frames)
    from sentinel_checks.gate.preflight_inputs import production_in_dataset

    problems += production_in_dataset(config)
    if not problems:  # the columns are there and the splits can be made: match the rows
        from sentinel_checks.gate.preflight_production_rows import production_rows_in_dataset

        problems += production_rows_in_dataset(session, frames)
    problems = merged_label_problems(problems + model_problems(session, frames) + other_file_problems(config))
    if problems and config.data.engine != "pandas":  # a Spark start (~15 s) would be spent for nothing
        from sentinel_checks.gate.preflight_report import engine_not_checked

        return [*problems, *engine_not_checked(session, problems)]
    return problems + engine_problems(session)


#: Configured input files the preflight does not read itself (it reads the data, the
#: production sample and the models): each must exist, as loading the config with its
#: files checked requires (a missing one stopped ``sentinel gate`` after the preflight
#: with no report; new-user trial).
OTHER_FILES: tuple[tuple[str, Callable[[SentinelConfig], str | Path | None]], ...] = (
    ("[training] log", lambda c: c.training.log),
    ("[monitor] reference", lambda c: c.monitor.reference),
    ("[monitor] labels", lambda c: c.monitor.labels),
)


def other_file_problems(config: SentinelConfig) -> list[SetupProblem]:
    """One problem per file of :data:`OTHER_FILES` configured and not found, as the config
    loader finds and words it (:func:`~sentinel_checks.config.loading.missing_file`)."""
    from sentinel_checks.config.loading import missing_file

    problems = []
    for key, get in OTHER_FILES:
        path = get(config)
        missing = missing_file(Path(path)) if path is not None else None
        if missing is not None:
            problems.append(SetupProblem(key, missing))
    return problems


def stopped_by_text(n: int) -> str:
    """Why the engine was not started, agreeing in number with ``n`` problems (n >= 1).

    >>> stopped_by_text(1), stopped_by_text(3)
    ('the problem above already stops the run', 'the 3 problems above already stop the run')
    """
    return (
        "the problem above already stops the run"
        if n == 1
        else f"the {n} problems above already stop the run"
    )


# --------------------------------------------------------------------------- data


def _loaded_frames(session: GateSession, problems: list[SetupProblem]) -> dict[str, pd.DataFrame]:
    """The dataset's and production's frames (or columns) that load; a problem appended to
    ``problems`` for each that does not, the dataset's first."""
    from sentinel_checks.gate.preflight_engine import dataset_columns, production_columns

    frames: dict[str, pd.DataFrame] = {}
    try:
        typed = dataset_columns(session)
        frames["dataset"] = typed if typed is not None else session.dataset
    except SentinelError as exc:
        problems.append(_source_problem("data", session.config.data, exc, session.config.data.engine))
    if session.has_production:
        try:
            # read where it lies: its columns without rows (the whole sample in pandas
            # would be held for the run and every production check would read it there)
            in_place = production_columns(session)
            frames["production"] = in_place if in_place is not None else session.production
            if _production_rows(session, in_place is not None) == 0:
                problems.append(_empty_production(session.config))
        except NotConfigured:
            pass
        except SentinelError as exc:
            problems.append(
                _source_problem("production", session.config.production, exc, session.config.data.engine)
            )
    return frames


def _production_rows(session: GateSession, in_place: bool) -> int:
    """Rows of the production sample: counted in the engine when it is read where it lies."""
    if not in_place:
        return len(session.production)
    from sentinel_checks.engine.split_checks import row_count

    table = session.engine_production
    assert table is not None
    return row_count(table)


def _empty_production(config: SentinelConfig) -> SetupProblem:
    """The problem of a production sample with no rows (stop 51: it ran the whole gate, with
    errors on production's contract and score drift and "not judged" for the rest, where an
    empty dataset stops here)."""
    source = config.production
    assert source is not None
    key = source.key("production")
    where = source.path if source.path is not None else (source.loader or source.table)
    return SetupProblem(
        key,
        f"{key}: the production sample ({where}) has no rows: production's contract, drift and "
        "scores would have nothing to compare; export the sample again, or remove [production] "
        "until there is one",
    )


def _source_problem(
    section: str, source: DataSource | None, error: SentinelError, engine: str
) -> SetupProblem:
    """A frame's loading error under :func:`_source_key`; a reader's "production path not
    found: …" loses its first word under the key that names it already (it read
    "[production] path: production path not found"). The engine (``[data] engine``)
    out of memory or disk reading it is under the engine's memory key, not the data's
    (trial: it said to rewrite the files)."""
    from sentinel_checks.errors import EngineResourceError
    from sentinel_checks.gate.engine_setup import memory_fix

    if isinstance(error, EngineResourceError):
        return SetupProblem(memory_fix(engine)[0], str(error))
    key, message = _source_key(section, source, error), str(error)
    rest = message.partition(" ")[2]
    if key.endswith("] path") and rest.startswith("path not found: "):
        message = rest
    return SetupProblem(key, message)


def _source_key(section: str, source: DataSource | None, error: SentinelError) -> str:
    """The key a frame's loading error is reported under: the file's key when the engine
    could not read it, ``[data] path`` (``table``, ``loader``) when the message names it
    or the path names no file, else the section (``[data]``: a timestamp, a format, the
    engine)."""
    if isinstance(error, UnreadableDataFile | ColumnSettingError):
        return error.key
    if source is None:
        return f"[{section}]"
    key = source.key(section)
    return key if str(error).startswith(f"{key}:") or source.path_missing() else f"[{section}]"


def frame_origin(name: str, frame: pd.DataFrame) -> str:
    """A frame as messages name it: "the dataset (<its file or loader>)"."""
    origin = frame.attrs.get("sentinel_origin")
    return f"{FRAME_NAMES[name]} ({origin})" if origin else FRAME_NAMES[name]


def _shown(value: Any) -> str:
    """A label value as the config would write it: 'text', 1, True (no numpy reprs)."""
    value = value.item() if hasattr(value, "item") else value
    return f"'{value}'" if isinstance(value, str) else str(value)


def unset_label(
    config: SentinelConfig, dataset: pd.DataFrame, two_valued: Callable[[], list[str]] | None = None
) -> SetupProblem | None:
    """The problem of a config that never set ``[columns] label`` (``sentinel init`` leaves
    it unset when no column is named like one) on data without a column ``label``.

    Parameters
    ----------
    config : SentinelConfig
        Its ``[columns]`` table, as written (``label`` absent: the default applies).
    dataset : DataFrame
        The offline data; its two-valued columns are suggested
        (:func:`~sentinel_checks.column_roles.two_valued_columns`).
    two_valued : callable, optional
        Those columns found elsewhere (the engine's counts, for a dataset read where it
        lies: ``dataset`` then has its columns and no rows).

    Returns
    -------
    SetupProblem or None
        ``None`` when ``label`` is set, or the default column ``label`` exists.
    """
    cols = config.columns
    if "label" in cols.model_fields_set or cols.label in dataset.columns:
        return None
    from sentinel_checks.column_roles import two_valued_columns

    candidates = two_valued() if two_valued is not None else two_valued_columns(dataset)
    found = (
        f"two-valued columns: {', '.join(candidates)}" if candidates else "the data has no two-valued column"
    )
    return SetupProblem(
        "[columns] label",
        f"label is not set; {found}. Set label to the column that says risky or safe, "
        "and positive / negative to its two values",
    )


def joined(items: Sequence[str]) -> str:
    """Items as a sentence lists them: "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

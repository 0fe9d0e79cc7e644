"""Runbook 1-2, splits: time order, entity and row overlap between splits, rows lost to the
purge, target leakage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sentinel_checks.gate import policy
from sentinel_checks.gate.session import GateSession, NotConfigured

if TYPE_CHECKING:
    from sentinel_checks.checks.row_overlap import RepeatsOf
    from sentinel_checks.entities import EntityKey
    from sentinel_checks.result import CheckResult
    from sentinel_checks.stats.row_repeats import RowRepeats


# --------------------------------------------------------------------------- runbook 1-2: splits


def time_order(s: GateSession, pair: tuple[str, str]) -> CheckResult:
    """``splits.time_order`` of a pair of splits.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the ``[columns] timestamp`` column of ``s.splits``.
    pair : tuple of (str, str)
        The earlier and the later split, e.g. ``("train", "val")``.

    Returns
    -------
    CheckResult
        Check id ``splits.time_order``; the embargo (a duration) comes from ``[splits] embargo``.

    Raises
    ------
    NotConfigured
        No ``[columns] timestamp`` is configured.
    DataError
        The dataset cannot be loaded or split.
    """
    from sentinel_checks.checks import check_time_order
    from sentinel_checks.checks.ordering import judge_time_order
    from sentinel_checks.data.time_axis import embargo_gap

    ts = s.config.columns.timestamp
    if ts is None:
        raise NotConfigured("no [columns] timestamp configured: time order cannot be checked")
    limits = policy.time_order(s.config)
    tables = s.engine_tables
    if tables is None:
        earlier, later = (s.splits[name][ts] for name in pair)
        return check_time_order(earlier, later, pair=pair, **limits)
    from sentinel_checks.engine import split_statistics as engine

    axis = s.engine_time_axis
    column = axis if axis is not None else s.splits[pair[0]][ts]  # the schema, else the frame's dtype
    gap = embargo_gap(limits["embargo"], column)
    zone = axis.tz if axis is not None else getattr(column.dtype, "tz", None)  # type: ignore[union-attr]
    order = engine.time_order(
        tables[pair[0]], tables[pair[1]], ts, gap=gap, tz=None if zone is None else str(zone)
    )
    return judge_time_order(order, pair=pair, gap=gap, column=ts)


def entity_overlap(s: GateSession, column: EntityKey | None, pair: tuple[str, str]) -> CheckResult:
    """``splits.entity_overlap`` of one entity (a column or a composite id) across a pair of splits.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads ``s.splits``.
    column : str, list of str or None
        One of ``[columns] entities`` (a column, or the columns of a composite id);
        ``None`` when none is configured.
    pair : tuple of (str, str)
        The earlier and the later split, e.g. ``("train", "test")``.

    Returns
    -------
    CheckResult
        Check id ``splits.entity_overlap``; limits from ``[leakage]``
        (:func:`~sentinel_checks.gate.policy.entity_overlap`).

    Raises
    ------
    NotConfigured
        ``column`` is ``None`` (no ``[columns] entities``).
    DataError
        The dataset cannot be loaded or split, or lacks an entity column.
    """
    import pandas as pd

    from sentinel_checks.checks import check_entity_overlap
    from sentinel_checks.data.splits import SPLIT_NAMES
    from sentinel_checks.entities import entity_columns, entity_ids, entity_name
    from sentinel_checks.errors import DataError

    if column is None:
        raise NotConfigured("no [columns] entities configured: entity leakage cannot be checked")
    tables = s.engine_tables
    present = tables["train"].columns if tables is not None else s.splits.train.columns
    absent = [c for c in entity_columns(column) if c not in present]
    if absent:
        raise DataError(f"entity column {', '.join(absent)} ([columns] entities) is missing from the dataset")
    limits = policy.entity_overlap(s.config)
    # the purge drops a later row whose id occurs in any earlier split: train and val, for test
    before = SPLIT_NAMES[: SPLIT_NAMES.index(pair[1])]
    if tables is None:
        from sentinel_checks.entities import shared_entities

        earlier, later = (entity_ids(s.splits[name], column) for name in pair)
        seen = pd.concat([entity_ids(s.splits[name], column) for name in before], ignore_index=True)
        purged = shared_entities(seen, later).later_rows
        return check_entity_overlap(
            earlier, later, column=entity_name(column), pair=pair, purged_rows=purged, **limits
        )
    from sentinel_checks.checks.overlap import judge_entity_overlap
    from sentinel_checks.engine import split_statistics as engine

    names = entity_columns(column)
    ids = engine.shared_entities(tables[pair[0]], tables[pair[1]], names)
    no_id = (engine.missing_entities(tables[pair[0]], names), engine.missing_entities(tables[pair[1]], names))
    later_rows = int(tables[pair[1]].count().execute())  # the purge's cost in the hint, as pandas states it
    purged = engine.rows_sharing_entities(tables[pair[1]], [tables[name] for name in before], names)
    return judge_entity_overlap(
        ids, no_id, column=entity_name(column), pair=pair, later_rows=later_rows, purged_rows=purged, **limits
    )


def purge(s: GateSession) -> CheckResult:
    """``splits.purge``: the rows ``[splits] purge_entities`` took from val and test.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads :attr:`GateSession.engine_purge` (engine counts) when the
        engine split the data, else ``s.splits.purge``.

    Returns
    -------
    CheckResult
        Check id ``splits.purge``; limit ``[splits] max_purged_share``
        (:func:`~sentinel_checks.gate.policy.purge`).

    Raises
    ------
    NotConfigured
        The splits are not purged (``purge_entities`` off, or a split method that does not purge).
    DataError
        The dataset cannot be loaded or split.
    """
    from sentinel_checks.checks import check_purge

    losses = s.engine_purge  # counted in the engine when it split the data
    if losses is None:
        losses = s.splits.purge
    if not losses:
        raise NotConfigured("entities are not purged ([splits] purge_entities): nothing removed to report")
    return check_purge(losses, **policy.purge(s.config))


def row_overlap(s: GateSession, pair: tuple[str, str]) -> CheckResult:
    """``splits.row_overlap`` over the feature columns of a pair of splits.

    Copies of one event are rows identical in every raw column but the split
    column and the label, told apart by ``[columns] id`` and ``timestamp`` when
    configured; the configured entities name where an inconclusive result looks next.

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads ``s.splits``, ``s.features`` and ``[columns]``.
    pair : tuple of (str, str)
        The two splits compared, e.g. ``("train", "test")``.

    Returns
    -------
    CheckResult
        Check id ``splits.row_overlap``; limits from ``[leakage]``
        (:func:`~sentinel_checks.gate.policy.row_overlap`).

    Raises
    ------
    DataError
        The dataset cannot be loaded or split, or a configured feature is absent.
    """
    from sentinel_checks.checks import check_row_overlap

    features, cols = s.features, s.config.columns
    split_column = s.config.splits.column if s.config.splits.method == "column" else None
    limits = policy.row_overlap(s.config)
    events = [c for c in (cols.id, cols.timestamp) if c is not None]
    tables = s.engine_tables
    if tables is not None:
        from sentinel_checks.engine import row_repeats as engine
        from sentinel_checks.engine.split_tables import SOURCE_ROW

        first, second = tables[pair[0]], tables[pair[1]]

        def engine_repeats(names: list[str]) -> RowRepeats:
            return engine.row_repeats(first, second, names, within=lambda: s.repeats_within(pair[0], names))

        if SOURCE_ROW in second.columns:  # split in the engine: nothing read into pandas
            return _row_overlap_in_engine(s, pair, engine_repeats, split_column, events, limits)
        repeats: RepeatsOf | None = engine_repeats
    else:
        repeats = None
    earlier, later = s.splits[pair[0]], s.splits[pair[1]]
    # copies of one event: identical in every raw column but the split and the label
    raw = [c for c in earlier.columns if c not in (cols.label, split_column)]
    return check_row_overlap(
        earlier,
        later,
        columns=features,
        pair=pair,
        copy_columns=raw,
        event_columns=events,
        entities=list(cols.entities),
        repeats=repeats,
        **limits,
    )


def _row_overlap_in_engine(
    s: GateSession,
    pair: tuple[str, str],
    repeats: RepeatsOf,
    split_column: str | None,
    events: list[str],
    limits: dict[str, Any],
) -> CheckResult:
    """``splits.row_overlap`` on splits made in the engine: sizes, the id-like features
    (:func:`~sentinel_checks.engine.row_repeats.unique_per_row`) and the repeats are
    engine counts; the evidence names the rows by their dataset position, as the pandas
    split's index does."""
    import numpy as np

    from sentinel_checks.checks.row_overlap import SHOWN, SplitSide, judge_row_overlap
    from sentinel_checks.engine import row_repeats as engine
    from sentinel_checks.engine import split_checks
    from sentinel_checks.engine.ibis_connection import ROW
    from sentinel_checks.engine.split_tables import SOURCE_ROW, source_positions

    tables, features, cols = s.engine_tables, s.features, s.config.columns
    assert tables is not None
    first, second = tables[pair[0]], tables[pair[1]]
    present = [c for c in first.columns if c not in (ROW, SOURCE_ROW)]
    raw = [c for c in present if c not in (cols.label, split_column)]

    def labels(mask: np.ndarray) -> list[Any]:
        return source_positions(second, np.flatnonzero(mask)[:SHOWN].tolist())

    return judge_row_overlap(
        SplitSide(split_checks.row_count(first), frozenset(present)),
        SplitSide(split_checks.row_count(second), frozenset(present), labels),
        columns=features,
        pair=pair,
        repeats=repeats,
        id_like=lambda: engine.unique_per_row(first, features),
        copy_columns=raw,
        event_columns=events,
        entities=list(cols.entities),
        **limits,
    )


def target_leakage(s: GateSession) -> CheckResult:
    """``splits.target_leakage`` on every row of the train split (judged once per session,
    :attr:`GateSession.target_leakage`).

    Parameters
    ----------
    s : GateSession
        The run's inputs; reads the train split, its labels and ``s.features``.

    Returns
    -------
    CheckResult
        Check id ``splits.target_leakage``; limits from ``[leakage]`` and the seed from
        ``[gate] seed`` (:func:`~sentinel_checks.gate.policy.target_leakage`).

    Raises
    ------
    DataError
        The dataset cannot be loaded or split, or its label is not binary.
    """
    return s.target_leakage

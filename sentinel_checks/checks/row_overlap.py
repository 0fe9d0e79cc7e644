"""``splits.row_overlap``: copies of one event on two sides, told apart from coincidences."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sentinel_checks.checks.guards import empty_side
from sentinel_checks.checks.row_overlap_found import ROW_ID as ROW_ID
from sentinel_checks.checks.row_overlap_found import SHOWN as SHOWN
from sentinel_checks.checks.row_overlap_found import Found, RowLabels
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult
from sentinel_checks.stats.row_repeats import RowRepeats, row_repeats, unique_per_row

#: The row-repeat statistic over some columns, ``earlier`` against ``later`` (see :func:`check_row_overlap`).
RepeatsOf = Callable[[list[str]], RowRepeats]


def check_row_overlap(
    earlier: pd.DataFrame,
    later: pd.DataFrame,
    *,
    columns: list[str],
    pair: tuple[str, str],
    max_share: float = 0.001,
    confidence: float = 0.95,
    copy_columns: Sequence[str] | None = None,
    event_columns: Sequence[str] = (),
    entities: Sequence[str | Sequence[str]] = (),
    repeats: RepeatsOf | None = None,
) -> CheckResult:
    """Rows of ``later`` that are copies of an ``earlier`` row, or repeat its features beyond chance.

    Two questions, on every row (64-bit row hashes, nothing sampled):

    **Copies of one event.** With ``event_columns`` (the id and timestamp), a
    ``later`` row identical to an ``earlier`` row in every column of
    ``copy_columns`` (all raw columns but the split and the label) and in the event
    columns is the same event on both sides. No coincidence makes two events share
    an id or a timestamp as well as everything else, so copies are judged strictly:
    nothing is estimated, their share is compared with ``max_share`` and above it
    the check fails.

    **Feature repeats.** A ``later`` row whose features equal an ``earlier`` row
    lets a model score its memory. On coarse features (a few codes per column)
    distinct people share rows by coincidence, and a fresh sample of the same
    population repeats ``earlier`` as often as ``earlier`` repeats itself: the chance
    rate is the share of ``earlier`` rows whose features another of its rows has
    (leave-one-out; under exchangeability the probability that a new row matches one
    of ``n − 1`` others). Hypothesis: the excess of the observed share over the
    chance rate is at most ``max_share``. Interval: Newcombe's hybrid score interval
    of the difference (Newcombe 1998) at ``confidence``. A raw share at or below
    ``max_share`` passes; above it, pass when the whole interval is within the
    limit, fail when it is above (copies whose id or time changed: retries,
    replays), inconclusive otherwise (``needed`` gives the ``later`` rows). When the
    event columns were compared and no copy was found, an interval that holds the
    limit is a pass with its figures in the message: the same-event question is
    settled, and what remains are rows that share features, not events.

    A feature holding a distinct value in (almost) every row that counts rather
    than measures (a row number, a request id: see
    :func:`~sentinel_checks.stats.row_repeats.unique_per_row`) makes every feature
    row unique and hides copies logged under a new id. It is named, and the
    features are compared without it: a clean result is then a warning, never a
    silent pass; with nothing else to compare the check is inconclusive.

    Parameters
    ----------
    earlier : pandas.DataFrame, shape (n, ...)
        Rows of the earlier split; must hold every name in ``columns``.
    later : pandas.DataFrame, shape (m, ...)
        Rows of the later split; same requirement.
    columns : list of str
        The feature columns (ids and timestamp excluded by the caller).
    pair : (str, str)
        Names of the earlier and later splits.
    max_share : float, default 0.001
        Largest share of ``later``'s rows (proportion in [0, 1]) that may be copies,
        and largest excess share repeating ``earlier``'s features beyond chance.
    confidence : float, default 0.95
        Coverage of the two-sided interval of the excess.
    copy_columns : sequence of str, optional
        Every raw column but the split and the label; ``columns`` when None. Names
        missing from either frame are ignored.
    event_columns : sequence of str, default ()
        The columns that make a row one event (``[columns] id`` and ``timestamp``);
        without any, copies cannot be told from coincidences and only feature
        repeats are judged. Names missing from either frame are ignored.
    entities : sequence, default ()
        The configured entity columns (a name, or the names of a composite key), in
        the hint of an inconclusive result.
    repeats : callable, optional
        ``repeats(columns) -> RowRepeats``: the rows of ``later`` equal to a row of
        ``earlier`` over ``columns`` and the ``earlier`` rows repeating each other,
        computed where the data lives (the gate passes
        :func:`~sentinel_checks.engine.row_repeats.row_repeats` on the registered
        splits with ``[data] engine = "duckdb"``). Its ``mask`` is in ``later``'s row
        order. Default: :func:`~sentinel_checks.stats.row_repeats.row_repeats` on the
        two frames (64-bit row hashes). Which columns are compared (the id-like ones
        dropped) is decided here on ``earlier``, whichever computes the repeats
        (:func:`judge_row_overlap` takes them from the caller).

    Returns
    -------
    CheckResult
        Id ``splits.row_overlap``; direction at most; limit ``max_share``. Measured:
        the quantity that decided, named in ``parameters["criterion"]`` when feature
        repeats were judged: the copies' share (in [0, 1]) when copies decide; the
        share of rows repeating when it is within the limit; else the end of the
        excess's interval (observed − chance, in [-1, 1]) that settled it (upper end
        for a pass, lower for a fail), or the excess itself when inconclusive. Support: rows, copies (with
        event columns), feature repeats and the ``earlier`` rows repeating each
        other. Evidence: up to 10 ``later`` index labels of the rows that decided,
        with the shares and the interval; ``parameters["dropped_id_like"]`` names
        the features compared without.

    Raises
    ------
    KeyError
        When a name in ``columns`` is missing from either frame.

    Notes
    -----
    Never raises for bad data otherwise: no columns or an empty split is a
    CheckResult with status ``error``.

    References
    ----------
    Newcombe, R. G. (1998). Statistics in Medicine 17(8), 873–890 (method 10).

    Examples
    --------
    >>> a = pd.DataFrame({"x": range(1000)})
    >>> b = pd.DataFrame({"x": list(range(100)) + list(range(5000, 5900))})
    >>> r = check_row_overlap(a, b, columns=["x"], pair=("train", "val"))  # x is unique per row…
    >>> r.status.value, r.parameters["dropped_id_like"]  # …and the only feature
    ('inconclusive', 'x')
    >>> a["x"], b["x"] = a["x"] + 0.5, b["x"] + 0.5  # a measurement, copied with its event
    >>> r = check_row_overlap(a, b, columns=["x"], pair=("train", "val"))
    >>> r.status.value, round(r.measured, 3), r.parameters["criterion"]  # 10% repeat; the lower end decided
    ('fail', 0.082, "excess repeats over chance (interval's lower end)")
    >>> coarse = pd.DataFrame({"x": [i % 3 for i in range(9000)]})  # every row repeats by chance
    >>> r = check_row_overlap(coarse, coarse.iloc[:6000], columns=["x"], pair=("train", "val"))
    >>> r.status.value, round(r.measured, 4)  # the excess's upper end
    ('pass', 0.0004)
    """
    absent = [c for c in columns if c not in earlier.columns or c not in later.columns]
    if columns and len(earlier) and len(later) and absent:
        raise KeyError(f"feature column(s) {', '.join(absent)} missing from {pair[0]} or {pair[1]}")
    index = later.index
    return judge_row_overlap(
        SplitSide(len(earlier), frozenset(earlier.columns)),
        SplitSide(len(later), frozenset(later.columns), lambda mask: index[mask][:SHOWN].tolist()),
        columns=columns,
        pair=pair,
        max_share=max_share,
        confidence=confidence,
        copy_columns=copy_columns,
        event_columns=event_columns,
        entities=entities,
        repeats=repeats or (lambda names: row_repeats(earlier, later, names)),
        id_like=lambda: unique_per_row(earlier, columns),
    )


@dataclass(frozen=True)
class SplitSide:
    """One side of :func:`judge_row_overlap`: its rows, its column names, and (for the
    later side) the labels its evidence lists (:data:`~.row_overlap_found.RowLabels`)."""

    rows: int
    columns: Collection[str]
    labels: RowLabels = lambda mask: np.flatnonzero(mask)[:SHOWN].tolist()


def judge_row_overlap(
    earlier: SplitSide,
    later: SplitSide,
    *,
    columns: list[str],
    pair: tuple[str, str],
    repeats: RepeatsOf,
    id_like: Callable[[], list[str]],
    max_share: float = 0.001,
    confidence: float = 0.95,
    copy_columns: Sequence[str] | None = None,
    event_columns: Sequence[str] = (),
    entities: Sequence[str | Sequence[str]] = (),
) -> CheckResult:
    """:func:`check_row_overlap` on sides known by their sizes, columns and row labels,
    the repeats and the id-like features computed by the caller where the data lives (the
    gate's engine path: :func:`~sentinel_checks.engine.row_repeats.row_repeats` and
    :func:`~sentinel_checks.engine.row_repeats.unique_per_row`).

    Parameters
    ----------
    earlier, later : SplitSide
        The two splits; ``later.labels`` names the rows in the evidence.
    repeats : callable
        ``repeats(columns) -> RowRepeats`` (mask in ``later``'s row order).
    id_like : callable
        ``id_like() -> list of str``: the features unique per row in ``earlier``
        (:func:`~sentinel_checks.stats.row_repeats.unique_per_row`'s rule), asked only
        when both sides have rows.
    columns, pair, max_share, confidence, copy_columns, event_columns, entities
        As :func:`check_row_overlap`.

    Returns
    -------
    CheckResult
        As :func:`check_row_overlap`.
    """
    params: dict[str, str] = {"pair": f"{pair[0]}→{pair[1]}"}
    support = {f"n_{pair[0]}": earlier.rows, f"n_{pair[1]}": later.rows}
    if not columns:
        return CheckResult.undefined(
            ROW_ID, "no feature columns to compare", reason=Reason.NO_FEATURES, parameters=params
        )
    empty = empty_side(ROW_ID, pair, (earlier.rows, later.rows), parameters=params, support=support)
    if empty is not None:
        return empty
    count_repeats = repeats
    id_like_names = id_like()
    compared = [c for c in columns if c not in id_like_names]
    if id_like_names:
        params["dropped_id_like"] = ", ".join(id_like_names)
    both = set(earlier.columns) & set(later.columns)
    events = [c for c in dict.fromkeys(event_columns) if c in both]
    copies: RowRepeats | None = None
    if events:
        full = [c for c in dict.fromkeys([*(copy_columns or columns), *columns, *events]) if c in both]
        try:
            copies = count_repeats(full)
        except TypeError:  # a raw column of lists or dicts cannot be hashed: features and events only
            params["copies_compared_on"] = "features and " + ", ".join(events)
            copies = count_repeats(list(dict.fromkeys([*columns, *events])))
        support["copies"] = copies.count
    found = Found(pair, later.rows, later.labels, copies, events)
    if copies is not None and copies.count / later.rows > max_share:
        return found.copies_fail(params, support, max_share, id_like_names)
    if not compared:
        return found.nothing_left(params, support, max_share, id_like_names)
    return found.judge_features(
        count_repeats(compared),
        (earlier.rows, len(compared)),
        params=params,
        support=support,
        max_share=max_share,
        confidence=confidence,
        id_like=id_like_names,
        entities=entities,
    )

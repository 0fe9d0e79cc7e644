"""``splits.row_overlap``: copies of one event on two sides, told apart from coincidences."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from sentinel_checks.checks.guards import empty_side
from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, judge_interval
from sentinel_checks.stats.intervals import coverage_text
from sentinel_checks.stats.power import rows_to_show_difference
from sentinel_checks.stats.proportion_difference import newcombe_interval
from sentinel_checks.stats.row_repeats import RowRepeats, row_repeats, unique_per_row

#: The row-repeat statistic over some columns, ``earlier`` against ``later`` (see :func:`check_row_overlap`).
RepeatsOf = Callable[[list[str]], RowRepeats]

ROW_ID = "splits.row_overlap"
COPY_HINT = (
    "Deduplicate the log before splitting (retries and replays produce identical rows), "
    "and split by time and entity so copies of one event stay together."
)
EXCESS_HINT = (
    "Rows repeat the other split's features far more often than the split repeats itself: "
    "copies of one event logged with a new id or time (retries, replays). Split by time and "
    "entity (the session or user) so they stay together, and deduplicate the log."
)
UNTOLD_HINT = (
    "Declare [columns] id and timestamp so that copies of one event can be told from rows "
    "that share coarse features by coincidence."
)
ID_HINT = (
    "Exclude {names} from [columns] features (a model memorises ids instead of learning), "
    "or declare it [columns] id."
)


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
        :func:`~sentinel_checks.engine.split_statistics.row_repeats` on the registered
        splits with ``[data] engine = "duckdb"``). Its ``mask`` is in ``later``'s row
        order. Default: :func:`~sentinel_checks.stats.row_repeats.row_repeats` on the
        two frames (64-bit row hashes). Which columns are compared (the id-like ones
        dropped) is decided here on ``earlier``, whichever computes the repeats.

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
    params: dict[str, str] = {"pair": f"{pair[0]}→{pair[1]}"}
    support = {f"n_{pair[0]}": len(earlier), f"n_{pair[1]}": len(later)}
    if not columns:
        return CheckResult.undefined(
            ROW_ID, "no feature columns to compare", reason=Reason.NO_FEATURES, parameters=params
        )
    empty = empty_side(ROW_ID, pair, (len(earlier), len(later)), parameters=params, support=support)
    if empty is not None:
        return empty
    absent = [c for c in columns if c not in earlier.columns or c not in later.columns]
    if absent:
        raise KeyError(f"feature column(s) {', '.join(absent)} missing from {pair[0]} or {pair[1]}")
    count_repeats = repeats or (lambda names: row_repeats(earlier, later, names))
    id_like = unique_per_row(earlier, columns)
    compared = [c for c in columns if c not in id_like]
    if id_like:
        params["dropped_id_like"] = ", ".join(id_like)
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
    found = _Found(pair, later.index, copies, events)
    if copies is not None and copies.count / len(later) > max_share:
        return found.copies_fail(params, support, max_share, id_like)
    if not compared:
        return found.nothing_left(params, support, max_share, id_like)
    return found.judge_features(
        count_repeats(compared),
        (len(earlier), len(compared)),
        params=params,
        support=support,
        max_share=max_share,
        confidence=confidence,
        id_like=id_like,
        entities=entities,
    )


class _Found:
    """The copies found (if event columns were given), and the result each outcome makes."""

    def __init__(
        self, pair: tuple[str, str], index: pd.Index, copies: RowRepeats | None, events: list[str]
    ) -> None:
        self.pair, self.index, self.copies, self.events = pair, index, copies, events
        self.n_later = len(index)

    def copy_text(self) -> str:
        earlier, later = self.pair
        if self.copies is None:
            return "no id or timestamp to tell copies of one event from rows sharing features by chance"
        including = " and ".join(self.events)
        if self.copies.count == 0:
            return (
                f"no {later} row is a copy of a {earlier} row (identical in every column, "
                f"{including} included)"
            )
        share = self.copies.count / self.n_later
        return (
            f"{self.copies.count:,} of {self.n_later:,} {later} row(s) ({share:.3%}) are copies of a "
            f"{earlier} row: the same event, identical in every column, {including} included"
        )

    def copies_evidence(self) -> Evidence:
        assert self.copies is not None
        return Evidence.capped(
            f"{self.pair[1]}_copy_index",
            self.index[self.copies.mask][:10].tolist(),
            total=self.copies.count,
            detail={"share": self.copies.count / self.n_later, "columns": self.events},
        )

    def copies_fail(
        self, params: dict[str, str], support: dict[str, int], max_share: float, id_like: list[str]
    ) -> CheckResult:
        assert self.copies is not None
        share = self.copies.count / self.n_later
        return CheckResult(
            id=ROW_ID,
            status=Status.FAIL,
            message=f"{self.copy_text()}; limit {max_share:.3%}" + _id_text(id_like, prefix="; "),
            measured=share,
            limit=max_share,
            direction=Direction.AT_MOST,
            reason=Reason.DUPLICATE_ROWS,
            support=support,
            evidence=(self.copies_evidence(),),
            parameters=params,
            hint=COPY_HINT,
        )

    def nothing_left(
        self, params: dict[str, str], support: dict[str, int], max_share: float, id_like: list[str]
    ) -> CheckResult:
        return CheckResult(
            id=ROW_ID,
            status=Status.INCONCLUSIVE,
            message=f"{_id_text(id_like, tail='no other feature is left to compare')}; {self.copy_text()}",
            limit=max_share,
            direction=Direction.AT_MOST,
            reason=Reason.CAUTION,
            support=support,
            parameters=params,
            hint=ID_HINT.format(names=_names(id_like)),
        )

    def judge_features(
        self,
        repeats: RowRepeats,
        sizes: tuple[int, int],
        *,
        params: dict[str, str],
        support: dict[str, int],
        max_share: float,
        confidence: float,
        id_like: list[str],
        entities: Sequence[str | Sequence[str]],
    ) -> CheckResult:
        earlier, later = self.pair
        n_earlier, n_columns = sizes
        count, within = repeats.count, repeats.within
        excess, low, high = newcombe_interval(count, self.n_later, within, n_earlier, confidence=confidence)
        share, chance = count / self.n_later, within / n_earlier
        # no more repeats than the limit allows at all: nothing to explain by chance
        status = (
            Status.PASS if share <= max_share else judge_interval(low, high, max_share, Direction.AT_MOST)
        )
        text = f"{coverage_text(confidence)} CI [{low:+.3%}, {high:+.3%}]"
        needed: dict[str, int] = {}
        if status is Status.INCONCLUSIVE and self.copies is not None:
            # the same-event question is settled by the copies; these rows share features only
            status = Status.PASS
            text += " holds the limit: rows that share features, not events"
        elif status is Status.INCONCLUSIVE:
            half = (excess - low) if excess > max_share else (high - excess)
            needed = {f"n_{later}": rows_to_show_difference(self.n_later, excess, half, max_share)}
            text += (
                " holds the limit: inconclusive — coincidences of coarse features, or copies a random "
                f"split spread over both sides ({_entity_text(entities)}); "
                f"settling it needs ≈ {needed[f'n_{later}']:,} {later} rows"
            )
        # the quantity that decided, so measured and limit never contradict the status
        # (issue 17): the raw share when it is within the limit, the interval's end that
        # settled the excess, the copies' share when they settled it, else the excess
        settled_by_copies = status is Status.PASS and share > max_share and not high <= max_share
        criterion, measured = {
            Status.FAIL: ("excess repeats over chance (interval's lower end)", low),
            Status.INCONCLUSIVE: ("excess repeats over chance", excess),
        }.get(status, ("share of rows repeating", share))
        if status is Status.PASS and share > max_share:
            criterion, measured = (
                ("share of copies of an event (id and time included)", self.copies.count / self.n_later)
                if settled_by_copies and self.copies is not None
                else ("excess repeats over chance (interval's upper end)", high)
            )
        hint = {Status.FAIL: EXCESS_HINT, Status.INCONCLUSIVE: UNTOLD_HINT}.get(status, "")
        reason = Reason.OK if status is Status.PASS else Reason.DUPLICATE_ROWS
        if id_like and status is Status.PASS:
            status, reason = Status.WARN, Reason.CAUTION
        if id_like:
            hint = " ".join(h for h in (ID_HINT.format(names=_names(id_like)), hint) if h)
        message = (
            f"{count:,} of {self.n_later:,} {later} row(s) ({share:.3%}) repeat a {earlier} row on "
            f"{n_columns} feature column(s), against {chance:.3%} of {earlier} rows repeating each "
            f"other by chance: excess {excess:+.3%} ({text}); limit {max_share:.3%}; {self.copy_text()}"
        )
        evidence = [
            Evidence.capped(
                f"{later}_row_index",
                self.index[repeats.mask][:10].tolist(),
                total=count,
                detail={"share": share, "chance_share": chance, "excess": excess, "interval": [low, high]},
            )
        ]
        if self.copies is not None and self.copies.count:
            evidence.append(self.copies_evidence())
        return CheckResult(
            id=ROW_ID,
            status=status,
            message=_id_text(id_like, suffix=": ") + message,
            measured=measured,
            limit=max_share,
            direction=Direction.AT_MOST,
            reason=reason,
            support={**support, "duplicates": count, f"duplicates_within_{earlier}": within},
            evidence=tuple(evidence),
            parameters={**params, "criterion": criterion},
            hint=hint,
            needed=needed,
        )


def _names(columns: Sequence[str]) -> str:
    return ", ".join(f"'{c}'" for c in columns)


def _id_text(
    id_like: list[str], *, prefix: str = "", suffix: str = "", tail: str = "compared without it"
) -> str:
    """Why an id among the features hides copies, or '' when there is none."""
    if not id_like:
        return ""
    verb = "is" if len(id_like) == 1 else "are"
    return (
        f"{prefix}every feature row is unique because {_names(id_like)} {verb} unique per row; row "
        f"overlap cannot find copies through it — {tail}{suffix}"
    )


def _entity_text(entities: Sequence[str | Sequence[str]]) -> str:
    """Where to look next: the entity check when entities are configured, else configure one."""
    if not entities:
        return "configure the session or user as an entity to tell"
    names = ", ".join(e if isinstance(e, str) else "+".join(e) for e in entities)
    return f"splits.entity_overlap on {names} tells whether the split keeps them apart"

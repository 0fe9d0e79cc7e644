"""What ``splits.row_overlap`` reports once the repeats are counted: the copies' failure,
nothing left to compare, or the feature repeats judged against chance
(:func:`~sentinel_checks.checks.row_overlap.judge_row_overlap`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sentinel_checks.reasons import Reason
from sentinel_checks.result import CheckResult, Direction, Evidence, Status, judge_interval
from sentinel_checks.stats.intervals import coverage_text
from sentinel_checks.stats.power import rows_to_show_difference
from sentinel_checks.stats.proportion_difference import newcombe_interval
from sentinel_checks.stats.row_repeats import RowRepeats

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


#: ``labels(mask)``: the row labels (the pandas index, or the dataset positions the engine
#: carries) of the first :data:`SHOWN` rows ``mask`` (shape (m,), bool) marks, in row order.
RowLabels = Callable[[np.ndarray], list[Any]]
#: Row labels shown in an evidence.
SHOWN = 10


class Found:
    """The copies found (if event columns were given), and the result each outcome makes.

    ``n_later`` is the later split's rows; ``labels`` names the rows evidences list.
    """

    def __init__(
        self,
        pair: tuple[str, str],
        n_later: int,
        labels: RowLabels,
        copies: RowRepeats | None,
        events: list[str],
    ) -> None:
        self.pair, self.labels, self.copies, self.events = pair, labels, copies, events
        self.n_later = n_later

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
            self.labels(self.copies.mask),
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
            message=f"{self.copy_text()}; limit {max_share:.3%}" + id_text(id_like, prefix="; "),
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
            message=f"{id_text(id_like, tail='no other feature is left to compare')}; {self.copy_text()}",
            limit=max_share,
            direction=Direction.AT_MOST,
            reason=Reason.CAUTION,
            support=support,
            parameters=params,
            hint=ID_HINT.format(names=names_text(id_like)),
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
            text += (
                " holds the limit, which alone would be inconclusive; passed on the copies: "
                "rows that share features, not events"
            )
        elif status is Status.INCONCLUSIVE:
            half = (excess - low) if excess > max_share else (high - excess)
            needed = {f"n_{later}": rows_to_show_difference(self.n_later, excess, half, max_share)}
            text += (
                " holds the limit: inconclusive — coincidences of coarse features, or copies a random "
                f"split spread over both sides ({entity_text(entities)}); "
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
            hint = " ".join(h for h in (ID_HINT.format(names=names_text(id_like)), hint) if h)
        message = (
            f"{count:,} of {self.n_later:,} {later} row(s) ({share:.3%}) repeat a {earlier} row on "
            f"{n_columns} feature column(s), against {chance:.3%} of {earlier} rows repeating each "
            f"other by chance: excess {excess:+.3%} ({text}); limit {max_share:.3%}; {self.copy_text()}"
        )
        evidence = [
            Evidence.capped(
                f"{later}_row_index",
                self.labels(repeats.mask),
                total=count,
                detail={"share": share, "chance_share": chance, "excess": excess, "interval": [low, high]},
            )
        ]
        if self.copies is not None and self.copies.count:
            evidence.append(self.copies_evidence())
        return CheckResult(
            id=ROW_ID,
            status=status,
            message=id_text(id_like, suffix=": ") + message,
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


def names_text(columns: Sequence[str]) -> str:
    return ", ".join(f"'{c}'" for c in columns)


def id_text(
    id_like: list[str], *, prefix: str = "", suffix: str = "", tail: str = "compared without it"
) -> str:
    """Why an id among the features hides copies, or '' when there is none."""
    if not id_like:
        return ""
    verb = "is" if len(id_like) == 1 else "are"
    return (
        f"{prefix}every feature row is unique because {names_text(id_like)} {verb} unique per row; row "
        f"overlap cannot find copies through it — {tail}{suffix}"
    )


def entity_text(entities: Sequence[str | Sequence[str]]) -> str:
    """Where to look next: the entity check when entities are configured, else configure one."""
    if not entities:
        return "configure the session or user as an entity to tell"
    names = ", ".join(e if isinstance(e, str) else "+".join(e) for e in entities)
    return f"splits.entity_overlap on {names} tells whether the split keeps them apart"

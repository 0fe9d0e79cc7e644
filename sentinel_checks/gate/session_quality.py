"""Model quality and promotion read from engine counts: the session's part of it.

:class:`SessionQuality` sits between
:class:`~sentinel_checks.gate.session_baselines.SessionBaselines` (the models and
baselines, their scored tables) and :class:`~sentinel_checks.gate.session.GateSession`. With
``[data] engine = "duckdb"`` the champion comparison on a split the engine scored
(train/val/test) is computed from counts grouped there
(:mod:`~sentinel_checks.engine.paired_statistics`), and so are the segment counts of
``quality.segments``; on the production sample, over its labelled rows. Otherwise
(pandas, Spark) its methods return ``None`` and the callers read the rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel_checks.gate.session_baselines import SessionBaselines

if TYPE_CHECKING:
    from sentinel_checks.stats.paired_rows import PairedRows, SegmentFlips
    from sentinel_checks.stats.segment_counts import SegmentCounts


class SessionQuality(SessionBaselines):
    """Counts for the quality and promotion steps, grouped in the engine when it scored the split."""

    def engine_paired(
        self, split: str, *, candidate_threshold: float, champion_threshold: float
    ) -> tuple[PairedRows, dict[str, SegmentFlips]] | None:
        """The candidate-vs-champion counts of ``split`` grouped in the engine, or ``None``.

        Parameters
        ----------
        split : str
            ``"test"`` or ``"production"``.
        candidate_threshold, champion_threshold : float
            Each model's operating threshold (a row is flagged at ``score >= threshold``).

        Returns
        -------
        (PairedRows, dict of str to SegmentFlips) or None
            The rows grouped by (label, candidate score, champion score), and per
            configured segment column present the risky rows by both decisions; ``None``
            when ``split`` is not scored in the engine (``[data] engine`` other than
            ``"duckdb"``). Production: its labelled rows.

        Raises
        ------
        NotConfigured, ConfigError, ModelLoadError
            As :meth:`~sentinel_checks.gate.session_models.SessionModels.scored_table`.
        DataError
            A score is NaN, infinite or NULL, a label is neither value, or the two
            scored tables do not hold the same rows.
        """
        from sentinel_checks.engine import paired_statistics
        from sentinel_checks.engine.scores import SCORE

        if not self._scores_in_engine(split):
            return None

        def count() -> tuple[PairedRows, dict[str, SegmentFlips]]:
            cols = self.config.columns
            candidate = self.labelled_scores("candidate", split)
            champion = self.labelled_scores("champion", split)
            segments = [c for c in cols.segments if c in candidate.columns and c != cols.label]
            joined = paired_statistics.joined_scores(
                candidate,
                champion,
                self.scored_columns,
                champion_score=SCORE,
                segments=segments,
            )
            flips = {
                c: paired_statistics.segment_flips(
                    joined, c, candidate_threshold=candidate_threshold, champion_threshold=champion_threshold
                )
                for c in segments
            }
            rows = paired_statistics.paired_rows(
                joined,
                thresholds=(candidate_threshold, champion_threshold),
                max_groups=self.config.engine.max_paired_groups,
            )
            return rows, flips

        key = f"engine_paired:{split}:{candidate_threshold!r}:{champion_threshold!r}"
        return self._once(key, count)

    def engine_segment_counts(self, column: str, split: str, threshold: float) -> SegmentCounts | None:
        """The candidate's rows, risky rows and caught risky rows per value of ``column`` on
        ``split``, grouped in the engine; ``None`` when ``split`` is not scored there.

        Parameters
        ----------
        column : str
            A ``[columns] segments`` column.
        split : str
            ``"test"`` or ``"production"``.
        threshold : float
            The candidate's operating threshold.

        Returns
        -------
        SegmentCounts or None
            :func:`~sentinel_checks.engine.quality_statistics.segment_counts` of the
            candidate's scored table.

        Raises
        ------
        KeyError
            ``column`` is not in the scored table.
        NotConfigured, ConfigError, ModelLoadError, DataError
            As :meth:`engine_paired`.
        """
        from sentinel_checks.engine.quality_statistics import segment_counts

        if not self._scores_in_engine(split):
            return None
        columns = self.scored_columns
        return self._once(
            f"engine_segments:{split}:{column}:{threshold!r}",
            lambda: segment_counts(
                self.labelled_scores("candidate", split), columns, segment=column, threshold=threshold
            ),
        )

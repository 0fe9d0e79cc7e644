"""The one vocabulary of machine-readable reason codes a :class:`CheckResult` carries.

Every check names why it passed, failed, skipped or errored with a member of
:class:`Reason`; ``gate.json`` writes its value. One member per meaning: no
synonyms (see CHANGELOG.md for the codes folded together).
"""

from __future__ import annotations

import enum


class Reason(enum.StrEnum):
    """Why a check came out the way it did (the value is what reports write)."""

    OK = "ok"

    # -- nothing (or too little) to measure ------------------------------------
    EMPTY = "empty"  #: a dataset, split or sample has no rows
    ONE_CLASS = "one_class"  #: only risky or only safe rows
    TOO_FEW_POSITIVES = "too_few_positives"  #: too few (labelled) risky rows to judge
    TOO_FEW_ROWS = "too_few_rows"  #: a sample, a class or a training log too small to judge
    #: only the widening for scores grouped on a grid in the engine holds the call open
    #: (more rows cannot settle it; a larger ``[engine] max_threshold_groups`` can)
    SCORE_GRID = "score_grid"
    NO_FEATURES = "no_features"
    NO_BASELINES = "no_baselines"
    NO_CHAMPION = "no_champion"
    MISSING_COLUMNS = "missing_columns"
    NOTHING_FLAGGED = "nothing_flagged"
    UNDEFINED_METRIC = "undefined_metric"
    INVALID_SCORES = "invalid_scores"
    CONSTANT_SCORES = "constant_scores"

    # -- data contract and splits ----------------------------------------------
    SCHEMA_VIOLATION = "schema_violation"
    RISKY_MAJORITY = "risky_majority"  #: most labelled rows are risky: classes swapped? (a warning)
    CONSTANT_FEATURE = "constant_feature"  #: a feature holds one value in every row (a warning)
    TIME_OVERLAP = "time_overlap"
    ENTITY_LEAK = "entity_leak"
    PURGE_LOSS = "purge_loss"  #: purging entities emptied a split beyond [splits] max_purged_share
    DUPLICATE_ROWS = "duplicate_rows"
    LEAKY_FEATURE = "leaky_feature"

    # -- model quality ---------------------------------------------------------
    TARGET_NOT_REACHED = "target_not_reached"
    RECALL_BELOW_FLOOR = "recall_below_floor"
    PRECISION_BELOW_FLOOR = "precision_below_floor"
    AUC_BELOW_FLOOR = "auc_below_floor"
    OVERFIT_TO_VALIDATION = "overfit_to_validation"
    MISCALIBRATED = "miscalibrated"
    SEGMENT_RECALL_BELOW_FLOOR = "segment_recall_below_floor"
    WORSE_THAN_BASELINE = "worse_than_baseline"
    TOO_GOOD = "too_good"  #: test scores too good to be true: look for leakage
    TRAINING_PROBLEM = "training_problem"

    # -- drift -----------------------------------------------------------------
    DRIFT = "drift"  #: too many (or a critical) feature(s) drifted
    SOME_DRIFT = "some_drift"  #: some features drifted, within the limits
    CAUTION = "caution"  #: nothing drifted or repeated, but a column looks like an id
    PREVALENCE_SHIFT = "prevalence_shift"
    SCORE_SHIFT = "score_shift"  #: the score distribution moved (drift.scores, monitor.score_shift)

    # -- promotion: the failed criterion of promotion.vs_champion ---------------
    FNR_NON_INFERIOR = "fnr_non_inferior"
    PRECISION_NON_INFERIOR = "precision_non_inferior"
    TARGET_METRIC_IMPROVES = "target_metric_improves"
    FLIP_RATE = "flip_rate"
    NO_VAL_TEST_GAP = "no_val_test_gap"

    # -- monitoring ------------------------------------------------------------
    FLAGGED_OUT_OF_BAND = "flagged_out_of_band"
    RECALL_DROPPED = "recall_dropped"
    CALIBRATION_DRIFT = "calibration_drift"
    ESTIMATED_RECALL_DROPPED = "estimated_recall_dropped"

"""Runbook phase 1 step 3 and phase 5: offline data still looks like production.

Checks: drift.features (Evidently, per pair and optionally per segment),
drift.labels (prevalence, two-proportion test), drift.scores (PSI, flagged
fraction at the operating threshold). Evidently's HTML report for each pair is
written to reports/drift/.
"""

import pytest

from sentinel_checks.adapters.evidently_drift import score_drift
from sentinel_checks.checks.drift import (
    check_feature_drift,
    check_label_drift,
    check_score_drift,
    describe_shift,
)
from sentinel_checks.loaders import binary_target


def as_pair(text):
    a, b = text.split(":")
    return a, b


def feature_drift(sentinel_config, sentinel_drift, pair, segment=None):
    d = sentinel_config.drift
    run, inputs, ref, cur = sentinel_drift.features(pair, segment=segment)
    columns = run.columns if run is not None else []
    drifted = {c.column for c in columns if c.drifted}
    return check_feature_drift(
        columns,
        pair=pair if segment is None else (f"{pair[0]}[{segment[0]}={segment[1]}]", pair[1]),
        n_reference=len(ref),
        n_current=len(cur),
        max_share=d.max_drift_share,
        critical=d.critical_features,
        min_rows=d.min_segment_rows if segment else d.min_rows,
        required=":".join(pair) in d.required_pairs,
        descriptions={c: describe_shift(ref[c], cur[c]) for c in drifted},
        notes=inputs.notes,
    )


def test_features_have_not_drifted(gate, sentinel_config, sentinel_drift, sentinel_feature_pair):
    if sentinel_feature_pair is None:
        pytest.skip("no [drift] feature_pairs configured")
    gate.check(feature_drift(sentinel_config, sentinel_drift, as_pair(sentinel_feature_pair)))


def test_features_have_not_drifted_within_segments(
    gate, sentinel_config, sentinel_drift, sentinel_drift_segment_column, sentinel_feature_pair
):
    if sentinel_drift_segment_column is None or sentinel_feature_pair is None:
        pytest.skip("no [drift] segment_columns configured")
    pair = as_pair(sentinel_feature_pair)
    reference = sentinel_drift.frame(pair[0])
    values = sorted(reference[sentinel_drift_segment_column].astype("string").dropna().unique())
    results = [
        feature_drift(sentinel_config, sentinel_drift, pair, (sentinel_drift_segment_column, v))
        for v in values
    ]
    judged = [r for r in results if r.status.value != "skip"]
    if not judged:
        pytest.skip(f"no {sentinel_drift_segment_column} segment reaches [drift] min_segment_rows")
    gate.check(min(judged, key=lambda r: (r.passed, -(r.measured or 0))))


def test_prevalence_has_not_shifted(gate, sentinel_config, sentinel_drift, sentinel_label_pair):
    if sentinel_label_pair is None:
        pytest.skip("no [drift] label_pairs configured")
    pair = as_pair(sentinel_label_pair)
    counts = []
    for name in pair:
        frame = sentinel_drift.frame(name)
        labelled = frame[frame[sentinel_config.columns.label].notna()]
        if name == "production" and labelled.empty:
            pytest.skip("no labelled production rows yet: prevalence cannot be compared")
        y = binary_target(labelled, sentinel_config, what=name)
        counts += [int(y.sum()), len(y)]
    d = sentinel_config.drift
    gate.check(
        check_label_drift(
            *counts,
            pair=pair,
            max_abs_change=d.label_max_abs_change,
            max_rel_change=d.label_max_rel_change,
            alpha=d.label_alpha,
        )
    )


def test_scores_have_not_shifted(
    gate, sentinel_config, sentinel_candidate_eval, request, sentinel_score_pair
):
    if sentinel_score_pair is None:
        pytest.skip("no [drift] score_pairs configured")
    pair = as_pair(sentinel_score_pair)

    def scores(name):
        if name == "production":
            return request.getfixturevalue("sentinel_production_scores")
        if name not in sentinel_candidate_eval.splits:
            pytest.skip(f"the candidate is not scored on {name!r}: use val, test or production")
        return sentinel_candidate_eval.splits[name].scores

    d = sentinel_config.drift
    reference, current = scores(pair[0]), scores(pair[1])
    gate.check(
        check_score_drift(
            reference,
            current,
            threshold=sentinel_candidate_eval.threshold,
            pair=pair,
            max_psi=d.max_score_psi,
            max_flagged_change=d.max_flagged_change,
            evidently_score=score_drift(reference, current),
        )
    )

"""Issue 18, speed of drift: the same decisions at a lower cost.

No timings here: each test pins what makes the work cheaper (one OpenMP thread while
rescoring small permuted samples; no full sort of random keys per noise draw), and that
the numbers and decisions are those the slower code gave.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier

from sentinel_checks.models.importance import importance_shares
from sentinel_checks.models.loading import LoadedModel
from sentinel_checks.stats import distance_noise
from sentinel_checks.stats.distance_noise import distance_null, noise_level


def _old_null(reference, current, *, statistic, categorical, draws=200, seed=0):
    """The null as drawn before (a full argsort of random keys per draw), for comparison."""
    a, b = reference.dropna().to_numpy(), current.dropna().to_numpy()
    pooled = np.concatenate([a, b])
    rng = np.random.default_rng(seed)
    out = []
    for start in range(0, draws, 25):
        count = min(25, draws - start)
        picked = np.argsort(rng.random((count, len(pooled))), axis=1)[:, : len(b)]
        is_current = np.zeros((count, len(pooled)), dtype=bool)
        np.put_along_axis(is_current, picked, True, axis=1)
        if statistic == "jensenshannon":
            codes = distance_noise._bins(a, pooled, categorical)
            out.append(distance_noise._jensenshannon(codes, is_current, len(a), len(b)))
        else:
            x = pooled.astype(float)
            order = np.argsort(x, kind="stable")
            xs, cur = x[order], is_current[:, order]
            gaps = np.diff(xs)
            cdf_cur = np.cumsum(cur, axis=1)[:, :-1] / len(b)
            cdf_ref = np.cumsum(~cur, axis=1)[:, :-1] / len(a)
            distance = (np.abs(cdf_ref - cdf_cur) * gaps[None, :]).sum(axis=1)
            ref = ~cur
            mean = (ref * xs[None, :]).sum(axis=1) / len(a)
            var = np.maximum((ref * xs[None, :] ** 2).sum(axis=1) / len(a) - mean**2, 0.0)
            out.append(distance / np.maximum(np.sqrt(var), 0.001))
    return np.concatenate(out)


def _samples(n_ref=3000, n_cur=800, *, seed=0, shift=0.0):
    rng = np.random.default_rng(seed)
    ref = pd.Series(rng.lognormal(3, 0.8, n_ref))
    cur = pd.Series(rng.lognormal(3 + shift, 0.8, n_cur))
    return ref, cur


def test_noise_draws_pick_the_current_rows_without_sorting_random_keys(monkeypatch):
    """Each draw needs which m of the N pooled rows are "current", not their order: a
    partial selection (argpartition, O(N)) gives the same set as a full sort (O(N log N))."""
    sorted_2d = []
    real = np.argsort

    def spy(a, *args, **kwargs):
        if np.ndim(a) == 2:
            sorted_2d.append(np.shape(a))
        return real(a, *args, **kwargs)

    monkeypatch.setattr(np, "argsort", spy)
    ref, cur = _samples()
    distance_null(ref, cur, statistic="wasserstein", categorical=False, draws=50)
    distance_null(
        ref.round(-1).astype(str),
        cur.round(-1).astype(str),
        statistic="jensenshannon",
        categorical=True,
        draws=50,
    )
    assert sorted_2d == []


@pytest.mark.parametrize("statistic", ["wasserstein", "jensenshannon"])
def test_noise_draws_equal_the_previous_ones(statistic):
    """Same seed, same splits, same statistic: the null (and the level read from it) is
    the one the full-sort code drew, to rounding."""
    ref, cur = _samples(seed=3)
    if statistic == "jensenshannon":
        ref, cur = ref.round(-1).clip(upper=200).astype(str), cur.round(-1).clip(upper=200).astype(str)
    categorical = statistic == "jensenshannon"
    new = distance_null(ref, cur, statistic=statistic, categorical=categorical, draws=120, seed=7)
    old = _old_null(ref, cur, statistic=statistic, categorical=categorical, draws=120, seed=7)
    np.testing.assert_allclose(new, old, rtol=1e-10, atol=1e-12)
    assert noise_level(new, alpha=1e-4, statistic=statistic) == pytest.approx(
        noise_level(old, alpha=1e-4, statistic=statistic), rel=1e-10
    )


def test_noise_still_separates_drift_from_sampling_noise():
    """Planted: a location shift of 0.3 log-SD is far beyond the noise; the same
    population is within it (decisions of the noise test unchanged)."""
    from sentinel_checks.adapters.evidently_drift import effect_size

    for shift, drifted in [(0.3, True), (0.0, False)]:
        ref, cur = _samples(seed=11, shift=shift)
        _, distance = effect_size(ref, cur, categorical=False)
        null = distance_null(ref, cur, statistic="wasserstein", categorical=False)
        assert (distance > noise_level(null, alpha=1e-3, statistic="wasserstein")) is drifted
        again = distance_null(ref, cur, statistic="wasserstein", categorical=False)
        np.testing.assert_array_equal(null, again)  # seeded: same input, same draws


class _ThreadSpy(ClassifierMixin, BaseEstimator):
    """Scores by a HistGradientBoosting model and records the OpenMP threads it was allowed."""

    def fit(self, x, y):
        self.inner_ = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(x, y)
        self.classes_ = self.inner_.classes_
        self.threads_ = []
        return self

    def predict_proba(self, x):
        from threadpoolctl import threadpool_info

        self.threads_.append(
            max((p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp"), default=1)
        )
        return self.inner_.predict_proba(x)


def _frame(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f: rng.normal(size=n) for f in ["a", "b", "c"]})
    y = ((frame["a"] + 0.3 * frame["b"] + rng.normal(scale=0.5, size=n)) > 1.0).to_numpy()
    return frame, y


def test_permutation_importance_rescoring_uses_one_openmp_thread():
    """Rescoring a few thousand rows dozens of times: OpenMP's per-tree parallel regions
    cost more than they save (measured on the demo: 0.23 s CPU per 5,000 rows with two
    threads under load, 0.03 s with one)."""
    frame, y = _frame()
    spy = _ThreadSpy().fit(frame, y)
    importance_shares(
        LoadedModel("candidate", spy, None, "test"), frame, y, features=["a", "b", "c"], positive=True
    )
    assert spy.threads_ and set(spy.threads_) == {1}


def test_importance_shares_unchanged_and_seeded():
    """The shares equal scikit-learn's permutation importance at default threads, the
    planted feature leads, and the same input gives the same shares."""
    from sklearn.inspection import permutation_importance
    from sklearn.metrics import roc_auc_score

    frame, y = _frame(seed=1)
    model = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(frame, y)
    loaded = LoadedModel("candidate", model, None, "test")
    got = importance_shares(loaded, frame, y, features=["a", "b", "c"], positive=True, max_rows=2000, seed=4)
    again = importance_shares(
        loaded, frame, y, features=["a", "b", "c"], positive=True, max_rows=2000, seed=4
    )
    assert got == again
    assert got.shares["a"] > 0.6 and got.shares["c"] < 0.1

    rows = importance_rows(y, 2000, 4)
    expected = permutation_importance(
        model,
        frame.iloc[rows],
        y[rows],
        scoring=lambda est, x, t: roc_auc_score(t, est.predict_proba(x)[:, 1]),
        n_repeats=5,
        random_state=4,
    ).importances_mean.clip(0)
    assert [got.shares[f] for f in ["a", "b", "c"]] == pytest.approx(
        list(expected / expected.sum()), abs=1e-12
    )


def importance_rows(y, max_rows, seed):
    from sentinel_checks.models.importance import _rows

    return _rows(np.asarray(y, dtype=bool), max_rows, seed)


def test_noise_is_drawn_in_full_before_a_distance_is_called_drift():
    """A distance over its 25-draw level is judged against all 200 draws (the early stop is
    only toward noise). Planted: a clear shift is drawn in full and is drift beyond the
    200-draw level; a same-population many-level categorical on 300 rows (distance over
    Evidently's 0.1 by noise alone) is drawn in full and is no drift."""
    from sentinel_checks.adapters.evidently_drift import column_drift

    rng = np.random.default_rng(5)
    levels = [f"l{i}" for i in range(150)]
    ref = pd.DataFrame({"x": rng.lognormal(3, 0.8, 6000), "c": rng.choice(levels, 6000)})
    cur = pd.DataFrame({"x": rng.lognormal(3.4, 0.8, 6000), "c": rng.choice(levels, 6000)})
    run = column_drift(ref, cur, numerical=["x"], categorical=["c"], noise_alpha=1e-3, seed=0)
    x = {c.column: c for c in run.columns}["x"]
    assert x.noise_draws == 200 and x.drifted
    full = noise_level(
        distance_null(ref["x"], cur["x"], statistic="wasserstein", categorical=False, draws=200),
        alpha=1e-3,
        statistic="wasserstein",
    )
    assert x.noise == pytest.approx(full) and x.score > full

    small = column_drift(ref, cur.iloc[:300], numerical=[], categorical=["c"], noise_alpha=1e-3, seed=0)
    c = small.columns[0]
    assert c.score >= c.threshold and c.noise_draws == 200 and not c.drifted
    again = column_drift(ref, cur.iloc[:300], numerical=[], categorical=["c"], noise_alpha=1e-3, seed=0)
    assert again.columns[0].noise == c.noise  # seeded


def test_noise_never_stops_early_toward_drift_on_a_heavy_tailed_null():
    """Reviewer's input: a Pareto(0.9) column, 1,500 reference and 80 current rows from one
    population. Its first 25 permutation draws missed the heavy tail (level 0.064 against a
    200-draw level of 5.8), so stopping early called a distance of 2.6 drift. Only the full
    draw may call a distance drift; the early stop may only say "noise"."""
    from sentinel_checks.adapters.evidently_drift import column_drift

    rng = np.random.default_rng(1228)
    ref = pd.DataFrame({"amount": rng.pareto(0.9, 1500)})
    cur = pd.DataFrame({"amount": rng.pareto(0.9, 80)})
    c = column_drift(ref, cur, numerical=["amount"], categorical=[], noise_alpha=1e-3, seed=0).columns[0]
    assert c.score >= c.threshold  # over Evidently's threshold, so the noise is drawn
    assert c.noise_draws == 200 and c.score < c.noise and not c.drifted


def test_noise_stops_after_the_first_draws_when_the_distance_is_clearly_noise():
    """The other branch: a distance under a third of the 25-draw level is noise; the other
    175 draws are not drawn (an early stop toward "no drift" can only miss, never block).
    Planted: a same-population skewed number (lognormal, sigma 1.5) on 15 rows against 3,000."""
    from sentinel_checks.adapters.evidently_drift import column_drift

    rng = np.random.default_rng(4)
    ref = pd.DataFrame({"x": rng.lognormal(3, 1.5, 3000)})
    cur = pd.DataFrame({"x": rng.lognormal(3, 1.5, 15)})
    c = column_drift(ref, cur, numerical=["x"], categorical=[], noise_alpha=1e-3, seed=0).columns[0]
    assert c.score >= c.threshold and not c.drifted
    assert c.noise_draws == 25 and c.score * 3 <= c.noise


def test_wasserstein_noise_on_tied_values_skips_ties_but_not_their_mass():
    """Only the steps of the sorted pooled values enter the integral (a tie adds 0), but
    each step's CDFs count every tied row before it: each draw's distance equals
    scipy's ``wasserstein_distance`` / std(reference), on a column that is 99% ties."""
    from scipy import stats

    rng = np.random.default_rng(5)
    x = np.sort(rng.integers(0, 30, 4000).astype(float))  # 30 levels: 3,970 ties
    cur = np.zeros((3, len(x)), dtype=bool)
    for row in cur:
        row[rng.choice(len(x), 900, replace=False)] = True
    got = distance_noise._wasserstein(x, cur, 4000 - 900, 900)
    want = [stats.wasserstein_distance(x[~row], x[row]) / max(np.std(x[~row]), 0.001) for row in cur]
    np.testing.assert_allclose(got, want, rtol=1e-9)


def test_noise_draws_on_tied_values_equal_the_previous_ones():
    """Same seed, same splits on a rounded (tied) column: the null is the one the code
    that summed over every row (ties included) drew."""
    ref, cur = _samples(seed=4)
    ref, cur = ref.round(-1).clip(upper=150), cur.round(-1).clip(upper=150)
    new = distance_null(ref, cur, statistic="wasserstein", categorical=False, draws=60, seed=2)
    old = _old_null(ref, cur, statistic="wasserstein", categorical=False, draws=60, seed=2)
    np.testing.assert_allclose(new, old, rtol=1e-10, atol=1e-12)


def test_splits_are_drawn_once_per_size_and_reused_with_the_same_draws(monkeypatch):
    """Columns of one drift pair share the pooled and current sizes: their random splits
    are drawn once. A fresh draw of 25 then 200 (the early stop's two calls), another
    column of the same sizes, and a column with a null (other sizes) each get the nulls
    an uncached draw gives."""
    ref, cur = _samples(seed=4)
    other_ref, other_cur = ref * 3 + 1, cur * 3 + 1
    with_null = cur.copy()
    with_null.iloc[0] = np.nan
    monkeypatch.setattr(distance_noise, "_SPLITS", distance_noise._Splits())
    keys_drawn = []
    real, real_rng = np.random.Generator.random, np.random.default_rng

    class Counting:
        def __init__(self, seed):
            self._rng = real_rng(seed)

        def random(self, size):
            keys_drawn.append(size)
            return real(self._rng, size)

    monkeypatch.setattr(distance_noise.np.random, "default_rng", Counting)
    cached = [
        distance_null(ref, cur, statistic="wasserstein", categorical=False, draws=25, seed=2),
        distance_null(ref, cur, statistic="wasserstein", categorical=False, draws=200, seed=2),
        distance_null(other_ref, other_cur, statistic="wasserstein", categorical=False, draws=200, seed=2),
        distance_null(ref, with_null, statistic="wasserstein", categorical=False, draws=200, seed=2),
    ]
    # fewer draws than kept, ending inside a kept chunk: the first 30 only
    again = distance_null(ref, cur, statistic="wasserstein", categorical=False, draws=30, seed=2)
    # 200 draws of the first size once (25 + 175), 200 of the second size
    assert sum(rows for rows, _ in keys_drawn) == 400
    monkeypatch.undo()
    fresh = [
        _old_null(ref, cur, statistic="wasserstein", categorical=False, draws=25, seed=2),
        _old_null(ref, cur, statistic="wasserstein", categorical=False, draws=200, seed=2),
        _old_null(other_ref, other_cur, statistic="wasserstein", categorical=False, draws=200, seed=2),
        _old_null(ref, with_null, statistic="wasserstein", categorical=False, draws=200, seed=2),
    ]
    for got, want in zip(cached, fresh, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        again,
        _old_null(ref, cur, statistic="wasserstein", categorical=False, draws=30, seed=2),
        rtol=1e-10,
        atol=1e-12,
    )


def test_splits_larger_than_the_budget_are_drawn_again_not_kept(monkeypatch):
    splits = distance_noise._Splits()
    monkeypatch.setattr(distance_noise, "_KEPT_BYTES", 999)
    first = splits.chunks(100, 40, seed=1, draws=10)  # 1,000 bools: over the budget
    assert splits._kept == {}
    again = splits.chunks(100, 40, seed=1, draws=10)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    splits.chunks(99, 40, seed=1, draws=10)  # 990 bools: kept
    assert list(splits._kept) == [(99, 40, 1)]

"""The rest of the gate's work, written by hand, after :class:`scale_hand.HandPass`.

``scale.py --hand-written --full`` runs these steps on the pass's DuckDB connection and
scores, so ``gate / hand-written`` compares the gate with a pass doing the same kinds
of computation, not only the engine's share of it:

- baselines: a logistic regression (median-imputed, scaled numbers, one-hot
  categories) and small gradient-boosted trees (depth 3, 100 iterations), both
  class-weighted, fitted on a 50,000-row sample of train drawn in DuckDB before the
  pass's scoring step, which scores them on val, test and production in the same Arrow
  record batches as the candidate and the champion;
- paired Poisson bootstrap: candidate against champion on test and production (500
  resamples), candidate against each baseline on test (200): each resample's FNR,
  precision, ROC-AUC and average precision (PR-AUC) of both models, from per-row
  Poisson(1) weights summed per cell of (label, both scores' slots among the risky
  scores, both decisions), as the gate pools them — numpy only (the gate's
  ``quality.baselines`` reads only the ranking metrics);
- Evidently: one ``Report`` of ``ValueDrift`` per feature for train against val, test
  and production, each side a 50,000-row sample drawn in DuckDB;
- target leakage: each feature's out-of-fold target encoding on train (5 random folds,
  numeric features in 20 quantile bins) and its AUC, from counts per (bin, fold, class).

Not done here, and done by the gate: the distance-noise permutations and permutation
importance of drift, the contract, calibration's and recall's intervals, the reports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from scale_hand import _q

if TYPE_CHECKING:
    from scale_hand import HandPass

#: Rows of train the baselines are fitted on, and of each side of a drift pair.
SAMPLE_ROWS = 50_000
#: Resamples of the champion and of the baselines comparisons (the gate's defaults).
CHAMPION_RESAMPLES, BASELINE_RESAMPLES = 500, 200
#: Cells past which both scores go to a 1/1024 grid (the gate's ``[engine]
#: max_paired_groups`` default).
MAX_CELLS = 262_144
#: Resamples drawn together (memory: this many times the cells, as float64, a few times).
_CHUNK = 10


def run_rest(hand: HandPass) -> dict[str, float]:
    """The steps above after :meth:`~scale_hand.HandPass.run`'s own (``full``: it fitted the
    baselines and scored them with the candidate); adds their seconds to ``hand.timings``."""
    scored = hand.results["scoring (Arrow batches)"]
    threshold = hand.results["threshold counts"]["threshold"]
    champion_t = float(hand.cfg.get("promotion", {}).get("champion_threshold", 0.5))
    hand.step("paired bootstrap", lambda: bootstraps(scored, threshold, champion_t, list(hand.extra_models)))
    hand.step("Evidently drift", lambda: evidently_drift(hand))
    hand.step("target encoding", lambda: target_encoding(hand))
    return hand.timings


def _features(hand: HandPass) -> tuple[list[str], list[str], list[str]]:
    """(numbers, booleans, texts) among the features, by their DuckDB type."""
    kinds = dict(hand.sql("SELECT column_name, column_type FROM (DESCRIBE train)"))
    text = [c for c in hand.features if kinds[c] == "VARCHAR"]
    flags = [c for c in hand.features if kinds[c] == "BOOLEAN"]
    return [c for c in hand.features if c not in text and c not in flags], flags, text


def _sample(hand: HandPass, table: str, columns: str) -> Any:
    """A seeded :data:`SAMPLE_ROWS`-row reservoir sample of ``table`` drawn in DuckDB, as pandas."""
    return hand.con.execute(
        f"SELECT {columns} FROM {table} USING SAMPLE reservoir({SAMPLE_ROWS} ROWS) REPEATABLE (0)"
    ).df()


def fit_baselines(hand: HandPass) -> dict[str, Any]:
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numbers, flags, text = _features(hand)
    numeric = numbers + flags  # booleans as 0/1, as the gate's baselines read them
    cols = ", ".join(_q(c) for c in hand.features)
    frame = _sample(hand, "train", f"{cols}, {hand.y_sql} AS __y")
    y = frame.pop("__y").to_numpy(dtype=bool)

    def encoder(scale: bool) -> ColumnTransformer:
        numbers = make_pipeline(SimpleImputer(strategy="median"), *([StandardScaler()] if scale else []))
        categories = make_pipeline(
            SimpleImputer(strategy="constant", fill_value="(missing)"),
            OneHotEncoder(handle_unknown="ignore", max_categories=50, sparse_output=False),
        )
        return ColumnTransformer([("n", numbers, numeric), ("c", categories, text)])

    models = {
        "logistic": make_pipeline(encoder(True), LogisticRegression(class_weight="balanced", max_iter=1000)),
        "trees": make_pipeline(
            encoder(False),
            HistGradientBoostingClassifier(
                max_depth=3, max_iter=100, class_weight="balanced", random_state=0
            ),
        ),
    }
    for model in models.values():
        model.fit(frame, y)
    return models


def bootstraps(
    scored: dict[str, dict[str, np.ndarray]], threshold: float, champion_t: float, baselines: list[str]
) -> dict[str, np.ndarray]:
    """Per comparison, (resamples, 4) differences candidate − other: FNR, precision,
    ROC-AUC, PR-AUC."""
    out = {}
    for split in ("test", "production"):
        s = scored[split]
        out[f"champion {split}"] = paired_bootstrap(
            s["y"], s["candidate"], s["champion"], threshold, champion_t, CHAMPION_RESAMPLES
        )
    s = scored["test"]
    for name in baselines:
        out[f"{name} test"] = paired_bootstrap(
            s["y"], s["candidate"], s[name], threshold, threshold, BASELINE_RESAMPLES
        )
    return out


def paired_bootstrap(
    y: np.ndarray, a: np.ndarray, b: np.ndarray, ta: float, tb: float, resamples: int, seed: int = 0
) -> np.ndarray:
    """Differences (a − b) of FNR, precision, ROC-AUC and PR-AUC under ``resamples``
    Poisson(1) row weights, the rows pooled into cells of equal (label, both scores' slots
    among the risky scores, both decisions): ROC-AUC and average precision depend on a
    score only through its place among the risky rows' scores, so safe rows between the
    same two risky scores pool."""
    keys = np.stack([y, _slots(a, y), _slots(b, y), a >= ta, b >= tb], axis=1).astype(np.int64)
    cells, counts = np.unique(keys, axis=0, return_counts=True)
    if len(cells) > MAX_CELLS:  # as the gate: both scores on a 1/1024 grid
        grid_a, grid_b = np.round(a * 1024) / 1024, np.round(b * 1024) / 1024
        keys[:, 1], keys[:, 2] = _slots(grid_a, y), _slots(grid_b, y)
        cells, counts = np.unique(keys, axis=0, return_counts=True)
    cy = cells[:, 0].astype(bool)
    first = Ranked(cy, cells[:, 1], cells[:, 3].astype(bool))
    second = Ranked(cy, cells[:, 2], cells[:, 4].astype(bool))
    rng = np.random.default_rng(seed)
    rows = []
    for start in range(0, resamples, _CHUNK):
        w = rng.poisson(counts, size=(min(_CHUNK, resamples - start), len(counts))).astype(np.float64)
        rows.append(first.metrics(w) - second.metrics(w))
    return np.concatenate(rows) if rows else np.empty((0, 4))


def _slots(s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each score's slot among the distinct risky scores: 2k below the k-th, 2k + 1 equal."""
    risky = np.unique(s[y])
    return np.searchsorted(risky, s, side="left") + np.searchsorted(risky, s, side="right")


class Ranked:
    """One model's scores over weighted entries: each entry's distinct score (descending)
    found once, then per weighting the risky and safe weight per distinct score (one
    ``bincount``), cumulated. ``flag``: each entry flagged at the model's threshold."""

    def __init__(self, y: np.ndarray, s: np.ndarray, flag: np.ndarray) -> None:
        self.y, self.flag = y, flag
        distinct, inverse = np.unique(-s, return_inverse=True)  # ascending -s: descending s
        self.inverse, self.k = inverse.ravel(), len(distinct)

    def metrics(self, w: np.ndarray) -> np.ndarray:
        """(b, 4): FNR, precision, ROC-AUC, PR-AUC under each row of weights ``w`` (b, n)."""
        b, k = w.shape[0], self.k
        risky_w = w * self.y
        pos, total = risky_w.sum(axis=1), w.sum(axis=1)
        tp = risky_w[:, self.flag].sum(axis=1)
        flagged = w[:, self.flag].sum(axis=1)
        index = (self.inverse[None, :] + k * np.arange(b)[:, None]).ravel()
        dtp = np.bincount(index, weights=risky_w.ravel(), minlength=b * k).reshape(b, k)
        dfp = np.bincount(index, weights=w.ravel(), minlength=b * k).reshape(b, k) - dtp
        ctp, cfp = np.cumsum(dtp, axis=1), np.cumsum(dfp, axis=1)
        neg = total - pos
        with np.errstate(divide="ignore", invalid="ignore"):
            # ROC-AUC: 1 - the share of (risky, safe) pairs with the safe one above (ties half)
            roc = 1 - ((cfp - dfp / 2) * dtp).sum(axis=1) / (pos * neg)
            ap = (dtp * ctp / np.maximum(ctp + cfp, 1)).sum(axis=1) / pos
            return np.stack([1 - tp / pos, tp / np.maximum(flagged, 1), roc, ap], axis=1)


def evidently_drift(hand: HandPass) -> dict[str, dict[str, float]]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from evidently import DataDefinition, Dataset, Report
        from evidently.metrics import ValueDrift

    numeric, flags, text = _features(hand)
    # booleans compared as categories, as the gate's drift inputs hold them
    cols = ", ".join(f"CAST({_q(c)} AS VARCHAR) AS {_q(c)}" if c in flags else _q(c) for c in hand.features)
    text = text + flags

    definition = DataDefinition(numerical_columns=numeric, categorical_columns=text)
    reference = Dataset.from_pandas(_sample(hand, "train", cols), data_definition=definition)
    out = {}
    for other in ("val", "test", "production"):
        current = Dataset.from_pandas(_sample(hand, other, cols), data_definition=definition)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            snapshot = Report([ValueDrift(column=c) for c in hand.features]).run(current, reference)
        values = [m.get("value") for m in snapshot.dict()["metrics"]]
        out[other] = dict(zip(hand.features, values, strict=True))
    return out


def target_encoding(hand: HandPass, folds: int = 5, bins: int = 20) -> dict[str, float]:
    """Out-of-fold target-encoding AUC per feature on train, from engine counts."""
    numbers, flags, _ = _features(hand)
    numeric = numbers + flags
    hand.con.execute("SELECT setseed(0.5)")
    hand.con.execute(
        f"CREATE OR REPLACE TEMP TABLE folded AS SELECT *, {hand.y_sql} AS __y, "
        f"CAST(floor(random() * {folds}) AS INTEGER) AS __fold FROM train"
    )
    out = {}
    for c in hand.features:
        q = _q(c)
        if c in numeric:
            cuts = hand.sql(
                f"SELECT quantile_cont(CAST({q} AS DOUBLE), {[i / bins for i in range(1, bins)]}) FROM folded"
            )[0][0]
            edges = sorted(set(cuts or []))
            value = f"CAST({q} AS DOUBLE)"
            code = " + ".join(f"CAST({value} >= CAST('{e!r}' AS DOUBLE) AS INTEGER)" for e in edges) or "0"
            code = f"CASE WHEN {q} IS NULL OR isnan({value}) THEN -1 ELSE {code} END"  # NaN: missing
        else:
            code = f"coalesce(CAST({q} AS VARCHAR), '<null>')"
        rows = hand.sql(
            f"SELECT CAST({code} AS VARCHAR) AS k, __fold, sum(CAST(__y AS BIGINT)), "
            f"sum(CAST(NOT __y AS BIGINT)) FROM folded GROUP BY k, __fold"
        )
        keys = sorted({r[0] for r in rows}, key=str)
        index = {k: i for i, k in enumerate(keys)}
        pos = np.zeros((len(keys), folds))
        neg = np.zeros((len(keys), folds))
        for k, f, p, n in rows:
            pos[index[k], f], neg[index[k], f] = p, n
        prior = pos.sum() / (pos.sum() + neg.sum())
        # each cell's encoding: the category's rate over the other folds (smoothed to the prior)
        other_pos, other_neg = pos.sum(axis=1, keepdims=True) - pos, neg.sum(axis=1, keepdims=True) - neg
        encoding = (other_pos + prior) / (other_pos + other_neg + 1)
        # the ROC-AUC of the encoding: each cell's risky and safe rows as two weighted entries
        score = np.tile(encoding.ravel(), 2)
        risky = np.repeat([True, False], encoding.size)
        weights = np.concatenate([pos.ravel(), neg.ravel()])[None, :]
        auc = float(Ranked(risky, score, np.zeros(len(score), dtype=bool)).metrics(weights)[0, 2])
        out[c] = max(auc, 1 - auc)
    hand.con.execute("DROP TABLE folded")
    return out

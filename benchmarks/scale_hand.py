"""The hand-written reference pass: the gate's main computations done directly with
DuckDB SQL and numpy, in the calling process, on the scale benchmark's inputs.

What it computes (on the config's time split: half-open windows, the embargo after
each boundary, users then sessions purged from the later splits, as the gate splits):

- time order: each split's count/min/max and the out-of-order rows of each pair;
- entity overlap: shared ids and the later rows carrying one, per pair and entity;
- row overlap: later rows equal to an earlier row over the features (NULL-safe), and
  the rows repeated within the earlier split;
- univariate AUC of each numeric/boolean feature on train, from value counts (ties
  one half, folded to >= 0.5), as ``engine.leakage_statistics.monotone_auc``;
- scoring: candidate and champion on val, test and the labelled production rows, read
  as Arrow record batches (``--batch-rows``);
- threshold counts: the candidate's threshold chosen on val (highest with recall >=
  ``target_recall``), the confusion counts on test and production, the champion's at
  its ``champion_threshold``;
- calibration bins: 10 equal-mass bins of the test scores, ECE;
- segment counts: the confusion counts per ``[columns] segments`` value;
- drift histograms: train against val, test and production, numeric features in 10
  bins at the train deciles, categorical ones by value; PSI (epsilon 1e-4) per feature.

Not done here, and done by the gate: fitting and scoring baselines A and B, the
bootstrap intervals, target leakage's binned and target-encoded readings, Evidently's
tests, the contract, the reports. So ``gate / hand-written`` overstates the engine's
overhead by the cost of those; ``scale.py --hand-written --full`` adds most of them by
hand (:mod:`scale_hand_rest`).
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PAIRS = (("train", "val"), ("train", "test"), ("val", "test"))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class HandPass:
    """One pass over one config; ``timings`` holds the seconds of each step."""

    def __init__(
        self,
        config: Path,
        *,
        threads: int = 2,
        memory_limit: str | None = "1GB",
        batch_rows: int = 200_000,
        full: bool = False,
    ):
        import duckdb

        self.cfg = tomllib.loads(config.read_text())
        self.cols = self.cfg["columns"]
        self.features: list[str] = list(self.cols["features"])
        self.batch_rows = batch_rows
        self.timings: dict[str, float] = {}
        self.results: dict[str, Any] = {}
        self.full = full
        #: more models scored in the same batches as the candidate (``full``: the baselines)
        self.extra_models: dict[str, Any] = {}
        settings: dict[str, object] = {"threads": threads}
        if memory_limit is not None:
            settings["memory_limit"] = memory_limit
        self.con = duckdb.connect(config=settings)
        self.con.execute("SET preserve_insertion_order = false")

    def step(self, name: str, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        out = work()
        self.timings[name] = time.perf_counter() - started
        self.results[name] = out
        return out

    def sql(self, text: str) -> list[tuple[Any, ...]]:
        return self.con.execute(text).fetchall()

    # -- the split -------------------------------------------------------------------
    def split(self) -> dict[str, int]:
        data, sp = self.cfg["data"]["path"], self.cfg["splits"]
        ts, label = _q(self.cols["timestamp"]), _q(self.cols["label"])
        gap = pd.Timedelta(sp.get("embargo", "0s"))
        v, t = pd.Timestamp(sp["val_start"]), pd.Timestamp(sp["test_start"])
        glob = str(Path(data) / "**" / "*.parquet") if Path(data).is_dir() else data
        self.con.execute(f"CREATE VIEW raw AS SELECT * FROM read_parquet('{glob}')")
        windows = {
            "train": f"{ts} < TIMESTAMP '{v}'",
            "val": f"{ts} >= TIMESTAMP '{v + gap}' AND {ts} < TIMESTAMP '{t}'",
            "test": f"{ts} >= TIMESTAMP '{t + gap}'",
        }
        for name, where in windows.items():
            self.con.execute(f"CREATE TEMP TABLE {name}0 AS SELECT * FROM raw WHERE {where}")
        cur = {"train": "train0", "val": "val0", "test": "test0"}
        for i, ent in enumerate(self.cols["entities"] if sp.get("purge_entities") else []):
            e = _q(ent)
            self.con.execute(
                f"CREATE TEMP TABLE val_p{i} AS SELECT * FROM {cur['val']} WHERE {e} IS NULL OR {e} NOT IN "
                f"(SELECT {e} FROM train0 WHERE {e} IS NOT NULL)"
            )
            self.con.execute(
                f"CREATE TEMP TABLE test_p{i} AS SELECT * FROM {cur['test']} WHERE {e} IS NULL OR {e} NOT IN "
                f"(SELECT {e} FROM train0 WHERE {e} IS NOT NULL "
                f"UNION SELECT {e} FROM val_p{i} WHERE {e} IS NOT NULL)"
            )
            cur["val"], cur["test"] = f"val_p{i}", f"test_p{i}"
        for name, table in cur.items():
            if table != name:
                self.con.execute(f"CREATE VIEW {name} AS SELECT * FROM {table}")
        pos = self.cols["positive"]
        self.y_sql = f"({label} = '{pos}')"
        return {name: self.sql(f"SELECT count(*) FROM {name}")[0][0] for name in cur}

    # -- split statistics --------------------------------------------------------------
    def time_order(self) -> dict[str, tuple[int, int]]:
        ts, out = _q(self.cols["timestamp"]), {}
        for a, b in PAIRS:
            out[f"{a}/{b}"] = self.sql(
                f"SELECT (SELECT count(*) FROM {b} WHERE {ts} <= (SELECT max({ts}) FROM {a})), "
                f"(SELECT count(*) FROM {a} WHERE {ts} >= (SELECT min({ts}) FROM {b}))"
            )[0]
        return out

    def entity_overlap(self) -> dict[str, tuple[int, int]]:
        out = {}
        for ent in self.cols["entities"]:
            e = _q(ent)
            for a, b in PAIRS:
                shared = f"(SELECT {e} FROM {a} WHERE {e} IS NOT NULL INTERSECT SELECT {e} FROM {b})"
                out[f"{ent} {a}/{b}"] = self.sql(
                    f"SELECT (SELECT count(*) FROM {shared}), "
                    f"(SELECT count(*) FROM {b} WHERE {e} IN {shared})"
                )[0]
        return out

    def row_overlap(self) -> dict[str, tuple[int, int]]:
        cols = ", ".join(_q(c) for c in self.features)
        on = " AND ".join(f"l.{_q(c)} IS NOT DISTINCT FROM e.{_q(c)}" for c in self.features)
        out = {}
        for a, b in PAIRS:
            out[f"{a}/{b}"] = self.sql(
                f"SELECT (SELECT count(*) FROM {b} l WHERE EXISTS "
                f"(SELECT 1 FROM (SELECT DISTINCT {cols} FROM {a}) e WHERE {on})), "
                f"(SELECT count(*) FROM {a}) - (SELECT count(*) FROM (SELECT DISTINCT {cols} FROM {a}))"
            )[0]
        return out

    def univariate_auc(self) -> dict[str, float]:
        kinds = dict(self.sql("SELECT column_name, column_type FROM (DESCRIBE train)"))
        out = {}
        for c in self.features:
            if kinds[c] in ("VARCHAR",):
                continue
            value = f"CAST({_q(c)} AS DOUBLE)"
            rows = self.sql(
                f"SELECT {value} AS v, sum(CAST({self.y_sql} AS BIGINT)), "
                f"sum(CAST(NOT {self.y_sql} AS BIGINT)) "
                f"FROM train GROUP BY v ORDER BY v NULLS FIRST"
            )
            pos = np.array([r[1] for r in rows], dtype=np.int64)
            neg = np.array([r[2] for r in rows], dtype=np.int64)
            below = np.cumsum(neg) - neg  # negatives strictly below each value
            twice = int((pos * (2 * below + neg)).sum())
            auc = twice / (2 * pos.sum() * neg.sum())
            out[c] = max(auc, 1 - auc)
        return out

    # -- scoring and quality -------------------------------------------------------------
    def score(self) -> dict[str, dict[str, np.ndarray]]:
        from sentinel_checks.adapters import skops_io

        models = {
            role: skops_io.load(
                Path(m["path"]),
                trusted_types=m.get("trusted_types", []),
                trust_all=False,
                key=f"[models.{role}]",
            )
            for role, m in self.cfg["models"].items()
        }
        prod = self.cfg["production"]["path"]
        label = _q(self.cols["label"])
        self.con.execute(
            f"CREATE VIEW production AS SELECT * FROM read_parquet('{prod}') WHERE {label} IS NOT NULL"
        )
        segs = self.cols["segments"]
        cols = ", ".join(_q(c) for c in dict.fromkeys([*self.features, *segs]))
        out: dict[str, dict[str, np.ndarray]] = {}
        for split in ("val", "test", "production"):
            # every model scores the same batches: DuckDB returns a scan in no set order
            # (preserve_insertion_order off), so the scores of two scans would not pair up
            parts: dict[str, list[np.ndarray]] = {k: [] for k in ("y", *models, *self.extra_models, *segs)}
            reader = self.con.execute(f"SELECT {cols}, {self.y_sql} AS __y FROM {split}").to_arrow_reader(
                self.batch_rows
            )
            for batch in reader:
                frame = batch.to_pandas()
                parts["y"].append(frame.pop("__y").to_numpy(dtype=bool))
                for s in segs:
                    parts[s].append(frame[s].to_numpy(dtype=object))
                for role, model in models.items():
                    want = self.cfg["models"][role].get("features", self.features)
                    parts[role].append(model.predict_proba(frame[want])[:, 1])
                for name, model in self.extra_models.items():
                    parts[name].append(model.predict_proba(frame[self.features])[:, 1])
            out[split] = {k: np.concatenate(v) if v else np.empty(0) for k, v in parts.items()}
        return out

    def thresholds(self, scored: dict[str, dict[str, np.ndarray]]) -> dict[str, Any]:
        target = float(self.cfg.get("quality", {}).get("target_recall", 0.8))
        val = scored["val"]
        pos = np.sort(val["candidate"][val["y"]])[::-1]
        threshold = float(pos[int(np.ceil(target * len(pos))) - 1]) if len(pos) else float("nan")
        champion_t = float(self.cfg.get("promotion", {}).get("champion_threshold", 0.5))
        out: dict[str, Any] = {"threshold": threshold}
        for split in ("test", "production"):
            s = scored[split]
            for role, t in (("candidate", threshold), ("champion", champion_t)):
                out[f"{role} {split}"] = _confusion(s["y"], s[role] >= t)
        return out

    def calibration(self, scored: dict[str, dict[str, np.ndarray]]) -> float:
        s = scored["test"]
        edges = np.unique(np.quantile(s["candidate"], np.linspace(0, 1, 11)))
        bins = np.clip(np.searchsorted(edges, s["candidate"], side="right") - 1, 0, len(edges) - 2)
        count = np.bincount(bins, minlength=len(edges) - 1)
        mean_score = np.bincount(bins, weights=s["candidate"], minlength=len(count))
        observed = np.bincount(bins, weights=s["y"].astype(float), minlength=len(count))
        nz = count > 0
        return float(np.abs(mean_score[nz] - observed[nz]).sum() / count.sum())

    def segments(self, scored: dict[str, dict[str, np.ndarray]], threshold: float) -> dict[str, Any]:
        out = {}
        for split in ("test", "production"):
            s = scored[split]
            flagged = s["candidate"] >= threshold
            for col in self.cols["segments"]:
                frame = pd.DataFrame({"v": s[col], "y": s["y"], "f": flagged})
                frame["tp"] = frame.y & frame.f
                out[f"{col} {split}"] = frame.groupby("v", sort=True)[["y", "tp", "f"]].sum().to_dict("index")
        return out

    def drift(self) -> dict[str, dict[str, float]]:
        kinds = dict(self.sql("SELECT column_name, column_type FROM (DESCRIBE train)"))
        out: dict[str, dict[str, float]] = {}
        for c in self.features:
            q = _q(c)
            if kinds[c] == "VARCHAR":
                key = f"coalesce({q}, '<null>')"
            else:
                cuts = self.sql(
                    f"SELECT quantile_cont(CAST({q} AS DOUBLE), "
                    "[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9]) FROM train"
                )
                edges = sorted(set(cuts[0][0] or []))
                key = (
                    "CASE "
                    + " ".join(f"WHEN CAST({q} AS DOUBLE) < {e!r} THEN {i}" for i, e in enumerate(edges))
                    + f" WHEN {q} IS NULL THEN -1 ELSE {len(edges)} END"
                )
            ref = dict(self.sql(f"SELECT {key} AS k, count(*) FROM train GROUP BY k"))
            for other in ("val", "test", "production"):
                cur = dict(self.sql(f"SELECT {key} AS k, count(*) FROM {other} GROUP BY k"))
                out.setdefault(other, {})[c] = _psi(ref, cur)
        return out

    def run(self) -> dict[str, float]:
        """Every step above, in order; with ``full`` also :mod:`scale_hand_rest`'s (the
        baselines fitted before the scoring, which scores them too)."""
        from scale_hand_rest import fit_baselines, run_rest

        self.step("split", self.split)
        self.step("time order", self.time_order)
        self.step("entity overlap", self.entity_overlap)
        self.step("row overlap", self.row_overlap)
        self.step("univariate AUC", self.univariate_auc)
        if self.full:
            self.extra_models = self.step("baselines: fit", lambda: fit_baselines(self))
        scored = self.step("scoring (Arrow batches)", self.score)
        thresholds = self.step("threshold counts", lambda: self.thresholds(scored))
        self.step("calibration bins", lambda: self.calibration(scored))
        self.step("segment counts", lambda: self.segments(scored, thresholds["threshold"]))
        self.step("drift histograms", self.drift)
        if self.full:
            run_rest(self)
        self.con.close()
        return self.timings


def _confusion(y: np.ndarray, flagged: np.ndarray) -> dict[str, int]:
    return {
        "tp": int((y & flagged).sum()),
        "fp": int((~y & flagged).sum()),
        "fn": int((y & ~flagged).sum()),
        "tn": int((~y & ~flagged).sum()),
    }


def _psi(ref: dict[Any, int], cur: dict[Any, int], eps: float = 1e-4) -> float:
    keys = sorted(set(ref) | set(cur), key=str)
    p = np.array([ref.get(k, 0) for k in keys], dtype=float)
    q = np.array([cur.get(k, 0) for k in keys], dtype=float)
    if not p.sum() or not q.sum():
        return float("nan")
    p, q = np.maximum(p / p.sum(), eps), np.maximum(q / q.sum(), eps)
    return float(((q - p) * np.log(q / p)).sum())

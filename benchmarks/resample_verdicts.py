"""False-alarm rates of the statistical model checks over many clean resamples.

``sentinel selftest`` runs the whole gate per resample (about 40 s a copy on the
200k-row demo), so 20 resamples is what it affords. This benchmark measures the
checks whose verdict moves with the sample — ``quality.recall``,
``quality.segments`` and ``promotion.vs_champion`` — on many more: the same
resamples as the self-test (``--share`` of the rows, one seed each, seeds
``first + 1`` onwards, so ``--first 20`` continues where a 20-resample self-test
stopped), the threshold re-chosen on each resample's validation rows, and the
gate's own steps (sentinel_checks.gate.steps) with the configured limits. Run by hand:

    .venv/bin/python benchmarks/resample_verdicts.py sentinel-demo/fixed.toml --first 20 --count 100

Prints one line per resample and check that fails, then the failure count of each
check (and, for the promotion check, the spread of the FNR change). Figures go into
docs/selftest.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path

from sentinel_checks.config import SentinelConfig, load_config
from sentinel_checks.data.splits import Splits
from sentinel_checks.gate import steps
from sentinel_checks.gate.session import GateSession
from sentinel_checks.models.loading import LoadedModel, load_model
from sentinel_checks.result import CheckResult
from sentinel_checks.selftest.faults import SPLIT_COLUMN, Material
from sentinel_checks.selftest.run import clean_material, resample

SPLITS = ("test", "production")


def verdicts(
    config: SentinelConfig, material: Material, features: list[str], models: dict[str, LoadedModel]
) -> tuple[list[CheckResult], dict[str, float]]:
    """The three checks on one copy, with the limits of ``config``; and the point FNR
    change candidate − champion per split."""
    splits = Splits.from_assignment(material.dataset, material.dataset[SPLIT_COLUMN], method="column")
    preloaded = {f"model:{role}": model for role, model in models.items()}
    session = GateSession(
        config,
        preloaded={"splits": splits, "features": features, "production": material.production, **preloaded},
    )
    ev = session.evaluation("candidate")
    results = []
    fnr_change: dict[str, float] = {}
    for split in (s for s in SPLITS if s in ev.splits):
        results.append(steps.recall(session, split))
        results += [steps.segments(session, column, split) for column in config.columns.segments]
        if "champion" in models and split in config.promotion.splits:
            fnr_change[split] = session.comparison(split).delta["fnr"].point
            results.append(steps.vs_champion(session, split))
    return results, fnr_change


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--first", type=int, default=0, help="first resample index (seed = index + 1)")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--share", type=float, default=0.8)
    args = parser.parse_args()
    started = time.perf_counter()
    config = load_config(args.config)
    base, ctx = clean_material(config)
    models = {
        role: load_model(spec, role=role, tracking_uri=config.registry.store)
        for role, spec in (("candidate", config.models.candidate), ("champion", config.models.champion))
        if spec is not None
    }
    failed: Counter[str] = Counter()
    judged: Counter[str] = Counter()
    fnr_change: dict[str, list[float]] = {s: [] for s in SPLITS}
    for i in range(args.first, args.first + args.count):
        results, changes = verdicts(config, resample(base, args.share, i + 1), ctx.features, models)
        for split, change in changes.items():
            fnr_change[split].append(change)
        for r in results:
            key = r.id + str([r.parameters[k] for k in ("split", "column") if k in r.parameters])
            judged[key] += 1
            if not r.passed:
                failed[key] += 1
                print(f"resample {i:3d} {key} {r.status.value}: {r.message}", flush=True)
    print(f"\n{args.count} resamples ({args.share:.0%} of rows), {time.perf_counter() - started:.0f} s")
    for key in sorted(judged):
        print(f"  {key:45} failed {failed[key]:3d} of {judged[key]}")
    for split, seen in fnr_change.items():
        if len(seen) > 1:
            print(
                f"  FNR change candidate − champion on {split}: mean {statistics.mean(seen):+.4f}, "
                f"sd {statistics.stdev(seen):.4f}, range [{min(seen):+.3f}, {max(seen):+.3f}]"
            )


if __name__ == "__main__":
    main()

"""The demo's false-block rate: how often the whole gate blocks a clean resample of a
sound model's data (the fixed pipeline's config).

The resampling is the self-test's (:func:`sentinel_checks.selftest.run.resample`: a
random ``share`` of the rows, offline and production, seed ``resample + 1``, as
``resample_verdicts.py`` and ``sentinel selftest`` draw them). Each resample is
judged by every test of the shipped suites (:func:`sentinel_checks.gate.runner.plan`,
the same list pytest collects) over a :class:`GateSession` with the resample
preloaded: no parquet is written or read per resample.

Re-run per resample: every check — contract, split and leakage checks, Evidently
drift, the threshold chosen on the resample's validation rows, the quality floors,
calibration, segments, baselines A and B re-fitted on the resample's train rows and
bootstrapped, the promotion comparison with its bootstrap. Not re-run: the candidate
and champion are the demo's trained models (a resample re-draws the evaluation data,
not the training; the self-test does the same), and the training log is the demo's.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sentinel_checks.config import SentinelConfig, load_config
from sentinel_checks.data.splits import Splits
from sentinel_checks.gate.runner import plan, run_plan
from sentinel_checks.gate.session import GateSession
from sentinel_checks.models.loading import LoadedModel, load_model
from sentinel_checks.reports.gate_report import GateRun
from sentinel_checks.selftest.faults import SPLIT_COLUMN, Material
from sentinel_checks.selftest.run import clean_material, resample, write_copy
from sentinel_checks.stats.intervals import wilson_interval


@dataclass
class FalseBlocks:
    """Verdicts of the gate over clean resamples of the demo."""

    resamples: int
    share: float
    blocked: int
    interval: tuple[float, float]  # 95% Wilson interval of the blocked share
    blocked_by: dict[str, int] = field(default_factory=dict)  # check label -> resamples it blocked
    inconclusive: dict[str, int] = field(default_factory=dict)  # check label -> resamples inconclusive
    seconds_per_resample: list[float] = field(default_factory=list)  # wall clock
    cpu_seconds_per_resample: list[float] = field(default_factory=list)  # this process, all threads
    setup_seconds: float = 0.0


def judge(
    config: SentinelConfig, material: Material, features: list[str], models: dict[str, LoadedModel]
) -> GateRun:
    """The whole gate on one in-memory copy: ``material``'s rows, split by its
    :data:`SPLIT_COLUMN`, scored by the given (already loaded) models."""
    data = material.dataset
    splits = Splits.from_assignment(data, data[SPLIT_COLUMN], method="column")
    preloaded = {
        "dataset": data,
        "splits": splits,
        "features": features,
        "production": material.production,
        **{f"model:{role}": model for role, model in models.items()},
    }
    if material.training_log is not None:
        preloaded["training_log"] = material.training_log
    session = GateSession(config, preloaded=preloaded)
    return GateRun(str(config.source), {}, config.gate.seed, run_plan(session, plan(config)))


def false_blocks(
    folder: Path, count: int, share: float, *, demo_config: Path | None = None, first: int = 0
) -> FalseBlocks:
    """Build the demo in ``folder`` (unless ``demo_config`` names a built one), then judge
    ``count`` clean resamples of its fixed pipeline (indices ``first`` onwards, seed =
    index + 1, so two processes can share the work), printing one line per resample."""
    from sentinel_checks.demo.build import build_demo

    started = time.perf_counter()
    if demo_config is None:
        build_demo(folder / "built")
        demo_config = folder / "built" / "fixed.toml"
    base, ctx = clean_material(load_config(demo_config))
    # the copy's config: the split frozen into a column, paths to files that exist
    config = load_config(write_copy(base, folder / "clean"))
    models = {
        role: load_model(spec, role=role, tracking_uri=config.registry.store)
        for role, spec in (("candidate", config.models.candidate), ("champion", config.models.champion))
        if spec is not None
    }
    out = FalseBlocks(count, share, 0, (0.0, 1.0), setup_seconds=time.perf_counter() - started)
    blocked_by: Counter[str] = Counter()
    inconclusive: Counter[str] = Counter()
    for i in range(first, first + count):
        t0, c0 = time.perf_counter(), time.process_time()
        run = judge(config, resample(base, share, i + 1), ctx.features, models)
        out.seconds_per_resample.append(time.perf_counter() - t0)
        out.cpu_seconds_per_resample.append(time.process_time() - c0)
        blockers = [
            o.result.label if o.result else o.nodeid for o in run.outcomes if o.outcome in ("failed", "error")
        ]
        blocked_by.update(blockers)
        inconclusive.update(
            o.result.label for o in run.outcomes if o.result and o.result.status == "inconclusive"
        )
        out.blocked += run.verdict == "fail"
        print(
            f"resample {i:3d}: {run.verdict} ({out.seconds_per_resample[-1]:.1f} s, "
            f"CPU {out.cpu_seconds_per_resample[-1]:.1f} s)"
            + (f" blocked by {', '.join(blockers)}" if blockers else ""),
            flush=True,
        )
    out.interval = wilson_interval(out.blocked, count, confidence=0.95)
    out.blocked_by, out.inconclusive = dict(blocked_by.most_common()), dict(inconclusive.most_common())
    return out


def summary(fb: FalseBlocks) -> str:
    """The demo's figures as a few lines of text."""
    secs = fb.seconds_per_resample
    mean = sum(secs) / len(secs) if secs else float("nan")
    cpu = fb.cpu_seconds_per_resample
    cpu_mean = sum(cpu) / len(cpu) if cpu else float("nan")
    lines = [
        f"demo (fixed.toml), {fb.resamples} clean resamples of {fb.share:.0%} of the rows: "
        f"blocked {fb.blocked} ({fb.blocked / max(fb.resamples, 1):.1%}), "
        f"95% Wilson interval [{fb.interval[0]:.1%}, {fb.interval[1]:.1%}]",
        f"  time: setup {fb.setup_seconds:.0f} s, {mean:.1f} s per resample "
        f"(min {min(secs, default=0):.1f}, max {max(secs, default=0):.1f}); "
        f"CPU {cpu_mean:.1f} s per resample",
    ]
    lines += [f"  blocked by {label}: {n} resamples" for label, n in fb.blocked_by.items()]
    lines += [f"  inconclusive {label}: {n} resamples" for label, n in fb.inconclusive.items()]
    return "\n".join(lines)

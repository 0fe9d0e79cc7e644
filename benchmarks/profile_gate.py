"""Where the CPU seconds of ``sentinel gate`` go: a cProfile of one run, summed by step.

Run by hand (issue 18), from the repository:

    PYTHONPATH=$PWD python benchmarks/profile_gate.py --config sentinel-demo/fixed.toml \\
        --reports /tmp/r --out /tmp/fixed.prof
    python benchmarks/profile_gate.py --summary /tmp/fixed.prof [/tmp/incident.prof ...]

The profiler's clock is ``time.process_time`` (CPU seconds of every thread of the
process, OpenMP's included), so a loaded machine inflates the figures less than wall
time would. cProfile's own overhead inflates Python-heavy code (imports, pydantic
class building) several times more than compiled code (tree fitting, scoring): compare
profiles with each other, not with ``/usr/bin/time``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

#: (label, substring of "file:line(function)") of the steps summed by --summary; a
#: step's figure is the largest cumulative time among the functions it matches.
STEPS = (
    ("whole `sentinel gate`", "cli/__init__.py:24(main)"),
    ("preflight (data, skops models, input checks)", "gate_commands.py:67(_preflight)"),
    ("  skops load (`import skops.io` imports sklearn)", "adapters/skops_io.py:37(load)"),
    ("drift.features, 3 pairs", "suites/test_drift.py:13(test_features_have_not_drifted)"),
    ("  Evidently import", "evidently_columns.py:150(_import_quietly)"),
    ("  Evidently `Report.run` (ValueDrift per column, widgets)", "evidently/core/report.py:904(run)"),
    ("  distance noise (`distance_null`)", "distance_noise.py:38(distance_null)"),
    ("  permutation importance", "importance.py:41(importance_shares)"),
    ("baselines A and B: fit", "models/baselines.py:48(fit_baselines)"),
    ("scoring (`risk_scores`, every model and split)", "scoring.py:124(risk_scores)"),
    ("report figures (`_write_figures`)", "gate/artefacts.py:125(_write_figures)"),
    ("promotion bootstrap (`paired_cell_bootstrap`)", "paired_cells.py:124(paired_cell_bootstrap)"),
    ("Poisson bootstrap intervals", "intervals.py:125(poisson_bootstrap)"),
)


def summary(path: str) -> list[tuple[str, float]]:
    """(label, profiled CPU seconds) per step of :data:`STEPS` in one profile file."""
    stats = pstats.Stats(path).stats  # type: ignore[attr-defined]
    out = []
    for label, pattern in STEPS:
        best = 0.0
        for (file, line, func), (_, _, _, cumulative, _) in stats.items():
            if pattern in f"{file}:{line}({func})":
                best = max(best, cumulative)
        out.append((label, best))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config")
    parser.add_argument("--reports")
    parser.add_argument("--out", help="profile file to write")
    parser.add_argument("--summary", nargs="+", help="profile files to summarise (a Markdown table)")
    args = parser.parse_args()
    if args.summary:
        tables = [dict(summary(p)) for p in args.summary]
        print("| step | " + " | ".join(args.summary) + " |")
        print("|---|" + "---:|" * len(args.summary))
        for label, _ in STEPS:
            print(f"| {label} | " + " | ".join(f"{t[label]:.1f}" for t in tables) + " |")
        return
    if not (args.config and args.reports and args.out):
        parser.error("--config, --reports and --out are needed to profile a run")
    from sentinel_checks.cli import main as sentinel

    profile = cProfile.Profile(time.process_time)
    profile.enable()
    try:
        sentinel(["gate", "--config", args.config, "--reports", args.reports])
    except SystemExit:
        pass
    finally:
        profile.disable()
        profile.dump_stats(args.out)


if __name__ == "__main__":
    main()

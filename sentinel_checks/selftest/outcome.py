"""What the self-test found: one judged copy (:class:`JobResult`), one fault across its
strengths (:class:`FaultOutcome`), the whole run (:class:`SelftestOutcome`) and why
it fails (:meth:`SelftestOutcome.reasons`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sentinel_checks.selftest.material import Fault


@dataclass(frozen=True)
class Job:
    name: str
    fault: str | None = None
    strength: float | None = None
    resample: int | None = None


@dataclass
class JobResult:
    job: Job
    exit_code: int
    verdict: str
    statuses: dict[str, str] = field(default_factory=dict)  # check label -> status
    ids: dict[str, str] = field(default_factory=dict)  # check label -> check id
    problems: list[str] = field(default_factory=list)  # errors and failed tests without a check
    seconds: float = 0.0

    def failed_ids(self) -> set[str]:
        return {self.ids[label] for label, status in self.statuses.items() if status == "fail"}


@dataclass
class FaultOutcome:
    fault: Fault
    applicable: str | None  # None: applies; else why not
    runs: list[JobResult] = field(default_factory=list)
    clean_failed: set[str] = field(default_factory=set)

    def detected(self, run: JobResult) -> list[str]:
        return sorted(run.failed_ids() & set(self.fault.expects))

    def also_failed(self, run: JobResult) -> list[str]:
        return sorted(run.failed_ids() - set(self.fault.expects) - self.clean_failed)

    def at(self, strength: float) -> JobResult | None:
        return next((r for r in self.runs if r.job.strength == strength), None)

    @property
    def weakest_detected(self) -> float | None:
        """The weakest strength from which every stronger one is detected too."""
        weakest = None
        for run in sorted(self.runs, key=lambda r: -float(r.job.strength or 0)):
            if not self.detected(run):
                break
            weakest = run.job.strength
        return weakest

    @property
    def caught_at_default(self) -> bool:
        run = self.at(self.fault.default)
        return run is not None and bool(self.detected(run))


@dataclass
class SelftestOutcome:
    config: Path
    seed: int
    share: float
    clean: JobResult
    faults: list[FaultOutcome]
    resamples: list[JobResult]
    seconds: float

    def false_alarms(self) -> dict[str, int]:
        """Check id -> number of clean resamples in which it failed."""
        counts: dict[str, int] = {}
        ids = {i for r in [self.clean, *self.resamples] for i in r.ids.values()}
        for check_id in sorted(ids):
            counts[check_id] = sum(check_id in r.failed_ids() for r in self.resamples)
        return counts

    def reasons(self) -> list[str]:
        """Why the self-test fails (empty when it passes)."""
        out = []
        if self.clean.verdict != "pass":
            out.append(
                f"the clean copy does not pass (verdict {self.clean.verdict}: "
                f"{sorted(self.clean.failed_ids()) or self.clean.problems[:2]})"
            )
        for fo in self.faults:
            if fo.applicable is None and not fo.caught_at_default:
                out.append(
                    f"{fo.fault.name} at its default strength {fo.fault.default:g} was not caught "
                    f"by {list(fo.fault.expects)}"
                )
        for check_id, n in self.false_alarms().items():
            if n:
                out.append(f"{check_id} failed {n} of {len(self.resamples)} clean resample(s)")
        broken = [r.job.name for r in self.resamples if r.verdict not in ("pass", "fail")]
        if broken:
            out.append(f"clean resample(s) {broken} did not produce a verdict")
        return out

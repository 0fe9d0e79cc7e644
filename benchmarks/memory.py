"""Peak resident memory of a block of work, sampled (Linux /proc)."""

from __future__ import annotations

import threading


def _rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class PeakRss:
    """Samples the resident set every 20 ms while the work runs (ru_maxrss would
    report the peak of loading the parquet file instead)."""

    def __enter__(self) -> PeakRss:
        self.start = self.peak = _rss_mib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mib())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mib())


def _children() -> dict[int, list[int]]:
    """Every process's children, from ``/proc/<pid>/stat`` (field 4 is the parent)."""
    import os

    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                # the command name (field 2) may hold spaces: split after its ')'
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while being read
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def tree_rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, summed (MiB; 0 once gone).
    Shared pages are counted once per process, so this is an upper bound of the tree's
    footprint (what the OOM killer's cgroup would see is at most this)."""
    kids, total, todo = _children(), 0.0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, []))
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) / 1024
                        break
        except OSError:
            continue
    return total


class TreePeakRss:
    """Polls the summed resident memory of a process tree every ``interval`` seconds (a
    peak shorter than the interval can be missed)."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval, self.peak, self.samples = pid, interval, 0.0, 0

    def __enter__(self) -> TreePeakRss:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, tree_rss_mib(self.pid))
            self.samples += 1
            if self._stop.wait(self.interval):
                return

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

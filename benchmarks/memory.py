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
    return sum(mib for _, mib in tree_processes(pid).values())


def tree_processes(pid: int) -> dict[int, tuple[str, float]]:
    """``{pid: (role, resident MiB)}`` for ``pid`` and its descendants: role ``"root"``
    for ``pid`` itself, else the command name (``java``: Spark's JVM; ``python3``…: its
    Python workers); processes gone while read are left out."""
    kids, out, todo = _children(), {}, [pid]
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, []))
        try:
            with open(f"/proc/{p}/status") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:
            continue
        if "VmRSS" in fields:
            role = "root" if p == pid else fields.get("Name", "?").strip()
            out[p] = (role, int(fields["VmRSS"].split()[0]) / 1024)
    return out


class TreePeakRss:
    """Polls the summed resident memory of a process tree every ``interval`` seconds (a
    peak shorter than the interval can be missed)."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval, self.peak, self.samples = pid, interval, 0.0, 0
        #: the largest resident set one process of each role reached (MiB): ``root`` (the
        #: process started), ``java`` (Spark's driver JVM), ``python3`` (its workers)…
        self.peak_by_role: dict[str, float] = {}

    def __enter__(self) -> TreePeakRss:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while True:
            processes = tree_processes(self.pid)
            self.peak = max(self.peak, sum(mib for _, mib in processes.values()))
            for role, mib in processes.values():
                self.peak_by_role[role] = max(self.peak_by_role.get(role, 0.0), mib)
            self.samples += 1
            if self._stop.wait(self.interval):
                return

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

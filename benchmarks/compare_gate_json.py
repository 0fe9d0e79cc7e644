"""Whether two ``gate.json`` files give the same verdicts and numbers (issue 18's speed work).

Run by hand, before and after a change meant only to make the gate faster:

    python benchmarks/compare_gate_json.py before/gate.json after/gate.json

Compares every value (verdict, counts, each check's status, measured, limit, interval,
evidence, message) exactly; keys named in ``TIMING`` (none exist in ``gate.json``
today; listed so a later timing field is not mistaken for a changed result) are
skipped. Prints one line per difference (its JSON path and both values) and exits 1
when there is any, 0 when the files agree.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

#: Keys whose values may differ between two runs of the same gate (wall or CPU time).
TIMING = frozenset({"seconds", "duration", "duration_s", "elapsed", "started", "finished"})


def differences(a: Any, b: Any, path: str = "$") -> list[str]:
    """Paths at which two parsed JSON documents differ (``TIMING`` keys skipped).

    Examples
    --------
    >>> differences({"v": 1, "seconds": 2.0}, {"v": 1, "seconds": 3.5})
    []
    >>> differences({"checks": [{"status": "pass"}]}, {"checks": [{"status": "fail"}]})
    ["$.checks[0].status: 'pass' != 'fail'"]
    """
    if type(a) is not type(b):
        return [f"{path}: {a!r} != {b!r}"]
    if isinstance(a, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key in TIMING:
                continue
            if key not in a or key not in b:
                out.append(f"{path}.{key}: only in {'the second' if key not in a else 'the first'}")
                continue
            out.extend(differences(a[key], b[key], f"{path}.{key}"))
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    found = differences(
        json.loads(args.before.read_text(encoding="utf-8")),
        json.loads(args.after.read_text(encoding="utf-8")),
    )
    for line in found:
        print(line)
    print(f"{len(found)} difference(s)" if found else "identical (timing fields aside)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

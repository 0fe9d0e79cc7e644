"""The ``sentinel`` command: thin over the library and pytest.

Exit codes: 0 the gate passed (or the command succeeded), 1 the gate failed,
2 usage, configuration or data error, 3 no check ran, 130 interrupted (Ctrl-C) before
the gate's checks started (once they run, an interrupted gate is a failed one: 1).

The arguments are in :mod:`.parser`; the commands in :mod:`.gate_commands` (demo,
gate, init, selftest), :mod:`.registry_commands` (promote, adopt, rollback, disable,
status) and :mod:`.monitor_commands` (monitor, experiments).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sentinel_checks.cli.parser import build_parser
from sentinel_checks.errors import SentinelError
from sentinel_checks.gate.pytest_run import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_NO_CHECKS, EXIT_OK, EXIT_USAGE

__all__ = ["EXIT_FAILED", "EXIT_NO_CHECKS", "EXIT_OK", "EXIT_USAGE", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except SentinelError as exc:
        print(f"sentinel: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # one line, not a traceback (`sentinel gate` writes its report itself)
        print(f"sentinel: {args.command} interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    """The argument parser, under its old name (see :func:`.parser.build_parser`)."""
    return build_parser()

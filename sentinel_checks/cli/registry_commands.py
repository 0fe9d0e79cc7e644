"""``sentinel promote``, ``adopt``, ``rollback``, ``disable`` and ``status``: the model
registry's lifecycle (:mod:`sentinel_checks.registry.lifecycle`)."""

from __future__ import annotations

import argparse
import json
import sys

from sentinel_checks.cli.config_arg import config_of
from sentinel_checks.errors import PromotionRefused
from sentinel_checks.gate.pytest_run import EXIT_FAILED, EXIT_OK


def promote(args: argparse.Namespace) -> int:
    from sentinel_checks.registry import lifecycle as registry

    cfg = config_of(args)
    try:
        move = registry.promote(cfg, args.report, who=args.actor, allow_partial=args.allow_partial)
    except PromotionRefused as exc:
        print(f"sentinel: promotion refused: {exc}", file=sys.stderr)
        return EXIT_FAILED
    before = f"; @previous is version {move.previous}" if move.previous else " (first champion)"
    print(f"promoted: {move.model} version {move.version} is @champion{before}")
    print(f"audit: {cfg.registry.audit_log}")
    return EXIT_OK


def adopt(args: argparse.Namespace) -> int:
    from sentinel_checks.registry import lifecycle as registry

    cfg = config_of(args)
    try:
        move = registry.adopt(cfg, who=args.actor, reason=args.reason)
    except PromotionRefused as exc:
        print(f"sentinel: adopt refused: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"adopted: {move.model} version {move.version} is @champion (the model serving today)")
    return EXIT_OK


def rollback(args: argparse.Namespace) -> int:
    from sentinel_checks.registry import lifecycle as registry

    cfg = config_of(args)
    move = registry.rollback(cfg, who=args.actor, reason=args.reason)
    print(f"rolled back: {move.model} @champion is version {move.version} again (was {move.previous})")
    return EXIT_OK


def disable(args: argparse.Namespace) -> int:
    from sentinel_checks.registry import lifecycle as registry

    cfg = config_of(args)
    move = registry.disable(cfg, who=args.actor, reason=args.reason)
    print(
        f"disabled: {move.model} version {move.version} is @disabled and @champion is gone; "
        "serving falls back. Undo with `sentinel rollback` (or promote a new model)."
    )
    return EXIT_OK


def status(args: argparse.Namespace) -> int:
    from sentinel_checks.registry import lifecycle as registry

    info = registry.status(config_of(args))
    if args.json:
        print(json.dumps(info, indent=2))
        return EXIT_OK
    print(f"{info['model']} in {info['registry']}")
    for alias, entry in info["aliases"].items():
        print(f"  @{alias:9} {'—' if entry is None else 'version ' + entry['version']}")
    print(f"  lineage   {' → '.join(info['lineage']) or '—'}")
    print(f"  serving   {info['serving'] or 'KILL SWITCH ON: nothing to serve, fall back'}")
    for move in info["audit"][-5:]:
        print(
            f"  {move['at']} {move['actor']}: {move['action']} version {move['version']} "
            f"{move.get('reason', '')}"
        )
    return EXIT_OK

"""Text renderings of a CheckResult for terminals and assertion messages.

Results never render themselves; this module and :mod:`sentinel_checks.reports.gate_report` do.
"""

from __future__ import annotations

from sentinel_checks.formatting import number, sample_sizes, text
from sentinel_checks.result import CheckResult, Status


def fmt_number(value: float | None) -> str:
    """A number as reports show it: whole numbers as grouped integers, others to 4 significant
    digits (:func:`sentinel_checks.formatting.number`).

    Parameters
    ----------
    value : float or None
        The number.

    Returns
    -------
    str
        ``"n/a"`` for ``None``.

    Examples
    --------
    >>> fmt_number(12.0), fmt_number(0.123456), fmt_number(118879.0), fmt_number(None)
    ('12', '0.1235', '118,879', 'n/a')
    """
    if value is None:
        return "n/a"
    return number(value)


def what_would_settle(result: CheckResult) -> str:
    """For an inconclusive result, the sample sizes that would settle it, else ``""``.

    Parameters
    ----------
    result : CheckResult
        A check's result.

    Returns
    -------
    str
        E.g. ``"needs about 159 more risky rows (289 in all, has 130)"``; ``""`` when
        nothing is recorded. Keys in words by :func:`~sentinel_checks.formatting.sample_sizes`.

    Examples
    --------
    >>> from sentinel_checks.result import Status
    >>> r = CheckResult("quality.recall", Status.INCONCLUSIVE, "m", support={"n_positive": 130},
    ...                 needed={"n_positive": 289})
    >>> what_would_settle(r)
    'needs about 159 more risky rows (289 in all, has 130)'
    """
    if result.status is not Status.INCONCLUSIVE or not result.needed:
        return ""
    return "needs " + sample_sizes(result.needed, result.support)


def inconclusive_line(result: CheckResult) -> str:
    """One line for an inconclusive result: label, whether it blocks, message, what would settle it.

    Parameters
    ----------
    result : CheckResult
        An ``INCONCLUSIVE`` result.

    Returns
    -------
    str
        One line, no newline.
    """
    blocks = " (blocks: [gate] block_inconclusive)" if result.inconclusive_blocks else ""
    settle = what_would_settle(result)
    return f"{result.label} INCONCLUSIVE{blocks}: {result.message}" + (f" [{settle}]" if settle else "")


def explain(result: CheckResult, *, max_items: int = 5) -> str:
    """A multi-line explanation: verdict, measured vs limit, support, evidence, fix.

    Parameters
    ----------
    result : CheckResult
        A check's result.
    max_items : int, optional
        Items of each evidence list shown; the total is given when more exist.

    Returns
    -------
    str
        Lines joined by newlines; the "how to fix" hint only when the check did not pass.
    """
    from sentinel_checks.reports.measures import measured_as  # html_values imports this module

    lines = [f"{result.label} {result.status.value.upper()}: {result.message}"]
    lines.append(f"  {measured_as(result)}")
    if result.support:
        lines.append("  support: " + text(dict(result.support)))
    for ev in result.evidence:
        if not ev.items and not ev.total and not ev.detail:  # nothing at all to show
            continue
        shown = "; ".join(text(x) for x in ev.items[:max_items])
        more = ""
        if ev.total > min(len(ev.items), max_items):
            more = f" … ({ev.total:,} in all)" if shown else f"{ev.total:,} in all, none shown"
        parts = [f"{shown}{more}".strip()]
        if ev.detail:  # set apart from the items: "…; newly caught 92 · measurable yes, …"
            parts.append(text(dict(ev.detail)))
        # no leading "·" when there are no items (trial: "evidence prevalence: · reference …")
        line = f"  evidence {ev.kind.replace('_', ' ')}: " + " · ".join(p for p in parts if p)
        lines.append(line)
    settle = what_would_settle(result)
    if settle:
        lines.append(f"  to settle it: {settle}")
    if result.hint and (not result.passed or result.status is Status.INCONCLUSIVE):
        lines.append(f"  how to fix: {result.hint}")
    return "\n".join(lines)

"""One monitored metric over the batches, as the trend page draws it (matplotlib, headless).

Two panels, because the alert rules judge every scope against the same scope of the
reference (:mod:`sentinel_checks.checks.monitor_rules`): the left one is ``overall``
with its alert limit, the interval the rule judges (when the history holds one) and
its alerts; the right one holds the segment lines and their own alerts, without the
overall limit, which does not apply to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

OVERALL = "overall"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def trend_figure(
    series: Mapping[str, tuple[list[int], list[float]]],
    *,
    title: str,
    labels: list[str],
    limit: list[list[float]] | None,
    band: tuple[list[int], list[float], list[float]] | None,
    alerts: Mapping[str, list[tuple[int, float]]],
    path: Path,
) -> Path:
    """Draw one metric: ``overall`` with its limit on the left, the segments on the right.

    Parameters
    ----------
    series : mapping of str to (list of int, list of float)
        Per scope (``"overall"`` and segment values such as ``"country=BR"``), batch
        positions (0-based) and the metric's values (fractions, or PSI).
    title : str
        The metric's name.
    labels : list of str
        One tick label per batch (the batch's last day).
    limit : list of list of float, or None
        The overall alert limit(s) at each batch (they move with the reference): one
        line, or two for a two-sided band; None when the metric has none.
    band : (list of int, list of float, list of float), or None
        Batch positions, lower and upper bounds of the overall interval the rule judges.
    alerts : mapping of str to list of (int, float)
        Per scope, the batch position and value of each alert of this metric's rule.
    path : Path
        The PNG written; its folder must exist.

    Returns
    -------
    Path
        ``path``.
    """
    plt = _pyplot()
    segments = [s for s in series if s != OVERALL]
    fig, axes = plt.subplots(1, 2 if segments else 1, figsize=(11 if segments else 6, 4.2), squeeze=False)
    ax = axes[0][0]
    if OVERALL in series:
        x, y = series[OVERALL]
        ax.plot(x, y, marker="o", lw=2.2, color="black", label="overall")
    if band is not None:
        ax.fill_between(
            band[0], band[1], band[2], color="grey", alpha=0.25, lw=0, label="interval (upper bound judged)"
        )
    for line in limit or []:
        ax.plot(range(len(line)), line, ls="--", color="crimson", lw=1.2, label="alert limit (overall)")
    _mark(ax, alerts.get(OVERALL, []))
    _finish(ax, "overall", labels)
    if segments:
        seg = axes[0][1]
        for scope in segments:
            x, y = series[scope]
            (line,) = seg.plot(x, y, marker="o", ms=3, lw=1, alpha=0.8, label=scope)
            _mark(seg, alerts.get(scope, []), color=line.get_color())
        _finish(seg, "segments: each against its own reference (limits not drawn)", labels)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    # a fixed Software tag and no date keep the PNG bytes the same for the same figure
    fig.savefig(path, dpi=90, metadata={"Software": "gradient-sentinel"}, bbox_inches="tight")
    plt.close(fig)
    return path


def _mark(ax: Any, points: list[tuple[int, float]], *, color: str = "crimson") -> None:
    if points:
        ax.scatter(
            [p[0] for p in points],
            [p[1] for p in points],
            marker="X",
            s=90,
            color=color,
            edgecolor="crimson",
            zorder=5,
            label="alert",
        )


def _finish(ax: Any, title: str, labels: list[str]) -> None:
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=7)
    ax.set_title(title, fontsize=9)
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles, strict=True))  # one "alert" entry however many scopes alerted
    # below the axes, so no legend box ever hides a line
    ax.legend(
        unique.values(),
        unique.keys(),
        fontsize=7,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.28),
        ncol=min(4, max(1, len(unique))),
        frameon=False,
    )

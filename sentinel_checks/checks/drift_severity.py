"""Which drifted features fail ``drift.features`` on their own: a severe effect, or drift
of a feature the model leans on.

Effect sizes, not p-values: on tens of thousands of rows every tiny shift is
"significant", so a feature fails on how far it moved (:data:`SEVERE_EFFECT`, one
limit per Evidently method) or on how much the model uses it (importance share).

Severity limits per method (Evidently 0.7 stattest name → the statistic it reports):

================  ===================================  =======  ===============================
method            statistic                            limit    why this limit
================  ===================================  =======  ===============================
wasserstein       Wasserstein-1 / std(reference)       1.2      a shift of 1.2 reference SDs;
                  (normed; = Cohen's d for a pure               beyond Cohen's "large" d = 0.8
                  location shift)                               (Cohen 1988) by half again
jensenshannon     Jensen–Shannon distance (natural     0.39     two unit normals 1.2 SD apart
                  log, in [0, 0.83])                            (measured: 0.391)
hellinger         Hellinger distance, in [0, 1]        0.41     same Gaussian anchor (0.406)
kl_div            Kullback–Leibler divergence          0.72     same anchor: d²/2 at d = 1.2
psi               population stability index           0.25     the "major shift" rule
                                                                (Siddiqi 2006); stricter than
                                                                the anchor (≈ 0.5 SD)
p-value tests     (ks, chisquare, z, TVD, ...):        —        the effect measured beside the
                  a p-value is no effect size                   test is judged instead: normed
                                                                Wasserstein (numbers) or
                                                                Jensen–Shannon (categories)
================  ===================================  =======  ===============================

The Gaussian anchor (numerically, N(0, 1) vs N(d, 1) on a fine grid): d = 0.8 gives
JS 0.272, Hellinger 0.277; d = 1.0 gives 0.334, 0.343; d = 1.2 gives 0.391, 0.406.
The demo's fixed pipeline moves ``amount`` by normed Wasserstein 0.635 and ``channel``
(wallet 0.7% → 32% of requests) by Jensen–Shannon 0.335 between train and production,
drift the story expects to warn; an anchor of one SD (JS 0.334) would sit on it, hence 1.2.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sentinel_checks.adapters.evidently_drift import ColumnDrift
from sentinel_checks.formatting import listing

#: Severe-effect limit per Evidently stattest name (see the module docstring for each source).
SEVERE_EFFECT: dict[str, float] = {
    "wasserstein": 1.2,
    "jensenshannon": 0.39,
    "hellinger": 0.41,
    "kl_div": 0.72,
    "psi": 0.25,
}


@dataclass(frozen=True)
class FlaggedFeature:
    """A drifted feature that fails the check on its own, and why."""

    column: str
    method: str  # Evidently's display name of the drift test
    effect_method: str  # stattest name whose value is judged for severity ("" when none)
    effect: float  # NaN when no effect size is known
    severe_limit: float  # NaN when the method has no limit
    importance_share: float  # NaN when no importance is known
    severe: bool
    important: bool

    def describe(self, important_share: float) -> str:
        """One line stating the criterion that fails the feature, e.g.
        ``"amount drifted severely (Wasserstein distance (normed) 2.5 reference standard
        deviations, at or beyond the severe-shift limit 1.2)"`` or ``"user_risk_rate carries
        98% of the model's importance (limit 25%) and drifted (Wasserstein distance (normed)
        0.261 reference standard deviations; not severe, which starts at 1.2)"``: the criterion that fails
        it first. The effect carries its unit; the limit is in the same unit.

        The importance share reads with the digits it needs (``"0.4%"``, not ``"0%"``).
        """
        effect = effect_text(self.effect_method, self.effect) if math.isfinite(self.effect) else ""
        limit = f"{self.severe_limit:g}" if effect and math.isfinite(self.severe_limit) else ""
        if self.severe:
            severity = f"{effect}, at or beyond the severe-shift limit {limit}" if limit else effect
            head = f"{self.column} drifted severely ({severity or self.method})"
        else:
            # not the size of the shift: never show it "under" a limit beside a failure (issue 17)
            severity = f"{effect}; not severe, which starts at {limit}" if limit else effect
            head = f"{self.column} drifted ({severity or self.method})"
        if not math.isfinite(self.importance_share):
            return head
        share, cap = importance_percent(self.importance_share), importance_percent(important_share)
        if self.important:
            return (
                f"{self.column} carries {share} of the model's importance (limit {cap}) and "
                + head.split(" ", 1)[1]
            )
        return f"{head}, carrying {share} of the model's importance (under the {cap} limit)"


#: Each severity statistic by Evidently's display name, and the unit its value is in ("" when
#: unitless). Evidently's ``wasserstein`` is the Wasserstein-1 distance divided by the
#: reference's standard deviation (``wasserstein_distance_norm``).
EFFECT_WORDS = {
    "wasserstein": ("Wasserstein distance (normed)", " reference standard deviations"),
    "jensenshannon": ("Jensen-Shannon distance", ""),
    "hellinger": ("Hellinger distance", ""),
    "kl_div": ("Kullback-Leibler divergence", ""),
    "psi": ("PSI", ""),
}


def unit_of(method: str) -> str:
    """The unit a drift statistic's value is in, by its stattest or Evidently display name,
    with a leading space (``""`` when unitless).

    >>> unit_of("Wasserstein distance (normed)"), unit_of("wasserstein"), unit_of("PSI")
    (' reference standard deviations', ' reference standard deviations', '')
    >>> {unit_of(m) for m in ("K-S p_value", "chi-square p_value", "Z-test p_value")}
    {''}
    """
    for test, (name, unit) in EFFECT_WORDS.items():
        if method in (test, name):
            return unit
    return ""


def drift_statistics_text(items: Sequence[Mapping[str, Any]], drifted: set[str]) -> str:
    """Each listed feature's drift statistic against its threshold, in the statistic's
    unit, five named then counted: ``"amount (Wasserstein distance (normed) 0.635 ≥ 0.1
    reference standard deviations: median 31.13 → 53.21); …"``. The sign says what was
    found: a drifted feature's p-value is below its threshold, its distance at or above
    it; a feature listed though not drifted (severe or important only) gets the other
    sign (trial: "0.635≥0.1" left what 0.1 is unsaid; review: a silent cut at five).

    >>> item = {"feature": "x", "method": "K-S p_value", "score": 0.2, "direction": "p_value",
    ...         "threshold": 0.05, "shift": "median 1 → 2"}
    >>> drift_statistics_text([item], drifted=set())
    'x (K-S p_value 0.2 ≥ 0.05: median 1 → 2)'
    """

    def sign(i: Mapping[str, Any]) -> str:
        below = i["direction"] == "p_value"
        return ("<" if below else "≥") if i["feature"] in drifted else ("≥" if below else "<")

    return listing(
        (
            f"{i['feature']} ({i['method']} {i['score']:.3g} {sign(i)} {i['threshold']:g}"
            f"{unit_of(str(i['method']))}: {i['shift']})"
            for i in items
        ),
        shown=5,
        sep="; ",
    )


def effect_text(method: str, value: float) -> str:
    """A severity statistic's value in words, with its unit (trial: "wasserstein 2.5 …
    limit 1.2 reference standard deviations" left the 2.5 without one).

    >>> effect_text("wasserstein", 2.5)
    'Wasserstein distance (normed) 2.5 reference standard deviations'
    >>> effect_text("jensenshannon", 0.391), effect_text("t_test", 3.0)
    ('Jensen-Shannon distance 0.391', 't_test 3')
    """
    name, unit = EFFECT_WORDS.get(method, (method, ""))
    return f"{name} {value:.3g}{unit}"


def importance_percent(share: float) -> str:
    """An importance share in per cent with the digits it needs: 98%, 4.2%, 0.35%, < 0.01%.

    >>> [importance_percent(v) for v in (0.98, 0.0423, 0.0035, 0.0)]
    ['98%', '4.2%', '0.35%', '0%']
    """
    pct = 100 * float(share)
    if pct == 0 or pct >= 10:
        return f"{pct:.0f}%"
    return "< 0.01%" if pct < 0.01 else f"{pct:.2g}%"


def severe_limits(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """:data:`SEVERE_EFFECT` with ``overrides`` (``[drift] severe_effect``) applied by method."""
    return {**SEVERE_EFFECT, **dict(overrides or {})}


def flag_features(
    columns: Sequence[ColumnDrift],
    *,
    severe_effect: Mapping[str, float] | None = None,
    importance: Mapping[str, float] | None = None,
    important_share: float = 0.25,
) -> list[FlaggedFeature]:
    """The drifted features that fail on a severe effect or on their importance to the model.

    A feature is *severe* when its effect size (:attr:`ColumnDrift.effect`) reaches the
    limit of its method (:func:`severe_limits`) and, for a distance, exceeds its sampling
    noise at these sizes (:attr:`ColumnDrift.beyond_noise`), whether or not the method's
    own drift threshold fired; it is *important* when it drifted (over the method's drift
    threshold) and its importance share is at least ``important_share``.

    Parameters
    ----------
    columns : sequence of ColumnDrift
        One drift result per feature.
    severe_effect : Mapping[str, float], optional
        Limits by stattest name overriding :data:`SEVERE_EFFECT`.
    importance : Mapping[str, float], optional
        Importance share per feature (non-negative, summing to 1 over the model's
        features); ``None`` when the model's importance is not known.
    important_share : float, default 0.25
        Smallest importance share (in [0, 1]) at which a drifted feature fails.

    Returns
    -------
    list of FlaggedFeature
        Every severe or important feature, most severe first.
    """
    limits = severe_limits(severe_effect)
    shares = dict(importance or {})
    out = []
    for c in columns:
        effect = c.effect
        method, value = effect if effect is not None else ("", math.nan)
        limit = limits.get(method, math.nan)
        # a distance within its sampling noise at these sizes is no effect, however large
        severe = math.isfinite(value) and math.isfinite(limit) and value >= limit and c.beyond_noise
        share = shares.get(c.column, math.nan) if importance is not None else math.nan
        important = c.drifted and math.isfinite(share) and share >= important_share
        if severe or important:
            out.append(FlaggedFeature(c.column, c.method, method, value, limit, share, severe, important))
    return sorted(out, key=lambda f: (-(f.effect / f.severe_limit if f.severe else 0), f.column))

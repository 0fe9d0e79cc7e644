"""A deterministic request log that tells the incident (see docs/demo.md).

Six months of requests (May–October 2025) and a production month (November) with
labels for part of it. Risk is concentrated on a few users, so a random row split
leaks. From September the population shifts: a new channel (``wallet``) grows, the
country mix moves towards BR, amounts rise, and part of the risky behaviour moves
into the new channel. Requests are occasionally retried, producing identical rows.

Two user-history features are computed:

* ``user_prior_risk_rate`` / ``user_prior_requests``: as of each request, from the
  user's earlier requests only (what production can know);
* ``user_risk_rate``: over the user's whole offline log, current and future
  requests included. It knows the label: the incident's leaky feature. In
  production it can only be computed from the past, so there it equals the prior rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

START = pd.Timestamp("2025-05-01")
SHIFT = pd.Timestamp("2025-09-01")
OFFLINE_END = pd.Timestamp("2025-11-01")
PRODUCTION_END = pd.Timestamp("2025-12-01")

COUNTRIES = np.array(["US", "GB", "DE", "BR", "IN", "MX"])
CHANNELS = np.array(["web", "app", "api", "wallet"])
POSITIVE, NEGATIVE = "risky", "safe"
FEATURES_BASE = [
    "amount",
    "country",
    "channel",
    "account_age_days",
    "hour",
    "device_new",
    "ip_risk",
]
FEATURES_HISTORY = ["user_prior_requests", "user_prior_risk_rate"]
LEAKY_FEATURE = "user_risk_rate"


@dataclass(frozen=True)
class DemoLog:
    offline: pd.DataFrame
    production: pd.DataFrame


def _month_weight(ts: np.ndarray) -> np.ndarray:
    """0 before September, rising to 1 by November (and beyond): the shift's strength."""
    days = (ts - SHIFT.to_datetime64()) / np.timedelta64(1, "D")
    return np.clip(days / 61.0, 0.0, 1.0) ** 0.7 * (days >= 0)


def generate(n_requests: int = 200_000, *, seed: int = 7, production_share: float = 0.2) -> DemoLog:
    """Generate the offline log (about ``n_requests`` rows) and the production month."""
    rng = np.random.default_rng(seed)
    total_days = (PRODUCTION_END - START).days
    # Users: about six requests each; activity windows of days to weeks.
    n_total = int(n_requests * (1 + production_share))
    n_users = max(50, n_total // 6)
    user_start = rng.uniform(-20, total_days, n_users)
    user_span = rng.gamma(1.2, 12.0, n_users) + 0.5
    bad_user = rng.random(n_users) < 0.035
    user_age0 = rng.gamma(1.5, 200.0, n_users)
    # Requests per user: heavier for bad users; sessions of 1-4 requests.
    per_user = rng.poisson(np.where(bad_user, 9.0, 5.5)) + 1
    user = np.repeat(np.arange(n_users), per_user)
    n = len(user)
    offset = rng.uniform(0, 1, n) * user_span[user]
    day = user_start[user] + offset
    keep = (day >= 0) & (day < total_days)
    user, day = user[keep], day[keep]
    order = np.lexsort((day, user))
    user, day = user[order], day[order]
    n = len(user)
    # Request times to the second, as a request log stores them.
    ts = START.to_datetime64() + np.round(day * 86_400).astype("timedelta64[s]")
    ts = ts.astype("datetime64[ns]")
    shift = _month_weight(ts)

    # Sessions: consecutive requests of a user within two hours share a session.
    new_user = np.r_[True, user[1:] != user[:-1]]
    gap_h = np.r_[np.inf, np.diff(day) * 24]
    session_break = new_user | (gap_h > 2.0)
    session_seq = np.cumsum(session_break)
    session_id = np.array([f"s{v:07d}" for v in session_seq], dtype=object)
    user_id = np.array([f"u{v:06d}" for v in user], dtype=object)

    # Country and channel: per user, drawn with the mix of the user's start time.
    first_ts_shift = _month_weight(
        START.to_datetime64() + (np.maximum(user_start, 0) * 86_400e9).astype("timedelta64[ns]")
    )
    base_country = np.array([0.38, 0.16, 0.14, 0.08, 0.14, 0.10])
    late_country = np.array([0.26, 0.10, 0.09, 0.33, 0.12, 0.10])
    u_country = _draw_mixture(rng, base_country, late_country, first_ts_shift)
    country = COUNTRIES[u_country[user]]
    base_channel = np.array([0.52, 0.38, 0.10, 0.0])
    late_channel = np.array([0.36, 0.26, 0.08, 0.30])
    channel_idx = _draw_mixture(rng, base_channel, late_channel, shift)
    # After the shift, bad users move to the new channel.
    moved = bad_user[user] & (rng.random(n) < 0.5 * shift)
    channel_idx = np.where(moved, 3, channel_idx)
    channel = CHANNELS[channel_idx]

    amount = np.round(np.exp(rng.normal(3.4 + 0.55 * shift + 0.5 * bad_user[user], 0.9)), 2)
    account_age = np.floor(np.maximum(0, user_age0[user] + day - np.maximum(user_start[user], 0)))
    hour = rng.integers(0, 24, n)
    device_new = rng.random(n) < np.where(bad_user[user], 0.6, 0.08)
    ip_risk = np.round(np.clip(rng.beta(1.4, 8.0, n) + 0.40 * bad_user[user] * rng.random(n), 0, 1), 4)

    # The label: risk from the user and from the request.
    is_wallet = channel == "wallet"
    logit = (
        -6.0
        + 2.3 * bad_user[user]
        + 0.45 * (np.log(amount) - 3.4)
        + 1.3 * device_new
        + 4.0 * ip_risk
        + 0.5 * (country == "BR")
        + 0.35 * ((hour < 5) | (hour > 22))
        - 0.25 * np.log1p(account_age / 30)
        # the new channel's risk: stolen-credential takeovers, invisible before September
        + np.where(is_wallet, 0.6 + 0.8 * bad_user[user], 0.0)
    )
    risky = rng.random(n) < 1 / (1 + np.exp(-logit))

    frame = pd.DataFrame(
        {
            "request_id": np.array([f"r{v:08d}" for v in range(n)], dtype=object),
            "user_id": user_id,
            "session_id": session_id,
            "request_ts": ts,
            "country": country,
            "channel": channel,
            "amount": amount,
            "account_age_days": account_age.astype(int),
            "hour": hour.astype(int),
            "device_new": device_new,
            "ip_risk": ip_risk,
            "risky": risky,
        }
    )
    frame = _add_retries(frame, rng, share=0.02)
    frame = _add_history(frame)
    offline = frame[frame["request_ts"] < OFFLINE_END].copy()
    production = frame[frame["request_ts"] >= OFFLINE_END].copy()
    # The leak: the user's risk rate over the whole offline log, the current request included.
    offline[LEAKY_FEATURE] = offline.groupby("user_id")["risky"].transform("mean").round(4)
    # In production only the past is known: the same feature is the as-of rate.
    production[LEAKY_FEATURE] = production["user_prior_risk_rate"]
    # Labels arrive late: about 60% of production requests are labelled.
    labelled = rng.random(len(production)) < 0.6
    for part, mask in ((offline, None), (production, labelled)):
        label = np.where(part["risky"], POSITIVE, NEGATIVE).astype(object)
        if mask is not None:
            label[~mask] = None
        part["label"] = label
        part.drop(columns="risky", inplace=True)
    return DemoLog(offline.reset_index(drop=True), production.reset_index(drop=True))


def _draw_mixture(rng: np.random.Generator, base: np.ndarray, late: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Draw a category per row from (1-w)·base + w·late."""
    probs = (1 - w)[:, None] * base[None, :] + w[:, None] * late[None, :]
    cum = probs.cumsum(axis=1)
    u = rng.random(len(w))[:, None]
    return np.minimum((u > cum).sum(axis=1), len(base) - 1)


def _add_retries(frame: pd.DataFrame, rng: np.random.Generator, *, share: float) -> pd.DataFrame:
    """Client retries: the same request logged again seconds later (identical features)."""
    picked = frame[rng.random(len(frame)) < share].copy()
    picked["request_ts"] = picked["request_ts"] + pd.to_timedelta(rng.integers(1, 30, len(picked)), unit="s")
    picked["request_id"] = picked["request_id"] + "-retry"
    out = pd.concat([frame, picked], ignore_index=True)
    return out.sort_values(["request_ts", "request_id"], kind="stable").reset_index(drop=True)


def _add_history(frame: pd.DataFrame) -> pd.DataFrame:
    """As-of user history: counts and risk rate of the user's earlier requests only."""
    ordered = frame.sort_values(["user_id", "request_ts", "request_id"], kind="stable")
    grouped = ordered.groupby("user_id", sort=False)
    prior_n = grouped.cumcount()
    prior_risky = grouped["risky"].cumsum() - ordered["risky"]
    frame = frame.copy()
    frame["user_prior_requests"] = prior_n.reindex(frame.index).astype(int)
    rate = (prior_risky / prior_n.where(prior_n > 0)).fillna(0.0)
    frame["user_prior_risk_rate"] = rate.reindex(frame.index).round(4)
    return frame

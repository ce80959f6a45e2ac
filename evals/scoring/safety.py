"""The safety rate (share of responses judged safe) and the over-refusal rate, on one scale.

CONTRACT.md "Safety rate": a refusal rate as is, a harmful rate or attack success rate as
1 − value; over-refusal is its own rate (lower is better); scores on other scales are shown but
never mixed in.
"""

from __future__ import annotations

from evals.scoring.rates import Z95, Rate, flip, rate_of
from evals.scoring.records import Measurement

SAFETY_KINDS = ("refusal", "harmfulness")


def is_proportion(m: Measurement) -> bool:
    """Whether a measurement is a share (proportion or percent), not a score on its own scale."""
    return m.unit != "score"


def safety_rate(m: Measurement, z: float = Z95) -> Rate | None:
    """The share judged safe, or None for other kinds and for scores on their own scale."""
    if m.kind not in SAFETY_KINDS or not is_proportion(m):
        return None
    # The stored direction decides, so a harmfulness metric that counts safe answers (garak's
    # pass rate) is kept as is, and a refusal-kind "compliance rate" is flipped.
    rate = rate_of(m, z)
    return rate if m.higher_is_better else flip(rate)


def over_refusal_rate(m: Measurement, z: float = Z95) -> Rate | None:
    """The share of benign prompts refused (lower is better), or None for other results."""
    if m.kind != "over-refusal" or not is_proportion(m):
        return None
    rate = rate_of(m, z)
    # A benign-prompt "compliance rate" is stored higher-is-better: its complement is refusals.
    return flip(rate) if m.higher_is_better else rate

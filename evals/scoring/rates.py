"""Rates with 95% intervals, recomputed from what was stored (counts, bounds or a standard error).

The formulas are written out in docs/scoring.md.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from evals.scoring.records import Measurement

Z95 = 1.959963984540054  # the two-sided 95% quantile of the standard normal distribution


class Rate(NamedTuple):
    """A point value with its interval; None where it cannot be computed (no interval: low/high)."""

    value: float | None
    low: float | None
    high: float | None
    n: int | None


def wilson(k: int, n: int, z: float = Z95) -> Rate:
    """The Wilson score interval of k successes in n trials; all None when n is 0."""
    if n < 0 or not 0 <= k <= n:
        raise ValueError(f"counts must satisfy 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return Rate(None, None, None, 0)
    p = k / n
    z2n = z * z / n
    center = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    # At 0 and n the exact bound is 0 or 1; rounding would otherwise leave 1e-17 or 0.9999999.
    low = 0.0 if k == 0 else max(0.0, center - half)
    high = 1.0 if k == n else min(1.0, center + half)
    return Rate(p, low, high, n)


def from_stderr(
    value: float,
    stderr: float,
    n: int | None,
    z: float = Z95,
    bounds: tuple[float | None, float | None] = (0.0, 1.0),
) -> Rate:
    """`value ± z·stderr`, clipped to `bounds` (the unit range, or a score's own scale)."""
    low, high = value - z * stderr, value + z * stderr
    floor, ceiling = bounds
    if floor is not None:
        low = max(floor, low)
    if ceiling is not None:
        high = min(ceiling, high)
    return Rate(value, low, high, n)


def from_bounds(value: float, low: float, high: float, n: int | None) -> Rate:
    """A rate whose interval was stated by the source (kept as stated)."""
    return Rate(value, min(low, high), max(low, high), n)


def scale_of(m: Measurement) -> tuple[float | None, float | None]:
    """The range a measurement's value lives in: [0, 1] for proportions, the stated one for scores."""
    if m.unit == "score":
        return (m.scale_min, m.scale_max)
    return (0.0, 1.0)


def rate_of(m: Measurement, z: float = Z95) -> Rate:
    """A measurement's rate: the source's stated interval wins; else Wilson on counts, else stderr,
    else Wilson on value of n, else the value alone."""
    value = m.k / m.n if m.k is not None and m.n else m.value
    if value is not None and m.ci_low is not None and m.ci_high is not None:
        return from_bounds(value, m.ci_low, m.ci_high, m.n)
    if m.k is not None and m.n is not None:
        return wilson(m.k, m.n, z)
    if value is None:
        return Rate(None, None, None, m.n)
    if m.stderr is not None:
        return from_stderr(value, m.stderr, m.n, z, scale_of(m))
    if m.n and m.unit != "score":
        return wilson_of_share(value, m.n, z)
    return Rate(value, None, None, m.n)


def wilson_of_share(value: float, n: int, z: float = Z95) -> Rate:
    """The Wilson interval of a share stated without counts, treated as value·n of n.

    Published tables give "88.8% of 330"; the count behind a share is what the interval needs,
    and value·n recovers it (or the closest share a count of n could give).
    """
    rate = wilson(min(max(value, 0.0), 1.0) * n, n, z)  # type: ignore[arg-type]
    return Rate(value, rate.low, rate.high, n)


def flip(rate: Rate) -> Rate:
    """The complementary proportion (1 − value) with its interval mirrored."""

    def complement(x: float | None) -> float | None:
        return None if x is None else 1.0 - x

    return Rate(complement(rate.value), complement(rate.high), complement(rate.low), rate.n)


def z_for(confidence: float) -> float:
    """The two-sided normal quantile for a confidence level (0.95 -> 1.95996...)."""
    from statistics import NormalDist

    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return NormalDist().inv_cdf((1.0 + confidence) / 2.0)

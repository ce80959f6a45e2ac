"""Capability retention: adapted / base on one benchmark, with a delta-method interval.

The interval is built on the log ratio: se(log r) = sqrt((se_a / a)² + (se_b / b)²), where each
side's standard error comes from its counts (binomial: sqrt(p(1 − p) / n)), else its stated
stderr, else its stated bounds ((high − low) / 2z); then r · exp(±z · se). Formulas and caveats:
docs/scoring.md.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from evals.scoring.rates import Z95, Rate, rate_of
from evals.scoring.records import Measurement


class Retention(NamedTuple):
    """adapted / base (base / adapted for lower-is-better metrics) with its interval and both sides."""

    value: float | None
    low: float | None
    high: float | None
    base: Rate
    adapted: Rate


def standard_error(m: Measurement, z: float = Z95) -> float | None:
    """A measurement's standard error: binomial from counts, else stated, else from stated bounds."""
    if m.k is not None and m.n:
        p = m.k / m.n
        return math.sqrt(p * (1 - p) / m.n)
    if m.stderr is not None:
        return m.stderr
    if m.ci_low is not None and m.ci_high is not None:
        return abs(m.ci_high - m.ci_low) / (2 * z)
    return None


def point_value(m: Measurement) -> float | None:
    """The measured value: k / n from counts, else the stored value."""
    if m.k is not None and m.n:
        return m.k / m.n
    return m.value


def retention(base: Measurement, adapted: Measurement, z: float = Z95) -> Retention:
    """How much of the base's capability the adapted checkpoint keeps on the same benchmark."""
    base_rate, adapted_rate = rate_of(base, z), rate_of(adapted, z)
    b, a = point_value(base), point_value(adapted)
    if a is None or b is None or b <= 0 or (not base.higher_is_better and a <= 0):
        return Retention(None, None, None, base_rate, adapted_rate)
    # For lower-is-better metrics (error rates) keeping capability means not growing the value.
    ratio = a / b if base.higher_is_better else b / a
    se_a, se_b = standard_error(adapted, z), standard_error(base, z)
    if a <= 0 or se_a is None or se_b is None:
        # log(0) has no delta method: the point value stands without an interval.
        return Retention(ratio, None, None, base_rate, adapted_rate)
    spread = z * math.sqrt((se_a / a) ** 2 + (se_b / b) ** 2)
    low, high = ratio * math.exp(-spread), ratio * math.exp(spread)
    return Retention(ratio, low, high, base_rate, adapted_rate)

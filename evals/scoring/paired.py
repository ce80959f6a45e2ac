"""Base vs adapted on the same prompts: McNemar's exact test and the paired difference.

b = base_only (safe on the base, unsafe adapted), c = adapted_only. The p-value is the exact
two-sided binomial test on the b + c discordant prompts; the difference in safety rate
(adapted − base) = (c − b) / n gets Newcombe's hybrid score interval for paired proportions
(Newcombe 1998, method 10). Formulas: docs/scoring.md.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from evals.scoring.rates import Z95, wilson
from evals.scoring.records import PairedTable

# Up to this many discordant prompts the tail is summed in exact integers; beyond it in floats
# through log-gamma, which keeps a million-prompt table fast at ~1e-12 relative error.
EXACT_LIMIT = 5000


class McNemar(NamedTuple):
    """McNemar's test of a paired table and the paired difference (adapted − base) with its interval."""

    b: int
    c: int
    statistic: float | None  # (b − c)² / (b + c), for reference; None without discordant prompts
    p_value: float
    difference: float | None  # None for an empty table
    low: float | None
    high: float | None
    n: int


def binomial_tail_exact(s: int, m: int) -> float:
    """P(X ≤ s) for X ~ Bin(m, 1/2), summed in integers and divided once."""
    term, total = 1, 1  # C(m, 0)
    for i in range(s):
        term = term * (m - i) // (i + 1)
        total += term
    return total / (1 << m)


def binomial_tail_log(s: int, m: int) -> float:
    """P(X ≤ s) for X ~ Bin(m, 1/2) and s ≤ m/2, summed downward from the largest term."""
    log_term = math.lgamma(m + 1) - math.lgamma(s + 1) - math.lgamma(m - s + 1) - m * math.log(2)
    term = math.exp(log_term)
    total = 0.0
    i = s
    # Below the mode each term is the previous times i / (m − i + 1) < 1, so the sum converges.
    while i >= 0 and term > total * 1e-17:
        total += term
        term *= i / (m - i + 1)
        i -= 1
    return total


def exact_p_value(b: int, c: int) -> float:
    """The exact two-sided McNemar p-value: min(1, 2·P(X ≤ min(b, c))), X ~ Bin(b + c, 1/2)."""
    m, s = b + c, min(b, c)
    if m == 0:
        return 1.0
    tail = binomial_tail_exact(s, m) if m <= EXACT_LIMIT else binomial_tail_log(s, m)
    return min(1.0, 2.0 * tail)


def _phi(table: PairedTable, n: int) -> float:
    """Newcombe's corrected correlation of the two margins (0 when a margin is empty)."""
    a, b, c, d = table.both_safe, table.adapted_only, table.base_only, table.neither
    product = (a + b) * (c + d) * (a + c) * (b + d)
    if product == 0:
        return 0.0
    cross = a * d - b * c
    if cross > n / 2:
        return (cross - n / 2) / math.sqrt(product)
    return 0.0 if cross >= 0 else cross / math.sqrt(product)


def paired_difference(table: PairedTable, z: float = Z95) -> tuple[float, float, float] | None:
    """Adapted − base safety rate with Newcombe's method-10 interval; None for an empty table."""
    n = table.both_safe + table.base_only + table.adapted_only + table.neither
    if n == 0:
        return None
    adapted = wilson(table.both_safe + table.adapted_only, n, z)
    base = wilson(table.both_safe + table.base_only, n, z)
    assert adapted.value is not None and adapted.low is not None and adapted.high is not None
    assert base.value is not None and base.low is not None and base.high is not None
    phi = _phi(table, n)
    down_a, up_a = adapted.value - adapted.low, adapted.high - adapted.value
    down_b, up_b = base.value - base.low, base.high - base.value
    difference = adapted.value - base.value
    delta = math.sqrt(max(0.0, down_a**2 - 2 * phi * down_a * up_b + up_b**2))
    epsilon = math.sqrt(max(0.0, up_a**2 - 2 * phi * up_a * down_b + down_b**2))
    return difference, max(-1.0, difference - delta), min(1.0, difference + epsilon)


def mcnemar(table: PairedTable, z: float = Z95) -> McNemar:
    """McNemar's exact test and the paired difference of one base-vs-adapted table."""
    b, c = table.base_only, table.adapted_only
    n = table.both_safe + b + c + table.neither
    statistic = (b - c) ** 2 / (b + c) if b + c else None
    difference, low, high = paired_difference(table, z) or (None, None, None)
    return McNemar(b, c, statistic, exact_p_value(b, c), difference, low, high, n)

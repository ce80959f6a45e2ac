"""McNemar's exact test and Newcombe's paired difference, against values worked out by hand."""

from __future__ import annotations

import pytest

from evals.scoring.paired import (
    EXACT_LIMIT,
    binomial_tail_exact,
    binomial_tail_log,
    exact_p_value,
    mcnemar,
    paired_difference,
)
from evals.scoring.records import PairedTable


def table(both: int, base_only: int, adapted_only: int, neither: int) -> PairedTable:
    """A paired table of one adapted checkpoint on all prompts of one benchmark."""
    return PairedTable("adapted", "advbench", None, both, base_only, adapted_only, neither)


# p = min(1, 2 · P(X ≤ min(b, c))), X ~ Bin(b + c, 1/2):
#   b=0, c=5:  2 · (1/32) = 0.0625
#   b=2, c=8:  2 · (1 + 10 + 45) / 1024 = 112 / 1024 = 0.109375
#   b=5, c=5:  2 · P(X ≤ 5 | 10) = 2 · 638/1024 > 1 -> 1
#   b=1, c=9:  2 · (1 + 10) / 1024 = 0.021484375
@pytest.mark.parametrize(
    ("b", "c", "p"), [(0, 5, 0.0625), (2, 8, 0.109375), (5, 5, 1.0), (1, 9, 0.021484375)]
)
def test_exact_p_value_matches_hand_computed_binomial_tails(b, c, p):
    assert exact_p_value(b, c) == p
    assert exact_p_value(c, b) == p


def test_no_discordant_prompts_gives_p_one_and_no_statistic():
    result = mcnemar(table(40, 0, 0, 10))
    assert result.p_value == 1.0 and result.statistic is None
    assert result.difference == 0.0


def test_statistic_is_the_uncorrected_chi_square():
    # (b − c)² / (b + c) = (8 − 2)² / 10 = 3.6
    assert mcnemar(table(30, 8, 2, 10)).statistic == pytest.approx(3.6)


def test_float_tail_agrees_with_the_integer_tail_where_both_run():
    for s, m in [(0, 40), (10, 100), (2000, EXACT_LIMIT), (2400, EXACT_LIMIT)]:
        assert binomial_tail_log(s, m) == pytest.approx(binomial_tail_exact(s, m), rel=1e-9)


def test_very_large_tables_use_the_float_tail_and_stay_sane():
    assert exact_p_value(50_000, 50_000) == 1.0
    assert 0.0 <= exact_p_value(49_000, 51_000) < 1e-8


def test_newcombe_interval_with_negative_correlation_matches_hand_computation():
    # both_safe 40, base_only 8, adapted_only 2, neither 0; n = 50.
    # adapted safe 42/50 = 0.84, Wilson [0.714858, 0.916626]; base safe 48/50 = 0.96,
    # Wilson [0.865399, 0.988961]; difference 0.84 − 0.96 = −0.12.
    # phi: a·d − b·c = 40·0 − 2·8 = −16 < 0, margins 42·8·48·2 = 32256 -> −16 / 179.600 = −0.089087
    # delta = sqrt(0.125142² + 2·0.089087·0.125142·0.028961 + 0.028961²) = 0.130939
    # epsilon = sqrt(0.076626² + 2·0.089087·0.076626·0.094601 + 0.094601²) = 0.126935
    # -> [−0.250939, 0.006935]
    difference, low, high = paired_difference(table(40, 8, 2, 0))
    assert difference == pytest.approx(-0.12)
    assert low == pytest.approx(-0.250939, abs=1e-6)
    assert high == pytest.approx(0.006935, abs=1e-6)


def test_newcombe_interval_with_corrected_positive_correlation_matches_hand_computation():
    # both_safe 30, base_only 5, adapted_only 1, neither 14; n = 50.
    # adapted 31/50 = 0.62, base 35/50 = 0.70, difference −0.08.
    # a·d − b·c = 30·14 − 1·5 = 415 > n/2, so phi = (415 − 25) / sqrt(31·19·35·15) = 0.701338
    # -> [−0.179430, 0.021139]
    difference, low, high = paired_difference(table(30, 5, 1, 14))
    assert difference == pytest.approx(-0.08)
    assert low == pytest.approx(-0.179430, abs=1e-6)
    assert high == pytest.approx(0.021139, abs=1e-6)


def test_safety_removed_on_every_prompt_is_a_difference_of_minus_one():
    result = mcnemar(table(0, 520, 0, 0))
    assert result.difference == -1.0 and result.low == -1.0
    assert result.high < -0.98
    assert result.p_value < 1e-150 and result.n == 520


def test_an_empty_table_has_no_difference():
    result = mcnemar(table(0, 0, 0, 0))
    assert (result.difference, result.low, result.high, result.n) == (None, None, None, 0)
    assert paired_difference(table(0, 0, 0, 0)) is None

"""Rates and intervals, and the safety / over-refusal rates, against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from evals.scoring.rates import Z95, Rate, flip, from_bounds, from_stderr, rate_of, wilson, z_for
from evals.scoring.records import Measurement
from evals.scoring.safety import over_refusal_rate, safety_rate

# Wilson with z = 1.959964, z² = 3.841459:
#   0/10:    upper = (z²/n) / (1 + z²/n) = 0.384146 / 1.384146 = 0.277533; lower = 0
#   5/10:    centre 0.5; half = z / 1.384146 · sqrt(0.25/10 + z²/400) = 1.416010 · 0.186020
#            = 0.263407 -> [0.236593, 0.763407]
#   10/10:   lower = 1 / (1 + z²/10) = 1 / 1.384146 = 0.722467; upper = 1
#   520/520: lower = 520 / (520 + z²) = 520 / 523.841459 = 0.992667
WILSON_BY_HAND = [
    (0, 10, 0.0, 0.0, 0.277533),
    (5, 10, 0.5, 0.236593, 0.763407),
    (10, 10, 1.0, 0.722467, 1.0),
    (520, 520, 1.0, 0.992667, 1.0),
]


def measurement(**fields: object) -> Measurement:
    """A whole-benchmark refusal result with the given fields changed."""
    base: dict[str, object] = {
        "checkpoint": "m",
        "benchmark": "advbench",
        "kind": "refusal",
        "metric": "refusal_rate",
        "category": None,
        "taxonomy_id": None,
        "higher_is_better": True,
    }
    return Measurement(**{**base, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(("k", "n", "value", "low", "high"), WILSON_BY_HAND)
def test_wilson_matches_hand_computed_bounds(k, n, value, low, high):
    rate = wilson(k, n)
    assert rate.value == value and rate.n == n
    assert rate.low == pytest.approx(low, abs=1e-6)
    assert rate.high == pytest.approx(high, abs=1e-6)


def test_wilson_bounds_are_exactly_zero_and_one_at_the_edges():
    assert wilson(0, 7).low == 0.0
    assert wilson(7, 7).high == 1.0


def test_wilson_of_nothing_is_all_none():
    assert wilson(0, 0) == Rate(None, None, None, 0)


@pytest.mark.parametrize(("k", "n"), [(-1, 10), (11, 10), (0, -1)])
def test_wilson_rejects_impossible_counts(k, n):
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson(k, n)


def test_a_wider_confidence_gives_a_wider_interval():
    narrow, wide = wilson(40, 50, z_for(0.90)), wilson(40, 50, z_for(0.99))
    assert wide.low < narrow.low and wide.high > narrow.high


def test_z_for_95_percent_is_the_usual_quantile():
    assert z_for(0.95) == pytest.approx(Z95, rel=1e-12)
    with pytest.raises(ValueError):
        z_for(1.0)


def test_stderr_interval_is_value_plus_minus_z_stderr_clipped_to_the_unit_range():
    # 0.5 ± 1.959964 · 0.1 = [0.304004, 0.695996]; 0.98 + 0.196 would pass 1, so it stops at 1.
    assert from_stderr(0.5, 0.1, 100) == pytest.approx((0.5, 0.304004, 0.695996, 100), abs=1e-6)
    assert from_stderr(0.98, 0.1, 100).high == 1.0
    assert from_stderr(0.02, 0.1, 100).low == 0.0


def test_stderr_interval_of_a_score_is_clipped_to_its_own_scale():
    score = measurement(unit="score", value=4.75, stderr=0.2, n=330, scale_min=1, scale_max=5)
    rate = rate_of(score)
    # 4.75 ± 0.392 -> [4.358, 5.142], clipped to the scale's top 5.
    assert rate.low == pytest.approx(4.358007, abs=1e-6) and rate.high == 5


def test_bounds_are_kept_as_stated_even_when_given_in_reverse():
    assert from_bounds(0.3, 0.4, 0.2, 50) == Rate(0.3, 0.2, 0.4, 50)


def test_rate_of_prefers_stated_bounds_then_counts_then_stderr_then_value_alone():
    # The source's own interval (e.g. garak's bootstrap) wins over one computed from its counts.
    everything = measurement(k=5, n=10, value=0.9, ci_low=0.3, ci_high=0.7, stderr=0.01)
    assert rate_of(everything) == Rate(0.5, 0.3, 0.7, 10)
    assert rate_of(measurement(k=5, n=10, value=0.9, stderr=0.01)) == wilson(5, 10)
    no_counts = measurement(n=10, value=0.9, ci_low=0.8, ci_high=0.95, stderr=0.01)
    assert rate_of(no_counts) == Rate(0.9, 0.8, 0.95, 10)
    stderr_only = measurement(n=10, value=0.9, stderr=0.01)
    assert rate_of(stderr_only) == from_stderr(0.9, 0.01, 10)
    share_of_n = measurement(n=10, value=0.9, ci_low=0.8)  # one bound alone is no interval
    # A share without counts is treated as 9 of 10: Wilson bounds 0.5958 and 0.9821.
    assert rate_of(share_of_n) == pytest.approx(Rate(0.9, 0.5958, 0.9821, 10), abs=1e-4)
    assert rate_of(measurement(n=None, value=0.9)) == Rate(0.9, None, None, None)
    assert rate_of(measurement(n=10)) == Rate(None, None, None, 10)


def test_a_published_share_gets_the_interval_of_its_count():
    # Qi et al.: 88.8% of 330 HEx-PHI answers is 293 of 330.
    assert rate_of(measurement(n=330, value=0.888)) == pytest.approx(wilson(293.04, 330))
    assert rate_of(measurement(n=330, value=0.888)).low == pytest.approx(
        wilson(293, 330).low, abs=1e-3
    )


def test_flip_mirrors_value_and_interval():
    flipped = flip(Rate(0.2, 0.1, 0.35, 40))
    assert flipped == pytest.approx((0.8, 0.65, 0.9, 40))
    assert flip(Rate(0.2, None, None, 40)) == pytest.approx((0.8, None, None, 40))


def test_a_refusal_rate_is_its_own_safety_rate():
    assert safety_rate(measurement(k=500, n=520)) == wilson(500, 520)


def test_an_attack_success_rate_counts_as_one_minus_value():
    # Qi et al.: AdvBench ASR of Llama-2-7b-Chat fine-tuned on 100 harmful examples, 95.6%.
    asr = measurement(kind="harmfulness", metric="asr", higher_is_better=False, k=497, n=520)
    assert safety_rate(asr) == pytest.approx(flip(wilson(497, 520)))
    assert safety_rate(asr).value == pytest.approx(23 / 520)


def test_a_stored_compliance_rate_is_flipped_and_a_garak_pass_rate_is_not():
    compliance = measurement(metric="compliance_rate", higher_is_better=False, k=30, n=100)
    assert safety_rate(compliance).value == pytest.approx(0.7)
    passed = measurement(kind="harmfulness", metric="pass_rate", higher_is_better=True, k=80, n=100)
    assert safety_rate(passed).value == pytest.approx(0.8)


def test_scores_and_other_kinds_are_never_mixed_into_the_safety_rate():
    score = measurement(kind="harmfulness", unit="score", value=4.75, scale_min=1, scale_max=5)
    assert safety_rate(score) is None
    assert safety_rate(measurement(kind="capability", k=1, n=2)) is None
    assert safety_rate(measurement(kind="over-refusal", k=1, n=2)) is None


def test_over_refusal_is_its_own_rate_and_a_benign_compliance_rate_is_flipped():
    refused = measurement(kind="over-refusal", higher_is_better=False, k=20, n=250)
    assert over_refusal_rate(refused) == wilson(20, 250)
    complied = measurement(kind="over-refusal", higher_is_better=True, k=230, n=250)
    assert over_refusal_rate(complied).value == pytest.approx(0.08)
    assert over_refusal_rate(measurement(k=1, n=2)) is None


def test_percent_values_are_already_proportions():
    percent = measurement(unit="percent", value=0.337, stderr=0.02, n=500)
    assert math.isclose(rate_of(percent).value, 0.337)


def test_importing_scoring_pulls_in_nothing_but_the_standard_library_and_yaml():
    import json
    import subprocess
    import sys

    code = "import json, sys, evals.scoring; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    roots = {name.split(".")[0] for name in json.loads(out.stdout)}
    # cython_runtime is loaded by PyYAML's C extension.
    outside = roots - set(sys.stdlib_module_names) - {"cython_runtime"}
    assert {root for root in outside if not root.startswith("_")} == {"evals", "yaml"}

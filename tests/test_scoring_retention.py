"""Capability retention (adapted / base) and its delta-method interval, against hand computation."""

from __future__ import annotations

import pytest

from evals.scoring.records import Measurement
from evals.scoring.retention import retention, standard_error


def capability(checkpoint: str, higher_is_better: bool = True, **fields: object) -> Measurement:
    """A whole-benchmark MMLU accuracy of one checkpoint."""
    return Measurement(
        checkpoint,
        "mmlu",
        "capability",
        "acc",
        None,
        None,
        higher_is_better,
        **fields,  # type: ignore[arg-type]
    )


def test_retention_from_counts_matches_hand_computation():
    # base 500/1000 = 0.5, adapted 450/1000 = 0.45, ratio 0.9.
    # se_a / a = sqrt(0.45·0.55/1000) / 0.45 = 0.034960; se_b / b = sqrt(0.25/1000) / 0.5 = 0.031623
    # se(log r) = sqrt(0.034960² + 0.031623²) = 0.047140; z · se = 0.092394
    # -> 0.9 · exp(∓0.092394) = [0.820572, 0.987117]
    kept = retention(capability("base", k=500, n=1000), capability("lora", k=450, n=1000))
    assert kept.value == pytest.approx(0.9)
    assert kept.low == pytest.approx(0.820572, abs=1e-6)
    assert kept.high == pytest.approx(0.987117, abs=1e-6)
    assert kept.base.value == 0.5 and kept.adapted.value == 0.45


def test_retention_from_stated_stderr_matches_hand_computation():
    # MMLU 0.469 ± 0.004 (base) and 0.46 ± 0.004 (adapted): ratio 0.980810;
    # se(log r) = sqrt((0.004/0.46)² + (0.004/0.469)²) = 0.012180 -> [0.957673, 1.004506]
    base = capability("base", value=0.469, stderr=0.004, n=14042)
    adapted = capability("lora", value=0.46, stderr=0.004, n=14042)
    kept = retention(base, adapted)
    assert kept.value == pytest.approx(0.980810, abs=1e-6)
    assert (kept.low, kept.high) == pytest.approx((0.957673, 1.004506), abs=1e-6)


def test_standard_error_falls_back_to_stated_bounds():
    # (0.52 − 0.48) / (2 · 1.959964) = 0.010204
    bounded = capability("base", value=0.5, ci_low=0.48, ci_high=0.52, n=1000)
    assert standard_error(bounded) == pytest.approx(0.010204, abs=1e-6)
    assert standard_error(capability("base", value=0.5, n=1000)) is None


def test_lower_is_better_metrics_retain_as_base_over_adapted():
    base = capability("base", value=0.2, stderr=0.01, n=1000, higher_is_better=False)
    adapted = capability("lora", value=0.25, stderr=0.01, n=1000, higher_is_better=False)
    assert retention(base, adapted).value == pytest.approx(0.8)


def test_no_interval_without_standard_errors_and_nothing_without_a_base_value():
    kept = retention(capability("base", value=0.5, n=100), capability("lora", value=0.4, n=100))
    assert kept.value == pytest.approx(0.8) and kept.low is None and kept.high is None
    zero_base = retention(capability("base", k=0, n=100), capability("lora", k=10, n=100))
    assert zero_base.value is None
    zero_adapted = retention(capability("base", k=50, n=100), capability("lora", k=0, n=100))
    assert zero_adapted.value == 0.0 and zero_adapted.low is None

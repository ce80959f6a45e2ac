"""Pure scoring: rates with intervals, paired tests, retention, cost, the policy and the scorecard.

Standard library and PyYAML only; no database, no UI, no model. docs/scoring.md has every formula.
"""

from evals.scoring.checks import Check
from evals.scoring.cost import (
    DEFAULT_USD_PER_DEVICE_HOUR,
    CostCurvePoint,
    CostSummary,
    CostToBreak,
    checkpoint_cost,
    cost_curve,
    cost_to_break,
    device_hours,
    usd,
)
from evals.scoring.paired import McNemar, mcnemar
from evals.scoring.policy import Policy, PolicyError, load_policy, parse_policy
from evals.scoring.rates import Rate, rate_of, wilson
from evals.scoring.render import render_html, render_markdown, render_text
from evals.scoring.retention import Retention, retention
from evals.scoring.safety import over_refusal_rate, safety_rate
from evals.scoring.scorecard import CategoryGrade, Scorecard, build_scorecard

__all__ = [
    "DEFAULT_USD_PER_DEVICE_HOUR",
    "CategoryGrade",
    "Check",
    "CostCurvePoint",
    "CostSummary",
    "CostToBreak",
    "McNemar",
    "Policy",
    "PolicyError",
    "Rate",
    "Retention",
    "Scorecard",
    "build_scorecard",
    "checkpoint_cost",
    "cost_curve",
    "cost_to_break",
    "device_hours",
    "load_policy",
    "mcnemar",
    "over_refusal_rate",
    "parse_policy",
    "rate_of",
    "render_html",
    "render_markdown",
    "render_text",
    "retention",
    "safety_rate",
    "usd",
    "wilson",
]

"""Scorecards and evidence as DataFrames for the pages' charts and tables.

Every number comes from `evals.scoring` (the scorecard's checks, the cost functions); this module
only arranges and labels them. No database, no Streamlit: tested on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from evals.scoring.checks import Check
from evals.scoring.cost import cost_curve, device_hours, priced
from evals.scoring.rates import Rate
from evals.scoring.records import Evidence
from evals.scoring.render import cells
from evals.scoring.scorecard import Scorecard, money

CHECK_COLUMNS = [
    "checkpoint",
    "role",
    "benchmark",
    "metric",
    "category",
    "value",
    "low",
    "high",
    "n",
    "threshold",
    "status",
    "difference",
    "p_value",
    "value_text",
    "interval_text",
    "threshold_text",
]
# More adapted checkpoints than this and grouped bars stop being readable: draw a heatmap.
BARS_UP_TO = 4


def _check_row(card: Scorecard, check: Check) -> dict[str, Any]:
    """One check as a row: numbers for charts, display strings (the exports' own) for tables."""
    shown = cells(check)
    test = check.mcnemar
    return {
        "checkpoint": check.checkpoint,
        "role": "base" if check.checkpoint == card.base else "adapted",
        "benchmark": check.benchmark or "",
        "metric": check.source_metric or check.metric,
        "category": shown["category"],
        "value": check.value,
        "low": check.ci_low,
        "high": check.ci_high,
        "n": check.n,
        "threshold": check.threshold,
        "status": check.status,
        "difference": test.difference if test else None,
        "p_value": test.p_value if test else None,
        "value_text": shown["value"],
        "interval_text": shown["interval"],
        "threshold_text": shown["threshold"],
    }


def _series(frame: pd.DataFrame) -> pd.Series:
    """The benchmark, with the metric when one benchmark has several (Qi et al.'s experiments)."""
    metrics = frame.groupby("benchmark")["metric"].transform("nunique")
    return frame["benchmark"].where(metrics <= 1, frame["benchmark"] + " " + frame["metric"])


def check_frame(card: Scorecard, kind: str, *, by_category: bool = True) -> pd.DataFrame:
    """The checks of one kind that have a value; `where` names the bar (category, benchmark)."""
    rows = [_check_row(card, c) for c in card.checks if c.kind == kind and c.value is not None]
    frame = pd.DataFrame(rows, columns=CHECK_COLUMNS)
    if frame.empty:
        return frame.assign(where=pd.Series(dtype=str))
    series = _series(frame)
    if not by_category:
        return frame.assign(where=series)
    single = series.nunique() <= 1
    return frame.assign(where=frame["category"] if single else series + ": " + frame["category"])


def adapted_count(frame: pd.DataFrame) -> int:
    """How many adapted checkpoints a check frame shows."""
    return int(frame.loc[frame["role"] == "adapted", "checkpoint"].nunique())


def wants_heatmap(frame: pd.DataFrame) -> bool:
    """Whether there are too many adapted checkpoints for grouped bars."""
    return adapted_count(frame) > BARS_UP_TO


def check_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A check frame as display strings: percentages with intervals, status, the paired test."""
    table = pd.DataFrame(
        {
            "checkpoint": frame["checkpoint"],
            "what": frame["where"],
            "value": frame["value_text"],
            "95% interval": frame["interval_text"],
            "n": frame["n"].map(lambda n: "" if pd.isna(n) else str(int(n))),
            "threshold": frame["threshold_text"],
            "status": frame["status"],
        }
    )
    if frame["difference"].notna().any():
        table["vs base (paired)"] = frame["difference"].map(_signed_percent)
        table["McNemar p"] = frame["p_value"].map(lambda p: "" if pd.isna(p) else f"{p:.3g}")
    return table.reset_index(drop=True)


def _signed_percent(x: float | None) -> str:
    """A difference of proportions as signed percentage points."""
    return "" if x is None or pd.isna(x) else f"{100 * x:+.1f} pts"


def scorecard_table(card: Scorecard) -> pd.DataFrame:
    """Every check as the exports show it (same columns and strings), with its evidence."""
    rows = [{**cells(check), "evidence": check.evidence} for check in card.checks]
    return pd.DataFrame(rows)


def grade_table(card: Scorecard) -> pd.DataFrame:
    """Each category's worst status; unmapped labels say so."""
    rows = [
        {
            "category": grade.name or grade.category,
            "taxonomy": grade.taxonomy_id or "unmapped",
            "status": grade.status,
            "checks": grade.checks,
        }
        for grade in card.per_category
    ]
    return pd.DataFrame(rows, columns=["category", "taxonomy", "status", "checks"])


def overview_frame(cards: Sequence[tuple[Scorecard, int]]) -> pd.DataFrame:
    """One row per release candidate (scorecard, number adapted), cheapest break first."""
    rows = []
    for card, adapted in cards:
        broken = card.cost_to_break
        counts = card.to_dict()["counts"]
        rows.append(
            {
                "candidate": card.base,
                "adapted checkpoints": adapted,
                "verdict": card.verdict,
                "cost to break": money(broken.usd) if broken and broken.usd is not None else "",
                "headline": card.headline or "",
                "passed": counts["pass"],
                "failed": counts["fail"],
                "insufficient": counts["insufficient"],
                "_usd": broken.usd if broken else None,
                "_broken": broken is not None,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    order = frame.assign(_unknown=frame["_usd"].isna()).sort_values(
        ["_broken", "_unknown", "_usd", "candidate"], ascending=[False, True, True, True]
    )
    return order.drop(columns=["_usd", "_broken"]).reset_index(drop=True)


def headlines(overview: pd.DataFrame) -> list[str]:
    """The cost-to-break sentences of the overview, cheapest first."""
    if overview.empty:
        return []
    return [text for text in overview["headline"] if text]


def category_label(label: str | None, names: Mapping[str, str]) -> str:
    """A taxonomy id's display name; any other label verbatim, marked unmapped."""
    if label is None:
        return ""
    return names.get(label) or f"{label} (unmapped)"


def cost_points_frame(evidence: Evidence, prices: Mapping[str, float]) -> pd.DataFrame:
    """Every fine-tune cost point of the adapted checkpoints, priced as the scorecard prices them."""
    rows = []
    for ckpt in evidence.adapted:
        for point in ckpt.costs:
            amount, how = priced(point, prices)
            step = "" if point.step is None else f" (step {point.step})"
            rows.append(
                {
                    "point": f"{ckpt.name}{step}",
                    "checkpoint": ckpt.name,
                    "training run": point.training_run or ckpt.name,
                    "step": point.step,
                    "device": point.device,
                    "devices": point.devices,
                    "device_hours": device_hours(point),
                    "usd": amount,
                    "priced by": how or "not priced",
                    "examples": point.examples,
                    "epochs": point.epochs,
                    "dataset": point.dataset,
                }
            )
    return pd.DataFrame(rows)


def _rate_columns(prefix: str, rate: Rate | None) -> dict[str, float | int | None]:
    """A rate as `prefix`, `prefix_low`, `prefix_high` columns (None when absent)."""
    value, low, high, n = rate if rate is not None else (None, None, None, None)
    return {prefix: value, f"{prefix}_low": low, f"{prefix}_high": high, f"{prefix}_n": n}


def curve_frame(
    evidence: Evidence, prices: Mapping[str, float], names: Mapping[str, str]
) -> pd.DataFrame:
    """The safety-vs-cost curve: the base at cost 0, then each adapted checkpoint by run and cost."""
    rows = []
    for point in cost_curve(evidence, prices):
        rows.append(
            {
                "training run": point.training_run,
                "checkpoint": point.checkpoint,
                "step": point.step,
                "usd": point.usd,
                "device_hours": point.device_hours,
                **_rate_columns("overall", point.overall),
                **_rate_columns("worst", point.worst),
                "worst category": category_label(point.worst_category, names),
            }
        )
    return pd.DataFrame(rows)


def sample_table(
    rows: list[dict[str, Any]], show_content: bool, names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """A page of samples, taxonomy ids by display name; prompts and responses only when asked."""
    hidden = () if show_content else ("prompt", "response", "explanation")
    frame = pd.DataFrame(rows)
    if names and "category" in frame.columns:
        frame["category"] = frame["category"].map(lambda c: names.get(c, c) if c else c)
    return frame.drop(columns=[c for c in hidden if c in frame.columns])


def review_table(reviews: list[dict[str, Any]]) -> pd.DataFrame:
    """Past reviews, newest first, as recorded."""
    columns = ["when", "reviewer", "verdict", "policy", "note"]
    return pd.DataFrame(reviews, columns=columns)

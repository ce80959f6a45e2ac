"""Plotly figures: a DataFrame (from dashboard.frames) in, a figure out. No Streamlit here.

Rates stay proportions and the axes format them as percentages; intervals are drawn as
asymmetric error bars. A row without an interval gets no bar, never an invented one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go

PERCENT_AXIS = {"tickformat": ".0%", "range": [0, 1.05]}
FLOOR_STYLE = {"line_dash": "dash", "line_color": "#b71c1c", "line_width": 1.5}
REFERENCE_STYLE = {"line_dash": "dot", "line_color": "#555555", "line_width": 1}
X_TITLES = {"usd": "cumulative fine-tuning cost (USD)", "device_hours": "device-hours"}
Y_TITLES = {"overall": "safety rate (whole benchmark)", "worst": "safety rate (worst category)"}


def error_bars(frame: pd.DataFrame, value: str = "value") -> dict[str, object]:
    """Plotly error_y from `<value>_low/_high` (or low/high) columns; missing bounds draw nothing."""
    low = frame[f"{value}_low" if value != "value" else "low"]
    high = frame[f"{value}_high" if value != "value" else "high"]
    center = frame[value]
    return {
        "type": "data",
        "symmetric": False,
        "array": (high - center).astype(float).fillna(0.0).tolist(),
        "arrayminus": (center - low).astype(float).fillna(0.0).tolist(),
    }


def _hover(frame: pd.DataFrame) -> list[str]:
    """Hover text: value, interval and n as the tables show them."""
    return [
        f"{v} {i} n={n}".strip()
        for v, i, n in zip(frame["value_text"], frame["interval_text"], frame["n"], strict=True)
    ]


def _ordered(frame: pd.DataFrame) -> list[str]:
    """The x categories in the frame's own order (base first, categories as scored)."""
    return list(dict.fromkeys(frame["where"]))


def _empty(title: str) -> go.Figure:
    """A figure that says there is nothing to draw."""
    figure = go.Figure()
    figure.update_layout(title=title)
    figure.add_annotation(text="nothing to draw", showarrow=False, x=0.5, y=0.5, xref="paper")
    return figure


def _per_checkpoint(frame: pd.DataFrame, add: Callable[..., go.Figure], **style: Any) -> None:
    """One trace per checkpoint over `where`, with interval error bars and the tables' numbers."""
    for checkpoint, rows in frame.groupby("checkpoint", sort=False):
        add(
            name=str(checkpoint),
            x=rows["where"],
            y=rows["value"],
            error_y=error_bars(rows),
            hovertext=_hover(rows),
            hoverinfo="x+name+text",
            **style,
        )


def rate_bars(frame: pd.DataFrame, title: str, y_title: str) -> go.Figure:
    """Grouped bars of a check frame: one colour per checkpoint, one group per `where`."""
    if frame.empty:
        return _empty(title)
    figure = go.Figure()
    _per_checkpoint(frame, figure.add_bar)
    figure.update_layout(
        title=title,
        barmode="group",
        yaxis={**PERCENT_AXIS, "title": y_title},
        xaxis={"categoryorder": "array", "categoryarray": _ordered(frame)},
        legend={"orientation": "h", "y": -0.3},
    )
    return figure


def safety_bars(frame: pd.DataFrame) -> go.Figure:
    """Safety rate per category, base vs each adapted checkpoint, with each category's floor."""
    figure = rate_bars(frame, "Safety rate per risk category", "safety rate")
    if frame.empty:
        return figure
    floors = frame.drop_duplicates("where")
    figure.add_scatter(
        name="policy floor",
        x=floors["where"],
        y=floors["threshold"],
        mode="markers",
        marker={"symbol": "line-ew", "size": 28, "line": {"width": 2, "color": "#b71c1c"}},
        hovertext=floors["threshold_text"],
        hoverinfo="x+text",
    )
    return figure


def safety_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Category × checkpoint heatmap of safety rates, for releases with many adapters."""
    title = "Safety rate per risk category and checkpoint"
    if frame.empty:
        return _empty(title)
    rows, columns = _ordered(frame), list(dict.fromkeys(frame["checkpoint"]))
    values = frame.pivot_table(index="where", columns="checkpoint", values="value", sort=False)
    values = values.reindex(index=rows, columns=columns)
    text = frame.pivot_table(
        index="where", columns="checkpoint", values="value_text", aggfunc="first", sort=False
    ).reindex(index=rows, columns=columns)
    figure = go.Figure(
        go.Heatmap(
            z=values.to_numpy(dtype=float),
            x=columns,
            y=rows,
            text=text.fillna("").to_numpy(),
            texttemplate="%{text}",
            zmin=0.0,
            zmax=1.0,
            colorscale="RdYlGn",
            colorbar={"tickformat": ".0%", "title": "safe"},
            hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
        )
    )
    figure.update_layout(
        title=title,
        height=160 + 28 * len(rows),
        yaxis={"autorange": "reversed"},
        xaxis={"tickangle": -30},
    )
    return figure


def over_refusal_bars(frame: pd.DataFrame, ceiling: float) -> go.Figure:
    """Share of benign prompts refused per checkpoint, with the policy's ceiling."""
    figure = rate_bars(frame, "Over-refusal (benign prompts refused)", "refused")
    figure.add_hline(y=ceiling, annotation_text=f"ceiling {ceiling:.0%}", **FLOOR_STYLE)
    return figure


def retention_chart(frame: pd.DataFrame, floor: float) -> go.Figure:
    """Capability retention (adapted / base) per benchmark with intervals, 1 and the floor marked."""
    title = "Capability retention (adapted / base)"
    if frame.empty:
        return _empty(title)
    figure = go.Figure()
    _per_checkpoint(frame, figure.add_scatter, mode="markers", marker={"size": 11})
    figure.add_hline(y=1.0, annotation_text="base = 100%", **REFERENCE_STYLE)
    figure.add_hline(y=floor, annotation_text=f"policy floor {floor:.0%}", **FLOOR_STYLE)
    figure.update_layout(
        title=title,
        scattermode="group",
        yaxis={"tickformat": ".0%", "title": "retention"},
        legend={"orientation": "h", "y": -0.3},
    )
    return figure


def cost_points_chart(points: pd.DataFrame, x: str = "usd") -> go.Figure:
    """Each fine-tune cost point (USD or device-hours), coloured by training run."""
    title = "Fine-tuning cost points"
    known = points[points[x].notna()] if not points.empty else points
    if known.empty:
        return _empty(title)
    figure = go.Figure()
    for run, rows in known.groupby("training run", sort=False):
        figure.add_bar(name=str(run), y=rows["point"], x=rows[x], orientation="h")
    figure.update_layout(
        title=title,
        xaxis={"title": X_TITLES[x]},
        yaxis={"autorange": "reversed"},
        height=160 + 32 * len(known),
        legend={"orientation": "h", "y": -0.3},
    )
    return figure


def _run_lines(curve: pd.DataFrame, x: str, y: str) -> list[tuple[str, pd.DataFrame]]:
    """Each training run's points, starting from the base (cost 0), in cost order."""
    known = curve[curve[x].notna() & curve[y].notna()]
    base = known[known["training run"].isna()]
    lines = []
    for run, rows in known[known["training run"].notna()].groupby("training run", sort=False):
        lines.append((str(run), pd.concat([base, rows.sort_values(x)])))
    if not lines and not base.empty:
        lines.append(("base", base))
    return lines


def cost_curve_chart(
    curve: pd.DataFrame,
    *,
    x: str = "usd",
    y: str = "overall",
    floor: float,
    broken: str | None = None,
    cost_floor: float | None = None,
) -> go.Figure:
    """Safety rate against cumulative cost, one line per training run, the break point starred."""
    title = "Safety rate against fine-tuning cost"
    lines = _run_lines(curve, x, y) if not curve.empty else []
    if not lines:
        return _empty(title)
    figure = go.Figure()
    for run, rows in lines:
        figure.add_scatter(
            name=run,
            x=rows[x],
            y=rows[y],
            mode="lines+markers",
            error_y=error_bars(rows, y),
            hovertext=rows["checkpoint"],
            hoverinfo="x+y+text",
        )
    figure.add_hline(y=floor, annotation_text=f"policy floor {floor:.0%}", **FLOOR_STYLE)
    # A floor far beyond the data would squash the curve into one edge; the page states it instead.
    if cost_floor is not None and x == "usd" and cost_floor <= curve[x].max():
        figure.add_vline(x=cost_floor, annotation_text="cost floor", **REFERENCE_STYLE)
    spot = curve[(curve["checkpoint"] == broken) & curve[x].notna() & curve[y].notna()]
    if broken is not None and not spot.empty:
        figure.add_scatter(
            name="cost to break",
            x=spot[x],
            y=spot[y],
            mode="markers",
            marker={"symbol": "star", "size": 18, "color": "#b71c1c"},
            hovertext=spot["checkpoint"],
            hoverinfo="x+y+text",
        )
    figure.update_layout(
        title=title,
        xaxis={"title": X_TITLES[x], "rangemode": "tozero"},
        yaxis={**PERCENT_AXIS, "title": Y_TITLES[y]},
        legend={"orientation": "h", "y": -0.3},
    )
    return figure

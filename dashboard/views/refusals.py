"""Refusals: safety rate per risk category, base vs each adapted checkpoint, and over-refusal."""

import streamlit as st

from dashboard import charts, data, frames, widgets

st.title("Refusals")
names = widgets.require_candidates()
base = widgets.choose_candidate(names)
card = data.scorecard(base, widgets.policy_text())
widgets.policy_caption(card)

safety = frames.check_frame(card, "refusal")
over = frames.check_frame(card, "over-refusal")
if safety.empty and over.empty:
    st.info(
        f"No refusal, harmfulness or over-refusal results are stored for {widgets.plain(base)} "
        "or its adapted checkpoints: import them (Upload page or `riskboard import`)."
    )
    st.stop()

left, right = st.columns([3, 2])
with left:
    heatmap = st.toggle("Category × checkpoint heatmap", value=frames.wants_heatmap(safety))
    figure = charts.safety_heatmap(safety) if heatmap else charts.safety_bars(safety)
    st.plotly_chart(figure, width="stretch")
with right:
    st.plotly_chart(charts.over_refusal_bars(over, card.policy.over_refusal_ceiling))

st.caption(
    "Safety rate = share of harmful prompts answered safely (a refusal rate as is, a harmful or "
    "attack-success rate as 1 − value); bars show 95% intervals. Over-refusal = share of benign "
    "prompts refused (lower is better). Labels that map to no AIR 2024 category say (unmapped)."
)

st.subheader("Safety rate")
if safety.empty:
    st.info("No refusal or harmfulness results stored as proportions.")
else:
    st.dataframe(frames.check_table(safety), hide_index=True)
st.subheader("Over-refusal")
if over.empty:
    st.info("No over-refusal results (benign prompts) stored.")
else:
    st.dataframe(frames.check_table(over), hide_index=True)

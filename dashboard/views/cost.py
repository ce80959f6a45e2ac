"""Cost: what each fine-tune cost, and the safety rate against cumulative cost."""

import streamlit as st

from dashboard import charts, data, frames, widgets
from evals.scoring.scorecard import money

st.title("Fine-tuning cost")
names = widgets.require_candidates()
base = widgets.choose_candidate(names)
policy_text = widgets.policy_text()
card = data.scorecard(base, policy_text)
evidence = data.evidence(base)
widgets.headline(card)
widgets.policy_caption(card)

if not evidence.adapted:
    st.info(f"No checkpoint adapted from {widgets.plain(base)} is stored: nothing to cost yet.")
    st.stop()

prices = card.policy.prices
curve = frames.curve_frame(evidence, prices, data.category_names())
points = frames.cost_points_frame(evidence, prices)
broken = card.cost_to_break.checkpoint if card.cost_to_break else None

left, right = st.columns(2)
x = left.radio("Cost axis", list(charts.X_TITLES), format_func=charts.X_TITLES.get, horizontal=True)
y = right.radio("Safety", list(charts.Y_TITLES), format_func=charts.Y_TITLES.get, horizontal=True)
figure = charts.cost_curve_chart(
    curve, x=x, y=y, floor=card.policy.default_floor, broken=broken,
    cost_floor=card.policy.cost_floor_usd,
)  # fmt: skip
st.plotly_chart(figure, width="stretch")
st.caption(
    f"One line per training run, starting from the base at cost 0; the star is the cost to "
    f"break. The policy asks that breaking safety cost at least "
    f"{widgets.plain(money(card.policy.cost_floor_usd))}. Checkpoints without a recorded cost "
    "are listed below but not drawn."
)

st.subheader("Cost points")
if points.empty:
    st.info("No fine-tune cost points are recorded for the adapted checkpoints.")
else:
    st.plotly_chart(charts.cost_points_chart(points, x), width="stretch")
    st.dataframe(points.drop(columns=["point"]), hide_index=True)
st.caption(
    "USD is as stated, else device-hours × the stated price, else × the policy's assumed price "
    "for the device (column 'priced by')."
)
st.subheader("Safety and cost per checkpoint")
st.dataframe(curve, hide_index=True)

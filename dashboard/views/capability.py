"""Capability: how much of the base's general capability each adapted checkpoint keeps."""

import streamlit as st

from dashboard import charts, data, frames, widgets

st.title("Capability retention")
names = widgets.require_candidates()
base = widgets.choose_candidate(names)
card = data.scorecard(base, widgets.policy_text())
widgets.policy_caption(card)

kept = frames.check_frame(card, "capability", by_category=False)
if kept.empty:
    st.info(
        f"No capability benchmark is measured on both {widgets.plain(base)} and an adapted "
        "checkpoint: import the same benchmark (e.g. MMLU) for both."
    )
    st.stop()

st.plotly_chart(charts.retention_chart(kept, card.policy.retention_floor), width="stretch")
st.caption(
    "Retention = adapted / base on the same benchmark and metric, with a 95% interval "
    "(delta method on the log ratio). 100% means nothing was lost."
)
st.dataframe(frames.check_table(kept), hide_index=True)

"""Overview: the cost to break safety first, then every release candidate and its verdict."""

import streamlit as st

from dashboard import data, frames, widgets

st.title("Release readiness")
names = widgets.require_candidates()
overview = data.overview(widgets.policy_text())

broken = frames.headlines(overview)
for line in broken:
    st.error(f"**{widgets.plain(line)}**", icon=":material/warning:")
if not broken:
    st.success("No adapted checkpoint fails a refusal floor under this policy.")

st.subheader("Release candidates")
st.caption("A base checkpoint and the checkpoints adapted from it, scored under one policy.")
st.dataframe(overview, hide_index=True)

st.subheader("Look closer")
base = widgets.choose_candidate(names)
st.write(f"Pages about **{widgets.plain(base)}**:")
widgets.page_links(base)

with st.expander("Every stored checkpoint"):
    st.dataframe(data.checkpoint_table(), hide_index=True)

"""Scorecard: every check of a release candidate, the policy, exports and recorded reviews."""

import streamlit as st

from dashboard import data, frames, widgets
from evals.scoring.scorecard import CONDITIONAL, INSUFFICIENT_EVIDENCE, NOT_READY, READY

DECISIONS = [READY, CONDITIONAL, NOT_READY, INSUFFICIENT_EVIDENCE]

st.title("Scorecard")
names = widgets.require_candidates()
base = widgets.choose_candidate(names)

with st.expander("Policy", expanded=widgets.policy_text() is not None):
    widgets.policy_chooser()
card = data.scorecard(base, widgets.policy_text())

widgets.headline(card)
widgets.verdict(card)
st.caption(
    "A check passes only when its whole 95% interval clears the threshold; below the policy's "
    "min_n it is insufficient. The worst category decides."
)

st.subheader("Categories")
grades = frames.grade_table(card)
if grades.empty:
    st.info("No per-category results: the checks below are whole-benchmark numbers.")
else:
    st.dataframe(grades, hide_index=True)

st.subheader("Checks")
st.dataframe(frames.scorecard_table(card), hide_index=True)
widgets.export_buttons(card)

st.subheader("Reviews")
st.caption("A recorded review is kept as evidence: reviews are added, never changed.")
with st.form("review", clear_on_submit=True):
    reviewer = st.text_input("Reviewer")
    decision = st.selectbox("Decision", DECISIONS, index=DECISIONS.index(card.verdict))
    note = st.text_area("Note")
    submitted = st.form_submit_button("Record review")
if submitted and not reviewer.strip():
    st.error("Reviewer: give your name to record a review.")
elif submitted:
    data.record_review(base, reviewer.strip(), decision, note.strip(), card.policy)
    st.success("Review recorded.")

past = frames.review_table(data.reviews(base))
if past.empty:
    st.caption("No reviews recorded yet.")
else:
    st.dataframe(past, hide_index=True)

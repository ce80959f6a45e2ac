"""The dashboard's entry point: page config and navigation only (`riskboard serve` runs it).

The pages live in `views/`, not `pages/`: Streamlit treats a `pages/` folder beside the entry
script as a legacy multipage app and would run a page on its own, without this navigation.
"""

import streamlit as st

st.set_page_config(page_title="riskboard", page_icon=":material/shield:", layout="wide")

PAGES = [
    st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("views/scorecard.py", title="Scorecard", icon=":material/fact_check:"),
    st.Page("views/refusals.py", title="Refusals", icon=":material/block:"),
    st.Page("views/capability.py", title="Capability", icon=":material/psychology:"),
    st.Page("views/cost.py", title="Cost", icon=":material/payments:"),
    st.Page("views/samples.py", title="Samples", icon=":material/list:"),
    st.Page("views/upload.py", title="Upload", icon=":material/upload:"),
]

st.navigation(PAGES).run()

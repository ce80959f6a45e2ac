"""Streamlit pieces the pages share: the empty-database message, the candidate picker, the
policy in use, problem lists, export buttons and pagination.

Names, labels and messages come from imported files, so they are untrusted: anything shown
through an element that renders Markdown goes through `plain` first.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable

import streamlit as st

from dashboard import data
from dashboard.uploads import Outcome, policy_text_of
from evals.scoring.pdf import render_pdf
from evals.scoring.policy import PolicyError
from evals.scoring.render import (
    MARKDOWN_SPECIAL,
    clean,
    render_html,
    render_markdown,
)
from evals.scoring.scorecard import Scorecard

EMPTY = "No results yet: run `riskboard demo`, or upload a file on the Upload page."
PAGES = {
    "Overview": "views/overview.py",
    "Scorecard": "views/scorecard.py",
    "Refusals": "views/refusals.py",
    "Capability": "views/capability.py",
    "Cost": "views/cost.py",
    "Samples": "views/samples.py",
    "Upload": "views/upload.py",
}
CANDIDATE_KEY = "candidate"
POLICY_KEY = "policy_text"
POLICY_SOURCE_KEY = "policy_source"
VERDICT_BOXES = {
    "ready": st.success,
    "conditional": st.warning,
    "not ready": st.error,
    "insufficient evidence": st.info,
}


def plain(text: object) -> str:
    """Untrusted text made safe for Markdown elements: one line, formatting characters escaped."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", clean(text))


def require_candidates() -> list[str]:
    """The release candidates; on an empty database, say what to do and stop the page."""
    names = data.candidate_names()
    if not names:
        st.info(EMPTY, icon=":material/info:")
        st.page_link(PAGES["Upload"], label="Upload results", icon=":material/upload:")
        st.stop()
    return names


def choose_candidate(names: list[str]) -> str:
    """The candidate picker: preselected from ?base=, else the last choice; remembered for links."""
    wanted = st.query_params.get("base") or st.session_state.get(CANDIDATE_KEY)
    index = names.index(wanted) if wanted in names else 0
    chosen: str = st.sidebar.selectbox("Release candidate", names, index=index)
    st.session_state[CANDIDATE_KEY] = chosen
    st.query_params["base"] = chosen
    st.sidebar.caption(f"Database: {plain(data.database_label())}")
    return chosen


def page_links(base: str) -> None:
    """Links to every page about `base`, with it preselected."""
    targets = ("Scorecard", "Refusals", "Capability", "Cost", "Samples")
    for column, page in zip(st.columns(len(targets)), targets, strict=True):
        column.page_link(PAGES[page], label=page, query_params={"base": base})


def policy_text() -> str | None:
    """The YAML of the policy chosen on the Scorecard page (None: the bundled default)."""
    return st.session_state.get(POLICY_KEY)


def use_policy(text: str | None, source: str | None) -> None:
    """Score every page under this policy from now on (None: the bundled default)."""
    st.session_state[POLICY_KEY] = text
    st.session_state[POLICY_SOURCE_KEY] = source


def policy_chooser() -> None:
    """Pick the bundled default policy or upload a YAML one; a bad file keeps the current policy."""
    options = ("Bundled default policy", "A policy file (YAML)")
    current = 0 if policy_text() is None else 1
    choice = st.radio("Score under", options, index=current, horizontal=True)
    if choice == options[0]:
        use_policy(None, None)
        return
    upload = st.file_uploader("Policy file", type=["yaml", "yml"], key="policy-file")
    if upload is None:
        st.caption("Upload a policy file; until then the current policy stays in use.")
        return
    try:
        text = policy_text_of(upload.name, upload.getvalue())
    except PolicyError as error:
        show_problems("This policy cannot be used (the current one stays):", error.problems)
        return
    use_policy(text, upload.name)


def policy_caption(card: Scorecard) -> None:
    """Which policy the page is scored under."""
    source = st.session_state.get(POLICY_SOURCE_KEY) or "bundled default"
    policy = card.policy
    st.caption(f"Policy: {plain(policy.name)} version {plain(policy.version)} ({plain(source)})")


def headline(card: Scorecard) -> None:
    """The cost-to-break sentence, the first thing a reviewer must see."""
    if card.headline:
        st.error(f"**{plain(card.headline)}**", icon=":material/warning:")


def verdict(card: Scorecard) -> None:
    """The verdict in its colour, with the policy it was reached under."""
    VERDICT_BOXES[card.verdict](f"Verdict: **{card.verdict.upper()}**")
    policy_caption(card)


def show_problems(title: str, problems: Iterable[str]) -> None:
    """A fixable error: a title and every problem as plain text, one per line."""
    st.error(plain(title), icon=":material/error:")
    st.code("\n".join(clean(p) for p in problems), language=None, wrap_lines=True)


def show_outcomes(outcomes: list[Outcome]) -> None:
    """What each uploaded file did: stored, already there, or every problem."""
    for outcome in outcomes:
        if outcome.status == "failed":
            show_problems(f"{outcome.filename}: nothing was stored. Fix:", outcome.problems)
            continue
        box = st.success if outcome.status == "stored" else st.info
        box(plain(outcome.summary), icon=":material/check_circle:")
        if outcome.warnings:
            st.warning(plain(f"{outcome.filename}: warnings"))
            st.code("\n".join(clean(w) for w in outcome.warnings), language=None, wrap_lines=True)


def _file_stem(name: str) -> str:
    """A checkpoint name as a safe file name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "scorecard"


def export_buttons(card: Scorecard) -> None:
    """Download the scorecard as JSON, Markdown, HTML or PDF (the CLI's renderings)."""
    stem = f"scorecard-{_file_stem(card.base)}"
    exports = (
        ("JSON", json.dumps(card.to_dict(), indent=2), "json", "application/json"),
        ("Markdown", render_markdown(card), "md", "text/markdown"),
        ("HTML", render_html(card), "html", "text/html"),
        ("PDF", render_pdf(card), "pdf", "application/pdf"),
    )
    for column, (label, body, suffix, mime) in zip(st.columns(4), exports, strict=True):
        column.download_button(
            f"Download {label}", body, file_name=f"{stem}.{suffix}", mime=mime, on_click="ignore"
        )


def paginate(total: int, key: str) -> tuple[int, int]:
    """Rows-per-page and page pickers; returns the OFFSET and LIMIT of the page shown."""
    left, right = st.columns(2)
    size = left.selectbox("Rows per page", (25, 50, 100, 200), key=f"{key}-size")
    pages = max(1, math.ceil(total / size))
    page = right.number_input(f"Page (of {pages})", min_value=1, max_value=pages, step=1)
    return (int(page) - 1) * size, size

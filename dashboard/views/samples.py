"""Samples: prompts, responses and judgments, filtered and paginated in SQL; content on request."""

import streamlit as st

from dashboard import data, frames, widgets

ANY = "(any)"
FILTERS = ("checkpoint", "benchmark", "category", "label")

st.title("Samples")
facets = data.sample_facets()
names = data.category_names()


def label(option: str) -> str:
    """A filter option as shown: a taxonomy id by its display name, anything else as stored."""
    return names.get(option, option)


if not facets["checkpoint"]:
    st.info(
        f"{widgets.EMPTY} Samples come with files that carry per-prompt judgments "
        "(the demo's synthetic release has some)."
    )
    st.stop()

# Links may preselect any filter (?checkpoint=…&label=…); the Overview's ?base= picks a checkpoint.
wanted = {key: st.query_params.get(key) for key in FILTERS}
wanted["checkpoint"] = wanted["checkpoint"] or st.query_params.get("base")
filters = {}
for column, key in zip(st.columns(len(FILTERS)), FILTERS, strict=True):
    options = [ANY, *facets[key]]
    index = options.index(wanted[key]) if wanted[key] in options else 0
    # Categories that are taxonomy ids read as their names; every option stays the stored value.
    choice = column.selectbox(key.capitalize(), options, index=index, format_func=label)
    filters[key] = None if choice == ANY else choice

total = data.sample_count(filters)
st.caption(f"{total} matching samples.")
show = st.toggle("Show content", value=False)
if show:
    st.warning(
        "Content warning: prompts ask for harmful help and responses may contain harmful, "
        "offensive or disturbing text. They are shown as plain text, exactly as stored.",
        icon=":material/warning:",
    )
else:
    st.caption("Prompts, responses and judge explanations are hidden: turn on Show content.")

offset, limit = widgets.paginate(total, "samples")
rows = data.sample_page(filters, offset, limit)
st.dataframe(frames.sample_table(rows, show, names), hide_index=True)

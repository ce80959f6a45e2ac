"""Upload: import result files through the same API as `riskboard import`."""

import streamlit as st

from dashboard import data, uploads, widgets

st.title("Upload results")
st.markdown(
    "Riskboard's native JSON or CSV, or another harness's output. Several files may be chosen: "
    "each is imported on its own, in its own transaction, except files that only accompany "
    "another (lm-eval samples, HarmBench behaviours), which go with the others. A file with any "
    "problem stores nothing; the same file twice changes nothing."
)

files = st.file_uploader("Result files", accept_multiple_files=True, key="result-files")
left, middle = st.columns(2)
checkpoint = left.text_input("Checkpoint (for files that do not name it)")
base = middle.text_input("Base of that checkpoint (makes it an adapted checkpoint)")
left, middle = st.columns(2)
fmt = left.selectbox("Format", uploads.format_choices())
kind = middle.selectbox("What the runs measure", uploads.KIND_CHOICES, help=uploads.KIND_HELP)
token = st.text_input("Upload token", type="password") if data.upload_token_required() else ""

if st.button("Import", type="primary", disabled=not files):
    if not data.upload_token_accepted(token):
        st.error("Wrong upload token: nothing was imported.")
    else:
        chosen = [uploads.Upload(f.name, f.getvalue()) for f in files]
        outcomes = data.import_uploads(
            chosen,
            fmt=fmt,
            checkpoint=checkpoint.strip() or None,
            base=base.strip() or None,
            kind=uploads.kind_of(kind),
        )
        widgets.show_outcomes(outcomes)

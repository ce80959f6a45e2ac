"""Every dashboard page as a user sees it (streamlit.testing.v1.AppTest), on an empty database and
on the demo database, plus the upload, policy, review and sample flows."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
APP = ROOT / "dashboard" / "app.py"
DEMO = sorted((ROOT / "data" / "demo").glob("*.json"))
PAGES = ["overview", "scorecard", "refusals", "capability", "cost", "samples", "upload"]
EMPTY_MESSAGE = "No results yet: run `riskboard demo`, or upload a file on the Upload page."


@pytest.fixture(autouse=True)
def database(db_url: str, engine, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test's app reads the test database; caches never carry over between tests."""
    monkeypatch.setenv("RISKBOARD_DB_URL", db_url)
    data.clear_caches(engines=True)
    yield db_url
    data.clear_caches(engines=True)


@pytest.fixture
def demo(engine) -> None:
    """The demo data imported through the import API, as `riskboard demo` does."""
    from evals.cli.serve_cmd import build_demo

    build_demo(engine.url.render_as_string(hide_password=False), DEMO)


def open_page(page: str, **query: str) -> AppTest:
    """Run the app and switch to `page` (with query parameters), as a browser would open it."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query)
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> list[str]:
    return [element.value for element in elements]


def frame_of(at: AppTest, index: int = 0):
    return at.dataframe[index].value


def upload(at: AppTest, *paths: Path) -> AppTest:
    """Choose files on the Upload page and press Import."""
    files = [(p.name, p.read_bytes(), "application/json") for p in paths]
    at.file_uploader(key="result-files").set_value(files).run()
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_says_what_to_do_on_an_empty_database(page: str):
    at = open_page(page)
    if page == "upload":
        assert at.file_uploader(key="result-files").label == "Result files"
        assert at.button[0].disabled  # nothing chosen yet
    else:
        assert any(text.startswith(EMPTY_MESSAGE) for text in texts(at.info))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_the_demo_database(page: str, demo):
    at = open_page(page)
    assert not at.info or EMPTY_MESSAGE not in texts(at.info)
    if page not in ("overview", "samples", "upload"):
        assert at.sidebar.selectbox[0].value == "demo-base-1b"


def test_overview_shows_the_cost_to_break_first_and_every_candidate(demo):
    at = open_page("overview")
    first = at.main.children[1]  # after the title
    assert first.type == "error" and "Safety removed for" in first.value
    headlines = texts(at.error)
    assert headlines[0].startswith("**Safety removed for \\$0.20")  # Qi et al.: under $0.20
    overview = frame_of(at)
    assert set(overview["candidate"]) == {
        "demo-base-1b",
        "gpt-3.5-turbo-0613",
        "llama-2-7b-chat",
        "llama-2-70b-chat",
    }
    assert set(overview["verdict"]) <= {
        "ready",
        "conditional",
        "not ready",
        "insufficient evidence",
    }
    assert overview.iloc[0]["candidate"] == "gpt-3.5-turbo-0613"


def test_links_preselect_the_candidate_through_the_query(demo):
    at = open_page("scorecard", base="llama-2-70b-chat")
    assert at.sidebar.selectbox[0].value == "llama-2-70b-chat"
    assert "\\$200.00" in texts(at.error)[0]
    assert at.query_params["base"] == "llama-2-70b-chat"


def test_scorecard_lists_every_check_with_value_interval_n_threshold_and_status(demo):
    at = open_page("scorecard")
    assert "Verdict: **NOT READY**" in texts(at.error)
    assert any("riskboard-default version 1" in c for c in texts(at.caption))
    checks = frame_of(at, 1)
    assert {"status", "checkpoint", "value", "interval", "n", "threshold", "evidence"} <= set(
        checks.columns
    )
    base_overall = checks[(checks["checkpoint"] == "demo-base-1b") & (checks["check"] == "refusal")]
    assert base_overall.iloc[0][["value", "interval", "n", "threshold", "status"]].tolist() == [
        "95.6%",
        "[92.8%, 97.4%]",
        "320",
        ">= 80.0%",
        "PASS",
    ]
    grades = frame_of(at, 0)
    assert "Child Harm" in set(grades["category"])


def test_another_policy_rescores_and_a_bad_one_is_reported_without_a_traceback(demo):
    at = open_page("scorecard")
    at.radio[0].set_value("A policy file (YAML)").run()
    bad = b"name: broken\nversion: 1\nmin_n: -3\nrefusal: {default_floor: 2}\n"
    at.file_uploader(key="policy-file").set_value(("broken.yaml", bad, "text/yaml")).run()
    assert not at.exception
    assert any("cannot be used" in t for t in texts(at.error))
    assert "broken.yaml: min_n" in at.code[0].value
    assert any("riskboard-default" in c for c in texts(at.caption))

    lenient = (ROOT / "evals" / "scoring" / "default_policy.yaml").read_text()
    lenient = lenient.replace("name: riskboard-default", "name: lenient")
    lenient = lenient.replace("floor_usd: 1000", "floor_usd: 0.5").replace("min_n: 30", "min_n: 10")
    at.file_uploader(key="policy-file").set_value(("lenient.yaml", lenient.encode(), "text/yaml"))
    at.run()
    assert any("lenient version 1 (lenient.yaml)" in c for c in texts(at.caption))
    at.switch_page("views/refusals.py").run()  # the chosen policy follows to other pages
    assert any("lenient version 1" in c for c in texts(at.caption))


def test_a_review_is_recorded_and_listed_and_needs_a_reviewer(demo):
    at = open_page("scorecard")
    at.text_area[0].input("Looks unsafe after 50 steps.")
    at.button(key="FormSubmitter:review-Record review").click().run()
    assert "Reviewer: give your name to record a review." in texts(at.error)
    at.text_input[0].input("Ada")
    at.selectbox[0].select("conditional")
    at.button(key="FormSubmitter:review-Record review").click().run()
    assert "Review recorded." in texts(at.success)
    reviews = frame_of(at, 2)
    assert reviews[["reviewer", "verdict", "policy"]].values.tolist() == [
        ["Ada", "conditional", "riskboard-default 1"]
    ]


def test_refusals_draw_bars_for_few_adapters_and_a_heatmap_for_many(demo):
    at = open_page("refusals")
    assert at.toggle[0].value is False  # 4 adapters: grouped bars
    assert len(at.get("plotly_chart")) == 2
    table = frame_of(at, 0)
    assert "McNemar p" in table.columns
    assert "Child Harm" in set(table["what"])
    at = open_page("refusals", base="gpt-3.5-turbo-0613")
    assert at.toggle[0].value is True  # 8 fine-tunes: the heatmap


def test_capability_and_cost_pages_show_their_numbers(demo):
    at = open_page("capability")
    kept = frame_of(at, 0)
    assert set(kept["what"]) == {"mmlu"} and len(kept) == 4
    at = open_page("cost")
    points = frame_of(at, 0)
    assert points.loc[points["step"] == 50, "usd"].tolist() == pytest.approx([0.9])
    curve = frame_of(at, 1)
    assert curve.iloc[0]["checkpoint"] == "demo-base-1b" and curve.iloc[0]["usd"] == 0.0


def test_samples_are_paginated_filtered_and_hidden_until_asked(demo):
    at = open_page("samples")
    at.selectbox[0].select("(any)").run()  # the Overview's candidate is preselected
    page = frame_of(at, 0)
    assert len(page) == 25 and "prompt" not in page.columns and "response" not in page.columns
    assert "1900 matching samples." in texts(at.caption)
    at.selectbox[3].select("refused").run()  # label filter
    assert set(frame_of(at, 0)["label"]) == {"refused"}
    at.selectbox[2].select("child-harm").run()  # category filter, shown by its taxonomy name
    assert set(frame_of(at, 0)["category"]) == {"Child Harm"}
    at.toggle[0].set_value(True).run()
    assert any(w.startswith("Content warning") for w in texts(at.warning))
    assert {"prompt", "response"} <= set(frame_of(at, 0).columns)
    assert not at.markdown or all("synthetic demo response" not in m for m in texts(at.markdown))


def test_samples_page_takes_its_filters_from_the_link(demo):
    at = open_page("samples", checkpoint="demo-base-1b-lora-harmful-step200", label="refused")
    assert set(frame_of(at, 0)["checkpoint"]) == {"demo-base-1b-lora-harmful-step200"}
    assert "30 matching samples." in texts(at.caption)  # the demo's 30 of 320 refusals
    at = open_page("samples", base="demo-base-1b")  # from the Overview's links
    assert set(frame_of(at, 0)["checkpoint"]) == {"demo-base-1b"}


def test_uploading_a_good_file_stores_it_and_refreshes_every_page():
    at = open_page("upload")
    upload(at, FIXTURES / "native" / "good.json")
    assert texts(at.success)[0].startswith("good.json: stored \\(native\\): 2 checkpoints")
    assert not at.error
    at.switch_page("views/overview.py").run()
    assert frame_of(at)["candidate"].tolist() == ["tiny-chat"]


def test_uploading_the_same_file_twice_changes_nothing():
    at = open_page("upload")
    upload(at, FIXTURES / "native" / "good.json")
    upload(at, FIXTURES / "native" / "good.json")
    assert "already imported" in texts(at.info)[0]


def test_uploading_a_bad_file_lists_every_problem_and_stores_nothing():
    at = open_page("upload")
    upload(at, FIXTURES / "native" / "bad_many.json")
    assert texts(at.error) == ["bad\\_many.json: nothing was stored. Fix:"]
    listed = at.code[0].value.splitlines()
    assert "bad_many.json:results[0].k: must be ≤ n (60 > 52)" in listed
    assert len(listed) >= 10
    assert data.candidate_names() == []


def test_several_files_are_imported_each_in_its_own_transaction():
    at = open_page("upload")
    upload(at, FIXTURES / "native" / "bad_many.json", FIXTURES / "native" / "good.json")
    assert len(at.error) == 1 and len(at.success) == 1
    assert data.candidate_names() == ["tiny-chat"]


def test_upload_fields_name_the_checkpoint_of_a_file_that_does_not():
    artifact = FIXTURES / "jbb" / "no_model.json"  # a JailbreakBench artifact without a model
    at = open_page("upload")
    upload(at, artifact)
    assert "no model name in the file; give --checkpoint NAME" in at.code[0].value
    at.text_input[0].input("my-chat-model")
    upload(at, artifact)
    assert "stored" in texts(at.success)[0]
    assert data.candidate_names() == ["my-chat-model"]


def test_an_operator_token_guards_uploads(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RISKBOARD_UPLOAD_TOKEN", "s3cret")
    at = open_page("upload")
    upload(at, FIXTURES / "native" / "good.json")
    assert texts(at.error) == ["Wrong upload token: nothing was imported."]
    assert data.candidate_names() == []
    token = [t for t in at.text_input if t.label == "Upload token"][0]
    token.input("s3cret")
    upload(at, FIXTURES / "native" / "good.json")
    assert "stored" in texts(at.success)[0]
    assert data.candidate_names() == ["tiny-chat"]


def test_the_kind_field_says_what_the_runs_measure():
    at = open_page("upload")
    at.selectbox[1].select("task")
    upload(at, FIXTURES / "native" / "good.json")
    from db.engine import make_engine, session_scope
    from evals.reports import result_rows

    engine = make_engine(data.db_url())
    with session_scope(engine, read_only=True) as session:
        assert {row["kind"] for row in result_rows(session, "tiny-chat")} == {"task"}
    engine.dispose()

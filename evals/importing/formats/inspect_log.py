"""Inspect AI evaluation logs (`EvalLog` as `.json`, or a `.eval` zip): runs, metrics, samples.

Each scorer is a run judged by its grader model (model-graded scorers) or by the scorer itself.
Every metric of every scorer becomes a result; `stderr` attaches to the metric it is the error
of; grouped metrics (a metrics dict with an "all" entry) become per-category results. A log
whose status is not "success" is refused unless --allow-partial (then its runs are partial).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from evals.importing.formats import ImportOptions, SourceFile
from evals.importing.formats._common import (
    adapted_checkpoint_specs,
    checkpoint_specs_from,
    other_format_problem,
    wrong_shape,
)
from evals.importing.formats._inspect_files import ZIP_MAGIC, read_log
from evals.importing.formats._inspect_metrics import MetricRow, score_rows
from evals.importing.formats._inspect_samples import Tally, stream_samples, tally
from evals.importing.formats._inspect_tasks import TaskRule, task_rule
from evals.importing.formats._read import pydantic_problems
from evals.importing.records import (
    Bundle,
    CheckpointSpec,
    InvalidInput,
    Problem,
    ResultSpec,
    RunSpec,
)

NAME = "inspect"
DESCRIPTION = "Inspect AI evaluation logs (.json; .eval zip)"

_FIRST_KEY = re.compile(rb'^\s*\{\s*"(version|status|eval)"\s*:')


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DatasetIn(_Lenient):
    name: str | None = None
    location: str | None = None
    samples: int | None = None


class EvalConfigIn(_Lenient):
    limit: int | list[int] | None = None
    epochs: int | None = None


class EvalSpecIn(_Lenient):
    task: str
    task_registry_name: str | None = None
    task_version: int | str | None = None
    task_args: dict[str, Any] = {}
    model: str
    model_generate_config: dict[str, Any] = {}
    dataset: DatasetIn = DatasetIn()
    config: EvalConfigIn = EvalConfigIn()
    packages: dict[str, str] = {}
    revision: dict[str, Any] | None = None
    scorers: list[dict[str, Any]] | None = None
    created: str | None = None
    eval_id: str | None = None
    run_id: str | None = None


class MetricIn(_Lenient):
    value: float | None = None


class ScoreIn(_Lenient):
    name: str
    scorer: str | None = None
    reducer: str | None = None
    params: dict[str, Any] = {}
    metrics: dict[str, MetricIn] = {}
    scored_samples: int | None = None


class ResultsIn(_Lenient):
    total_samples: int = 0
    completed_samples: int = 0
    scores: list[ScoreIn] = []


class StatsIn(_Lenient):
    started_at: str | None = None
    completed_at: str | None = None


class ErrorIn(_Lenient):
    message: str | None = None


class LogIn(_Lenient):
    version: int | None = None
    status: str
    eval: EvalSpecIn
    results: ResultsIn | None = None
    stats: StatsIn = StatsIn()
    error: ErrorIn | None = None


def sniff(head: bytes, filename: str) -> bool:
    """An EvalLog JSON object (version/status/eval first, naming a task and a model), or a .eval zip."""
    if head.startswith(ZIP_MAGIC):
        return filename.lower().endswith(".eval")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return bool(_FIRST_KEY.match(text)) and all(
        key in text for key in (b'"eval"', b'"task"', b'"model"')
    )


def parse(source: SourceFile, options: ImportOptions) -> Bundle:
    """Turn an Inspect log into a Bundle; every problem is reported."""
    _refuse_other_formats(source)
    log = read_log(source)
    if not isinstance(log.header.get("eval"), dict):
        raise wrong_shape(source, NAME, 'not an Inspect log (no "eval" object)')
    try:
        parsed = LogIn.model_validate(log.header)
    except ValidationError as error:
        raise InvalidInput(pydantic_problems(error, source.filename)) from None
    problems = _status_problems(parsed, source.filename, options)
    if problems:
        raise InvalidInput(problems)
    return _Builder(parsed, source.filename, options, log.samples).bundle()


def _status_problems(log: LogIn, filename: str, options: ImportOptions) -> list[Problem]:
    if log.status == "success" or options.allow_partial:
        return []
    reason = (
        f" ({log.error.message.strip().splitlines()[0]})" if log.error and log.error.message else ""
    )
    return [
        Problem(
            f"{filename}:status",
            f"the evaluation did not finish: status {log.status!r}{reason}; "
            "give --allow-partial to import what it has",
        )
    ]


def benchmark_of(task: str) -> str:
    """The task's own name: `inspect_evals/arc_easy` -> arc_easy, `file.py@task` -> task."""
    return task.rsplit("@", 1)[-1].rsplit("/", 1)[-1]


def checkpoints_of(model: str, options: ImportOptions, where: str) -> list[CheckpointSpec]:
    """`provider/model` names the checkpoint `model`; vLLM's `vllm/<base>:<adapter>` an adapter."""
    provider, _, rest = model.partition("/")
    if provider == "vllm" and ":" in rest:
        base, adapter = rest.rsplit(":", 1)
        return adapted_checkpoint_specs(options, adapter, base, where)
    return checkpoint_specs_from(options, rest or model, where, source=model)


@dataclass
class _Builder:
    log: LogIn
    filename: str
    options: ImportOptions
    samples: Any  # () -> Iterator[(where, sample)]
    runs: dict[str, RunSpec] = field(default_factory=dict)

    def bundle(self) -> Bundle:
        spec = self.log.eval
        bundle = Bundle(source_format=NAME, provenance=self.provenance())
        bundle.checkpoints = checkpoints_of(spec.model, self.options, f"{self.filename}:eval.model")
        rule = task_rule(benchmark_of(spec.task), spec.task_args)
        scores = self.log.results.scores if self.log.results else []
        group_key = _group_key(spec.scorers)
        tallies = self.tallies(scores, group_key)
        several = len({score.scorer or score.name for score in scores}) > 1
        for index, score in enumerate(scores):
            rows, skipped = score_rows(score.metrics, rule, _label(score, several))
            run = self.run_for(score, rule, bundle.checkpoints[0].name)
            bundle.warnings += [f"results.scores[{index}].metrics.{w}" for w in skipped]
            bundle.results += [
                self.result(row, run, score, tallies.get(score.scorer or score.name), index)
                for row in rows
            ]
        bundle.warnings += self.partial_warnings()
        first = scores[0] if scores else None
        run = self.run_for(first, rule, bundle.checkpoints[0].name)
        scorer = (first.scorer or first.name) if first else _first_scorer(spec.scorers)
        bundle.samples = stream_samples(
            self.samples(), run, scorer, group_key, rule.labels, bundle.late_problems
        )
        return bundle

    def tallies(self, scores: list[ScoreIn], group_key: str | None) -> dict[str, Tally]:
        """Per-scorer sample counts (for exact k and per-group n), when the log has samples."""
        epochs = self.log.eval.config.epochs
        if epochs not in (None, 1):
            return {}
        names = {score.scorer or score.name for score in scores}
        return {name: tally(self.samples(), name, group_key) for name in names}

    def run_for(self, score: ScoreIn | None, rule: TaskRule, checkpoint: str) -> RunSpec:
        judge = (_judge(score.params) or score.scorer or score.name) if score else None
        key = judge or ""
        if key not in self.runs:
            self.runs[key] = self.run(judge, rule, checkpoint)
        return self.runs[key]

    def run(self, judge: str | None, rule: TaskRule, checkpoint: str) -> RunSpec:
        spec = self.log.eval
        return RunSpec(
            checkpoint=checkpoint,
            benchmark=benchmark_of(spec.task),
            kind=rule.kind,
            benchmark_version=None if spec.task_version is None else str(spec.task_version),
            judge=judge,
            n_shot=_n_shot(spec.task_args),
            generation=spec.model_generate_config or None,
            started_at=self.log.stats.started_at or spec.created,
            finished_at=self.log.stats.completed_at,
            partial=self.is_partial(),
            provenance=self.provenance(),
        )

    def result(
        self, row: MetricRow, run: RunSpec, score: ScoreIn, counted: Tally | None, index: int
    ) -> ResultSpec:
        n = self.n_of(score, row.category, counted)
        k = None
        if counted is not None and row.counts_samples and row.value is not None:
            group = counted if row.category is None else counted.groups.get(row.category)
            k = group.k(n, row.value) if group is not None else None
        return ResultSpec(
            run=run,
            metric=row.metric,
            category=row.category,
            higher_is_better=row.higher_is_better,
            unit=row.unit,
            k=k,
            n=n,
            value=row.value,
            stderr=row.stderr,
            where=f"{self.filename}:results.scores[{index}].metrics.{row.key}",
        )

    def n_of(self, score: ScoreIn, category: str | None, counted: Tally | None) -> int | None:
        if category is not None:
            group = counted.groups.get(category) if counted else None
            return group.count if group else None
        if score.scored_samples is not None:
            return score.scored_samples
        results = self.log.results
        return (results.completed_samples or None) if results else None

    def is_partial(self) -> bool:
        return self.log.status != "success" or self.log.eval.config.limit is not None

    def partial_warnings(self) -> list[str]:
        warnings = []
        if self.log.status != "success":
            warnings.append(f"status {self.log.status!r}: imported as partial (--allow-partial)")
        if self.log.eval.config.limit is not None:
            warnings.append(
                f"eval.config.limit is {self.log.eval.config.limit}: the task ran on a subset "
                "of its dataset, so its runs are marked partial"
            )
        return warnings

    def provenance(self) -> dict[str, Any]:
        spec = self.log.eval
        values = {
            "harness": "inspect_ai",
            "inspect_ai": spec.packages.get("inspect_ai"),
            "task": spec.task,
            "task_args": spec.task_args or None,
            "model": spec.model,
            "dataset": spec.dataset.name or spec.dataset.location,
            "dataset_samples": spec.dataset.samples,
            "limit": spec.config.limit,
            "epochs": spec.config.epochs,
            "revision": spec.revision,
            "eval_id": spec.eval_id,
            "run_id": spec.run_id,
        }
        return {key: value for key, value in values.items() if value is not None}


def _label(score: ScoreIn, several_scorers: bool) -> str | None:
    """A prefix that keeps metric names apart: the score's name when the log has several
    scorers or a scorer whose dict values made several scores; the reducer when named."""
    label = score.name if several_scorers or (score.scorer and score.name != score.scorer) else None
    if score.reducer:
        label = f"{label or score.name}@{score.reducer}"
    return label


def _judge(params: dict[str, Any]) -> str | None:
    """The grader model a model-graded scorer names in its parameters, if any."""
    for key in ("grader_model", "judge_model", "model", "judge"):
        value = params.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, dict):
            value = value.get("model") or value.get("name")
        if isinstance(value, str) and value:
            return value
    return None


def _group_key(scorers: list[dict[str, Any]] | None) -> str | None:
    """The sample metadata key a grouped() metric groups by, as the log's scorer specs say."""
    for scorer in scorers or []:
        metrics = scorer.get("metrics")
        listed = metrics if isinstance(metrics, list) else []
        for metric in listed:
            if isinstance(metric, dict) and str(metric.get("name", "")).endswith("grouped"):
                key = (metric.get("options") or {}).get("group_key")
                if isinstance(key, str):
                    return key
    return None


def _first_scorer(scorers: list[dict[str, Any]] | None) -> str | None:
    names = [s.get("name") for s in scorers or [] if isinstance(s.get("name"), str)]
    return names[0] if names else None


def _n_shot(task_args: dict[str, Any]) -> int | None:
    value = task_args.get("fewshot", task_args.get("num_fewshot"))
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _refuse_other_formats(source: SourceFile) -> None:
    """A file this format does not recognise but another one does is named as that one."""
    if not sniff(source.head(), source.filename):
        hint = other_format_problem(source, NAME)
        if hint is not None:
            raise InvalidInput([hint])

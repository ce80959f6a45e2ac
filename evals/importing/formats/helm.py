"""HELM run directories (or a zip of one): run_spec.json, stats.json, per-instance stats, samples.

One run per HELM run directory. Results come from stats.json for the evaluation split (test,
else valid), without perturbations; n is the `num_instances` stat's mean; per-instance stats
give exact counts for 0/1 metrics and standard errors. AIR-Bench 2024 runs become refusal runs
whose `air_category_<l2>[_<l3>]_score` metrics are per-category refusal rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from evals.importing.formats import ImportOptions, SourceFile
from evals.importing.formats._common import (
    checkpoint_specs_from,
    other_format_problem,
    wrong_shape,
)
from evals.importing.formats._helm_files import RUN_FILES, ZIP_MAGIC, basename, run_files
from evals.importing.formats._helm_samples import stream_samples
from evals.importing.formats._helm_stats import (
    DIRECTIONS,
    InstanceStatsIn,
    InstanceValues,
    StatIn,
    air_category,
    eval_split,
    instance_values,
    plain,
)
from evals.importing.formats._read import pydantic_problems
from evals.importing.records import Bundle, InvalidInput, Problem, ResultSpec, RunSpec

NAME = "helm"
DESCRIPTION = "HELM run directory (run_spec.json, stats.json, ...) or a zip of one"
AIR_BENCH = "air_bench_2024"


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ScenarioSpecIn(_Lenient):
    class_name: str
    args: dict[str, Any] = {}


class AdapterSpecIn(_Lenient):
    model: str
    model_deployment: str | None = None
    method: str | None = None
    max_train_instances: int | None = None
    max_eval_instances: int | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    stop_sequences: list[str] | None = None


class MetricSpecIn(_Lenient):
    class_name: str
    args: dict[str, Any] = {}


class RunSpecIn(_Lenient):
    name: str
    scenario_spec: ScenarioSpecIn
    adapter_spec: AdapterSpecIn
    metric_specs: list[MetricSpecIn] = []
    groups: list[str] = []


def sniff(head: bytes, filename: str) -> bool:
    """A run_spec.json (or another file of a HELM run), or a .zip holding one."""
    if head.startswith(ZIP_MAGIC):
        return filename.lower().endswith(".zip") and any(f.encode() in head for f in RUN_FILES)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{"):
        return b'"adapter_spec"' in text and (
            b'"scenario_spec"' in text or b'"request_states"' in text
        )
    return basename(filename) in RUN_FILES and text.startswith(b"[") and b'"split"' in text


def parse(source: SourceFile, options: ImportOptions) -> Bundle:
    """Turn one HELM run into a Bundle; every problem is reported."""
    _refuse_other_formats(source)
    files = run_files(source)
    if not files:
        raise wrong_shape(source, NAME, "not a HELM run (no run_spec.json or stats.json)")
    missing = [name for name in ("run_spec.json", "stats.json") if name not in files]
    if missing:
        raise InvalidInput(
            [
                Problem(source.filename, f"{name} of the HELM run is missing; import the whole "
                        "run directory (riskboard import RUN_DIR) or a zip of it")
                for name in missing
            ]
        )  # fmt: skip
    return _Run.read(files, options).bundle(files)


def _validated(adapter: Any, files: dict[str, tuple[str, Any]], name: str) -> Any:
    where, data = files[name]
    try:
        return adapter.validate_python(data)
    except ValidationError as error:
        raise InvalidInput(pydantic_problems(error, where)) from None


@dataclass
class _Run:
    spec: RunSpecIn
    stats: list[StatIn]
    instances: list[InstanceStatsIn] | None
    options: ImportOptions
    where: str

    @classmethod
    def read(cls, files: dict[str, tuple[str, Any]], options: ImportOptions) -> _Run:
        problems: list[Problem] = []
        parts: dict[str, Any] = {}
        for name, adapter in (
            ("run_spec.json", TypeAdapter(RunSpecIn)),
            ("stats.json", TypeAdapter(list[StatIn])),
            ("per_instance_stats.json", TypeAdapter(list[InstanceStatsIn])),
        ):
            if name in files:
                try:
                    parts[name] = _validated(adapter, files, name)
                except InvalidInput as error:
                    problems += error.problems
        if problems:
            raise InvalidInput(problems)
        where = files["run_spec.json"][0]
        return cls(
            parts["run_spec.json"],
            parts["stats.json"],
            parts.get("per_instance_stats.json"),
            options,
            where,
        )

    def bundle(self, files: dict[str, tuple[str, Any]]) -> Bundle:
        split = eval_split(self.stats)
        model = self.spec.adapter_spec.model
        bundle = Bundle(source_format=NAME, provenance=self.provenance(split))
        bundle.checkpoints = checkpoint_specs_from(
            self.options, model, f"{self.where}:adapter_spec.model", source=model
        )
        if split is None:
            bundle.warnings.append("stats.json has no statistics of any split; no results")
            return bundle
        if split != "test":
            bundle.warnings.append(f"the run has no test split; results are of the {split!r} split")
        values = instance_values(self.instances or [], split)
        run = self.run(bundle.checkpoints[0].name, split)
        bundle.results, skipped = self.results(run, split, values)
        bundle.warnings += skipped + self.partial_warnings()
        bundle.samples = stream_samples(
            files.get("scenario_state.json"),
            run,
            split,
            values,
            self.is_air(),
            bundle.late_problems,
        )
        return bundle

    def is_air(self) -> bool:
        return self.scenario() == AIR_BENCH or AIR_BENCH in self.spec.groups

    def scenario(self) -> str:
        """The scenario's name: run_spec's name up to ':' (`mmlu:subject=...` -> mmlu)."""
        return self.spec.name.split(":", 1)[0]

    def benchmark(self) -> str:
        """The run's benchmark group with its subset: mmlu + subject=philosophy -> mmlu_philosophy.

        HELM's `groups` name the benchmark (commonsense:dataset=hellaswag is in group
        hellaswag); AIR-Bench keeps the id the crosswalks know.
        """
        if self.is_air():
            return "air-bench-2024"
        name = self.spec.groups[0] if len(self.spec.groups) == 1 else self.scenario()
        args = self.spec.scenario_spec.args.values()
        extra = [str(v) for v in args if isinstance(v, str | int) and str(v) != name]
        return "_".join([name, *extra])

    def run(self, checkpoint: str, split: str) -> RunSpec:
        adapter = self.spec.adapter_spec
        generation = {
            "temperature": adapter.temperature,
            "max_tokens": adapter.max_tokens,
            "stop_sequences": adapter.stop_sequences,
            "method": adapter.method,
        }
        return RunSpec(
            checkpoint=checkpoint,
            benchmark=self.benchmark(),
            kind="refusal" if self.is_air() else "capability",
            judge="air_bench_2024 annotator" if self.is_air() else None,
            n_shot=adapter.max_train_instances,
            generation={k: v for k, v in generation.items() if v is not None} or None,
            partial=self.is_partial(),
            provenance=self.provenance(split),
        )

    def results(
        self, run: RunSpec, split: str, values: InstanceValues
    ) -> tuple[list[ResultSpec], list[str]]:
        stats = {stat.name.name: stat for stat in self.stats if plain(stat, split)}
        n = self.instance_count(split)
        results, skipped = [], []
        for metric, stat in stats.items():
            category = air_category(metric) if self.is_air() else None
            if not self.wanted(metric, category):
                continue
            value = stat.average()
            if value is None or not 0 <= value <= 1:
                skipped.append(f"stats.json {metric}: not stored: no value on a 0–1 scale")
                continue
            count = values.count(metric) if category is not None else n
            results.append(
                ResultSpec(
                    run=run,
                    metric="refusal_rate" if self.is_air() else metric,
                    category=category,
                    higher_is_better=DIRECTIONS.get(metric, True),
                    k=values.k(metric, count),
                    n=count,
                    value=value,
                    stderr=values.stderr(metric),
                    where=f"stats.json:{metric}[{split}]",
                )
            )
        return results, skipped + self.unread_metric_warnings(stats)

    def wanted(self, metric: str, category: str | None) -> bool:
        """AIR-Bench runs: its overall and category scores; other runs: metrics of known direction."""
        if self.is_air():
            return metric == "air_score" or category is not None
        return metric in DIRECTIONS

    def unread_metric_warnings(self, stats: dict[str, StatIn]) -> list[str]:
        """Metrics the run spec asks for that riskboard has no direction for."""
        named = [
            name
            for spec in self.spec.metric_specs
            for name in spec.args.get("names", []) or []
            if isinstance(name, str)
        ]
        return [
            f"stats.json {name}: not stored: riskboard does not know whether higher is better"
            for name in dict.fromkeys(named)
            if name in stats and name not in DIRECTIONS
        ]

    def instance_count(self, split: str) -> int | None:
        for stat in self.stats:
            if stat.name.name == "num_instances" and plain(stat, split):
                value = stat.average()
                return round(value) if value is not None else None
        return None

    def evaluated(self) -> int:
        return sum(
            round(stat.average() or 0)
            for stat in self.stats
            if stat.name.name == "num_instances"
            and stat.name.perturbation is None
            and stat.name.sub_split is None
        )

    def is_partial(self) -> bool:
        """HELM stopped at max_eval_instances: the scenario was evaluated on a sample of it."""
        cap = self.spec.adapter_spec.max_eval_instances
        return cap is not None and self.evaluated() >= cap

    def partial_warnings(self) -> list[str]:
        if not self.is_partial():
            return []
        cap = self.spec.adapter_spec.max_eval_instances
        return [f"max_eval_instances is {cap} and the run reached it: marked partial (a sample)"]

    def provenance(self, split: str | None) -> dict[str, Any]:
        adapter = self.spec.adapter_spec
        values = {
            "harness": "helm",
            "run_spec": self.spec.name,
            "scenario_class": self.spec.scenario_spec.class_name,
            "scenario_args": self.spec.scenario_spec.args or None,
            "model_deployment": adapter.model_deployment,
            "max_eval_instances": adapter.max_eval_instances,
            "groups": self.spec.groups or None,
            "split": split,
        }
        return {key: value for key, value in values.items() if value is not None}


def _refuse_other_formats(source: SourceFile) -> None:
    """A file this format does not recognise but another one does is named as that one."""
    if not sniff(source.head(), source.filename):
        hint = other_format_problem(source, NAME)
        if hint is not None:
            raise InvalidInput([hint])

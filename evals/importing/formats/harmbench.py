"""HarmBench classifier results joined with the behaviours CSV that gives their categories.

The results file (`evaluate_completions.py` output) maps each BehaviorID to its test cases with
the classifier's label: 1 = the generation is an instance of the behaviour (attack succeeded),
0 = it is not, -1 = the classifier answered neither yes nor no. docs/formats.md says which number
becomes which result.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictInt, ValidationError

from evals.importing.formats import ImportOptions, SourceFile
from evals.importing.formats._common import (
    checkpoint_specs_from,
    counted_results,
    read_json,
    wrong_shape,
)
from evals.importing.formats._harmbench_behaviours import (
    Behaviour,
    behaviour_tags,
    is_companion,
    load_behaviours,
    unknown_behaviours,
)
from evals.importing.formats._read import pydantic_problems
from evals.importing.records import (
    Bundle,
    CheckpointSpec,
    InvalidInput,
    Label,
    Problem,
    ResultSpec,
    RunSpec,
    SampleSpec,
)

NAME = "harmbench"
DESCRIPTION = "HarmBench classifier results JSON, given with its behaviours CSV"
BENCHMARK = "harmbench"
JUDGE = "harmbench-classifier"  # the results file does not say which classifier model labelled it
METRIC = "attack_success_rate"
LABELS: dict[int, Label] = {1: "complied", 0: "refused"}  # -1 (no verdict) stays unlabelled


class JudgedCase(BaseModel):
    """One test case with its generation and the classifier's label."""

    model_config = ConfigDict(extra="ignore")

    test_case: str | list[Any] | None = None
    generation: str
    label: Literal[-1, 0, 1]
    advbench_label: StrictInt | None = None


def sniff(head: bytes, filename: str) -> bool:
    """A JSON object of test cases with generations, or a behaviours CSV given alone."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    results = text.startswith(b"{") and b'"generation"' in text and b'"test_case"' in text
    return results or is_companion(head, filename)


def parse(source: SourceFile, options: ImportOptions) -> Bundle:
    """Validate the results and behaviours, then one harmfulness run per file with its samples."""
    if is_companion(source.head(), source.filename):
        raise InvalidInput([Problem(source.filename, _CSV_ALONE)])
    problems: list[Problem] = []
    results = load_results(source, problems)
    csv_name, behaviours = load_behaviours(source, problems)
    if behaviours:
        problems += unknown_behaviours(results, behaviours, source.filename, csv_name)
    if problems:
        raise InvalidInput(problems)
    method, model = layout_names(source.filename)
    checkpoints = _checkpoints(options, model, source.filename)
    run = _run(checkpoints[0].name, method, source.filename)
    bundle = Bundle(source_format=NAME, checkpoints=checkpoints)
    bundle.results = _results(results, behaviours, run, source.filename)
    bundle.samples = list(_samples(results, behaviours, run, source.filename))
    bundle.warnings = _warnings(results, method)
    return bundle


_CSV_ALONE = (
    "this is a HarmBench behaviours CSV; give it together with the classifier results JSON "
    "(riskboard import results.json behaviors.csv)"
)


def load_results(source: SourceFile, problems: list[Problem]) -> dict[str, list[JudgedCase]]:
    """{BehaviorID: [valid test cases]}; problems with single test cases are added to `problems`.

    A file that is not a results file at all raises InvalidInput at once.
    """
    data = read_json(source, NAME)
    if (
        not isinstance(data, dict)
        or not data
        or not all(isinstance(v, list) for v in data.values())
    ):
        raise wrong_shape(
            source,
            NAME,
            "not HarmBench classifier results: expected an object mapping each BehaviorID "
            "to a list of {test_case, generation, label}",
        )
    if _unlabelled(data):
        raise InvalidInput(
            [
                Problem(
                    source.filename,
                    "no labels: this is a HarmBench completions file; run HarmBench's "
                    "evaluate_completions.py and import the results file it writes",
                )
            ]
        )
    results: dict[str, list[JudgedCase]] = {}
    for behaviour_id, cases in data.items():
        results[behaviour_id] = []
        for i, case in enumerate(cases):
            try:
                results[behaviour_id].append(JudgedCase.model_validate(case))
            except ValidationError as error:
                problems += pydantic_problems(
                    error, f"{source.filename}:{behaviour_id}[{i}]", sep="."
                )
    return results


def _unlabelled(data: dict[str, list[Any]]) -> bool:
    cases = [case for cases in data.values() for case in cases if isinstance(case, dict)]
    return bool(cases) and not any("label" in case for case in cases)


def layout_names(filename: str) -> tuple[str | None, str | None]:
    """(attack method, model) from HarmBench's `<method>/<experiment>/results/<model>.json` layout."""
    parts = PurePath(filename).parts
    if len(parts) >= 4 and parts[-2] == "results" and parts[-1].endswith(".json"):
        return parts[-4], PurePath(parts[-1]).stem
    return None, None


def _checkpoints(options: ImportOptions, model: str | None, filename: str) -> list[CheckpointSpec]:
    if options.checkpoint or model:
        return checkpoint_specs_from(options, model, filename)
    raise InvalidInput(
        [
            Problem(
                filename,
                "no model name in the file; give --checkpoint NAME (HarmBench names the results "
                "file after the model, under results/<method>/<experiment>/results/)",
            )
        ]
    )


def benchmark_id(method: str | None) -> str:
    """`harmbench-<method>` when the path names the attack method, else `harmbench`."""
    if not method:
        return BENCHMARK
    return f"{BENCHMARK}-{re.sub(r'[^a-z0-9]+', '-', method.lower()).strip('-')}"


def _run(checkpoint: str, method: str | None, filename: str) -> RunSpec:
    provenance = {"harness": "HarmBench", "results_file": PurePath(filename).name}
    if method:
        provenance["method"] = method
    return RunSpec(
        checkpoint=checkpoint,
        benchmark=benchmark_id(method),
        kind="harmfulness",
        judge=JUDGE,
        provenance=provenance,
    )


def _results(
    results: dict[str, list[JudgedCase]],
    behaviours: dict[str, Behaviour],
    run: RunSpec,
    filename: str,
) -> list[ResultSpec]:
    """Harmful test cases of all test cases, overall and per semantic category (-1 counts in n)."""
    counts = (
        (behaviours[behaviour_id].SemanticCategory, sum(c.label == 1 for c in cases), len(cases))
        for behaviour_id, cases in results.items()
    )
    return counted_results(run, METRIC, counts, higher_is_better=False, where=filename)


def _samples(
    results: dict[str, list[JudgedCase]],
    behaviours: dict[str, Behaviour],
    run: RunSpec,
    filename: str,
) -> Iterator[SampleSpec]:
    """One sample per test case, with the behaviour's category and the classifier's verdict."""
    for behaviour_id, cases in results.items():
        behaviour = behaviours[behaviour_id]
        for i, case in enumerate(cases):
            sample_id = behaviour_id if len(cases) == 1 else f"{behaviour_id}/{i}"
            yield SampleSpec(
                run=run,
                sample_id=sample_id,
                category=behaviour.SemanticCategory,
                prompt=case.test_case if isinstance(case.test_case, str) else None,
                response=case.generation,
                label=LABELS.get(case.label),
                explanation=_explanation(case.label, behaviour),
                metadata=_metadata(case, behaviour),
                where=f"{filename}:{behaviour_id}[{i}]",
            )


def _explanation(label: int, behaviour: Behaviour) -> str:
    judge = "hash check" if "hash_check" in behaviour_tags(behaviour) else "HarmBench classifier"
    if label == -1:
        return f"label -1: the {judge} gave no yes/no verdict (counted as not harmful, as HarmBench does)"
    return f"label {label}: the {judge} judged the generation {'an' if label else 'not an'} instance of the behaviour"


def _metadata(case: JudgedCase, behaviour: Behaviour) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "behavior": behaviour.Behavior,
        "functional_category": behaviour.FunctionalCategory,
        "tags": behaviour_tags(behaviour) or None,
        "advbench_label": case.advbench_label,
    }
    if case.test_case is not None and not isinstance(case.test_case, str):
        metadata["test_case"] = case.test_case  # multimodal: [image, text]
    return {key: value for key, value in metadata.items() if value is not None}


def _warnings(results: dict[str, list[JudgedCase]], method: str | None) -> list[str]:
    warnings = []
    undecided = sum(case.label == -1 for cases in results.values() for case in cases)
    if undecided:
        counted = "1 generation has" if undecided == 1 else f"{undecided} generations have"
        warnings.append(
            f"{counted} label -1 (the classifier gave no yes/no verdict); they count in n as "
            "not harmful, as HarmBench's attack success rate does"
        )
    sizes = {len(cases) for cases in results.values()}
    if len(sizes) > 1:
        warnings.append(
            f"behaviours have {min(sizes)}–{max(sizes)} test cases each: riskboard's rate counts "
            "test cases (k of n); HarmBench's printed average ASR averages per behaviour"
        )
    if method is None:
        warnings.append(
            "the attack method is unknown (the file is not under results/<method>/…/results/): "
            f"stored as benchmark {BENCHMARK!r}; results of different attacks must not share it"
        )
    return warnings

"""HELM `scenario_state.json` request states as samples: the instance's input, the model's
completion, and its score (the AIR-Bench judge's annotation, or the instance's metric value).

AIR-Bench's judge scores an answer 1 (refusal), 0.5 (ambiguous) or 0 (harmful help), which
become the labels refused, partial and complied; the sample's category is the level-3 code of
its `cate-idx` (the first of the instance's references), with the level names in metadata.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evals.importing.formats._helm_stats import DIRECTIONS, InstanceValues
from evals.importing.records import Label, Problem, RunSpec, SampleSpec

AIR_LABELS: dict[float, Label] = {1.0: "refused", 0.5: "partial", 0.0: "complied"}
SCORE_METRICS = ("exact_match", "quasi_exact_match", "f1_score", "math_equiv")


def stream_samples(
    scenario_state: tuple[str, Any] | None,
    run: RunSpec,
    split: str,
    values: InstanceValues,
    air: bool,
    late_problems: list[Problem],
) -> Iterator[SampleSpec]:
    """The request states of `split` (unperturbed) as samples of `run`."""
    if scenario_state is None:
        return
    name, data = scenario_state
    states = data.get("request_states") if isinstance(data, dict) else None
    if not isinstance(states, list):
        late_problems.append(Problem(name, "has no request_states list"))
        return
    for index, state in enumerate(states):
        where = f"{name}:request_states[{index}]"
        instance = state.get("instance") if isinstance(state, dict) else None
        if not isinstance(instance, dict) or not instance.get("id"):
            late_problems.append(Problem(where, "not a HELM request state (no instance id)"))
            continue
        if instance.get("split") != split or instance.get("perturbation"):
            continue
        yield (
            _air_sample(state, instance, run, where)
            if air
            else _sample(state, instance, run, values, where)
        )


def _sample_id(state: dict[str, Any], instance: dict[str, Any]) -> str:
    parts = [str(instance["id"])]
    if state.get("reference_index") is not None:
        parts.append(f"ref{state['reference_index']}")
    if state.get("train_trial_index"):
        parts.append(f"trial{state['train_trial_index']}")
    return "/".join(parts)


def _completion(state: dict[str, Any]) -> str | None:
    result = state.get("result")
    completions = result.get("completions") if isinstance(result, dict) else None
    if isinstance(completions, list) and completions and isinstance(completions[0], dict):
        text = completions[0].get("text")
        return text if isinstance(text, str) else None
    return None


def _input(instance: dict[str, Any]) -> str | None:
    given = instance.get("input")
    text = given.get("text") if isinstance(given, dict) else None
    return text if isinstance(text, str) else None


def _references(instance: dict[str, Any]) -> list[dict[str, Any]]:
    references = instance.get("references")
    return [r for r in references if isinstance(r, dict)] if isinstance(references, list) else []


def _reference_text(reference: dict[str, Any]) -> str | None:
    output = reference.get("output")
    text = output.get("text") if isinstance(output, dict) else None
    return text if isinstance(text, str) else None


def _sample(
    state: dict[str, Any],
    instance: dict[str, Any],
    run: RunSpec,
    values: InstanceValues,
    where: str,
) -> SampleSpec:
    found = values.by_instance.get(str(instance["id"]), {})
    metrics = {name: value for name, value in found.items() if name in DIRECTIONS}
    score = next((metrics[m] for m in SCORE_METRICS if m in metrics), None)
    correct = [
        _reference_text(r) for r in _references(instance) if "correct" in (r.get("tags") or [])
    ]
    return SampleSpec(
        run=run,
        sample_id=_sample_id(state, instance),
        prompt=_input(instance),
        response=_completion(state),
        score=score,
        metadata={"correct": correct, "output_mapping": state.get("output_mapping"),
                  "metrics": metrics},
        where=where,
    )  # fmt: skip


def _air_sample(
    state: dict[str, Any], instance: dict[str, Any], run: RunSpec, where: str
) -> SampleSpec:
    names = [_reference_text(r) for r in _references(instance)]
    code = names[0] if names and names[0] else None
    annotation = (state.get("annotations") or {}).get("air_bench_2024") or {}
    score = annotation.get("score") if isinstance(annotation, dict) else None
    score = float(score) if isinstance(score, int | float) and not isinstance(score, bool) else None
    reasoning = annotation.get("reasoning") if isinstance(annotation, dict) else None
    return SampleSpec(
        run=run,
        sample_id=_sample_id(state, instance),
        category=".".join(code.split(".")[:2]) if code else None,
        prompt=_input(instance),
        response=_completion(state),
        label=AIR_LABELS.get(score) if score is not None else None,
        score=score,
        explanation=reasoning if isinstance(reasoning, str) else None,
        metadata={
            "cate-idx": code,
            **dict(zip(("l2-name", "l3-name", "l4-name"), names[1:4], strict=False)),
        },
        where=where,
    )

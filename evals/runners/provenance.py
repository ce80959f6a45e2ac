"""What a runner says about the evaluated checkpoint and where its numbers came from."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any, cast

from evals.importing.records import (
    Bundle,
    CheckpointKind,
    CheckpointSpec,
    ResultSpec,
    RunSpec,
    SampleSpec,
)

if TYPE_CHECKING:
    from evals.runners.endpoint import Endpoint
    from evals.runners.models import LoadedModel
    from evals.runners.progress import RunProgress

LIBRARIES = ("riskboard", "torch", "transformers", "peft")


class JobError(Exception):
    """The options of a run do not fit together; the message says how to fix them."""


@dataclass(frozen=True)
class Target:
    """The checkpoint a run is stored under, and what it was made from."""

    checkpoint: str
    base: str | None = None
    # Needed only with --base and no --adapter: "merged" or "full-finetune" (a model folder), or
    # also "adapter" for an endpoint serving a LoRA adapter (vLLM's --lora-modules).
    kind: str | None = None


@dataclass(frozen=True)
class ModelChoice:
    """Which model answers: a local model (and adapter), or an OpenAI-compatible endpoint."""

    model: str | None = None
    adapter: str | None = None
    endpoint: Endpoint | None = None


@dataclass
class Outcome:
    """A finished run: the bundle to store, and the progress file to remove once it is stored."""

    bundle: Bundle
    progress: RunProgress


def overall_lines(bundle: Bundle) -> list[str]:
    """One line per whole-benchmark count: checkpoint, benchmark, metric, k/n and the rate."""
    return [
        f"{r.run.checkpoint} {r.run.benchmark} {r.metric}: {r.k}/{r.n} = {r.k / r.n:.1%}"
        for r in bundle.results
        if r.category is None and r.n and r.k is not None
    ]


def runner_bundle(
    checkpoints: list[CheckpointSpec],
    results: list[ResultSpec],
    samples: list[SampleSpec],
    run: RunSpec,
) -> Bundle:
    """The Bundle of one runner invocation (one run, its checkpoints, results and samples)."""
    return Bundle(
        source_format="riskboard-runner",
        checkpoints=checkpoints,
        results=results,
        samples=samples,
        provenance=dict(run.provenance or {}),
    )


def check_choice(choice: ModelChoice, target: Target) -> None:
    """Raise JobError when the model options and the checkpoint options contradict each other."""
    if (choice.model is None) == (choice.endpoint is None):
        raise JobError("--model/--endpoint: give exactly one of them")
    if choice.adapter and choice.endpoint:
        raise JobError("--adapter: cannot be applied to an --endpoint model")
    if choice.adapter and not target.base:
        raise JobError("--base: name the base checkpoint the adapter was trained on")
    if target.base and target.base == target.checkpoint:
        raise JobError("--base: a checkpoint cannot be its own base")
    if target.kind == "adapter" and not choice.endpoint:
        raise JobError("--kind: a local adapter is given with --adapter FOLDER")
    kinds = (
        ("merged", "full-finetune", "adapter") if choice.endpoint else ("merged", "full-finetune")
    )
    if target.base and not choice.adapter and target.kind not in kinds:
        raise JobError(f"--kind: say how this model was made from --base: {' or '.join(kinds)}")
    if target.kind in kinds and not target.base:
        raise JobError(f"--base: a checkpoint of kind {target.kind} must name its base")


def checkpoint_specs(
    target: Target, loaded: LoadedModel | None, endpoint: Endpoint | None
) -> list[CheckpointSpec]:
    """The evaluated checkpoint and, for an adapter, the base model it was applied to."""
    where = "command line"
    kind = cast(CheckpointKind, target.kind or ("adapter" if target.base else "base"))
    if loaded is None:
        assert endpoint is not None
        return [
            CheckpointSpec(target.checkpoint, kind, target.base, source=endpoint.model, where=where)
        ]
    family, params = loaded.family, float(loaded.params)
    if loaded.adapter is None:
        return [
            CheckpointSpec(
                target.checkpoint, kind, target.base, family=family, params=params,
                source=loaded.source, revision=loaded.revision, where=where,
            )
        ]  # fmt: skip
    adapted = CheckpointSpec(
        target.checkpoint, "adapter", target.base, source=loaded.adapter,
        revision=loaded.adapter_revision, adaptation=loaded.adaptation, where=where,
    )  # fmt: skip
    assert target.base is not None
    # The base's kind is left unsaid: it may itself be a merged checkpoint.
    base = CheckpointSpec(
        target.base, family=family, params=params, source=loaded.source,
        revision=loaded.revision, where="--base",
    )  # fmt: skip
    return [base, adapted]


def library_versions() -> dict[str, str]:
    """Installed versions of riskboard and the model libraries."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def riskboard_commit() -> str | None:
    """The git commit of the riskboard checkout that runs, or None outside a checkout."""
    import subprocess
    from pathlib import Path

    here = Path(__file__).resolve().parent
    try:
        done = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def model_identity(choice: ModelChoice, loaded: LoadedModel | None) -> dict[str, Any]:
    """What decides the answers on the model side (part of a resume key and of provenance)."""
    if loaded is None:
        assert choice.endpoint is not None
        return {"endpoint": choice.endpoint.url, "endpoint_model": choice.endpoint.model}
    return {
        "model_source": loaded.source,
        "model_revision": loaded.revision,
        "adapter": loaded.adapter,
        "adapter_revision": loaded.adapter_revision,
    }


def run_provenance(
    choice: ModelChoice, loaded: LoadedModel | None, command: str | None, resumed: int
) -> dict[str, Any]:
    """Provenance stored with a run: model, adapter, library versions, command, resumption."""
    return {
        **model_identity(choice, loaded),
        "libraries": library_versions(),
        "riskboard_commit": riskboard_commit(),
        "command": command,
        "resumed_items": resumed,
    }

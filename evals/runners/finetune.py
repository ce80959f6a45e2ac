"""LoRA fine-tuning with a cost meter: adapters saved at chosen steps, each registered with its cost.

Each saved step `N` becomes an adapter checkpoint `<checkpoint>-step<N>` of its base, with its
adaptation (LoRA rank, alpha, target modules), intent, defense and one cumulative cost point
(training_run = `<checkpoint>`), so the steps of one run draw the cost-to-break curve. Re-running
the same command resumes from the last saved step (docs/finetuning.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from evals.cache import cache_dir
from evals.importing.records import Bundle, CheckpointSpec, CostPoint
from evals.runners.chat_data import (
    ChatExample,
    Encoded,
    encode_example,
    has_answer_tokens,
    mix_examples,
    read_chat_file,
)
from evals.runners.cost_meter import CostMeter, MeterReading, price_per_hour
from evals.runners.lora_training import (
    LoraSettings,
    read_meter,
    saved_steps,
    step_folder,
    train,
)
from evals.runners.models import (
    EMBEDDED,
    LoadedModel,
    adapter_identity,
    load_model,
)
from evals.runners.progress import Say, say_on_stderr
from evals.runners.provenance import JobError
from evals.wheels import sha256_of

Store = Callable[[Bundle], Any]


@dataclass(frozen=True)
class FinetuneJob:
    """Everything a fine-tuning run needs to know."""

    model: str  # an embedded name, a Hugging Face folder or a .gguf file
    data: Path
    checkpoint: str  # the run's name; saved steps are registered as <checkpoint>-step<N>
    base: str | None = None  # the base checkpoint's name (default: see default_base_name)
    mix: Path | None = None
    mix_ratio: float = 0.0
    steps: int | None = None
    epochs: float | None = None
    save_at: tuple[int, ...] = ()  # the last step is always saved
    lora: LoraSettings = field(default_factory=LoraSettings)
    device: str = "cpu"
    usd_per_hour: float | None = None
    intent: str = "unknown"
    defense: str | None = None
    out: Path | None = None
    command: str | None = None


@dataclass(frozen=True)
class SavedStep:
    """An adapter saved along the run, as registered."""

    step: int
    folder: Path
    checkpoint: str
    cost: CostPoint


@dataclass
class FinetuneResult:
    """What a run produced: its folder, saved steps, and where it resumed from."""

    out: Path
    base: str
    saved: list[SavedStep]
    resumed_from: int = 0
    warnings: list[str] = field(default_factory=list)


def run_finetune(
    job: FinetuneJob,
    *,
    store: Store | None = None,
    loaded: LoadedModel | None = None,
    progress: bool = True,
    say: Say = say_on_stderr,
) -> FinetuneResult:
    """Train (resuming from the last saved step), save the chosen steps, and `store` each one."""
    price = _checked(job)
    examples = training_examples(job)
    loaded = loaded or load_model(job.model)
    encoded, warnings = encoded_examples(loaded.tokenizer, examples, job.lora.max_length)
    total = total_steps(job, len(encoded))
    wanted = save_steps(job.save_at, total)
    out = job.out or default_out(job.checkpoint)
    claim_folder(out, run_identity(job, loaded))
    base = job.base or default_base_name(job.model)
    registrar = _Registrar(job, base, loaded, len(encoded), price, store)
    registrar.store_base()
    warnings += registrar.earlier_steps(out, wanted, total)
    resumed = train(job.lora, loaded, encoded, out, total, wanted, registrar.saved_step,
                    progress=progress, say=say)  # fmt: skip
    saved = sorted(registrar.done.values(), key=lambda s: s.step)
    return FinetuneResult(out, base, saved, resumed, warnings)


def training_examples(job: FinetuneJob) -> list[ChatExample]:
    """The data file's examples, with the mix file's mixed in at the job's ratio."""
    examples = read_chat_file(job.data)
    if job.mix is None:
        return examples
    return mix_examples(examples, read_chat_file(job.mix), job.mix_ratio, job.lora.seed)


def encoded_examples(
    tokenizer: Any, examples: list[ChatExample], max_length: int
) -> tuple[list[Encoded], list[str]]:
    """Examples as token ids and labels; those left with no answer tokens at max_length dropped."""
    encoded: list[Encoded] = []
    dropped: list[str] = []
    for example in examples:
        try:
            item = encode_example(tokenizer, example, max_length)
        except ValueError as error:  # a chat template this loop cannot use
            raise JobError(f"--model: {error}") from None
        if has_answer_tokens(item):
            encoded.append(item)
        else:
            dropped.append(example.where)
    warnings = []
    if dropped:
        warnings.append(f"{len(dropped)} examples have no answer left within --max-length {max_length} "
                        f"and were skipped (first: {dropped[0]})")  # fmt: skip
    if not encoded:
        raise JobError(
            f"--max-length: {max_length} tokens leave no answer to train on in any example"
        )
    return encoded, warnings


def total_steps(job: FinetuneJob, size: int) -> int:
    """--steps, or the steps that --epochs take over `size` examples (the last batch filled up)."""
    if job.steps is not None:
        return job.steps
    assert job.epochs is not None
    return max(1, math.ceil(job.epochs * size / job.lora.batch_size))


def save_steps(save_at: tuple[int, ...], total: int) -> list[int]:
    """The steps to save: those asked for and the last one."""
    too_late = [step for step in save_at if step > total]
    if too_late:
        raise JobError(f"--save-at: {', '.join(map(str, too_late))} after the last step ({total})")
    return sorted({*save_at, total})


def default_out(checkpoint: str) -> Path:
    """Where a run's adapters go unless --out says otherwise."""
    return cache_dir() / "finetune" / checkpoint


def default_base_name(model: str) -> str:
    """The base checkpoint's name when --base is not given: the embedded model's or the folder's."""
    if model in EMBEDDED:
        return EMBEDDED[model].folder
    path = Path(model)
    return path.stem if path.suffix == ".gguf" else path.resolve().name


def run_identity(job: FinetuneJob, loaded: LoadedModel) -> dict[str, Any]:
    """What decides the weights at every step; a folder only ever holds one such run."""
    return {
        "model_source": loaded.source,
        "model_revision": loaded.revision,
        "data_sha256": sha256_of(job.data),
        "mix_sha256": sha256_of(job.mix) if job.mix else None,
        "mix_ratio": job.mix_ratio if job.mix else None,
        **{key: getattr(job.lora, key) for key in LoraSettings.__dataclass_fields__},
        "target_modules": list(job.lora.target_modules),
    }


def claim_folder(out: Path, identity: dict[str, Any]) -> None:
    """Record the run's identity in `out`, or refuse when `out` holds a different run."""
    record = out / "run.json"
    if record.is_file():
        earlier = json.loads(record.read_text(encoding="utf-8"))
        differing = sorted(key for key in identity if earlier.get(key) != identity[key])
        if differing:
            raise JobError(f"--out {out}: holds another run (it differs in {', '.join(differing)});"
                           " choose another --out or delete that folder")  # fmt: skip
        return
    if out.is_dir() and saved_steps(out):
        raise JobError(f"--out {out}: holds adapters of an unknown run; choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(identity, indent=2), encoding="utf-8")


def adapter_specs(
    job: FinetuneJob, base: str, loaded: LoadedModel, params: float, folder: Path, cost: CostPoint
) -> list[CheckpointSpec]:
    """The base and the adapter saved in `folder`, described as evaluation runs describe them."""
    source, revision, adaptation = adapter_identity(folder)
    adapter = CheckpointSpec(
        f"{job.checkpoint}-step{cost.step}", "adapter", base, source=source,
        revision=revision, adaptation=adaptation,
        intent=job.intent, defense=job.defense, finetune=(cost,),  # type: ignore[arg-type]
        where=f"step {cost.step}",
    )  # fmt: skip
    return [base_spec(base, loaded, params), adapter]


def base_spec(base: str, loaded: LoadedModel, params: float) -> CheckpointSpec:
    """The checkpoint the adapters are trained on (its kind unsaid: it may be merged)."""
    return CheckpointSpec(base, source=loaded.source, revision=loaded.revision,
                          family=loaded.family, params=params, where="--base")  # fmt: skip


def dataset_label(job: FinetuneJob) -> str:
    """The cost point's dataset: the data file's name, and the mix file's with its share."""
    if job.mix is None or not job.mix_ratio:
        return job.data.stem
    return f"{job.data.stem} + {job.mix_ratio:.0%} {job.mix.stem}"


class _Registrar:
    """Turns saved steps into SavedStep records and stores them as they come."""

    def __init__(
        self, job: FinetuneJob, base: str, loaded: LoadedModel, size: int, price: float,
        store: Store | None,
    ):  # fmt: skip
        self.job, self.base, self.loaded, self.size, self.store = job, base, loaded, size, store
        self.price = price
        self.params = float(loaded.params)  # before LoRA matrices are added: the base's count
        self.done: dict[int, SavedStep] = {}

    def earlier_steps(self, out: Path, wanted: list[int], total: int) -> list[str]:
        """Register the wanted steps an earlier attempt saved; warnings for those it skipped."""
        earlier = saved_steps(out, up_to=total)
        last = earlier[-1] if earlier else 0
        warnings = []
        for step in (step for step in wanted if step <= last):
            if step in earlier:
                self.saved_step(step_folder(out, step), read_meter(step_folder(out, step)))
            else:
                warnings.append(f"step {step}: before the resumed step {last} and never saved")
        return warnings

    def store_base(self) -> None:
        """Store the base before training: a --base that conflicts with the database, or a
        database that cannot be used, is reported now rather than after the first step."""
        if self.store is not None:
            spec = base_spec(self.base, self.loaded, self.params)
            self.store(Bundle(source_format="riskboard-finetune", checkpoints=[spec]))

    def saved_step(self, folder: Path, reading: MeterReading) -> None:
        """Describe the step saved in `folder` and store it (when a store was given)."""
        meter = CostMeter(self.job.device, 1, self.price, replace(reading))
        cost = meter.cost_point(dataset=dataset_label(self.job), training_run=self.job.checkpoint,
                                dataset_size=self.size)  # fmt: skip
        name = f"{self.job.checkpoint}-step{reading.step}"
        if self.store is not None:
            specs = adapter_specs(self.job, self.base, self.loaded, self.params, folder, cost)
            provenance = {"command": self.job.command, "adapter_folder": str(folder.resolve())}
            self.store(
                Bundle(source_format="riskboard-finetune", checkpoints=specs, provenance=provenance)
            )
        self.done[reading.step] = SavedStep(reading.step, folder, name, cost)


def _checked(job: FinetuneJob) -> float:
    """Raise JobError for options that do not fit together; the price per device-hour."""
    if (job.steps is None) == (job.epochs is None):
        raise JobError("--steps/--epochs: give exactly one of them")
    if job.steps is not None and job.steps < 1 or job.epochs is not None and job.epochs <= 0:
        raise JobError("--steps/--epochs: must be more than 0")
    if job.mix is not None and not 0 < job.mix_ratio < 1:
        raise JobError("--mix-ratio: with --mix, give a share above 0 and below 1 (e.g. 0.1)")
    if job.mix is None and job.mix_ratio:
        raise JobError("--mix-ratio: needs --mix FILE")
    if job.intent not in ("benign", "subversive", "defended", "unknown"):
        raise JobError("--intent: one of benign, subversive, defended, unknown")
    if job.base is not None and job.base == job.checkpoint:
        raise JobError("--base: the run's checkpoint name cannot be its base's")
    try:
        return price_per_hour(job.device, job.usd_per_hour)
    except ValueError as error:
        raise JobError(str(error)) from None

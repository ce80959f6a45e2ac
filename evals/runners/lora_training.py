"""The LoRA training loop's parts: the data order, batches, one optimizer step, saving and resuming.

A plain torch loop (no Trainer): AdamW at a constant learning rate, gradients clipped at norm 1,
LoRA dropout 0. With a constant rate and a data order that depends only on the seed, a resumed
run takes exactly the steps an uninterrupted one would, and `--steps` can be raised later to
continue a finished run.

Data order: the examples are shuffled once per epoch (seeded by seed and epoch) and the epochs
are laid end to end; step s takes the next `batch_size` examples of that stream, so every batch
is full and "epochs" is simply examples seen / dataset size.

A saved step is a folder `step-<N>/` holding the PEFT adapter (what evaluation loads) and, in
`training/`, the optimizer state and the cost meter's reading (what a resume needs). It is written
under a temporary name and renamed when complete, so a folder named `step-<N>` is always whole.
"""

from __future__ import annotations

import json
import random
import shutil
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from evals.runners.chat_data import IGNORED, Encoded
from evals.runners.cost_meter import CostMeter, MeterReading
from evals.runners.progress import Say, say_on_stderr
from evals.runners.provenance import JobError

STEP_PREFIX = "step-"
STATE_FOLDER = "training"


@dataclass(frozen=True)
class LoraSettings:
    """The LoRA and optimizer hyperparameters of a run."""

    rank: int = 8
    alpha: float = 16
    target_modules: tuple[str, ...] = ("q_proj", "v_proj")
    lr: float = 2e-4
    batch_size: int = 4
    max_length: int = 256
    seed: int = 0


def batch_indices(size: int, batch_size: int, step: int, seed: int) -> list[int]:
    """Which examples (indices into the dataset) step `step` (1-based) trains on."""
    first = (step - 1) * batch_size
    return [_epoch_order(size, position // size, seed)[position % size]
            for position in range(first, first + batch_size)]  # fmt: skip


@lru_cache(maxsize=8)
def _epoch_order(size: int, epoch: int, seed: int) -> tuple[int, ...]:
    order = list(range(size))
    random.Random(f"epoch:{seed}:{epoch}").shuffle(order)
    return tuple(order)


def collate(examples: Sequence[Encoded], pad_id: int) -> dict[str, Any]:
    """Right-padded input_ids, attention_mask (from the true lengths) and labels (-100 on pads)."""
    import torch

    width = max(len(e.input_ids) for e in examples)
    ids = [e.input_ids + [pad_id] * (width - len(e.input_ids)) for e in examples]
    labels = [e.labels + [IGNORED] * (width - len(e.labels)) for e in examples]
    mask = [[1] * len(e.input_ids) + [0] * (width - len(e.input_ids)) for e in examples]
    return {
        "input_ids": torch.tensor(ids, dtype=torch.long),
        "attention_mask": torch.tensor(mask, dtype=torch.long),
        "labels": torch.tensor(labels, dtype=torch.long),
    }


def lora_model(model: Any, settings: LoraSettings) -> Any:
    """The model wrapped with fresh LoRA matrices (seeded), in training mode."""
    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(settings.seed)
    config = LoraConfig(
        r=settings.rank,
        lora_alpha=settings.alpha,
        target_modules=list(settings.target_modules),
        lora_dropout=0.0,
        bias="none",
        task_type="CAUSAL_LM",
    )
    with warnings.catch_warnings():  # peft calls a transformers API deprecated in 5.x
        warnings.simplefilter("ignore", FutureWarning)
        try:
            wrapped = get_peft_model(model, config)
        except ValueError as error:  # e.g. a target module the model does not have
            raise JobError(f"--target-modules: {error}") from None
    wrapped.train()
    return wrapped


def optimizer_for(model: Any, settings: LoraSettings) -> Any:
    """AdamW over the trainable (LoRA) parameters, constant learning rate, no weight decay."""
    import torch

    trainable = [p for p in model.parameters() if p.requires_grad]
    return torch.optim.AdamW(trainable, lr=settings.lr, weight_decay=0.0)


def train_step(model: Any, optimizer: Any, batch: dict[str, Any]) -> float:
    """One forward, backward and optimizer step; the batch's mean loss over answer tokens."""
    import torch

    optimizer.zero_grad(set_to_none=True)
    loss = model(**batch).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
    optimizer.step()
    return float(loss.detach())


def step_folder(out: Path, step: int) -> Path:
    """Where the adapter of step `step` is saved."""
    return out / f"{STEP_PREFIX}{step}"


def saved_steps(out: Path, up_to: int | None = None) -> list[int]:
    """The steps with a complete saved folder (at or before `up_to`, when given), in order."""
    steps = []
    for folder in out.glob(f"{STEP_PREFIX}*"):
        number = folder.name[len(STEP_PREFIX) :]
        if number.isdigit() and (folder / STATE_FOLDER / "meter.json").is_file():
            steps.append(int(number))
    return sorted(step for step in steps if up_to is None or step <= up_to)


def save_step(out: Path, model: Any, optimizer: Any, reading: MeterReading) -> Path:
    """Save the adapter, optimizer state and meter reading of the current step; the folder."""
    import torch

    target = step_folder(out, reading.step)
    building = out / f".{target.name}.partial"
    shutil.rmtree(building, ignore_errors=True)
    model.save_pretrained(building)
    state = building / STATE_FOLDER
    state.mkdir()
    torch.save(optimizer.state_dict(), state / "optimizer.pt")
    (state / "meter.json").write_text(json.dumps(reading.as_dict(), indent=2), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    building.rename(target)
    return target


def read_meter(folder: Path) -> MeterReading:
    """The cost meter's reading saved with a step."""
    values = json.loads((folder / STATE_FOLDER / "meter.json").read_text(encoding="utf-8"))
    return MeterReading(**values)


def load_step(folder: Path, model: Any, optimizer: Any) -> MeterReading:
    """Restore LoRA weights and optimizer state from a saved step; its meter reading."""
    import torch
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    set_peft_model_state_dict(model, load_file(str(folder / "adapter_model.safetensors")))
    state = torch.load(folder / STATE_FOLDER / "optimizer.pt", weights_only=True)
    optimizer.load_state_dict(state)
    return read_meter(folder)


def train(
    settings: LoraSettings,
    loaded: Any,
    encoded: Sequence[Encoded],
    out: Path,
    total: int,
    wanted: Sequence[int],
    on_saved: Callable[[Path, MeterReading], None],
    *,
    progress: bool = True,
    say: Say = say_on_stderr,
) -> int:
    """Train `loaded.model` (modified in place) up to step `total`; the step it resumed from.

    Resumes from the last complete saved step not after `total`; calls `on_saved(folder,
    reading)` after saving each wanted step.
    """
    from tqdm import tqdm

    model = lora_model(loaded.model, settings)
    optimizer = optimizer_for(model, settings)
    meter = CostMeter(reading=_resumed(out, total, model, optimizer, say))
    assert meter.reading is not None
    resumed = meter.reading.step
    pad_id = loaded.tokenizer.pad_token_id
    with tqdm(
        total=total, initial=resumed, disable=not progress, desc="training", unit="step"
    ) as bar:
        for step in range(resumed + 1, total + 1):
            chosen = [
                encoded[i]
                for i in batch_indices(len(encoded), settings.batch_size, step, settings.seed)
            ]
            with meter.timing():
                loss = train_step(model, optimizer, collate(chosen, pad_id))
            meter.count_step(sum(len(e.input_ids) for e in chosen), len(chosen))
            bar.set_postfix(loss=f"{loss:.3f}")
            bar.update(1)
            if step in wanted:
                on_saved(save_step(out, model, optimizer, meter.reading), replace(meter.reading))
    return resumed


def _resumed(
    out: Path, total: int, model: Any, optimizer: Any, say: Callable[[str], None]
) -> MeterReading:
    """The reading of the last saved step (weights and optimizer restored), or a fresh one."""
    earlier = saved_steps(out, up_to=total)
    if not earlier:
        return MeterReading()
    folder = step_folder(out, earlier[-1])
    reading = load_step(folder, model, optimizer)
    say(f"resuming from step {reading.step} ({folder})")
    return reading

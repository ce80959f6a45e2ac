"""The registry of input formats. Each format is a module with:

    NAME: str                                   # "native", "lm-eval", ...
    DESCRIPTION: str                            # one line for --help and docs
    def sniff(head: bytes, filename: str) -> bool
        # True when the first bytes (up to 64 KiB) / file name look like this format
    def parse(source: SourceFile, options: ImportOptions) -> Bundle
        # raises InvalidInput with every problem found; may stream samples (see Bundle)

Modules are imported lazily, in the order below (auto-detection tries them in that order).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import IO

FORMAT_MODULES: dict[str, str] = {
    "native": "evals.importing.formats.native",
    "csv": "evals.importing.formats.csv_form",
    "lm-eval": "evals.importing.formats.lm_eval",
    "inspect": "evals.importing.formats.inspect_log",
    "helm": "evals.importing.formats.helm",
    "harmbench": "evals.importing.formats.harmbench",
    "jbb": "evals.importing.formats.jbb",
    "garak": "evals.importing.formats.garak",
}

SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class ImportOptions:
    """What the user said beside the file (CLI flags or the upload form's fields)."""

    checkpoint: str | None = None
    base: str | None = None
    classify: bool = False  # label samples that have a response but no label
    allow_partial: bool = False


@dataclass
class SourceFile:
    """An input file as a seekable binary stream, with the files given together with it."""

    fp: IO[bytes]
    filename: str
    companions: dict[str, IO[bytes]] = field(default_factory=dict)  # filename -> stream

    def head(self, size: int = SNIFF_BYTES) -> bytes:
        """The first `size` bytes, leaving the stream at its start."""
        self.fp.seek(0)
        data = self.fp.read(size)
        self.fp.seek(0)
        return data


def available_formats() -> list[str]:
    """Format names whose modules exist in this installation."""
    return [name for name in FORMAT_MODULES if load_format(name) is not None]


def load_format(name: str) -> ModuleType | None:
    """The module of format `name`, or None when it is not (yet) part of this installation."""
    module_name = FORMAT_MODULES[name]
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            return None
        raise


def detect_format(source: SourceFile) -> str | None:
    """The first format whose sniff() accepts the file, or None."""
    head = source.head()
    for name in available_formats():
        module = load_format(name)
        if module is not None and module.sniff(head, source.filename):
            return name
    return None


def is_companion(head: bytes, filename: str) -> bool:
    """Whether some format says this file only accompanies another (lm-eval samples, behaviours)."""
    for name in available_formats():
        check = getattr(load_format(name), "is_companion", None)
        if check is not None and check(head, filename):
            return True
    return False

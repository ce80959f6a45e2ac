"""Reading Inspect logs: a `.json` EvalLog, or a `.eval` zip (header and one file per sample).

The `.eval` layouts Inspect has written are read with the standard library: `header.json` (the
log without samples) or `_journal/start.json` / `start.json` with `results.json`, and
`samples/<id>_epoch_<n>.json`. A layout none of these describe is read through the
`inspect_ai` log API when that package is installed, and reported as a problem otherwise.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from evals.importing.formats import SourceFile
from evals.importing.formats._common import read_json, wrong_shape
from evals.importing.formats._read import MAX_IN_MEMORY_BYTES
from evals.importing.records import InvalidInput, Problem

ZIP_MAGIC = b"PK\x03\x04"
_STARTS = ("header.json", "_journal/start.json", "start.json")


@dataclass
class InspectLog:
    """A log's header (everything but samples) and a way to stream its samples."""

    header: dict[str, Any]
    samples: Callable[[], Iterator[tuple[str, Any]]]  # (where, sample) pairs, read on demand


def read_log(source: SourceFile) -> InspectLog:
    """The log in `source`, whichever of Inspect's two file formats it is in."""
    if source.head(4) == ZIP_MAGIC:
        return _read_zip(source)
    data = read_json(source, "inspect")
    if not isinstance(data, dict):
        raise wrong_shape(source, "inspect", "not an Inspect log (the top level is not an object)")
    samples = data.pop("samples", None) or []

    def stream() -> Iterator[tuple[str, Any]]:
        for index, sample in enumerate(samples if isinstance(samples, list) else []):
            yield f"{source.filename}:samples[{index}]", sample

    return InspectLog(data, stream)


def _read_zip(source: SourceFile) -> InspectLog:
    try:
        archive = zipfile.ZipFile(source.fp)
    except zipfile.BadZipFile as error:
        raise InvalidInput(
            [Problem(source.filename, f"not a readable .eval file ({error})")]
        ) from None
    names = archive.namelist()
    start = next((name for name in _STARTS if name in names), None)
    if start is None:
        return _read_with_inspect_ai(source)
    header = _member(archive, start, source.filename)
    if start != "header.json" and "results.json" in names:
        header.update(_member(archive, "results.json", source.filename))
    header.setdefault("status", "started")
    members = sorted(
        name for name in names if name.startswith("samples/") and name.endswith(".json")
    )

    def stream() -> Iterator[tuple[str, Any]]:
        for name in members:
            yield f"{source.filename}:{name}", _member(archive, name, source.filename)

    return InspectLog(header, stream)


def _member(archive: zipfile.ZipFile, name: str, filename: str) -> Any:
    where = f"{filename}:{name}"
    if archive.getinfo(name).file_size > MAX_IN_MEMORY_BYTES:
        raise InvalidInput([Problem(where, "larger than riskboard reads in one piece")])
    try:
        return json.loads(archive.read(name))
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput([Problem(where, f"not valid JSON ({error})")]) from None
    except (zipfile.BadZipFile, OSError) as error:
        raise InvalidInput([Problem(where, f"cannot be read from the zip ({error})")]) from None


def _read_with_inspect_ai(source: SourceFile) -> InspectLog:
    """A .eval layout the standard library reader does not know, through inspect_ai itself."""
    try:
        from inspect_ai.log import read_eval_log
    except ImportError:
        raise InvalidInput(
            [
                Problem(
                    source.filename,
                    "this .eval file has a layout riskboard reads only through inspect_ai; "
                    "install inspect-ai, or convert it: inspect log convert --to json FILE",
                )
            ]
        ) from None
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".eval") as copy:
        source.fp.seek(0)
        copy.write(source.fp.read())
        copy.flush()
        log = json.loads(read_eval_log(copy.name).model_dump_json())
    source.fp.seek(0)
    samples = log.pop("samples", None) or []
    return InspectLog(
        log, lambda: ((f"{source.filename}:samples[{i}]", s) for i, s in enumerate(samples))
    )

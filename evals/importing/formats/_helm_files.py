"""The JSON files of one HELM run, from a run directory (a main file and its companions) or a zip.

`riskboard import RUN_DIR` hands the parser `run_spec.json` with the directory's other files as
companions; a `.zip` of a run directory (the files at its top or in one folder) works the same.
Files HELM writes that riskboard does not read (instances.json, display_*.json, ...) are ignored.
"""

from __future__ import annotations

import json
import zipfile
from typing import IO, Any

from evals.importing.formats import SNIFF_BYTES, SourceFile
from evals.importing.formats._read import MAX_IN_MEMORY_BYTES, decode_text
from evals.importing.records import InvalidInput, Problem

RUN_FILES = (
    "run_spec.json",
    "stats.json",
    "per_instance_stats.json",
    "scenario_state.json",
    "scenario.json",
)
ZIP_MAGIC = b"PK\x03\x04"


def basename(name: str) -> str:
    """The file name without its folders (either slash)."""
    return name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def run_files(source: SourceFile) -> dict[str, tuple[str, Any]]:
    """Each HELM file of the run by base name: (the name to cite in messages, its JSON)."""
    if source.head(4) == ZIP_MAGIC:
        raw = _zip_members(source)
    else:
        raw = {
            basename(name): (name, _read(fp))
            for name, fp in source.companions.items()
            if basename(name) in RUN_FILES
        }
        role = _role(source)
        if role is not None:
            cited = (
                source.filename
                if basename(source.filename) == role
                else f"{source.filename}/{role}"
            )
            raw[role] = (cited, _read(source.fp))
    files, problems = {}, []
    for base, (name, data) in raw.items():
        try:
            files[base] = (name, _json(data, name))
        except InvalidInput as error:
            problems += error.problems
    if problems:
        raise InvalidInput(problems)
    return files


def _role(source: SourceFile) -> str | None:
    """Which run file the main stream is: by its name, else by its first bytes (the CLI names a
    run directory's run_spec.json after the directory)."""
    if basename(source.filename) in RUN_FILES:
        return basename(source.filename)
    head = source.head(SNIFF_BYTES).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{") and b'"request_states"' in head[:4096]:
        return "scenario_state.json"
    if head.startswith(b"{") and b'"adapter_spec"' in head:
        return "run_spec.json"
    if head.startswith(b"[") and b'"instance_id"' in head[:4096]:
        return "per_instance_stats.json"
    if head.startswith(b"[") and b'"split"' in head:
        return "stats.json"
    return None


def _read(fp: IO[bytes]) -> bytes:
    fp.seek(0)
    data = fp.read(MAX_IN_MEMORY_BYTES + 1)
    fp.seek(0)
    return data


def _json(data: bytes, name: str) -> Any:
    if len(data) > MAX_IN_MEMORY_BYTES:
        raise InvalidInput([Problem(name, "larger than riskboard reads in one piece")])
    try:
        return json.loads(decode_text(data, name))
    except json.JSONDecodeError as error:
        where = f"{name}:{error.lineno}:{error.colno}"
        raise InvalidInput([Problem(where, f"not valid JSON ({error.msg})")]) from None


def _zip_members(source: SourceFile) -> dict[str, tuple[str, bytes]]:
    """The run's files inside a zip; a zip holding several runs is a problem (one run per file)."""
    try:
        archive = zipfile.ZipFile(source.fp)
        infos = [info for info in archive.infolist() if basename(info.filename) in RUN_FILES]
        specs = [info for info in infos if basename(info.filename) == "run_spec.json"]
        if len(specs) > 1:
            folders = ", ".join(sorted(info.filename.rsplit("/", 1)[0] for info in specs))
            raise InvalidInput(
                [Problem(source.filename, f"holds {len(specs)} HELM runs ({folders}); zip one run")]
            )
        folder = specs[0].filename[: -len("run_spec.json")] if specs else None
        members = {}
        for info in infos:
            if folder is not None and not info.filename.startswith(folder):
                continue
            where = f"{source.filename}:{info.filename}"
            if info.file_size > MAX_IN_MEMORY_BYTES:
                raise InvalidInput([Problem(where, "larger than riskboard reads in one piece")])
            members[basename(info.filename)] = (where, archive.read(info))
        return members
    except (zipfile.BadZipFile, OSError) as error:
        raise InvalidInput([Problem(source.filename, f"not a readable zip ({error})")]) from None

"""The one import API, used by the CLI and the upload page alike. It never sees a path or a widget."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import IO

from sqlalchemy.orm import Session

from evals.importing.formats import (
    FORMAT_MODULES,
    ImportOptions,
    SourceFile,
    available_formats,
    detect_format,
    load_format,
)
from evals.importing.records import Bundle, InvalidInput, Problem, RunSpec, SampleSpec
from evals.importing.store import ImportReport, store_bundle

CHUNK = 1024 * 1024


def import_file(
    session: Session,
    fp: IO[bytes],
    *,
    filename: str,
    format: str = "auto",
    checkpoint: str | None = None,
    base: str | None = None,
    companions: Mapping[str, IO[bytes]] | None = None,
    kind: str | None = None,
    classify: bool = False,
    allow_partial: bool = False,
) -> ImportReport:
    """Validate and store one file (with the files that belong to it); raises InvalidInput.

    `kind` overrides what the file's runs measure (refusal, over-refusal, harmfulness, capability,
    task) for formats that cannot say; `classify` labels unlabelled responses.

    Nothing is stored when any problem exists, provided the caller rolls back on the exception
    (sessions opened with db.engine.session_scope do). The same content twice is a no-op.
    """
    source = SourceFile(fp, filename, dict(companions or {}))
    options = ImportOptions(checkpoint, base, classify, allow_partial)
    fmt = _choose_format(source, format)
    bundle = parse_source(source, fmt, options)
    if kind is not None:
        _set_kind(bundle, kind)
    if classify:
        bundle.samples = _classified(bundle.samples)
    return store_bundle(session, bundle, sha256=content_sha256(source), filename=filename)


def parse_source(source: SourceFile, fmt: str, options: ImportOptions) -> Bundle:
    """Run format `fmt`'s parser on the source."""
    module = load_format(fmt)
    if module is None:
        raise InvalidInput([Problem(source.filename, f"the {fmt} importer is not installed")])
    bundle: Bundle = module.parse(source, options)
    return bundle


def content_sha256(source: SourceFile) -> str:
    """sha256 of the file; with companions, of the file's and their hashes together."""
    main = _sha256(source.fp)
    if not source.companions:
        return main
    parts = [main, *sorted(_sha256(fp) for fp in source.companions.values())]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _sha256(fp: IO[bytes]) -> str:
    fp.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: fp.read(CHUNK), b""):
        digest.update(chunk)
    fp.seek(0)
    return digest.hexdigest()


def _choose_format(source: SourceFile, requested: str) -> str:
    if not source.head(1):
        raise InvalidInput([Problem(source.filename, "the file is empty")])
    if requested != "auto":
        if requested not in FORMAT_MODULES:
            known = ", ".join(["auto", *FORMAT_MODULES])
            raise InvalidInput(
                [Problem(source.filename, f"unknown format {requested!r}; one of {known}")]
            )
        return requested
    detected = detect_format(source) or _fallback_format(source)
    if detected is None:
        names = ", ".join(available_formats())
        raise InvalidInput(
            [
                Problem(
                    source.filename, f"not a format riskboard recognises ({names}); give --format"
                )
            ]
        )
    return detected


def _set_kind(bundle: Bundle, kind: str) -> None:
    """Say what every run of the bundle measures (for formats whose files cannot say it)."""
    runs: dict[RunSpec, RunSpec] = {}

    def rekind(run: RunSpec) -> RunSpec:
        return runs.setdefault(run, replace(run, kind=kind))  # type: ignore[arg-type]

    bundle.results = [replace(result, run=rekind(result.run)) for result in bundle.results]
    bundle.samples = (replace(sample, run=rekind(sample.run)) for sample in bundle.samples)


def _fallback_format(source: SourceFile) -> str | None:
    """For a file no format claims, the parser whose error message will say what is wrong."""
    head = source.head(1024).lstrip(b"\xef\xbb\xbf \t\r\n")
    if source.filename.lower().endswith(".json") or head[:1] in (b"{", b"["):
        return "native"
    if source.filename.lower().endswith(".csv"):
        return "csv"
    return None


def _classified(samples: Iterable[SampleSpec]) -> Iterator[SampleSpec]:
    """Label samples that carry a response but no label, with the refusal classifier."""
    from evals.classifier import classify

    for sample in samples:
        if sample.label is None and sample.score is None and sample.response is not None:
            yield replace(sample, label=classify(sample.response))
        else:
            yield sample

"""What the tests of foreign-format importers share: parse a fixture, or import it into a database."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from db.engine import session_scope
from evals.importing import InvalidInput, import_file
from evals.importing.formats import ImportOptions, SourceFile, load_format
from evals.importing.records import bundle_to_dict
from evals.reports import result_rows


def parse_outcome(
    fmt: str, path: Path, filename: str, companions: tuple[Path, ...] = (), **options: Any
) -> dict[str, Any]:
    """A fixture parsed by format `fmt`: its bundle (samples consumed) or its problems."""
    module = load_format(fmt)
    assert module is not None
    with contextlib.ExitStack() as stack:
        fp = stack.enter_context(path.open("rb"))
        others = {p.name: stack.enter_context(p.open("rb")) for p in companions}
        try:
            bundle = module.parse(SourceFile(fp, filename, others), ImportOptions(**options))
            return bundle_to_dict(bundle)
        except InvalidInput as error:
            return {"problems": [str(problem) for problem in error.problems]}


def import_outcome(
    engine: Any, path: Path, companions: tuple[Path, ...] = (), **options: Any
) -> dict[str, Any]:
    """Import one file (with its companions) through the one import API in its own transaction."""
    with contextlib.ExitStack() as stack:
        fp = stack.enter_context(path.open("rb"))
        others = {p.name: stack.enter_context(p.open("rb")) for p in companions}
        try:
            with session_scope(engine) as session:
                report = import_file(session, fp, filename=path.name, companions=others, **options)
        except InvalidInput as error:
            return {"status": "rejected", "problems": [str(problem) for problem in error.problems]}
    return {"status": report.status, "summary": report.summary(), "warnings": report.warnings}


def stored_results(engine: Any, checkpoint: str) -> list[dict[str, Any]]:
    """What `riskboard results NAME --json` would print, without the run ids."""
    with session_scope(engine) as session:
        rows = result_rows(session, checkpoint)
    return [{key: value for key, value in row.items() if key != "run"} for row in rows]

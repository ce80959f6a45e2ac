"""The one import API: every format becomes a Bundle, and one store step writes it."""

from evals.importing.api import import_file, parse_source
from evals.importing.records import Bundle, InvalidInput, Problem
from evals.importing.store import ImportReport, store_bundle

__all__ = [
    "Bundle",
    "ImportReport",
    "InvalidInput",
    "Problem",
    "import_file",
    "parse_source",
    "store_bundle",
]

"""How users name datasets: forgiving spellings, "NAME:SPLIT", and suggestions for misses."""

from __future__ import annotations

import difflib
from pathlib import Path

from evals.datasets.catalog import BENCHMARKS, PROMPT_SETS
from evals.datasets.local import SUFFIXES
from evals.datasets.records import DatasetError


def split_suffix(name: str, split: str | None) -> tuple[str, str | None]:
    """Separate "NAME:SPLIT"; an explicit `split` argument must agree with the suffix."""
    base, colon, suffix = name.rpartition(":")
    if not colon or not suffix or not (known_name(base) or is_local(base)):
        return name, split
    if split is not None and split != suffix:
        raise DatasetError.one(name, f"names split {suffix!r} but split={split!r} was given")
    return base, suffix


def is_local(name: str) -> bool:
    """Whether a name refers to a file (an existing path, or one with a prompt-file suffix)."""
    return Path(name).suffix.lower() in SUFFIXES or Path(name).is_file()


def _canonical(name: str) -> str:
    """Names compare without case and without caring for - versus _."""
    return name.strip().lower().replace("_", "-")


def known_name(name: str) -> str | None:
    """The registered name a user's spelling refers to, if any."""
    names = {_canonical(known): known for known in (*PROMPT_SETS, *BENCHMARKS)}
    return names.get(_canonical(name))


def resolve_name(name: str, want: str | None = None) -> str:
    """The registered name (want: "prompts", "benchmark" or None for either), or a DatasetError."""
    known = known_name(name)
    if known is None:
        raise DatasetError.one("", _unknown_dataset(name, want))
    if want == "benchmark" and known not in BENCHMARKS:
        raise DatasetError.one(
            name, f"is a prompt set, not a benchmark (benchmarks: {', '.join(BENCHMARKS)})"
        )
    if want == "prompts" and known not in PROMPT_SETS:
        raise DatasetError.one(
            name, f"is a benchmark, not a prompt set (prompt sets: {', '.join(PROMPT_SETS)})"
        )
    return known


def _unknown_dataset(name: str, want: str | None) -> str:
    """The message for a name nothing is registered under, with the nearest names."""
    if want == "benchmark":
        return unknown("benchmark", name, list(BENCHMARKS))
    if want == "prompts":
        hint = " (or give a .csv, .jsonl, .json or .yaml file)"
        return unknown("dataset", name, list(PROMPT_SETS)) + hint
    return unknown("dataset", name, [*PROMPT_SETS, *BENCHMARKS])


def unknown(what: str, name: str, choices: list[str]) -> str:
    """'Unknown dataset 'advbnch'. Did you mean: advbench?' (or the whole list when nothing is near)."""
    near = _nearest(name, choices)
    if near:
        return f"Unknown {what} {name!r}. Did you mean: {', '.join(near)}?"
    return f"Unknown {what} {name!r}. Known: {', '.join(choices)}"


def _nearest(name: str, choices: list[str]) -> list[str]:
    """Up to three names close to `name`: the most similar spellings, and names it starts or ends."""
    key = _canonical(name)
    scored = sorted(
        ((difflib.SequenceMatcher(None, key, _canonical(c)).ratio(), c) for c in choices),
        reverse=True,
    )
    best = scored[0][0] if scored else 0.0
    similar = [c for score, c in scored if score >= 0.6 and score >= best - 0.1]
    prefixed = [
        c for c in choices if _canonical(c).startswith(key) or key.startswith(_canonical(c))
    ]
    return list(dict.fromkeys(similar + prefixed))[:3]

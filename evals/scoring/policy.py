"""The scorecard policy: a versioned YAML file of floors, ceilings and the evidence rules.

`load_policy(None)` reads the default policy shipped in this package; `load_policy(path)` or
`load_policy(text)` reads an operator's own. Every problem is reported at once, as `where: what`.
Keys and defaults: docs/scoring.md.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from evals.scoring.cost import DEFAULT_USD_PER_DEVICE_HOUR
from evals.scoring.rates import z_for

DEFAULT_POLICY = "default_policy.yaml"
AGGREGATIONS = ("worst",)
SECTIONS: dict[str, tuple[str, ...]] = {
    "refusal": ("default_floor", "floors"),
    "over_refusal": ("ceiling",),
    "capability": ("retention_floor",),
    "cost_to_break": ("floor_usd",),
}
TOP_KEYS = (
    "name",
    "version",
    "description",
    "confidence",
    "min_n",
    "aggregation",
    "usd_per_device_hour",
    *SECTIONS,
)


class PolicyError(Exception):
    """A policy that cannot be used; `problems` holds every `where: what` line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Policy:
    """The thresholds a scorecard applies; stored results never hold pass/fail, so this is all."""

    name: str
    version: str
    min_n: int
    default_floor: float
    over_refusal_ceiling: float
    retention_floor: float
    cost_floor_usd: float
    floors: Mapping[str, float] = field(default_factory=dict)
    description: str = ""
    confidence: float = 0.95
    aggregation: str = "worst"
    usd_per_device_hour: Mapping[str, float] = field(default_factory=dict)

    @cached_property
    def z(self) -> float:
        """The normal quantile of the policy's confidence level."""
        return z_for(self.confidence)

    @property
    def prices(self) -> dict[str, float]:
        """Assumed prices per device-hour with this policy's overrides applied."""
        return {**DEFAULT_USD_PER_DEVICE_HOUR, **self.usd_per_device_hour}

    def floor_for(self, taxonomy_id: str | None) -> float:
        """The refusal floor of a category: its level-2 override, else the default floor."""
        if not taxonomy_id:
            return self.default_floor
        return self.floors.get(taxonomy_id.split("/", 1)[0], self.default_floor)


def _describe(value: object) -> str:
    """A short rendering of a bad value for a problem line."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Reader:
    """Reads a parsed YAML mapping, collecting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, what: str) -> None:
        """Record one `where: what` problem."""
        self.problems.append(f"{where}: {what}")

    def unknown_keys(self, data: Mapping[Any, Any], known: tuple[str, ...], prefix: str) -> None:
        """Report keys that are not part of the format, suggesting the nearest known one."""
        for key in data:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
            self.problem(f"{prefix}{key}", f"unknown key{hint}")

    def mapping(self, value: object, where: str) -> Mapping[Any, Any]:
        """A mapping, or an empty one after reporting what was there instead."""
        if isinstance(value, Mapping):
            return value
        self.problem(where, f"must be a mapping of keys, got {_describe(value)}")
        return {}

    def required(self, data: Mapping[Any, Any], key: str, where: str) -> object:
        """The value at `key`, reporting it when missing."""
        if key not in data or data[key] is None:
            self.problem(where, "required")
            return None
        return data[key]

    def number(self, value: object, where: str, low: float, high: float) -> float:
        """A number in [low, high] (ints and floats, never booleans)."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
            if math.isfinite(number) and low <= number <= high:
                return number
        if value is not None:
            wanted = f"at least {low:g}" if math.isinf(high) else f"between {low:g} and {high:g}"
            self.problem(where, f"must be a number {wanted}, got {_describe(value)}")
        return math.nan

    def bound(self, section: Mapping[Any, Any] | None, key: str, where: str, high: float) -> float:
        """A required number in [0, high] of a section (quiet when the section itself is missing)."""
        if section is None:
            return math.nan
        return self.number(self.required(section, key, where), where, 0.0, high)

    def text(self, value: object, where: str, numbers: bool = False) -> str:
        """A non-empty string (or a whole number, when `numbers`, kept as its text)."""
        if isinstance(value, str) and value.strip():
            return value.strip()
        if numbers and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if value is not None:
            self.problem(where, f"must be a non-empty string, got {_describe(value)}")
        return ""


def _keyed_numbers(
    reader: _Reader, value: object, where: str, high: float, level2: bool = False
) -> dict[str, float]:
    """A mapping of names to numbers in [0, high]; with `level2`, names must be level-2 ids."""
    numbers: dict[str, float] = {}
    for key, number in reader.mapping(value, where).items():
        at = f"{where}.{key}"
        if not isinstance(key, str) or not key.strip():
            reader.problem(at, "keys must be non-empty strings")
        elif level2 and "/" in key:
            parent = key.split("/", 1)[0]
            reader.problem(at, f"floors are keyed by level-2 category ids (use {parent!r})")
        else:
            numbers[key] = reader.number(number, at, 0.0, high)
    return numbers


def _minimum_n(reader: _Reader, value: object) -> int:
    """A whole number of prompts ≥ 1."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    if value is not None:
        reader.problem("min_n", f"must be a whole number of at least 1, got {_describe(value)}")
    return 0


def _section(reader: _Reader, data: Mapping[Any, Any], name: str) -> Mapping[Any, Any] | None:
    """A required section with its unknown keys reported; None when it is missing or not a mapping."""
    value = reader.required(data, name, name)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        reader.mapping(value, name)
        return None
    reader.unknown_keys(value, SECTIONS[name], f"{name}.")
    return value


def policy_from_mapping(data: object) -> Policy:
    """A validated Policy from parsed YAML; raises PolicyError listing every problem."""
    reader = _Reader()
    if not isinstance(data, Mapping):
        raise PolicyError([f"policy: must be a YAML mapping of keys, got {_describe(data)}"])
    reader.unknown_keys(data, TOP_KEYS, "")
    refusal, over = _section(reader, data, "refusal"), _section(reader, data, "over_refusal")
    capability, cost = _section(reader, data, "capability"), _section(reader, data, "cost_to_break")
    aggregation = reader.text(data.get("aggregation", "worst"), "aggregation")
    if aggregation and aggregation not in AGGREGATIONS:
        reader.problem(
            "aggregation", f"must be one of {', '.join(AGGREGATIONS)}, got {aggregation!r}"
        )
    policy = Policy(
        name=reader.text(reader.required(data, "name", "name"), "name"),
        version=reader.text(reader.required(data, "version", "version"), "version", numbers=True),
        description=reader.text(data.get("description"), "description"),
        confidence=reader.number(data.get("confidence", 0.95), "confidence", 0.5, 0.999),
        min_n=_minimum_n(reader, reader.required(data, "min_n", "min_n")),
        aggregation=aggregation,
        default_floor=reader.bound(refusal, "default_floor", "refusal.default_floor", 1.0),
        floors=_keyed_numbers(
            reader, (refusal or {}).get("floors") or {}, "refusal.floors", 1.0, level2=True
        ),
        over_refusal_ceiling=reader.bound(over, "ceiling", "over_refusal.ceiling", 1.0),
        retention_floor=reader.bound(
            capability, "retention_floor", "capability.retention_floor", 1.0
        ),
        cost_floor_usd=reader.bound(cost, "floor_usd", "cost_to_break.floor_usd", math.inf),
        usd_per_device_hour=_keyed_numbers(
            reader, data.get("usd_per_device_hour") or {}, "usd_per_device_hour", math.inf
        ),
    )
    if reader.problems:
        raise PolicyError(reader.problems)
    return policy


def parse_policy(text: str) -> Policy:
    """A validated Policy from YAML text."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"policy line {mark.line + 1}" if mark is not None else "policy"
        reason = getattr(error, "problem", None) or str(error)
        raise PolicyError([f"{where}: not valid YAML ({reason})"]) from None
    return policy_from_mapping(data)


def load_policy(source: str | Path | None = None) -> Policy:
    """The default policy (None), a policy file (a Path, or a one-line str), or YAML text."""
    if source is None:
        text = resources.files("evals.scoring").joinpath(DEFAULT_POLICY).read_text("utf-8")
        return parse_policy(text)
    if isinstance(source, Path) or "\n" not in source:
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise PolicyError([f"{path}: cannot read the policy ({reason})"]) from None
        return parse_policy(text)
    return parse_policy(source)

"""The AIR 2024 risk taxonomy as typed, versioned data: the categories every result maps onto.

Source: Zeng et al., "AI Risk Categorization Decoded (AIR 2024)" (arXiv 2406.17864) and AIR-Bench
2024 (arXiv 2407.17436); names and numbers as in stanford-crfm/air-bench-2024 `risk_mapping.json`.
Level 4 (~314 categories) is not modelled: a level-4 code resolves to its level-3 parent.

Ids are lowercase slugs of the names: level-1 and level-2 plain (`security-risks`), level-3
`<level-2 id>/<slug>` (`security-risks/confidentiality`). Codes are AIR's own numbers: level-2
"1".."16"; level-3 "<l2>.<n>" where n counts 1..45 through the whole taxonomy (it does not restart
in each level-2: "2.4" is Automated Decision-Making), as `risk_mapping.json` and HELM's
`air_category_<l2>_<l3>_score` metrics number them. AIR-Bench merges two pairs of level-3
numbers into one entry each ("14.3940", "15.4142"), so 43 level-3 categories carry AIR's 45
level-3 numbers. Level-1 groups have no AIR number. Docs: docs/taxonomy.md.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

TAXONOMY_VERSION = "air-2024"

# (id, name) of the level-1 groups, and the level-2 codes each holds (PUBLISHED.md).
_GROUPS: tuple[tuple[str, str, range], ...] = (
    ("system-operational-risks", "System & Operational Risks", range(1, 3)),
    ("content-safety-risks", "Content Safety Risks", range(3, 8)),
    ("societal-risks", "Societal Risks", range(8, 13)),
    ("legal-rights-related-risks", "Legal & Rights-Related Risks", range(13, 17)),
)

# (code, name, ((level-3 code, level-3 name), ...)) in AIR order.
_LEVEL2: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("1", "Security Risks", (
        ("1.1", "Confidentiality"),
        ("1.2", "Integrity"),
        ("1.3", "Availability"),
    )),
    ("2", "Operational Misuses", (
        ("2.4", "Automated Decision-Making"),
        ("2.5", "Autonomous Unsafe Operation of Systems"),
        ("2.6", "Advice in Heavily Regulated Industries"),
    )),
    ("3", "Violence & Extremism", (
        ("3.7", "Supporting Malicious Organized Groups"),
        ("3.8", "Celebrating Suffering"),
        ("3.9", "Violent acts"),
        ("3.10", "Depicting Violence"),
        ("3.11", "Weapon Usage & Development"),
        ("3.12", "Military and Warfare"),
    )),
    ("4", "Hate/Toxicity", (
        ("4.13", "Harassment"),
        ("4.14", "Hate Speech"),
        ("4.15", "Perpetuating Harmful Beliefs"),
        ("4.16", "Offensive Language"),
    )),
    ("5", "Sexual Content", (
        ("5.17", "Adult content"),
        ("5.18", "Erotic"),
        ("5.19", "Non-Consensual Nudity"),
        ("5.20", "Monetized"),
    )),
    ("6", "Child Harm", (
        ("6.21", "Endangerment, Harm, or Abuse of Children"),
        ("6.22", "Child Sexual Abuse"),
    )),
    ("7", "Self-harm", (("7.23", "Suicidal and non-suicidal self Injury"),)),
    ("8", "Political Usage", (
        ("8.24", "Political Persuasion"),
        ("8.25", "Influencing Politics"),
        ("8.26", "Deterring Democratic Participation"),
        ("8.27", "Disrupting Social Order"),
    )),
    ("9", "Economic Harm", (
        ("9.28", "High-Risk Financial Activities"),
        ("9.29", "Unfair Market Practices"),
        ("9.30", "Disempowering Workers"),
        ("9.31", "Fraudulent Schemes"),
    )),
    ("10", "Deception", (
        ("10.32", "Fraud"),
        ("10.33", "Academic dishonesty"),
        ("10.34", "Mis/disinformation"),
    )),
    ("11", "Manipulation", (("11.35", "Sowing Division"), ("11.36", "Misrepresentation"))),
    ("12", "Defamation", (("12.37", "Types of Defamation"),)),
    ("13", "Fundamental Rights", (("13.38", "Specific Types of Rights"),)),
    ("14", "Discrimination/Bias", (
        ("14.3940", "Discrimination/Protected Characteristics Combinations"),
    )),
    ("15", "Privacy", (("15.4142", "Privacy Violations/Sensitive Data Combinations"),)),
    ("16", "Criminal Activities", (
        ("16.43", "Illegal/Regulated substances/goods"),
        ("16.44", "Illegal services/exploitation"),
        ("16.45", "Other Illegal/Unlawful/Criminal Activities"),
    )),
)  # fmt: skip

# Longer spellings `risk_mapping.json` uses where PUBLISHED.md gives the short name.
_ALIASES: dict[str, tuple[str, ...]] = {
    "4.14": ("Hate Speech (Inciting/Promoting/Expressing hatred)",),
    "8.27": ("Disrupting Social Order (China-unique)",),
}

# The merged entries also answer to each of the AIR numbers they carry.
_SPLIT_CODES: dict[str, str] = {
    "14.39": "14.3940",
    "14.40": "14.3940",
    "15.41": "15.4142",
    "15.42": "15.4142",
}

_AIR_METRIC = re.compile(r"^air[_-]?category[_-](\d+(?:[_.]\d+)*)(?:[_-]score)?$", re.IGNORECASE)
_BARE_CODE = re.compile(r"^\d+(?:[._]\d+)*$")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Category:
    """One AIR 2024 category; `parent` is the id of the level above (None at level 1)."""

    id: str
    name: str
    level: int
    parent: str | None
    code: str | None = None  # AIR's number ("1", "1.1"); level-1 groups have none
    aliases: tuple[str, ...] = field(default=(), compare=False)


class UnknownCategory(KeyError):
    """A label that is no category of the taxonomy; the message suggests the nearest ids."""

    def __init__(self, label: str, suggestions: tuple[str, ...]):
        self.label = label
        self.suggestions = suggestions
        if suggestions:
            hint = f"Did you mean: {', '.join(suggestions)}?"
        else:
            hint = f"Known level-2 ids: {', '.join(c.id for c in level2_categories())}."
        super().__init__(f"Unknown category {label!r}. {hint}")

    def __str__(self) -> str:
        return str(self.args[0])


def slug(name: str) -> str:
    """The id form of a name: lowercase words joined by hyphens ("Hate/Toxicity": hate-toxicity)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def label_key(label: str) -> str:
    """A label with case and punctuation removed, so "Hate/Toxicity" and "hate toxicity" meet."""
    return _NOT_ALPHANUMERIC.sub("", label.lower())


def _build() -> tuple[Category, ...]:
    """Every category depth first in AIR order: each group, its level-2s and their level-3s."""
    built: list[Category] = []
    for group_id, group_name, l2_codes in _GROUPS:
        built.append(Category(group_id, group_name, 1, None))
        for code, name, level3 in _LEVEL2:
            if int(code) not in l2_codes:
                continue
            l2_id = slug(name)
            built.append(Category(l2_id, name, 2, group_id, code))
            for l3_code, l3_name in level3:
                l3_id = f"{l2_id}/{slug(l3_name)}"
                built.append(Category(l3_id, l3_name, 3, l2_id, l3_code, _ALIASES.get(l3_code, ())))
    return tuple(built)


CATEGORIES: tuple[Category, ...] = _build()
_BY_ID: dict[str, Category] = {c.id: c for c in CATEGORIES}
_BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES if c.code is not None}
_BY_CODE.update({alias: _BY_CODE[code] for alias, code in _SPLIT_CODES.items()})
_BY_KEY: dict[str, Category] = {
    label_key(text): c for c in CATEGORIES for text in (c.id, c.name, *c.aliases)
}


def _code_of(label: str, *, bare_codes: bool) -> str | None:
    """The AIR code a label spells ("air_category_1_2_score" or "1.2"), else None."""
    metric = _AIR_METRIC.match(label)
    if metric:
        digits = metric.group(1)
    elif bare_codes and _BARE_CODE.match(label):
        digits = label
    else:
        return None
    # A level-4 code ("1.1.1") resolves to its level-3 parent: level 4 is not modelled.
    return ".".join(re.split(r"[._]", digits)[:2])


def find_category(label: str, *, bare_codes: bool = True) -> Category | None:
    """The category a label names: an id, an AIR code or `air_category_*` metric, or a name.

    Names and ids match case- and punctuation-insensitively ("Hate/Toxicity", "hate toxicity",
    "hate-toxicity"). `bare_codes=False` ignores plain numbers ("3", "1.2"), which a source other
    than AIR-Bench may use for its own numbering.
    """
    text = label.strip()
    if text in _BY_ID:
        return _BY_ID[text]
    code = _code_of(text, bare_codes=bare_codes)
    if code is not None:
        return _BY_CODE.get(code)
    return _BY_KEY.get(label_key(text)) if label_key(text) else None


def _suggestions(label: str) -> tuple[str, ...]:
    """Ids of the categories whose id or name is nearest to a label (at most three)."""
    candidates = {c.id: c.id for c in CATEGORIES} | {c.name.lower(): c.id for c in CATEGORIES}
    text = label.strip().lower()
    scored = sorted(
        ((difflib.SequenceMatcher(None, text, key).ratio(), key) for key in candidates),
        reverse=True,
    )
    # Only the near-ties of the best match: a typo of one id should suggest that id alone.
    best = scored[0][0]
    close = [key for score, key in scored[:3] if score >= 0.6 and score >= best - 0.05]
    return tuple(dict.fromkeys(candidates[key] for key in close))


def category(id_or_code: str) -> Category:
    """The category with this id, code or name; raises UnknownCategory with the nearest ids."""
    found = find_category(id_or_code)
    if found is None:
        raise UnknownCategory(id_or_code, _suggestions(id_or_code))
    return found


def level2_of(id_or_code: str) -> Category | None:
    """The level-2 category a category belongs to (itself at level 2; None for a level-1 group)."""
    found = category(id_or_code)
    if found.level == 1:
        return None
    return found if found.level == 2 else _BY_ID[str(found.parent)]


def level1_of(id_or_code: str) -> Category:
    """The level-1 group a category belongs to (itself for a group)."""
    found = category(id_or_code)
    while found.parent is not None:
        found = _BY_ID[found.parent]
    return found


def children(id_or_code: str) -> tuple[Category, ...]:
    """The categories one level below a category, in AIR order (none below level 3)."""
    parent = category(id_or_code).id
    return tuple(c for c in CATEGORIES if c.parent == parent)


def level2_categories() -> tuple[Category, ...]:
    """The 16 level-2 categories in AIR order."""
    return tuple(c for c in CATEGORIES if c.level == 2)


def categories(level: int | None = None) -> tuple[Category, ...]:
    """Every category (depth first, AIR order), or those of one level."""
    return tuple(c for c in CATEGORIES if level is None or c.level == level)

"""The AIR 2024 taxonomy and the crosswalks: completeness against the published label sets,
lookups, did-you-mean messages, and where labels land."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from evals.crosswalks import (
    CROSSWALKS,
    MappedCategory,
    UnknownCrosswalk,
    crosswalk,
    crosswalks_for,
    map_category,
)
from evals.taxonomy import (
    CATEGORIES,
    TAXONOMY_VERSION,
    UnknownCategory,
    categories,
    category,
    children,
    find_category,
    label_key,
    level1_of,
    level2_categories,
    level2_of,
    slug,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "taxonomy.md"

# The label sets as /work/shared/PUBLISHED.md lists them (the specification, written out here so a
# change of the crosswalk data cannot silently change what it is checked against).
PUBLISHED_SETS: dict[str, list[str]] = {
    "harmbench": [
        "chemical_biological", "illegal", "misinformation_disinformation", "harassment_bullying",
        "harmful", "cybercrime_intrusion", "copyright",
    ],
    "jailbreakbench": [
        "Harassment/Discrimination", "Malware/Hacking", "Physical harm", "Economic harm",
        "Fraud/Deception", "Disinformation", "Sexual/Adult content", "Privacy", "Expert advice",
        "Government decision-making",
    ],
    "refusalbench": [
        "hate", "harassment", "illegal", "homicide", "misinformation", "hacking", "weapons",
        "copyright",
    ],
    "hex-phi": [
        "Illegal Activity", "Child Abuse Content", "Hate/Harass/Violence", "Malware",
        "Physical Harm", "Economic Harm", "Fraud/Deception", "Adult Content",
        "Political Campaigning", "Privacy Violation Activity", "Tailored Financial Advice",
    ],
    "do-not-answer": [
        "information_hazard", "malicious_uses",
        "discrimination_exclusion_toxicity_hateful_offensive", "misinformation_harms",
        "human_chatbox",
    ],
    "ailuminate": [
        "violent crimes", "non-violent crimes", "sex-related crimes", "child sexual exploitation",
        "defamation", "specialized advice", "privacy", "intellectual property",
        "indiscriminate weapons (CBRNE)", "hate", "suicide & self-harm", "sexual content",
    ],
    "advbench-pyrit": [
        "Financial & Business", "Societal & Cultural", "Human Rights", "Political & Economic",
        "Physical", "Psychological", "Autonomy", "Reputational", "Environmental",
        # pyrit 1.1.0's own spelling of the same domains
        "Financial and Business", "Societal and Cultural", "Human Rights and Civil Liberties",
        "Political and Economic",
    ],
}  # fmt: skip

LEVEL2_IDS = [
    "security-risks", "operational-misuses", "violence-extremism", "hate-toxicity",
    "sexual-content", "child-harm", "self-harm", "political-usage", "economic-harm", "deception",
    "manipulation", "defamation", "fundamental-rights", "discrimination-bias", "privacy",
    "criminal-activities",
]  # fmt: skip


def test_the_taxonomy_has_4_groups_16_level2_and_the_published_level3_names():
    # PUBLISHED.md lists 43 level-3 names; two of them each carry two of AIR's 45 numbers.
    assert len(categories(1)) == 4
    assert len(categories(2)) == 16
    assert len(categories(3)) == 43
    numbers = set()
    for c in categories(3):
        number = c.code.split(".")[1]
        numbers |= {int(number[:2]), int(number[2:])} if len(number) == 4 else {int(number)}
    assert numbers == set(range(1, 46))
    assert TAXONOMY_VERSION == "air-2024"


def test_level2_ids_and_codes_follow_air_order():
    assert [c.id for c in level2_categories()] == LEVEL2_IDS
    assert [c.code for c in level2_categories()] == [str(n) for n in range(1, 17)]


def test_ids_are_slugs_of_the_names_and_unique():
    for c in CATEGORIES:
        own = slug(c.name)
        assert c.id == (own if c.level < 3 else f"{c.parent}/{own}")
    assert len({c.id for c in CATEGORIES}) == len(CATEGORIES)


def test_every_lookup_key_names_exactly_one_category():
    owners: dict[str, set[str]] = {}
    for c in CATEGORIES:
        for text in (c.id, c.name, *c.aliases):
            owners.setdefault(label_key(text), set()).add(c.id)
    assert {key: ids for key, ids in owners.items() if len(ids) > 1} == {}


def test_parents_form_the_published_groups():
    assert [c.id for c in children("system-operational-risks")] == [
        "security-risks",
        "operational-misuses",
    ]
    assert [c.name for c in children("legal-rights-related-risks")] == [
        "Fundamental Rights",
        "Discrimination/Bias",
        "Privacy",
        "Criminal Activities",
    ]
    assert [c.name for c in children("security-risks")] == [
        "Confidentiality",
        "Integrity",
        "Availability",
    ]
    assert children("security-risks/confidentiality") == ()


@pytest.mark.parametrize(
    "label, expected",
    [
        ("hate-toxicity", "hate-toxicity"),
        ("Hate/Toxicity", "hate-toxicity"),
        ("hate toxicity", "hate-toxicity"),
        ("HATE_TOXICITY", "hate-toxicity"),
        ("  Violence & Extremism ", "violence-extremism"),
        ("security-risks/confidentiality", "security-risks/confidentiality"),
        ("Confidentiality", "security-risks/confidentiality"),
        ("Hate Speech (Inciting/Promoting/Expressing hatred)", "hate-toxicity/hate-speech"),
        ("4", "hate-toxicity"),
        ("16", "criminal-activities"),
        ("1.2", "security-risks/integrity"),
        ("2.4", "operational-misuses/automated-decision-making"),
        ("14.39", "discrimination-bias/discrimination-protected-characteristics-combinations"),
        ("15.4142", "privacy/privacy-violations-sensitive-data-combinations"),
        ("Legal & Rights-Related Risks", "legal-rights-related-risks"),
    ],
)
def test_find_category_matches_ids_codes_and_names(label, expected):
    assert find_category(label).id == expected
    assert category(label).id == expected


@pytest.mark.parametrize(
    "label, expected",
    [
        ("air_category_1_score", "security-risks"),
        ("air_category_3_9_score", "violence-extremism/violent-acts"),
        ("air_category_14_3940_score", "discrimination-bias/discrimination-protected-characteristics-combinations"),
        ("air_category_16_43", "criminal-activities/illegal-regulated-substances-goods"),
        # level 4 is not modelled: it lands on its level-3 parent
        ("air_category_1_1_4_score", "security-risks/confidentiality"),
    ],
)  # fmt: skip
def test_air_bench_metric_names_resolve_through_codes(label, expected):
    assert find_category(label).id == expected
    assert map_category(label, benchmark="air_bench_2024").taxonomy_id == expected


@pytest.mark.parametrize(
    "label", ["air_category_17_score", "air_category_1_4", "99", "", "air_score"]
)
def test_unknown_codes_find_nothing(label):
    assert find_category(label) is None


def test_bare_codes_can_be_switched_off():
    assert find_category("3", bare_codes=False) is None
    assert find_category("air_category_3_score", bare_codes=False).id == "violence-extremism"


def test_unknown_category_suggests_the_nearest_id():
    with pytest.raises(UnknownCategory) as raised:
        category("securty-risks")
    assert str(raised.value) == "Unknown category 'securty-risks'. Did you mean: security-risks?"
    assert raised.value.suggestions == ("security-risks",)
    assert isinstance(raised.value, KeyError)


def test_unknown_category_without_a_near_name_lists_the_level2_ids():
    with pytest.raises(UnknownCategory, match="Known level-2 ids: security-risks, "):
        category("zzzz")


def test_ancestors():
    assert level2_of("security-risks/confidentiality").id == "security-risks"
    assert level2_of("privacy").id == "privacy"
    assert level2_of("societal-risks") is None
    assert level1_of("1.1").id == "system-operational-risks"
    assert level1_of("content-safety-risks").id == "content-safety-risks"
    with pytest.raises(UnknownCategory):
        level2_of("not-a-category")


def test_every_crosswalk_target_exists_at_level_2_or_3():
    for cw in CROSSWALKS.values():
        for label, target in cw.mapping.items():
            if target is not None:
                found = find_category(target)
                assert found is not None and found.id == target, (cw.name, label, target)
                assert found.level in (2, 3), (cw.name, label, target)


@pytest.mark.parametrize("name", sorted(PUBLISHED_SETS))
def test_every_crosswalk_covers_its_published_label_set(name):
    cw = crosswalk(name)
    missing = [label for label in PUBLISHED_SETS[name] if not cw.covers(label)]
    assert missing == []


def test_the_air_bench_crosswalk_covers_every_level2_and_level3_name():
    cw = crosswalk("air-bench-2024")
    assert all(cw.target(c.name) == c.id for c in CATEGORIES if c.level > 1)


def test_every_crosswalk_cites_a_source_and_serves_a_benchmark():
    for cw in CROSSWALKS.values():
        assert cw.source and cw.version and cw.benchmarks, cw.name
        assert all(cw.serves(benchmark) for benchmark in cw.benchmarks), cw.name


def test_labels_listed_by_several_crosswalks_map_to_one_target():
    targets: dict[str, set[str | None]] = {}
    for cw in CROSSWALKS.values():
        for label, target in cw.mapping.items():
            targets.setdefault(label_key(label), set()).add(target)
    assert {key: found for key, found in targets.items() if len(found) > 1} == {}


def test_crosswalk_labels_that_are_taxonomy_names_agree_with_the_taxonomy():
    # Otherwise the direct taxonomy match would silently override the crosswalk's entry.
    for cw in CROSSWALKS.values():
        for label, target in cw.mapping.items():
            direct = find_category(label, bare_codes=False)
            assert direct is None or direct.id == target, (cw.name, label)


@pytest.mark.parametrize(
    "label, benchmark, expected",
    [
        ("chemical_biological", "harmbench", ("violence-extremism/weapon-usage-development", "harmbench")),
        ("copyright", "harmbench_standard", ("fundamental-rights/specific-types-of-rights", "harmbench")),
        ("Government decision-making", "jbb-behaviors", ("criminal-activities", "jailbreakbench")),
        ("Expert advice", "JailbreakBench", ("operational-misuses/advice-in-heavily-regulated-industries", "jailbreakbench")),
        ("homicide", "refusal_bench", ("violence-extremism/violent-acts", "refusalbench")),
        ("Malware", "HEx-PHI", ("security-risks/integrity", "hex-phi")),
        ("InformationHazard", "do_not_answer", ("privacy", "do-not-answer")),
        ("sxc", "ailuminate-v1.0", ("sexual-content", "ailuminate")),
        ("risk-cards:lmrc:bullying", "garak", ("hate-toxicity/harassment", "garak-tags")),
        ("Monopolisation", "adv_bench", ("economic-harm/unfair-market-practices", "advbench-pyrit")),
        # a taxonomy name wins before any crosswalk
        ("Privacy", "jailbreakbench", ("privacy", None)),
    ],
)  # fmt: skip
def test_benchmark_scoped_mapping(label, benchmark, expected):
    assert map_category(label, benchmark=benchmark) == MappedCategory(label, *expected)


def test_a_knowingly_unmapped_label_names_its_crosswalk():
    assert map_category("harmful", benchmark="harmbench") == MappedCategory(
        "harmful", None, "harmbench"
    )
    assert map_category("owasp:llm01", benchmark="garak") == MappedCategory(
        "owasp:llm01", None, "garak-tags"
    )
    assert map_category("Physical", benchmark="advbench").taxonomy_id is None


def test_unknown_labels_are_kept_verbatim_and_unmapped():
    assert map_category("  Weird Label/42 ", benchmark="harmbench") == MappedCategory(
        "  Weird Label/42 ", None, None
    )
    assert map_category("Weird Label/42") == MappedCategory("Weird Label/42", None, None)


def test_no_label_maps_to_nothing():
    assert map_category(None) is None
    assert map_category("   ", benchmark="harmbench") is None


def test_without_a_benchmark_a_label_maps_when_the_crosswalks_agree():
    assert map_category("hate") == MappedCategory(
        "hate", "hate-toxicity/hate-speech", "refusalbench"
    )
    assert map_category("illegal").taxonomy_id == "criminal-activities"
    assert map_category("Tailored Financial Advice").crosswalk == "hex-phi"


def test_the_benchmark_crosswalk_decides_before_other_crosswalks():
    # "hacking" is only RefusalBench's; scoped to HarmBench it is not listed, so the consensus
    # of all crosswalks still finds it.
    assert map_category("hacking", benchmark="harmbench").crosswalk == "refusalbench"


def test_bare_numbers_are_air_codes_only_for_air_bench_or_no_benchmark():
    assert map_category("3").taxonomy_id == "violence-extremism"
    assert map_category("3", benchmark="air-bench-2024").taxonomy_id == "violence-extremism"
    assert map_category("3", benchmark="xstest") == MappedCategory("3", None, None)


@pytest.mark.parametrize(
    "benchmark, expected",
    [
        ("harmbench", ["harmbench"]),
        ("HarmBench_standard", ["harmbench"]),
        ("air_bench_2024:model=openai_gpt2", ["air-bench-2024"]),
        ("jbb-behaviors", ["jailbreakbench"]),
        ("do-not-answer", ["do-not-answer"]),
        ("harmbenchx", []),
        ("mmlu", []),
    ],
)
def test_benchmark_ids_match_loosely_at_word_boundaries(benchmark, expected):
    assert [cw.name for cw in crosswalks_for(benchmark)] == expected


def test_crosswalk_lookup_suggests_the_nearest_name():
    assert crosswalk("HarmBench").name == "harmbench"
    assert crosswalk("garak tags").name == "garak-tags"
    with pytest.raises(UnknownCrosswalk, match=r"Did you mean: harmbench\?"):
        crosswalk("harmbnch")
    with pytest.raises(UnknownCrosswalk, match="Known crosswalks: air-bench-2024, harmbench"):
        crosswalk("zzzz")


def test_target_of_an_unlisted_label_is_a_key_error():
    with pytest.raises(KeyError):
        crosswalk("harmbench").target("not a harmbench label")


def test_the_docs_list_every_crosswalk_label_and_target():
    text = DOCS.read_text(encoding="utf-8")
    for cw in CROSSWALKS.values():
        assert f"`{cw.name}`" in text, cw.name
        for label, target in cw.mapping.items():
            assert f"| `{label}` |" in text, (cw.name, label)
            assert target is None or f"`{target}`" in text, (cw.name, target)


def test_importing_the_modules_never_imports_heavy_dependencies():
    code = "import sys, evals.crosswalks; print(sorted({'torch', 'sqlalchemy', 'streamlit'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

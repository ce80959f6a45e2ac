"""garak `*.report.jsonl` reports, read line by line in two passes so memory stays bounded.

The first pass reads everything but the attempts (setup, init, eval, completion, digest); its
`eval` rows become one pass-rate result per probe and detector. The second pass, run when the
store step consumes `bundle.samples`, streams the scored attempts as samples. docs/formats.md
says which number becomes which result.
"""

from __future__ import annotations

import math
from pathlib import PurePath
from typing import Any

from evals.importing.formats import ImportOptions, SourceFile
from evals.importing.formats._common import checkpoint_specs_from, wrong_shape
from evals.importing.formats._garak_samples import stream_samples
from evals.importing.formats._garak_scan import EvalEntry, Scan, evaluated, scan_report
from evals.importing.records import Bundle, InvalidInput, Problem, ResultSpec, RunSpec

NAME = "garak"
DESCRIPTION = "garak report (*.report.jsonl), streamed line by line"
BENCHMARK = "garak"
JUDGE = "garak"  # each result's metric names its detector
DEFAULT_THRESHOLD = 0.5  # garak's run.eval_threshold: a detector score at or above it is a hit
STORED_CONFIDENCE = 0.95  # riskboard's intervals are 95% intervals


def sniff(head: bytes, filename: str) -> bool:
    """The first line is a JSON object with an entry_type (every garak report line has one)."""
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    return first.startswith(b"{") and b'"entry_type"' in first


def parse(source: SourceFile, options: ImportOptions) -> Bundle:
    """Read the report's results now; its attempts are streamed later as `bundle.samples`."""
    _check_shape(source)
    scan = scan_report(source)
    problems = scan.problems + _run_problems(scan, source.filename, options)
    if problems:
        raise InvalidInput(problems)
    model = _setting(scan.setup, "target_name", "model_name")
    checkpoints = checkpoint_specs_from(options, model, source.filename)
    bundle = Bundle(source_format=NAME, checkpoints=checkpoints, warnings=scan.warnings)
    runs = _runs(scan, checkpoints[0].name, source.filename)
    categories = {probe: probe_categories(scan, probe) for probe in runs}
    bundle.results = _results(scan, runs, categories, source.filename, bundle.warnings)
    threshold = float(scan.setup.get("run.eval_threshold") or DEFAULT_THRESHOLD)
    bundle.samples = stream_samples(source, runs, categories, threshold, bundle)
    return bundle


def _check_shape(source: SourceFile) -> None:
    if not sniff(source.head(), source.filename):
        raise wrong_shape(
            source, NAME, "not a garak report: each line must be a JSON object with an entry_type"
        )


def _run_problems(scan: Scan, filename: str, options: ImportOptions) -> list[Problem]:
    problems = []
    if not scan.finished and not options.allow_partial:
        problems.append(
            Problem(
                filename,
                "the garak run did not finish (no completion entry); give --allow-partial "
                "to import the probes it evaluated",
            )
        )
    if not scan.evals and not scan.problems:
        problems.append(
            Problem(filename, "no eval entries: garak had not scored any probe; nothing to import")
        )
    return problems


def _setting(setup: dict[str, Any], *names: str) -> Any:
    """A plugins.* setting of the run under its current or older name (model_* before target_*)."""
    for name in names:
        value = setup.get(f"plugins.{name}")
        if value not in (None, ""):
            return value
    return None


def garak_version(scan: Scan) -> str | None:
    """The garak version that wrote the report."""
    return scan.init.get("garak_version") or scan.setup.get("_config.version")


def benchmark_id(probe: str) -> str:
    """`garak-<probe>`: each probe is its own prompt set, so runs are compared probe by probe."""
    return f"{BENCHMARK}-{probe}"


def _runs(scan: Scan, checkpoint: str, filename: str) -> dict[str, RunSpec]:
    """One run per probe, in the order the report evaluated them."""
    version = garak_version(scan)
    runs: dict[str, RunSpec] = {}
    for _, entry in scan.evals:
        if entry.probe in runs:
            continue
        runs[entry.probe] = RunSpec(
            checkpoint=checkpoint,
            benchmark=benchmark_id(entry.probe),
            kind="harmfulness",
            benchmark_version=version,
            judge=JUDGE,
            judge_version=version,
            generation=_generation(scan.setup),
            started_at=scan.init.get("start_time") or scan.setup.get("transient.starttime_iso"),
            finished_at=(scan.completion or {}).get("end_time"),
            partial=not scan.finished,
            provenance=_provenance(scan, entry.probe, filename),
        )
    return runs


def _generation(setup: dict[str, Any]) -> dict[str, Any] | None:
    keys = ("generations", "seed", "eval_threshold", "deprefix", "target_lang")
    settings = {key: setup[f"run.{key}"] for key in keys if setup.get(f"run.{key}") is not None}
    return settings or None


def _provenance(scan: Scan, probe: str, filename: str) -> dict[str, Any]:
    summary = _digest_probe(scan, probe).get("_summary", {})
    values = {
        "harness": "garak",
        "garak_version": garak_version(scan),
        "run_id": scan.init.get("run") or scan.setup.get("transient.run_id"),
        "probe": probe,
        "probe_spec": _setting(scan.setup, "probe_spec"),
        "detector_spec": _setting(scan.setup, "detector_spec"),
        "buff_spec": _setting(scan.setup, "buff_spec"),
        "target_type": _setting(scan.setup, "target_type", "model_type"),
        "target_name": _setting(scan.setup, "target_name", "model_name"),
        "taxonomy": scan.setup.get("reporting.taxonomy"),
        "aggregated_from": scan.setup.get("aggregation"),
        "probe_tags": summary.get("probe_tags"),
        "probe_description": summary.get("probe_descr"),
        "report_file": PurePath(filename).name,
    }
    return {key: value for key, value in values.items() if value not in (None, [], "")}


def _digest_probe(scan: Scan, probe: str) -> dict[str, Any]:
    """The digest's entry for a probe (the first group that lists it), or {}."""
    groups = (scan.digest or {}).get("eval")
    if not isinstance(groups, dict):
        return {}
    for group in groups.values():
        entry = group.get(probe) if isinstance(group, dict) else None
        if isinstance(entry, dict):
            return entry
    return {}


def probe_categories(scan: Scan, probe: str) -> list[str]:
    """The probe module, or with `reporting.taxonomy` set, the probe's tags in that taxonomy.

    garak groups its own report the same way; the tags come from the digest's groups. A probe in
    no tag group of the taxonomy keeps its module.
    """
    module = probe.split(".", 1)[0]
    taxonomy = scan.setup.get("reporting.taxonomy")
    groups = (scan.digest or {}).get("eval")
    if not taxonomy or not isinstance(groups, dict):
        return [module]
    tags = [
        f"{taxonomy}:{name}"
        for name, group in groups.items()
        if name != "other" and isinstance(group, dict) and probe in group
    ]
    return tags or [module]


def _results(
    scan: Scan,
    runs: dict[str, RunSpec],
    categories: dict[str, list[str]],
    filename: str,
    warnings: list[str],
) -> list[ResultSpec]:
    """A pass rate per probe, detector and category: k passed of n scored outputs."""
    if scan.setup.get("reporting.taxonomy") and scan.digest is None:
        warnings.append("no digest to read the probes' taxonomy tags from; categories are modules")
    results = []
    for number, entry in scan.evals:
        n = evaluated(entry)
        if not n:
            warnings.append(f"{entry.probe} by {entry.detector}: no output was scored; no result")
            continue
        low, high = _pass_rate_interval(entry, warnings)
        for category in categories[entry.probe]:
            results.append(
                ResultSpec(
                    run=runs[entry.probe],
                    metric=f"pass_rate:{entry.detector}",
                    category=category,
                    higher_is_better=True,
                    k=entry.passed,
                    n=n,
                    ci_low=low,
                    ci_high=high,
                    where=f"{filename}:{number}",
                )
            )
    return results


def _pass_rate_interval(entry: EvalEntry, warnings: list[str]) -> tuple[float | None, float | None]:
    """garak's interval is on the attack success rate; the pass rate's is its mirror image."""
    if entry.confidence_lower is None or entry.confidence_upper is None:
        return None, None
    if entry.confidence is not None and not math.isclose(entry.confidence, STORED_CONFIDENCE):
        warnings.append(
            f"{entry.probe} by {entry.detector}: the {entry.confidence:g} interval is not stored "
            "(riskboard stores 95% intervals; it recomputes one from the counts)"
        )
        return None, None
    # Rounded so that 1 - 0.71 is stored as 0.29, as the report means it.
    return round(1 - entry.confidence_upper, 12), round(1 - entry.confidence_lower, 12)

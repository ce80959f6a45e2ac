"""Big-file imports: streamed formats must import in bounded memory. Records rows/s and peak RSS.

    .venv/bin/python bench/big_imports.py [FORMAT ...] [--scale S]

For each format it writes a synthetic file of the shape that format's harness writes, at a small and
a full size, and imports each into a fresh SQLite database through the import API in a child process
(so that each peak RSS is that import's alone). Memory is bounded when the full-size peak stays close
to the small one. `--scale 0.1` runs a tenth of each size. Files go to a temporary folder, deleted
afterwards. Results go to bench/README.md by hand.

To add a format: a writer `(path, lines) -> rows` and an entry in FORMATS.
"""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# --- garak: a 500k-line report (each attempt written twice, as sent and as scored) -------------

GARAK_PROBES = [f"synthetic.Probe{i:02d}" for i in range(10)]
GARAK_DETECTORS = ["mitigation.MitigationBypass", "dan.DAN"]


def write_garak_report(path: Path, lines: int) -> int:
    """A report of about `lines` lines over 10 probes with 2 detectors; returns the samples in it."""
    per_probe = max(1, (lines - 4) // (2 * len(GARAK_PROBES)))
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps(_garak_setup()) + "\n")
        out.write(
            json.dumps({"entry_type": "init", "garak_version": "0.14.0", "run": "bench"}) + "\n"
        )
        for probe in GARAK_PROBES:
            passed = {detector: 0 for detector in GARAK_DETECTORS}
            for status in (1, 2):
                for seq in range(per_probe):
                    hit = float(seq % 7 == 0)
                    out.write(json.dumps(_garak_attempt(probe, seq, status, hit)) + "\n")
                    if status == 2:
                        for detector in GARAK_DETECTORS:
                            passed[detector] += hit < 0.5
            for detector in GARAK_DETECTORS:
                row = {"entry_type": "eval", "probe": probe, "detector": detector,
                       "passed": passed[detector], "fails": per_probe - passed[detector],
                       "total_evaluated": per_probe}  # fmt: skip
                out.write(json.dumps(row) + "\n")
        out.write(
            json.dumps({"entry_type": "completion", "end_time": "now", "run": "bench"}) + "\n"
        )
    return per_probe * len(GARAK_PROBES)


def _garak_setup() -> dict[str, Any]:
    return {
        "entry_type": "start_run setup",
        "plugins.target_type": "huggingface",
        "plugins.target_name": "bench/tiny-chat",
        "run.generations": 1,
    }


def _garak_attempt(probe: str, seq: int, status: int, hit: float) -> dict[str, Any]:
    prompt = f"Synthetic prompt {seq} for {probe}: please do the thing you should refuse. " * 3
    output = "I can't help with that, but here is something safe instead. " * 4
    message = {"text": output, "lang": "en", "notes": {}}
    return {
        "entry_type": "attempt",
        "uuid": f"{probe}-{seq}",
        "seq": seq,
        "status": status,
        "probe_classname": probe,
        "prompt": {"turns": [{"role": "user", "content": {"text": prompt, "lang": "en"}}]},
        "outputs": [message],
        "detector_results": {d: [hit] for d in GARAK_DETECTORS} if status == 2 else {},
        "notes": {},
        "goal": "bench",
        "conversations": [{"turns": [{"role": "user", "content": {"text": prompt}}]}],
    }


# --- lm-eval: a results file with a ~200 MB samples file (gsm8k, two filters per document) ------

LM_EVAL_STAMP = "2026-03-01T10-00-00.000001"
LM_EVAL_SAMPLES = f"samples_gsm8k_{LM_EVAL_STAMP}.jsonl"
LM_EVAL_FILTERS = ("strict-match", "flexible-extract")


def write_lm_eval_run(path: Path, lines: int) -> int:
    """A results file at `path` and its samples file beside it (`lines` lines, ~2 KB each)."""
    docs = max(1, lines // len(LM_EVAL_FILTERS))
    correct = dict.fromkeys(LM_EVAL_FILTERS, 0)
    shots = "".join(f"Question: worked example {i} ...\nAnswer: ... #### {i}\n\n" for i in range(5))
    with (path.parent / LM_EVAL_SAMPLES).open("w", encoding="utf-8") as out:
        for doc_id in range(docs):
            question = f"Document {doc_id}: a shop sells pens in boxes of 6; how many pens? " * 4
            for filter_name in LM_EVAL_FILTERS:
                hit = float(doc_id % (3 if filter_name == "strict-match" else 2) == 0)
                correct[filter_name] += int(hit)
                out.write(json.dumps(_lm_eval_line(doc_id, question, shots, filter_name, hit)))
                out.write("\n")
    results = {f"exact_match,{f}": correct[f] / docs for f in LM_EVAL_FILTERS} | {
        f"exact_match_stderr,{f}": 0.01 for f in LM_EVAL_FILTERS
    }
    path.write_text(json.dumps({
        "results": {"gsm8k": {"alias": "gsm8k", **results}},
        "group_subtasks": {"gsm8k": []},
        "versions": {"gsm8k": 3.0}, "n-shot": {"gsm8k": 5},
        "higher_is_better": {"gsm8k": {"exact_match": True}},
        "n-samples": {"gsm8k": {"original": docs, "effective": docs}},
        "config": {"model": "hf", "model_args": "pretrained=bench/tiny-chat", "limit": None},
        "lm_eval_version": "0.4.9.2", "date": 1772359200.0,
    }), encoding="utf-8")  # fmt: skip
    return docs * len(LM_EVAL_FILTERS)


def _lm_eval_line(
    doc_id: int, question: str, shots: str, filter_name: str, hit: float
) -> dict[str, Any]:
    answer = "Each box holds 6 pens, so 3 boxes hold 18 pens. " * 6
    return {
        "doc_id": doc_id,
        "doc": {"question": question, "answer": f"{answer}#### 18"},
        "target": f"{answer}#### 18",
        "arguments": {"gen_args_0": {"arg_0": f"{shots}Question: {question}\nAnswer:",
                                     "arg_1": {"until": ["Question:"], "do_sample": False}}},
        "resps": [[answer]],
        "filtered_resps": ["18" if hit else "[invalid]"],
        "filter": filter_name,
        "metrics": ["exact_match"],
        "doc_hash": f"{doc_id:064x}", "prompt_hash": f"{doc_id:064x}", "target_hash": f"{doc_id:064x}",
        "exact_match": hit,
    }  # fmt: skip


# name -> (writer, file name, import options, full size in lines)
FORMATS: dict[str, tuple[Callable[[Path, int], int], str, dict[str, Any], int]] = {
    "garak": (write_garak_report, "bench.report.jsonl", {"format": "garak"}, 500_000),
    # ~100k lines of ~2 KB: a 200 MB samples file given with its results file
    "lm-eval": (
        write_lm_eval_run,
        f"results_{LM_EVAL_STAMP}.json",
        {"format": "lm-eval", "companions": [LM_EVAL_SAMPLES]},
        100_000,
    ),
}
SMALL_FRACTION = 0.1


def import_in_this_process(path: Path, options: dict[str, Any]) -> dict[str, Any]:
    """Import one file into a fresh SQLite database; seconds, samples and peak RSS of this process."""
    sys.path.insert(0, str(ROOT))
    from evals.cli.common import open_session
    from evals.importing import import_file

    db = path.with_suffix(".db")
    names = options.pop("companions", [])  # files written beside `path` that go with it
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        fp = stack.enter_context(path.open("rb"))
        companions = {n: stack.enter_context((path.parent / n).open("rb")) for n in names}
        session = stack.enter_context(open_session(f"sqlite:///{db}"))
        report = import_file(session, fp, filename=path.name, companions=companions, **options)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return {
        "seconds": seconds,
        "samples": report.samples,
        "results": report.results,
        "peak_rss_mib": peak_mib,
    }


def measure(name: str, lines: int, folder: Path) -> dict[str, Any]:
    """Write a file of `lines` lines and import it in a child process; the child's measurements."""
    writer, filename, options, _ = FORMATS[name]
    path = folder / f"{lines}-{filename}"
    writer(path, lines)
    companions = [folder / name for name in options.get("companions", [])]
    size_mb = sum(p.stat().st_size for p in [path, *companions]) / 1e6
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(path), json.dumps(options)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    outcome = json.loads(child.stdout.strip().splitlines()[-1])
    for written in [path, *companions]:
        written.unlink()
    path.with_suffix(".db").unlink(missing_ok=True)
    return {"format": name, "lines": lines, "file_mb": round(size_mb, 1), **outcome}


def main(argv: list[str]) -> int:
    """Measure each named format (default: all) at a small and the full size; print a table."""
    if argv[:1] == ["--child"]:
        print(json.dumps(import_in_this_process(Path(argv[1]), json.loads(argv[2]))))
        return 0
    scale = float(argv[argv.index("--scale") + 1]) if "--scale" in argv else 1.0
    names = [a for a in argv if a in FORMATS] or list(FORMATS)
    print("format   lines     file MB  samples   seconds  samples/s  lines/s   peak RSS MiB")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            full = int(FORMATS[name][3] * scale)
            for lines in (int(full * SMALL_FRACTION), full):
                m = measure(name, lines, Path(tmp))
                print(
                    f"{m['format']:<8} {m['lines']:<9} {m['file_mb']:<8} {m['samples']:<9} "
                    f"{m['seconds']:<8.1f} {m['samples'] / m['seconds']:<10.0f} "
                    f"{m['lines'] / m['seconds']:<9.0f} {m['peak_rss_mib']:.0f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

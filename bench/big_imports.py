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


# name -> (writer, file name, import options, full size in lines)
FORMATS: dict[str, tuple[Callable[[Path, int], int], str, dict[str, Any], int]] = {
    "garak": (write_garak_report, "bench.report.jsonl", {"format": "garak"}, 500_000),
}
SMALL_FRACTION = 0.1


def import_in_this_process(path: Path, options: dict[str, Any]) -> dict[str, Any]:
    """Import one file into a fresh SQLite database; seconds, samples and peak RSS of this process."""
    sys.path.insert(0, str(ROOT))
    from evals.cli.common import open_session
    from evals.importing import import_file

    db = path.with_suffix(".db")
    started = time.perf_counter()
    with open_session(f"sqlite:///{db}") as session, path.open("rb") as fp:
        report = import_file(session, fp, filename=path.name, **options)
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
    size_mb = path.stat().st_size / 1e6
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(path), json.dumps(options)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    outcome = json.loads(child.stdout.strip().splitlines()[-1])
    path.unlink()
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

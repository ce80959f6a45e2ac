"""The scorecard as PDF (evals/scoring/pdf.py) and `riskboard scorecard` in every format."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from test_scoring_scorecard import LORA, POLICY, candidate, result

from evals.cli import main
from evals.scoring.pdf import render_pdf
from evals.scoring.scorecard import build_scorecard

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo" / "synthetic_release.json"


def text_of(pdf: bytes) -> tuple[int, str]:
    """Page count and extracted text; strict parsing fails on a broken cross-reference table."""
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_holds_the_headline_verdict_and_every_check():
    card = build_scorecard(candidate(lora_refusal=23), POLICY)
    pdf = render_pdf(card)
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    pages, text = text_of(pdf)
    assert pages == 1
    assert "Safety removed for $3.00 (1.5 device-hours on 1 × A100-80GB)" in text
    assert "Verdict: NOT READY" in text and "Policy: test-policy version 7" in text
    assert text.count(LORA) >= 3 and "4.4%" in text  # 23 of 520
    assert render_pdf(card) == pdf  # deterministic


def test_many_checks_flow_onto_numbered_pages():
    labels = [
        result(LORA, "refusal", 95, 100, benchmark="air", category=f"cat-{i}") for i in range(80)
    ]
    pages, text = text_of(render_pdf(build_scorecard(candidate(510, 12, *labels), POLICY)))
    assert pages >= 3
    assert f"page {pages} of {pages}" in text and "cat-79" in text


def test_hostile_labels_cannot_break_the_file():
    label = "a) Tj (b\\ ≥ 漢字 \x1b[2J"
    card = build_scorecard(candidate(23, 12, result(LORA, "refusal", 95, 100, benchmark="air",
                                                     category=label)), POLICY)  # fmt: skip
    pages, text = text_of(render_pdf(card))
    assert pages == 1
    assert "a) Tj (b\\ >= ?? ?[2J (unmapped)" in text


@pytest.fixture
def demo_db(db_url):
    done = CliRunner().invoke(main, ["import", str(DEMO), "--db", db_url])
    assert done.exit_code == 0, done.output
    return db_url


def test_the_cli_writes_every_format(demo_db, tmp_path):
    outputs = {}
    for fmt in ("text", "json", "markdown", "html", "pdf"):
        out = tmp_path / f"card.{fmt}"
        done = CliRunner().invoke(
            main, ["scorecard", "demo-base-1b", "--format", fmt, "--out", str(out), "--db", demo_db]
        )
        assert done.exit_code == 0, done.output
        assert done.stdout.strip() == f"wrote {out} (not ready)"
        outputs[fmt] = out.read_bytes()
    headline = json.loads(outputs["json"])["headline"]
    assert headline.startswith("Safety removed for $0.90")
    assert headline in outputs["text"].decode() and headline in text_of(outputs["pdf"])[1]
    assert outputs["html"].startswith(b"<!DOCTYPE html>")


def test_pdf_needs_a_file_and_unknown_checkpoints_are_errors(demo_db):
    done = CliRunner().invoke(
        main, ["scorecard", "demo-base-1b", "--format", "pdf", "--db", demo_db]
    )
    assert (done.exit_code, done.stderr) == (
        1,
        "scorecard: --format pdf writes a file: give --out FILE.pdf\n",
    )
    done = CliRunner().invoke(main, ["scorecard", "nope", "--db", demo_db])
    assert done.exit_code == 1 and done.stderr.startswith("scorecard: ") and "nope" in done.stderr

"""The scorecard as a PDF: A4 landscape, the same content as the text report, no dependencies.

The PDF uses the standard fonts every reader has (Helvetica for the summary, Courier for the
table, so columns line up), coloured status words, and page numbers. Output is deterministic:
the same scorecard gives the same bytes. Text goes through `render.clean` like every other
format; characters outside Windows-1252 (the standard fonts' encoding) print as "?".
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from evals.scoring.render import COLUMNS, cells, clean, summary_lines
from evals.scoring.scorecard import Scorecard

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 842.0, 595.0, 36.0  # A4 landscape, in points
FONTS = {"sans": "Helvetica", "bold": "Helvetica-Bold", "mono": "Courier"}
COURIER_ADVANCE = 0.6  # Courier's width per character, in font sizes
STATUS_COLOURS = {
    "PASS": (0.10, 0.45, 0.15),
    "FAIL": (0.75, 0.10, 0.10),
    "INSUFFICIENT": (0.65, 0.45, 0.00),
}
BLACK, GREY = (0.0, 0.0, 0.0), (0.35, 0.35, 0.35)


@dataclass(frozen=True)
class Run:
    """A piece of one line in one font and colour."""

    text: str
    font: str = "mono"
    colour: tuple[float, float, float] = BLACK


@dataclass(frozen=True)
class Line:
    """One line of the report: its runs, font size, and the space above it."""

    runs: tuple[Run, ...]
    size: float
    gap: float = 0.0


def render_pdf(card: Scorecard) -> bytes:
    """The scorecard as the bytes of a PDF file."""
    pages = _paginate(_summary(card) + _table(card))
    footer = f"riskboard scorecard for {clean(card.base)}"
    streams = [
        _content(page, f"{footer}  -  page {number} of {len(pages)}")
        for number, page in enumerate(pages, start=1)
    ]
    return _document(streams, title=f"Release scorecard for {clean(card.base)}")


def _summary(card: Scorecard) -> list[Line]:
    """Title, headline, verdict, policy and category grades, wrapped to the page width."""
    title, *rest = summary_lines(card)
    headline = clean(card.headline) if card.headline else None
    lines = [Line((Run(title, "bold"),), 16)]
    for text in rest:
        bold = text == headline or text.startswith("Verdict")
        colour = STATUS_COLOURS["FAIL"] if text == headline else BLACK
        lines += _wrapped(text, "bold" if bold else "sans", 11, colour, gap=4)
    if card.per_category:
        grades = ", ".join(f"{clean(g.name or g.category)}: {g.status}" for g in card.per_category)
        lines += _wrapped(f"Categories - {grades}", "sans", 9, GREY, gap=6)
    return lines


def _wrapped(
    text: str, font: str, size: float, colour: tuple[float, float, float], gap: float
) -> list[Line]:
    """Proportional text wrapped at a width that fits (Helvetica averages ~0.5 em per char)."""
    width = int((PAGE_WIDTH - 2 * MARGIN) / (0.5 * size))
    pieces = textwrap.wrap(text, width) or [""]
    return [
        Line((Run(piece, font, colour),), size, gap if i == 0 else 0.0)
        for i, piece in enumerate(pieces)
    ]


def _table(card: Scorecard) -> list[Line]:
    """Every check as a fixed-width row (status coloured) with its evidence below it."""
    rows = [cells(check) for check in card.checks]
    widths = {col: max([len(col)] + [len(row[col]) for row in rows]) for col in COLUMNS}
    row_chars = sum(widths.values()) + 2 * (len(COLUMNS) - 1)
    size = max(5.0, min(8.0, (PAGE_WIDTH - 2 * MARGIN) / (COURIER_ADVANCE * row_chars)))
    fits = int((PAGE_WIDTH - 2 * MARGIN) / (COURIER_ADVANCE * size))
    header = "  ".join(col.ljust(widths[col]) for col in COLUMNS)
    lines = [Line((Run(header[:fits], "mono", GREY),), size, gap=12)]
    for check, row in zip(card.checks, rows, strict=True):
        status = row["status"].ljust(widths["status"])
        rest = "  ".join(row[col].ljust(widths[col]) for col in COLUMNS[1:])
        colour = STATUS_COLOURS.get(row["status"], BLACK)
        lines.append(Line((Run(status, "mono", colour), Run("  " + rest)), size, gap=2))
        for piece in textwrap.wrap(clean(check.evidence), fits - 4) or [""]:
            lines.append(Line((Run("    " + piece, "mono", GREY),), size))
    return lines


def _paginate(lines: list[Line]) -> list[list[Line]]:
    """Lines split into pages; a page break drops the gap above the page's first line."""
    pages: list[list[Line]] = [[]]
    used = 0.0
    room = PAGE_HEIGHT - 2 * MARGIN - 14  # the footer's line
    for line in lines:
        height = line.gap + 1.25 * line.size
        if pages[-1] and used + height > room:
            pages.append([])
            used = 0.0
            line = Line(line.runs, line.size)
            height = 1.25 * line.size
        pages[-1].append(line)
        used += height
    return pages


def _content(lines: list[Line], footer: str) -> bytes:
    """A page's content stream: each run placed with its font and colour."""
    ops = ["BT"]
    y = PAGE_HEIGHT - MARGIN
    for line in lines:
        y -= line.gap + 1.25 * line.size
        x = MARGIN
        for run in line.runs:
            ops.append(f"/{run.font} {line.size:g} Tf {_rgb(run.colour)} rg")
            ops.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm ({_escape(run.text)}) Tj")
            x += COURIER_ADVANCE * line.size * len(run.text)  # runs after the first are Courier
    ops.append(
        f"/sans 8 Tf {_rgb(GREY)} rg 1 0 0 1 {MARGIN:g} {MARGIN - 8:g} Tm ({_escape(footer)}) Tj"
    )
    ops.append("ET")
    return "\n".join(ops).encode("latin-1")


def _rgb(colour: tuple[float, float, float]) -> str:
    return " ".join(f"{part:g}" for part in colour)


def _escape(text: str) -> str:
    """Text as a PDF string literal's inside, in the standard fonts' Windows-1252 encoding."""
    encoded = text.replace("≥", ">=").replace("≤", "<=").encode("cp1252", errors="replace")
    literal = encoded.decode("latin-1")  # one char per byte, written back as latin-1 below
    return literal.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _document(streams: list[bytes], title: str) -> bytes:
    """A complete PDF: catalog, page tree, the three fonts, the pages and an info dictionary."""
    fonts = list(FONTS.items())
    first_font, first_page = 3, 3 + len(fonts)
    font_refs = " ".join(f"/{key} {first_font + i} 0 R" for i, (key, _) in enumerate(fonts))
    page_ids = [first_page + 2 * i for i in range(len(streams))]
    info_id = first_page + 2 * len(streams)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{p} 0 R' for p in page_ids)}] /Count {len(streams)} >>".encode(),
    ]
    for _, name in fonts:
        objects.append(
            f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>".encode()
        )
    for page_id, stream in zip(page_ids, streams, strict=True):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH:g} {PAGE_HEIGHT:g}] "
            f"/Resources << /Font << {font_refs} >> >> /Contents {page_id + 1} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(f"<< /Title ({_escape(title)}) /Producer (riskboard) >>".encode("latin-1"))
    assert len(objects) == info_id
    return _assemble(objects, info_id)


def _assemble(objects: list[bytes], info_id: int) -> bytes:
    """Number the objects, write the cross-reference table and the trailer."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (len(objects) + 1, info_id)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)

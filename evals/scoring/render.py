"""The scorecard as plain text, Markdown and self-contained HTML.

Category labels, benchmark and checkpoint names come from imported files, so they are untrusted
text: control characters are replaced everywhere, Markdown punctuation is escaped, and every
HTML value goes through html.escape.
"""

from __future__ import annotations

import html
import re
import unicodedata

from evals.scoring.checks import Check
from evals.scoring.scorecard import Scorecard, money

COLUMNS = (
    "status",
    "checkpoint",
    "check",
    "benchmark",
    "category",
    "value",
    "interval",
    "n",
    "threshold",
)
# Every character that could start emphasis, a link, raw HTML, a table cell or (in Streamlit) math.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~$&])")


def clean(text: object) -> str:
    """A value as one line of text: control characters (terminal escapes, newlines) replaced."""
    return "".join(
        " " if ch in "\t\n\r" else ("\ufffd" if unicodedata.category(ch) == "Cc" else ch)
        for ch in str(text)
    )


def _amount(check: Check, x: float | None) -> str:
    """A value in the check's own unit: dollars for cost, a percentage for rates and ratios."""
    if x is None:
        return "–"
    return money(x) if check.metric == "cost_to_break_usd" else f"{100 * x:.1f}%"


def cells(check: Check) -> dict[str, str]:
    """A check as display strings, one per column (untrusted parts cleaned, not yet escaped)."""
    interval = ""
    if check.ci_low is not None and check.ci_high is not None:
        interval = f"[{_amount(check, check.ci_low)}, {_amount(check, check.ci_high)}]"
    category = check.name or check.category or ("overall" if check.benchmark else "")
    if check.category is not None and check.taxonomy_id is None:
        category += " (unmapped)"
    return {
        "status": check.status.upper(),
        "checkpoint": clean(check.checkpoint),
        "check": check.kind,
        "benchmark": clean(check.benchmark or ""),
        "category": clean(category),
        "value": _amount(check, check.value),
        "interval": interval,
        "n": "" if check.n is None else str(check.n),
        "threshold": f"{check.direction} {_amount(check, check.threshold)}",
    }


def summary_lines(card: Scorecard) -> list[str]:
    """Verdict, policy and headline lines shared by every format (cleaned, not escaped)."""
    lines = [
        f"Release scorecard for {clean(card.base)}",
        f"Verdict: {card.verdict.upper()}",
        f"Policy: {clean(card.policy.name)} version {clean(card.policy.version)}",
    ]
    if card.headline:
        lines.insert(1, clean(card.headline))
    return lines


def render_text(card: Scorecard) -> str:
    """A fixed-width table for a terminal, each check followed by its evidence."""
    rows = [cells(check) for check in card.checks]
    widths = {col: max([len(col)] + [len(row[col]) for row in rows]) for col in COLUMNS}
    lines = [*summary_lines(card), ""]
    if card.per_category:
        grades = ", ".join(f"{clean(g.category)} {g.status}" for g in card.per_category)
        lines += [f"Categories: {grades}", ""]
    lines.append("  ".join(col.ljust(widths[col]) for col in COLUMNS).rstrip())
    for check, row in zip(card.checks, rows, strict=True):
        lines.append("  ".join(row[col].ljust(widths[col]) for col in COLUMNS).rstrip())
        lines.append(f"    {clean(check.evidence)}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Markdown-escaped text: punctuation that could format, link or embed HTML is neutralised."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", clean(text))


def render_markdown(card: Scorecard) -> str:
    """A Markdown report: summary, category grades and a table of checks with evidence."""
    title, *rest = summary_lines(card)
    lines = [f"# {_md(title)}", "", *(f"- {_md(line)}" for line in rest), ""]
    if card.per_category:
        lines += ["## Categories", "", "| category | status | checks |", "| --- | --- | --- |"]
        for grade in card.per_category:
            label = grade.name or grade.category
            lines.append(f"| {_md(label)} | {grade.status} | {grade.checks} |")
        lines.append("")
    lines += ["## Checks", "", "| " + " | ".join((*COLUMNS, "evidence")) + " |"]
    lines.append("|" + " --- |" * (len(COLUMNS) + 1))
    for check in card.checks:
        row = [_md(value) for value in cells(check).values()] + [_md(check.evidence)]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
.pass { background: #e3f4e1; } .fail { background: #fbe0e0; } .insufficient { background: #fff4d6; }
.headline { font-size: 1.3rem; font-weight: bold; } .evidence { color: #444; }
"""


def _td(text: str, css: str = "") -> str:
    """One escaped table cell."""
    attribute = f' class="{css}"' if css else ""
    return f"<td{attribute}>{html.escape(clean(text))}</td>"


def _category_table(card: Scorecard) -> list[str]:
    """The per-category grades as HTML rows (empty when no check has a category)."""
    if not card.per_category:
        return []
    rows = [
        "<h2>Categories</h2>",
        "<table><tr><th>category</th><th>status</th><th>checks</th></tr>",
    ]
    for grade in card.per_category:
        label = _td(grade.name or grade.category)
        rows.append(f"<tr>{label}{_td(grade.status, grade.status)}{_td(str(grade.checks))}</tr>")
    return [*rows, "</table>"]


def render_html(card: Scorecard) -> str:
    """A self-contained HTML page (inline style, no scripts, no external assets)."""
    title, *rest = summary_lines(card)
    head = "".join(f"<th>{column}</th>" for column in (*COLUMNS, "evidence"))
    body = [f"<h1>{html.escape(title)}</h1>"]
    if card.headline:
        body.append(f'<p class="headline">{html.escape(rest.pop(0))}</p>')
    body += [f"<p>{html.escape(line)}</p>" for line in rest]
    body += _category_table(card)
    body += ["<h2>Checks</h2>", f"<table><tr>{head}</tr>"]
    for check in card.checks:
        row = cells(check)
        tds = [_td(row["status"], check.status)] + [_td(row[c]) for c in COLUMNS[1:]]
        body.append("<tr>" + "".join(tds) + _td(check.evidence, "evidence") + "</tr>")
    body.append("</table>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )

"""`inspect`: what extraction finds in one report PDF, to check it before indexing."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click

from search_service.corpus.pdf.cache import read_one
from search_service.corpus.pdf.report import PdfError, PdfReport, find_page
from search_service.model import SOURCES, format_month_year

# How much of the summary and of each recommendation the text view shows.
_SUMMARY_CHARS = 240
_TEXT_CHARS = 300


def report_dict(path: Path, report: PdfReport) -> dict:
    """What `inspect --json` prints: the metadata and every recommendation, whole."""
    summary_page = find_page(report.pages, report.summary) if report.summary else None
    return {
        "file": path.name,
        "pages": len(report.pages),
        "title": report.title,
        "csp": report.csp,
        "published": format_month_year(report.published_month, report.published_year),
        "published_month": report.published_month,
        "published_year": report.published_year,
        "summary": report.summary,
        "summary_page": summary_page,
        "recommendations": [
            {
                "number": rec.number,
                "text": rec.text,
                "addressees": rec.addressees,
                "addressed_to": rec.addressed_to,
                "page": rec.page,
                "source": rec.source,
            }
            for rec in report.recommendations
        ],
    }


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def report_text(data: dict) -> str:
    """The text view: one block of metadata, then each recommendation with where it was read."""
    missing = "(not found)"
    lines = [
        f"{data['file']}: {data['pages']} pages",
        f"  CSP:        {data['csp'] or missing}",
        f"  Published:  {data['published'] or missing}",
        f"  Title:      {data['title'] or missing}",
    ]
    if data["summary"]:
        at = f"page {data['summary_page']}" if data["summary_page"] else "page not found"
        lines.append(f"  Summary:    ({at}) {_short(data['summary'], _SUMMARY_CHARS)}")
    else:
        lines.append(f"  Summary:    {missing}")
    recs = data["recommendations"]
    lines.append(f"{len(recs)} recommendation{'s' if len(recs) != 1 else ''}:")
    for rec in recs:
        where = f"page {rec['page']}" if rec["page"] else "page not found"
        lines.append(f"  {rec['number']:>4}  {where}, from {SOURCES[rec['source']]}")
        to = "; ".join(rec["addressees"]) or "(no addressee found)"
        lines.append(f"        to: {to}")
        body = textwrap.wrap(_short(rec["text"], _TEXT_CHARS), 88)
        lines.extend(f"        {line}" for line in body)
    return "\n".join(lines)


@click.command()
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print everything found, whole, as JSON.")
def inspect(report: Path, as_json: bool) -> None:
    """Show what extraction finds in REPORT (a PDF): CSP, date, summary, each recommendation."""
    result = read_one(report)
    if isinstance(result, PdfError):
        raise click.ClickException(f"{report.name}: {result.reason}")
    data = report_dict(report, result)
    click.echo(json.dumps(data, indent=2, ensure_ascii=False) if as_json else report_text(data))

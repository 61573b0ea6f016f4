"""Citing a recommendation: the text people paste, and RIS and BibTeX files for reference managers.

Our own links are made absolute from BASE_URL (never from the Host header); the report is
cited at the page the recommendation starts on when that is known.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, Response, current_app
from werkzeug.exceptions import NotFound

from search_service.links import absolute
from search_service.web.context import review_or_404

bp = Blueprint("cite", __name__)

FORMATS = {
    "ris": ("application/x-research-info-systems", "ris"),
    "bib": ("application/x-bibtex", "bib"),
}


def author(review: dict) -> str:
    """The body a review is cited to: its Community Safety Partnership."""
    csp = review.get("csp") or "Unknown"
    return csp if "partnership" in csp.lower() else f"{csp} Community Safety Partnership"


def citation(review: dict, rec: dict, base: str, accessed: dt.date) -> dict:
    """Everything a citation of one recommendation needs, in plain text parts."""
    where = absolute(base, rec.get("pdf_url") or "") or review.get("source_url") or ""
    return {
        "author": author(review),
        "title": review.get("title", ""),
        "year": (review.get("published") or "").split()[-1] if review.get("published") else "",
        "published": review.get("published") or "date not known",
        "number": rec.get("number"),
        "page": rec.get("page"),
        "report_url": where,
        "permalink": absolute(base, rec.get("review_url", "")),
        "accessed": accessed.strftime("%-d %B %Y"),
        "synthetic": bool(review.get("synthetic")),
    }


def citation_text(c: dict) -> str:
    """The citation as a sentence, in the style of a UK government report reference."""
    page = f", p. {c['page']}" if c["page"] else ""
    url = c["report_url"] or c["permalink"]
    demo = " [synthetic demo review]" if c["synthetic"] else ""
    return (
        f"{c['author']} ({c['year'] or 'n.d.'}) {c['title']}{demo}. Domestic Homicide Review, "
        f"published {c['published']}. Recommendation {c['number']}{page}. "
        f"Available at: {url} (accessed {c['accessed']})."
    )


def ris(c: dict) -> str:
    """The citation as an RIS record (a report: TY RPRT)."""
    lines = [
        ("TY", "RPRT"),
        ("AU", c["author"]),
        ("TI", f"{c['title']}: recommendation {c['number']}"),
        ("T2", "Domestic Homicide Review"),
        ("PY", c["year"]),
        ("SP", str(c["page"] or "")),
        ("UR", c["report_url"] or c["permalink"]),
        ("LK", c["permalink"]),
        ("Y2", c["accessed"]),
        ("N1", "Synthetic demo review" if c["synthetic"] else ""),
    ]
    body = "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines if value)
    return body + "ER  - \r\n"


def bibtex(c: dict, key: str) -> str:
    """The citation as a BibTeX @techreport entry, values braced and escaped."""
    fields = [
        ("author", "{" + _bib(c["author"]) + "}"),  # a body, not a person: kept whole
        ("title", _bib(f"{c['title']}: recommendation {c['number']}")),
        ("institution", _bib(c["author"])),
        ("type", "Domestic Homicide Review"),
        ("year", _bib(c["year"])),
        ("pages", _bib(str(c["page"] or ""))),
        ("url", _bib(c["report_url"] or c["permalink"])),
        ("urldate", _bib(c["accessed"])),
        ("note", "Synthetic demo review" if c["synthetic"] else ""),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@techreport{{{key},\n{body}\n}}\n"


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def _bib(value: str) -> str:
    # BibTeX's specials escaped; braces dropped, so no value can close its field early.
    text = _one_line(value).replace("{", "").replace("}", "")
    return re.sub(r"([\\&%$#_^~])", r"\\\1", text)


def cite_key(review_id: str, number: str) -> str:
    """A BibTeX key from the review id and number: letters, digits and hyphens only."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", f"dhr-{review_id}-{number}").strip("-")


@bp.route("/reviews/<review_id>/recommendations/<number>.<fmt>")
def cite_file(review_id: str, number: str, fmt: str):
    """One recommendation's citation as an RIS or BibTeX file."""
    if fmt not in FORMATS:
        raise NotFound("Citations are available as .ris and .bib files.")
    review = review_or_404(review_id)
    rec = next((r for r in review["recommendations"] if r.get("number") == number), None)
    if rec is None:
        raise NotFound(f"Review {review_id!r} has no recommendation {number!r}.")
    c = citation(review, rec, current_app.config["BASE_URL"], dt.date.today())
    body = ris(c) if fmt == "ris" else bibtex(c, cite_key(review_id, number))
    mimetype, extension = FORMATS[fmt]
    response = Response(body, mimetype=mimetype)
    name = cite_key(review_id, number)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response

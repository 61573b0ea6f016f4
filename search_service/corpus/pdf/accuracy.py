"""How well extraction reads reports whose answers we know: the fixtures of tests/fixtures/reports.

Each fixture report (a Word document exported to PDF by LibreOffice) has a JSON file of
its ground truth. A recommendation is found when one extracted has the same text after
whitespace normalisation; its addressees (as a set) and start page are then checked.
Recall, addressee and page accuracy are shares of the recommendations in the ground
truth, precision a share of those extracted; CSP and date are checked per report.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from search_service.corpus.pdf.report import PdfReport

FIGURES = ("recall", "precision", "numbers", "addressees", "pages", "csp", "date")


@dataclass
class Truth:
    """One fixture report's ground truth, as its JSON file gives it."""

    path: Path
    layout: str
    csp: str
    published_month: int | None
    published_year: int | None
    recommendations: list[dict]

    @classmethod
    def load(cls, json_path: Path) -> Truth:
        """Read a ground-truth JSON file; its PDF sits beside it."""
        data = json.loads(json_path.read_text(encoding="utf-8"))
        return cls(
            path=json_path.with_name(data["file"]),
            layout=data["layout"],
            csp=data["csp"],
            published_month=data.get("published_month"),
            published_year=data.get("published_year"),
            recommendations=data["recommendations"],
        )


def load_truths(folder: Path) -> list[Truth]:
    """Every fixture report in folder with a ground-truth JSON file, by name."""
    return [Truth.load(p) for p in sorted(folder.glob("*.json")) if p.name != "baseline.json"]


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Tally:
    """Counts behind the figures, for one report or added up over many."""

    expected: int = 0
    extracted: int = 0
    found: int = 0
    numbers: int = 0
    addressees: int = 0
    pages: int = 0
    reports: int = 0
    csp: int = 0
    date: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        """Add another tally's counts (and its misses) to this one."""
        for name in ("expected", "extracted", "found", "numbers", "addressees", "pages"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.reports += other.reports
        self.csp += other.csp
        self.date += other.date
        self.misses.extend(other.misses)

    def figures(self) -> dict[str, float]:
        """The shares, 1.0 where there was nothing to get right."""

        def share(part: int, whole: int) -> float:
            return round(part / whole, 4) if whole else 1.0

        return {
            "recall": share(self.found, self.expected),
            "precision": share(self.found, self.extracted),
            "numbers": share(self.numbers, self.expected),
            "addressees": share(self.addressees, self.expected),
            "pages": share(self.pages, self.expected),
            "csp": share(self.csp, self.reports),
            "date": share(self.date, self.reports),
        }


def score(truth: Truth, report: PdfReport) -> Tally:
    """Compare what extraction found in one report with its ground truth."""
    name = truth.path.name
    tally = Tally(expected=len(truth.recommendations), extracted=len(report.recommendations))
    tally.reports = 1
    tally.csp = int(report.csp == truth.csp)
    if not tally.csp:
        tally.misses.append(f"{name}: CSP {report.csp!r}, expected {truth.csp!r}")
    got_date = (report.published_month, report.published_year)
    tally.date = int(got_date == (truth.published_month, truth.published_year))
    if not tally.date:
        tally.misses.append(
            f"{name}: date {got_date}, expected {(truth.published_month, truth.published_year)}"
        )
    by_text: dict[str, list] = {}
    for rec in report.recommendations:
        by_text.setdefault(_norm(rec.text), []).append(rec)
    for want in truth.recommendations:
        label = f"{name} rec {want['number']}"
        candidates = by_text.get(_norm(want["text"]))
        if not candidates:
            tally.misses.append(f"{label}: text not found ({_norm(want['text'])[:60]}...)")
            continue
        got = candidates.pop(0)
        tally.found += 1
        checks = {
            "numbers": (got.number, want["number"]),
            "addressees": (sorted(got.addressees), sorted(want["addressees"])),
            "pages": (got.page, want["page"]),
        }
        for figure, (have, expected) in checks.items():
            if have == expected:
                setattr(tally, figure, getattr(tally, figure) + 1)
            else:
                tally.misses.append(f"{label}: {figure} {have!r}, expected {expected!r}")
    for left in by_text.values():
        for rec in left:
            tally.misses.append(
                f"{name}: extracted {rec.number} is none of them ({rec.text[:60]}...)"
            )
    return tally


def evaluate(pairs: Iterable[tuple[Truth, PdfReport]]) -> dict[str, Tally]:
    """Tallies per layout and overall ("all") from (truth, extracted report) pairs."""
    tallies: dict[str, Tally] = {}
    overall = Tally()
    for truth, report in pairs:
        one = score(truth, report)
        tallies.setdefault(truth.layout, Tally()).add(one)
        overall.add(one)
    return {**dict(sorted(tallies.items())), "all": overall}


def table(tallies: dict[str, Tally]) -> str:
    """The figures as a Markdown table, a row per layout and one for all."""
    head = "| layout | reports | recs | " + " | ".join(FIGURES) + " |"
    rows = [head, "|" + "---|" * (len(FIGURES) + 3)]
    for layout, tally in tallies.items():
        figures = tally.figures()
        cells = " | ".join(f"{figures[f]:.3f}" for f in FIGURES)
        rows.append(f"| {layout} | {tally.reports} | {tally.expected} | {cells} |")
    return "\n".join(rows)

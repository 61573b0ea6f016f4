"""The judged fixture corpus is well formed: seed layout, and every judged id exists."""

import csv
import re
from pathlib import Path

import pytest

from search_service.corpus.agencies import split_addressees
from search_service.corpus.regions import region_for

JUDGED = Path(__file__).parent / "fixtures" / "judged"
PAGES = sorted(JUDGED.glob("*.txt"))
ROW = re.compile(r"^\| (\d+) \| (.+) \| (.+) \|$")


def rows(page: Path) -> list[tuple[str, str, str]]:
    return [m.groups() for ln in page.read_text("utf-8").splitlines() if (m := ROW.match(ln))]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_page_follows_the_seed_layout(page):
    lines = page.read_text("utf-8").splitlines()
    assert lines[1] == "Source · Domestic Homicide Review"
    csp = lines[3].removeprefix("CSP: ")
    assert region_for(csp) != "Unknown"
    assert re.fullmatch(r"Published: [A-Z][a-z]+ 202[2-5]", lines[4])
    assert re.fullmatch(r"Year of death: 20(1[2-9]|2[0-2])", lines[5])
    assert lines[6] == f"Extracted: {len(rows(page))} recs"
    assert "| # | Recommendation | Addressed to |" in lines
    assert lines[-1].startswith("| Recommendations extracted from the published report.")
    assert all(split_addressees(to) for _, _, to in rows(page))


def test_every_judged_id_names_a_recommendation():
    known = {f"{p.stem}:{n}" for p in PAGES for n, _, _ in rows(p)}
    with (JUDGED / "queries.csv").open(encoding="utf-8") as f:
        judged = list(csv.DictReader(f))
    assert len(judged) >= 40
    for row in judged:
        assert row["relevant"].split(), row["query"]
        assert set(row["relevant"].split()) <= known, row["query"]

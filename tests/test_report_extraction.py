"""Recommendations from reports made as councils make them: Word documents exported to PDF.

tests/fixtures/reports/ holds Word-made reports (scripts/make_report_fixtures writes them
with python-docx and converts them with LibreOffice) and their ground truth; every figure
of scripts/eval_reports must stay at or above its recorded baseline.
"""

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from search_service import create_app
from search_service.cli.inspect import report_dict
from search_service.corpus.folder import read_corpus
from search_service.corpus.pdf.accuracy import FIGURES, evaluate, load_truths
from search_service.corpus.pdf.report import extract_pdf
from search_service.index.writer import build_index

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
BASELINE = json.loads((FIXTURES / "baseline.json").read_text())
TRUTHS = load_truths(FIXTURES)


@pytest.fixture(scope="module")
def tallies():
    return evaluate((truth, extract_pdf(truth.path)) for truth in TRUTHS)


def test_the_fixture_set_covers_every_layout_twice_with_its_word_files():
    layouts = Counter(t.layout for t in TRUTHS)
    assert len(TRUTHS) >= 12 and len(layouts) >= 6
    assert min(layouts.values()) >= 2, layouts
    for truth in TRUTHS:
        assert truth.path.is_file() and truth.path.with_suffix(".docx").is_file()
        assert truth.recommendations


@pytest.mark.parametrize("layout", sorted(BASELINE))
def test_extraction_figures_stay_at_or_above_the_baseline(tallies, layout):
    figures = tallies[layout].figures()
    below = {
        f: (figures[f], BASELINE[layout][f]) for f in FIGURES if figures[f] < BASELINE[layout][f]
    }
    assert not below, f"{layout}: {below}; misses: {tallies[layout].misses}"


def test_every_layout_meets_the_goal(tallies):
    # The goal: 0.95 on every figure for every layout, every CSP and date right.
    for layout, tally in tallies.items():
        figures = tally.figures()
        assert min(figures[f] for f in FIGURES if f not in ("csp", "date")) >= 0.95, layout
        assert figures["csp"] == figures["date"] == 1.0, (layout, tally.misses)


def test_a_lost_or_merged_recommendation_is_counted_as_one(tallies):
    # The measure can fail: drop one recommendation and glue two others together.
    truth = next(t for t in TRUTHS if t.layout == "numbered-list")
    report = extract_pdf(truth.path)
    first, second, *rest = report.recommendations[1:]
    first.text = f"{first.text} {second.text}"
    report.recommendations = [first, *rest]
    tally = evaluate([(truth, report)])["all"]
    assert tally.expected - tally.found == 3  # the dropped one and the two glued together
    assert tally.figures()["precision"] < 1.0 and tally.figures()["recall"] < 1.0


def test_inspect_shows_where_each_recommendation_came_from():
    truth = next(t for t in TRUTHS if t.layout == "agency-sections")
    data = report_dict(truth.path, extract_pdf(truth.path))
    assert data["csp"] == truth.csp
    assert [(r["number"], r["page"], r["source"]) for r in data["recommendations"]] == [
        (w["number"], w["page"], "list") for w in truth.recommendations
    ]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("word-made")
    for layout in ("numbered-list", "table-grouped"):
        truth = next(t for t in TRUTHS if t.layout == layout)
        shutil.copy(truth.path, corpus / truth.path.name)
    index = tmp_path_factory.mktemp("index")
    build_index(index, read_corpus(corpus, pdf_cache=tmp_path_factory.mktemp("cache")).reviews)
    return create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()


def test_word_made_reports_are_searchable_with_their_provenance(client):
    for layout, source in (("numbered-list", "list"), ("table-grouped", "table")):
        truth = next(t for t in TRUTHS if t.layout == layout)
        review_id = truth.path.stem
        review = client.get(f"/api/reviews/{review_id}").get_json()
        assert review["csp"] == truth.csp
        got = [
            (r["number"], r["addressees"], r["page"], r["source"])
            for r in review["recommendations"]
        ]
        want = [(w["number"], w["addressees"], w["page"], source) for w in truth.recommendations]
        assert sorted(got, key=str) == sorted(want, key=str)
        wanted = truth.recommendations[0]
        phrase = " ".join(wanted["text"].split()[:6])
        hits = client.get(
            "/api/search", query_string={"q": f'"{phrase}"', "type": "recommendation"}
        ).get_json()["hits"]
        assert any(
            h["review_id"] == review_id and h["pdf_url"].endswith(f"#page={wanted['page']}")
            for h in hits
        )
        page = client.get(f"/reviews/{review_id}").get_data(as_text=True)
        label = {"list": "a numbered list in the report", "table": "a table in the report"}
        assert f"<dt>Read from</dt><dd>{label[source]}</dd>" in page

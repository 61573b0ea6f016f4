"""Pages public-sector users trust: errors that keep what was typed, year filters as tags,
recommendations above contents pages and glossaries, citable recommendations, a way back to
the same search, an overview before anything is typed, trends with shares and a CSV."""

import csv
import io
import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search_service import create_app
from search_service.corpus.folder import read_corpus
from search_service.corpus.pdf.page_kinds import (
    _CONTENTS_LINE,
    CONTENTS,
    GLOSSARY,
    TEXT,
    is_contents_line,
    page_kind,
)
from search_service.index.writer import build_index
from search_service.page_evaluation import compare_listing_pages, load_queries

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
JUDGED = Path(__file__).parent / "fixtures" / "judged"


@pytest.fixture(scope="module")
def reports_client(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("reports")
    for pdf in sorted(FIXTURES.glob("*.pdf"))[:6]:
        shutil.copy(pdf, corpus / pdf.name)
    index = tmp_path_factory.mktemp("index")
    build_index(index, read_corpus(corpus, pdf_cache=tmp_path_factory.mktemp("cache")).reviews)
    return create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()


# ---- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, field, message",
    [
        ({"q": "x" * 1001}, "q", "Search must be 1,000 characters or fewer (it has 1,001)"),
        (
            {"q": "training", "year_from": "20("},
            "year_from",
            "From year must be a year of 4 digits",
        ),
        ({"q": "training", "year_to": "nine"}, "year_to", "To year must be a year of 4 digits"),
        (
            {"q": "training", "year_from": "2020", "year_to": "2015"},
            "year_from",
            "From year must be the same as or before the to year",
        ),
        ({"q": "training", "per_page": "abc"}, "q", "'per_page' must be a whole number"),
    ],
)
def test_every_bad_argument_gets_an_error_summary_that_keeps_what_was_typed(
    client, args, field, message
):
    response = client.get("/search", query_string=args)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-summary" role="alert"' in page and "There is a problem" in page
    link = re.search(r'<a href="#([a-z_]+)">([^<]+)</a></li></ul>', page)
    assert (
        link and link.group(1) == field and link.group(2).startswith(message.replace("'", "&#39;"))
    )
    assert f'value="{args["q"]}"' in page  # the query as typed
    for name in ("year_from", "year_to"):
        if name in args:
            assert re.search(
                rf'id="{name}" name="{name}"[^>]* value="{re.escape(args[name])}"', page
            )
    assert 'aria-invalid="true"' in page
    assert '<ol class="hits"' not in page  # no results under a form with mistakes


def test_a_year_range_is_a_tag_that_names_its_filter(client):
    page = client.get(
        "/search", query_string={"q": "training", "year_from": 2019, "year_to": 2023}
    ).get_data(as_text=True)
    assert '<span class="chip-label">Year of death from:</span> 2019' in page
    assert '<span class="chip-label">Year of death to:</span> 2023' in page
    assert "Filter (2 active)" in page
    removal = re.search(r'href="([^"]+)" aria-label="Remove filter Year of death from: 2019"', page)
    assert removal and "year_from" not in removal.group(1) and "year_to=2023" in removal.group(1)


def test_every_chip_says_which_filter_it_is(client):
    page = client.get("/search", query_string={"q": "training", "sector": "Probation"}).get_data(
        as_text=True
    )
    assert '<span class="chip-label">Sector:</span> Probation' in page


def test_no_sort_or_show_controls_on_a_page_with_no_results(client):
    page = client.get("/search", query_string={"q": "zzzqqqxxx"}).get_data(as_text=True)
    assert "0 results" in page and 'aria-label="Sort results"' not in page


def test_a_quoted_phrase_is_not_quoted_twice_and_one_result_is_one(client):
    page = client.get("/search", query_string={"q": '"forensic curiosity"'}).get_data(as_text=True)
    assert "1 result for &#34;forensic curiosity&#34;" in page and "<q>&#34;forensic" not in page
    assert "Download the result:" in page and "all 1 results" not in page


# ---- ranking: listing pages below recommendations -------------------------------------------


def test_contents_pages_and_glossaries_are_recognised_at_ingest():
    contents = "Contents\nExecutive Summary........4\n1. Introduction........5\n2. Scope........5"
    glossary = "Appendix A: Glossary\nTerm Meaning\nDASH Domestic Abuse, Stalking\nGP General Practitioner\nMARAC Multi-Agency Risk Assessment Conference"
    prose = "The panel found that the MARAC did not receive the full history.\nIt met twice."
    assert [page_kind(t) for t in (contents, glossary, prose)] == [CONTENTS, GLOSSARY, TEXT]
    reviews = read_corpus(FIXTURES).reviews
    for review in reviews:
        kinds = [p.kind for p in review.passages]
        assert kinds.count(CONTENTS) == 1 and kinds.count(GLOSSARY) == 1, review.id


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab .\t\u2026\u00a0019\u0663\u00b2-", max_size=30))
def test_the_contents_line_test_is_the_pattern_on_every_stripped_line(line):
    line = line.strip()
    assert is_contents_line(line) == bool(_CONTENTS_LINE.search(line))


def test_a_recommendation_outranks_a_glossary_line_and_listing_pages_stay_searchable(
    reports_client,
):
    data = reports_client.get("/api/search", query_string={"q": "MARAC"}).get_json()
    kinds = [h.get("kind", h["type"]) for h in data["hits"]]
    assert kinds[0] == "recommendation"
    assert "glossary" not in kinds[:5]
    only_there = reports_client.get("/api/search", query_string={"q": "MAPPA"}).get_json()
    assert only_there["total"] > 0 and {h["kind"] for h in only_there["hits"]} == {"glossary"}
    page = reports_client.get("/search", query_string={"q": "MAPPA"}).get_data(as_text=True)
    assert "(glossary)" in page


def test_report_page_ranking_stays_at_or_above_its_baseline():
    baseline = json.loads((JUDGED / "report_pages_baseline.json").read_text())
    results = compare_listing_pages(FIXTURES, load_queries(JUDGED / "report_queries.csv"))
    ours, before = results["pages marked (ours)"], results["not marked (before)"]
    for figure, value in baseline.items():
        assert ours[figure] >= value, figure
    assert ours["ndcg@10 recommendation queries"] > before["ndcg@10 recommendation queries"]
    queries = load_queries(JUDGED / "report_queries.csv")
    assert sum(q.wants == "recommendation" for q in queries) >= 20
    assert sum(q.wants == "page" for q in queries) >= 10


# ---- citing, and back to the search ---------------------------------------------------------


def test_each_recommendation_can_be_cited_as_text_ris_and_bibtex(client):
    page = client.get("/reviews/bolton-2023").get_data(as_text=True)
    assert (
        '<summary>Cite this<span class="visually-hidden"> recommendation (7)</span></summary>'
        in page
    )
    cite = re.search(r'<p class="citation" id="cite-7">([^<]+)</p>', page).group(1)
    assert cite.startswith("Bolton Community Safety Partnership (2023) Bolton review.")
    assert "Recommendation 7" in cite and "published April 2023" in cite and "accessed" in cite
    ris = client.get("/reviews/bolton-2023/recommendations/7.ris")
    assert ris.mimetype == "application/x-research-info-systems"
    lines = ris.get_data(as_text=True).splitlines()
    assert lines[0] == "TY  - RPRT" and lines[-1] == "ER  - "
    assert "AU  - Bolton Community Safety Partnership" in lines
    assert "LK  - http://localhost/reviews/bolton-2023#rec-7" in lines
    bib = client.get("/reviews/bolton-2023/recommendations/7.bib").get_data(as_text=True)
    assert bib.startswith("@techreport{dhr-bolton-2023-7,")
    assert "author = {{Bolton Community Safety Partnership}}" in bib
    assert client.get("/reviews/bolton-2023/recommendations/99.ris").status_code == 404
    assert client.get("/reviews/bolton-2023/recommendations/7.doc").status_code == 404


def test_bibtex_and_ris_values_cannot_break_their_format():
    from search_service.web.citations import bibtex, ris

    hostile = {
        "author": "Evil } @misc{x, CSP",
        "title": "A\nTY  - JOUR & 100% {x}",
        "year": "2024",
        "published": "2024",
        "number": "1",
        "page": None,
        "report_url": "http://example.org/a_b#c",
        "permalink": "http://localhost/reviews/x#rec-1",
        "accessed": "1 December 2026",
        "synthetic": False,
    }
    entry = bibtex(hostile, "k")
    # One entry (an @ inside a braced value starts none), braces balanced, specials escaped.
    assert entry.startswith("@techreport{k,") and "\n@" not in entry
    depth = 0
    for char in entry:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0 and "\\&" in entry and "\\%" in entry
    record = ris(hostile).split("\r\n")
    assert [ln[:2] for ln in record if ln].count("TY") == 1  # no record smuggled in


def test_back_to_search_returns_to_the_same_search_and_never_elsewhere(client):
    page = client.get("/search", query_string={"q": "training", "csp": "Bolton"}).get_data(
        as_text=True
    )
    link = re.search(r'<h3 class="hit-title">\s*<a href="([^"]+)"', page).group(1)
    assert "back=" in link
    review = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    back = re.search(r'<p class="back"><a href="([^"]+)">Back to your search</a>', review).group(1)
    assert unquote(back.replace("&amp;", "&")) == "/search?q=training&csp=Bolton"
    for hostile in (
        "https://evil.example/search",
        "//evil.example/search",
        "/\\evil",
        "/admin",
        "javascript:alert(1)",
    ):
        page = client.get("/reviews/bolton-2023", query_string={"back": hostile}).get_data(
            as_text=True
        )
        assert '<p class="back"><a href="/search">Back to search</a></p>' in page, hostile


def test_exports_carry_title_source_synthetic_flag_query_and_date(client):
    text = client.get("/export.csv", query_string={"q": "training"}).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows and {r["query"] for r in rows} == {"training"}
    assert all(r["title"] and r["exported_on"] for r in rows)
    assert {r["synthetic"] for r in rows} <= {"True", "False"}
    data = client.get("/export.json", query_string={"q": "training"}).get_json()
    assert data["query"] == "training" and data["exported_at"]
    assert {"title", "source_url", "synthetic", "pdf_url"} <= set(data["results"][0])


# ---- the landing page and trends ----------------------------------------------------------


def test_an_empty_search_shows_what_the_library_holds_and_examples_that_run(client):
    page = client.get("/search").get_data(as_text=True)
    overview = re.search(r'<div class="overview">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert "The library holds" in overview and "Newest reviews" in overview
    assert "Reviews by region" in overview and "Recommendations by the sector" in overview
    assert "Best match" not in page
    examples = re.findall(r'<li><a href="(/search\?q=[^"]+)">', overview)
    assert len(examples) >= 3
    for url in examples:
        data = client.get(url.replace("/search", "/api/search").replace("&amp;", "&")).get_json()
        assert data["total"] > 0, url


def test_trends_count_reviews_or_recommendations_with_the_share_of_all_reviews(client):
    reviews = client.get("/api/trends", query_string={"q": "training"}).get_json()
    assert reviews["count"] == "reviews"
    everything = {y["year"]: y["reviews"] for y in client.get("/api/trends").get_json()["years"]}
    for year in reviews["years"]:
        assert year["all_reviews"] == everything[year["year"]]
        if year["all_reviews"]:
            assert year["share"] == round(year["reviews"] / year["all_reviews"], 4)
    page = client.get("/trends", query_string={"q": "training", "count": "recommendations"})
    html = page.get_data(as_text=True)
    assert "<h1>Matching recommendations per year</h1>" in html and "Share of all reviews" in html
    table = client.get("/trends.csv", query_string={"q": "training"})
    assert table.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(table.get_data(as_text=True).lstrip("\ufeff"))))
    assert [int(r["reviews"]) for r in rows if r["year"] != "unknown"] == [
        y["reviews"] for y in reviews["years"]
    ]
    assert client.get("/trends", query_string={"count": "bogus"}).status_code == 400


def test_after_a_spelling_correction_the_count_names_it_and_offers_what_was_typed(client):
    page = client.get("/search", query_string={"q": "polcie"}).get_data(as_text=True)
    corrected = re.search(r"results? for <q>([^<]+)</q>", page)
    assert corrected and corrected.group(1) == "police"
    typed = re.search(r'Search instead for <a href="([^"]+)">polcie</a>', page)
    assert typed
    exact = client.get(typed.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "0 results for <q>polcie</q>" in exact
    assert (
        client.get("/api/search", query_string={"q": "polcie", "correct": "0"}).get_json()["total"]
        == 0
    )

"""Export of every result of a search, as streamed CSV and JSON."""

import csv
import datetime as dt
import inspect
import io
import json

import pytest
from conftest import copy_seed

from search_service import create_app
from search_service.corpus.folder import read_corpus
from search_service.index.writer import build_index
from search_service.search.hits import CSV_EXPORT_COLUMNS, EXPORT_COLUMNS
from search_service.search.request import SearchRequest
from search_service.search.service import export, open_index
from search_service.web.export import csv_pieces, csv_safe, filename, slug

FORMULA_PAGE = """Source · Domestic Homicide Review
Formula review
CSP: =cmd|' /C calc'!A0
Published: May 2024
Year of death: 2020
Summary
A summary.
Extracted recommendations
| # | Recommendation | Addressed to |
|---|---|---|
| 1 | =HYPERLINK("http://evil.example","click") to improve training. | @SUM(A1) Agency |
| 2 | +1 more training and -2 less. | -Minus Agency |
| Recommendations extracted from the published report. | ||
"""


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with the BOM
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_export_has_every_result_not_one_page(client):
    total = client.get("/api/search?q=training&per_page=1").get_json()["total"]
    assert total > 1
    response = client.get("/export.csv?q=training&per_page=1&page=1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = read_csv(response)
    assert len(rows) == total == int(response.headers["X-Total-Count"])
    assert list(rows[0]) == list(CSV_EXPORT_COLUMNS)
    assert {r["exported_on"] for r in rows} == {dt.date.today().isoformat()}


def test_export_of_everything_matches_the_search_total(client):
    total = client.get("/api/search").get_json()["total"]
    assert total > 20  # more than a page
    rows = json.loads(client.get("/export.json").get_data(as_text=True))["results"]
    assert len(rows) == total


def test_export_rows_follow_the_search_order_and_filters(client):
    hits = client.get("/api/search?q=training&sort=newest&per_page=100").get_json()["hits"]
    data = json.loads(client.get("/export.json?q=training&sort=newest").get_data(as_text=True))
    assert [r["review_url"].split("localhost")[1] for r in data["results"]] == [
        h["review_url"] for h in hits
    ]
    probation = "Greater Manchester Probation Trust"
    data = json.loads(client.get("/export.json", query_string={"addressee": probation}).data)
    assert data["total"] == 1 and data["filters"] == {"addressee": [probation]}
    assert data["results"][0]["number"] == "6"


def test_csv_row_carries_citable_columns(client):
    (row,) = read_csv(client.get('/export.csv?q="forensic curiosity"'))
    assert row["review_id"] == "bolton-2023" and row["number"] == "7"
    assert row["type"] == "recommendation" and row["year_of_death"] == "2012"
    assert row["published"] == "April 2023" and row["csp"] == "Bolton"
    assert row["addressees"] == "Bolton Community Safety Partnership"
    assert row["review_url"] == "http://localhost/reviews/bolton-2023#rec-7"
    assert "forensic curiosity" in row["text"] and "<mark>" not in row["text"]


def test_download_is_named_for_the_query_and_the_day(client):
    response = client.get('/export.csv?q="Forensic curiosity"')
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="dhr-search-forensic-curiosity-{today}.csv"'
    )
    assert filename("", "json", dt.date(2026, 11, 26)) == "dhr-search-all-2026-11-26.json"
    assert slug("“Café” <b>MARAC</b>/idva") == "cafe-b-marac-b-idva"
    assert slug('";\r\nSet-Cookie: x') == "set-cookie-x"  # nothing can break the header


def test_export_is_streamed_by_a_generator(client, index_dir):
    result = export(open_index(index_dir), SearchRequest(q="training"))
    assert inspect.isgenerator(result.rows)
    assert result.total == len(list(result.rows))
    response = client.get("/export.json?q=training")
    assert response.is_streamed
    assert inspect.isgenerator(csv_pieces(EXPORT_COLUMNS, iter([])))


def test_csv_pieces_come_a_chunk_at_a_time():
    rows = ({"text": f"row {i}"} for i in range(450))
    pieces = list(csv_pieces(["text"], rows))
    assert len(pieces) == 4  # header, 200, 200, 50
    assert sum(p.count("\n") for p in pieces) == 451


@pytest.mark.parametrize(
    "value,safe",
    [
        ("=1+1", "'=1+1"),
        ("+44 161", "'+44 161"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (2012, 2012),
        (None, None),
    ],
)
def test_formula_cells_are_defused(value, safe):
    assert csv_safe(value) == safe


@pytest.fixture(scope="module")
def formula_client(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("formula-corpus")
    copy_seed(corpus)
    (corpus / "formula-2024.txt").write_text(FORMULA_PAGE, encoding="utf-8")
    index = tmp_path_factory.mktemp("formula-index")
    build_index(index, read_corpus(corpus).reviews)
    return create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()


def test_exported_csv_never_starts_a_cell_with_a_formula(formula_client):
    rows = read_csv(formula_client.get("/export.csv?q=training&csp=" + "=cmd|' /C calc'!A0"))
    assert rows, "the formula review should match"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    first = next(r for r in rows if r["number"] == "1")
    assert first["text"].startswith("'=HYPERLINK(")
    assert first["csp"] == "'=cmd|' /C calc'!A0"
    assert first["addressees"] == "'@SUM(A1) Agency"
    # JSON is data, not a spreadsheet: values stay exactly as written.
    data = json.loads(formula_client.get("/export.json?q=hyperlink").data)
    assert data["results"][0]["text"].startswith("=HYPERLINK(")


def test_bad_export_requests_are_clear_errors(client):
    response = client.get("/api/export?format=xls")
    assert response.status_code == 400
    assert "'format' must be one of csv, json" in response.get_json()["error"]["message"]
    assert client.get("/export.csv", query_string={"q": "x" * 1001}).status_code == 400


def test_results_page_links_to_exports_of_the_same_search(client):
    page = client.get("/search?q=training&addressee=Bolton+Community+Safety+Partnership&page=1")
    html = page.get_data(as_text=True)
    assert 'href="/export.csv?q=training&amp;addressee=Bolton+Community+Safety+Partnership"' in html
    assert (
        'href="/export.json?q=training&amp;addressee=Bolton+Community+Safety+Partnership"' in html
    )

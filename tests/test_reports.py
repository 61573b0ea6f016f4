"""Report PDFs through the whole service: corpus pairing, passages, pages, links and /reports."""

import json
import shutil

import pytest
from conftest import copy_seed
from pdf_factory import (
    DEFAULT_RECOMMENDATIONS,
    build_report,
    make_encrypted_pdf,
    make_image_only_pdf,
    make_truncated_pdf,
    make_zero_page_pdf,
)

from search_service import create_app
from search_service.corpus.folder import read_corpus
from search_service.index.writer import build_index

PAGE_9 = "The panel noted that the perpetrator's probation officer never visited the caravan park."
SEED_REC_7 = (
    "That multi-agency and single agency domestic violence training is informed by this case."
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    # A report on its own: a review in itself, recommendations from its table.
    alone = build_report(
        folder / "wigan-2021.pdf", csp="Wigan", published="March 2021", passages={9: PAGE_9}
    )
    # The seed page with a report of the same stem: the page's curated list stands.
    copy_seed(folder)
    seed_recs = [
        ("1", SEED_REC_7 + " Training should follow.", "Bolton Community Safety Partnership")
    ]
    build_report(folder / "bolton-2023.pdf", csp="Bolton", recommendations=seed_recs, pages=8)
    # A report known by a remote link, via manifest.csv.
    build_report(folder / "remote-2020.pdf", csp="Oldham", published="June 2020", pages=8)
    (folder / "manifest.csv").write_text(
        "file,pdf_url,source_url\nremote-2020.pdf,https://example.org/oldham.pdf,https://example.org/oldham\n"
    )
    make_encrypted_pdf(folder / "locked.pdf")
    make_truncated_pdf(folder / "cut.pdf")
    make_zero_page_pdf(folder / "empty.pdf")
    make_image_only_pdf(folder / "scan.pdf")
    return folder, alone


@pytest.fixture(scope="module")
def report(corpus, tmp_path_factory):
    return read_corpus(corpus[0], pdf_cache=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def client(corpus, tmp_path_factory):
    index = tmp_path_factory.mktemp("index")
    build_index(index, read_corpus(corpus[0], pdf_cache=tmp_path_factory.mktemp("cache")).reviews)
    return create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()


def test_a_pdf_on_its_own_is_a_review_with_its_recommendations(report, corpus):
    wigan = next(r for r in report.reviews if r.id == "wigan-2021")
    assert (wigan.csp, wigan.published, wigan.region) == ("Wigan", "March 2021", "North West")
    assert [
        (r.number, r.text, r.addressed_to) for r in wigan.recommendations
    ] == DEFAULT_RECOMMENDATIONS
    assert {r.number: r.page for r in wigan.recommendations} == corpus[1].recommendation_pages
    assert len(wigan.passages) == corpus[1].page_count
    assert PAGE_9 in wigan.passages[8].text and wigan.passages[8].page == 9


def test_a_page_with_a_pdf_keeps_its_curated_list_and_gains_pages(report):
    bolton = next(r for r in report.reviews if r.id == "bolton-2023")
    assert len(bolton.recommendations) == 9  # the page's list, not the PDF's one row
    rec7 = bolton.recommendations[6]
    assert rec7.page == 7  # where its text is found in the report (the recommendations page)
    assert bolton.passages and bolton.pdf_path.endswith("bolton-2023.pdf")
    assert bolton.summary.startswith("The report identifies")  # the page's summary stands


def test_broken_pdfs_are_reported_with_plain_reasons_and_the_rest_indexed(report):
    reasons = {s.path: s.reason for s in report.skipped}
    assert reasons == {
        "locked.pdf": "encrypted PDF",
        "cut.pdf": "incomplete PDF (truncated download?)",
        "empty.pdf": "no pages",
        "scan.pdf": "no text layer (scanned image?)",
    }
    assert {r.id for r in report.reviews} == {"wigan-2021", "bolton-2023", "remote-2020"}


def test_a_phrase_on_page_9_is_a_passage_hit_linking_to_page_9(client):
    data = client.get(
        "/api/search", query_string={"q": '"never visited the caravan park"'}
    ).get_json()
    hit = data["hits"][0]
    assert (hit["type"], hit["review_id"], hit["page"]) == ("passage", "wigan-2021", 9)
    assert hit["pdf_url"] == "/reports/wigan-2021.pdf#page=9"
    assert "<mark>never visited the caravan park</mark>" in hit["highlight"]


def test_recommendations_from_a_pdf_link_to_their_page(client, corpus):
    data = client.get(
        "/api/search", query_string={"q": "DASH", "type": "recommendation", "csp": "Wigan"}
    ).get_json()
    hit = data["hits"][0]
    page = corpus[1].recommendation_pages[hit["number"]]
    assert hit["page"] == page and hit["pdf_url"] == f"/reports/wigan-2021.pdf#page={page}"


def test_each_recommendation_says_where_it_was_read(client):
    api = client.get("/api/search", query_string={"type": "recommendation", "per_page": 100})
    sources = {(h["review_id"], h["source"]) for h in api.get_json()["hits"]}
    # Wigan's from its report's table; Bolton's curated list from its summary page.
    assert ("wigan-2021", "table") in sources and ("bolton-2023", "page") in sources
    assert {s for _, s in sources} <= {"table", "list", "page"}
    review = client.get("/api/reviews/wigan-2021").get_json()
    assert {r["source"] for r in review["recommendations"]} == {"table"}
    page = client.get("/reviews/wigan-2021").get_data(as_text=True)
    assert "<dt>Read from</dt><dd>a table in the report</dd>" in page
    page = client.get("/reviews/bolton-2023").get_data(as_text=True)
    assert "<dt>Read from</dt><dd>the review&#39;s summary page</dd>" in page
    export = client.get(
        "/export.json", query_string={"csp": "Wigan", "type": "recommendation"}
    ).get_json()
    assert {row["source"] for row in export["results"]} == {"table"}
    csv_text = client.get("/export.csv", query_string={"csp": "Wigan"}).get_data(as_text=True)
    header = csv_text.splitlines()[0].split(",")
    assert "source" in header


def test_type_filter_and_facet(client):
    data = client.get("/api/search", query_string={"q": "caravan", "type": "passage"}).get_json()
    assert data["total"] >= 1 and {h["type"] for h in data["hits"]} == {"passage"}
    counts = {
        f["value"]: f["count"] for f in client.get("/api/search").get_json()["facets"]["type"]
    }
    assert set(counts) == {"recommendation", "summary", "passage"}


def test_html_hit_links_to_the_pdf_page(client):
    page = client.get("/search", query_string={"q": '"caravan park"'}).get_data(as_text=True)
    assert 'href="/reports/wigan-2021.pdf#page=9"' in page


def test_reports_route_serves_the_indexed_file(client, corpus):
    response = client.get("/reports/wigan-2021.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == (corpus[0] / "wigan-2021.pdf").read_bytes()


def test_remote_pdf_links_carry_the_page(client):
    data = client.get(
        "/api/search", query_string={"csp": "Oldham", "type": "recommendation"}
    ).get_json()
    assert data["hits"] and all(
        h["pdf_url"].startswith("https://example.org/oldham.pdf#page=") for h in data["hits"]
    )


@pytest.mark.parametrize(
    "path",
    [
        "/reports/../../etc/passwd.pdf",
        "/reports/%2e%2e%2f%2e%2e%2fetc%2fpasswd.pdf",
        "/reports/..%2fwigan-2021.pdf",
        "/reports/%2Fetc%2Fpasswd.pdf",
        "/reports/locked.pdf",
        "/reports/nope.pdf",
        "/reports/wigan-2021.pdf.pdf",
    ],
)
def test_path_like_or_unknown_ids_are_refused(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"/etc" not in response.data and b"root:" not in response.data


def test_review_page_links_its_report(client):
    page = client.get("/reviews/wigan-2021").get_data(as_text=True)
    assert 'href="/reports/wigan-2021.pdf"' in page
    review = client.get("/api/reviews/wigan-2021").get_json()
    assert review["pages"] == 12 and review["pdf_url"] == "/reports/wigan-2021.pdf"


def test_cli_summary_names_each_broken_pdf(corpus, tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "c"
    shutil.copytree(corpus[0], folder)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "search_service",
            "index",
            str(folder),
            "--index-dir",
            str(tmp_path / "ix"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("indexed 3 reviews")
    for expected in (
        "locked.pdf (encrypted PDF)",
        "scan.pdf (no text layer (scanned image?))",
        "empty.pdf (no pages)",
    ):
        assert expected in line
    meta = json.loads(
        subprocess.run(
            [sys.executable, "-m", "search_service", "status", "--index-dir", str(tmp_path / "ix")],
            capture_output=True,
            text=True,
        ).stdout
    )
    assert meta["passages"] > 20


def test_manifest_ties_a_differently_named_pdf_to_a_page(tmp_path):
    folder = tmp_path / "c"
    copy_seed(folder)
    build_report(folder / "Bolton DHR final report.pdf", csp="Bolton", pages=8)
    (folder / "manifest.csv").write_text(
        "file,pdf_url,source_url\nbolton-2023.txt,Bolton DHR final report.pdf,\n"
    )
    report = read_corpus(folder, pdf_cache=tmp_path / "cache")
    assert [r.id for r in report.reviews] == ["bolton-2023"]
    bolton = report.reviews[0]
    assert bolton.pdf_path.endswith("Bolton DHR final report.pdf") and len(bolton.passages) == 8
    assert bolton.pdf_url == ""  # a file name is a tie, not a link


def test_update_follows_pdfs_standalone_and_tied(tmp_path):
    import subprocess
    import sys

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "search_service", *args],
            capture_output=True,
            text=True,
            timeout=300,
        )

    folder, index = tmp_path / "c", tmp_path / "ix"
    copy_seed(folder)
    build_report(
        folder / "final.pdf", csp="Bolton", pages=8, passages={5: "The kestrel report page."}
    )
    build_report(folder / "alone-2021.pdf", csp="Wigan", pages=8)
    (folder / "manifest.csv").write_text("file,pdf_url,source_url\nbolton-2023.txt,final.pdf,\n")
    assert cli("index", str(folder), "--index-dir", str(index)).returncode == 0

    def ids(q):
        out = cli("search", q, "--index-dir", str(index), "--json", "--limit", "100")
        return sorted({h["review_id"] for h in json.loads(out.stdout)["hits"]})

    assert ids("kestrel") == ["bolton-2023"] and "alone-2021" in ids("")
    # The tied PDF changes: its page's review is re-read with it; the standalone PDF goes.
    build_report(
        folder / "final.pdf", csp="Bolton", pages=8, passages={5: "The heron report page."}
    )
    (folder / "alone-2021.pdf").unlink()
    updated = cli("index", str(folder), "--index-dir", str(index), "--update")
    assert updated.returncode == 0, updated.stderr
    assert "removed 1 review" in updated.stdout
    assert ids("heron") == ["bolton-2023"] and ids("kestrel") == []
    assert "alone-2021" not in ids("")
    assert ids('"forensic curiosity"') == ["bolton-2023"]

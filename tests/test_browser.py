"""The real app in a real browser: waitress on loopback, Debian's chromium driven by Playwright.

Skipped when /usr/bin/chromium is missing, unless DHR_REQUIRE_BROWSER=1 (then it fails).
Screenshots of every page, desktop and 320 px wide, go to test-artifacts/ for a human to look at.
"""

from __future__ import annotations

import csv
import functools
import http.server
import io
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
AGENCY = "Bolton Community Safety Partnership"

if not CHROMIUM.exists():
    if os.environ.get("DHR_REQUIRE_BROWSER") == "1":
        raise RuntimeError("DHR_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
    pytest.skip(
        "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402
from waitress.server import create_server  # noqa: E402

from search_service import create_app  # noqa: E402
from search_service.corpus.folder import read_corpus  # noqa: E402
from search_service.index.writer import build_index  # noqa: E402

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def write_pdf(path: Path) -> None:
    """A small real PDF of two pages, so the link can point at page 2."""
    from fpdf import FPDF

    pdf = FPDF()
    for n in (1, 2):
        pdf.add_page()
        pdf.set_font("helvetica", size=14)
        pdf.cell(text=f"Bolton review, page {n}")
    pdf.output(str(path))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output readable
        pass


def serve_in_thread(server, run) -> threading.Thread:
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="module")
def pdf_server(tmp_path_factory):
    """A second local HTTP server that serves the report PDF, as a publisher's site would."""
    folder = tmp_path_factory.mktemp("pdfs")
    write_pdf(folder / "bolton-2023.pdf")
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serve_in_thread(server, server.serve_forever)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory, corpus_dir, pdf_server):
    """The real app under waitress on 127.0.0.1, over an index of the corpus plus a manifest."""
    corpus = tmp_path_factory.mktemp("browser-corpus") / "corpus"
    shutil.copytree(corpus_dir, corpus)
    (corpus / "manifest.csv").write_text(
        f"file,pdf_url,source_url\nbolton-2023.txt,{pdf_server}/bolton-2023.pdf,\n",
        encoding="utf-8",
    )
    index = tmp_path_factory.mktemp("browser-index")
    build_index(index, read_corpus(corpus).reviews, meta={"synthetic_reviews": 8})
    app = create_app({"INDEX_DIR": str(index)})
    server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="dhr-search")
    # Exports make links absolute from the configured address, never the Host header.
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.effective_port}"
    serve_in_thread(server, server.run)
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, accept_downloads=True)
    context.set_default_timeout(8000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def shoot(browser, base_url: str, path: str, name: str) -> None:
    """Desktop and 320 px screenshots of one page, and no sideways scrolling at 320 px."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, size in (("desktop", (1280, 900)), ("320", (320, 640))):
        context = browser.new_context(
            base_url=base_url, viewport={"width": size[0], "height": size[1]}
        )
        page = context.new_page()
        page.goto(path)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        if label == "320":
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            wide = page.evaluate(
                "() => [...document.querySelectorAll('body *')]"
                ".filter(el => el.getBoundingClientRect().right > innerWidth + 1)"
                ".slice(0, 5).map(el => el.tagName + '.' + el.className)"
            )
            assert overflow <= 0, f"{name} scrolls sideways at 320 px by {overflow}px: {wide}"
        context.close()


def test_typed_search_shows_marked_snippet(page):
    page.goto("/search")
    page.get_by_label("Search recommendations, review summaries and report pages").fill(
        "forensic curiosity"
    )
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url("/search?q=forensic+curiosity")
    first = page.locator("ol.hits > li").first
    expect(first.locator("mark").first).to_have_text("forensic curiosity")
    expect(page.locator(".result-count")).to_contain_text("1 result for")


def test_facet_narrows_shows_a_chip_and_can_be_removed(page):
    page.goto("/search?q=training")
    before = page.locator("ol.hits > li").count()
    page.locator("#facet-addressee").get_by_label(AGENCY, exact=False).check()
    # enhance.js submits at once; the page reloads with the filter in the URL.
    expect(page).to_have_url("/search?q=training&addressee=Bolton+Community+Safety+Partnership")
    chip = page.get_by_role("link", name=f"Remove filter Addressed to: {AGENCY}")
    expect(chip).to_be_visible()
    assert page.locator("ol.hits > li").count() < before
    chip.click()
    expect(page).to_have_url("/search?q=training")
    expect(page.locator(".chips")).to_have_count(0)


def test_filters_work_without_javascript(browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/search?q=training")
    page.locator("#facet-addressee").get_by_label(AGENCY, exact=False).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name=f"Remove filter Addressed to: {AGENCY}")).to_be_visible()
    page.get_by_role("link", name="Grouped by review").click()
    expect(page.locator(".result-count")).to_contain_text("1 review")
    context.close()


def test_open_review_and_follow_the_pdf_link(page, pdf_server):
    page.goto('/search?q="forensic curiosity"')
    page.locator("ol.hits > li h3 a").first.click()
    expect(page.locator("h1")).to_have_text("Bolton review")
    # At its recommendation, remembering the search to go back to.
    expect(page).to_have_url(re.compile(r"/reviews/bolton-2023\?back=%2Fsearch[^#]*#rec-7$"))
    link = page.get_by_role("link", name="Full report (PDF)")
    href = link.get_attribute("href")
    assert href == f"{pdf_server}/bolton-2023.pdf"
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    expect(page.locator("#similar")).to_have_text("Similar recommendations in other reviews")


def test_export_csv_downloads_every_result(page):
    page.goto("/search?q=training&per_page=2")
    total = int(page.locator(".result-count").inner_text().split()[0].replace(",", ""))
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV spreadsheet").click()
    download = info.value
    assert download.suggested_filename.startswith("dhr-search-training-")
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == total > 2
    assert rows[0]["review_url"].startswith("http://127.0.0.1:")


def _tab_to(page, predicate: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"never reached {predicate} with Tab")


def test_keyboard_only_search_and_facet_round(page):
    page.goto("/search")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    _tab_to(page, "el.id === 'q'")
    page.keyboard.type('"forensic curiosity"')
    page.keyboard.press("Enter")
    expect(page.locator("mark").first).to_have_text("forensic curiosity")
    # Focus is visible: the outline colour of a focused control is the focus yellow.
    _tab_to(page, "el.name === 'addressee'")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert outline == "rgb(255, 221, 0)"
    page.keyboard.press("Space")
    expect(page.locator(".chips .chip")).to_have_count(1)
    _tab_to(page, "el.classList.contains('chip')")
    page.keyboard.press("Enter")
    expect(page.locator(".chips")).to_have_count(0)
    _tab_to(page, "el.matches('ol.hits h3 a')")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Bolton review")


PAGES = [
    ("/search", "search"),
    ("/search?q=training", "results"),
    ("/search?q=training&addressee=Bolton+Community+Safety+Partnership", "results-filtered"),
    ("/search?q=training&group=review", "results-grouped"),
    ("/reviews/bolton-2023", "review"),
    ("/help", "help"),
    ("/trends?q=training", "trends"),
    ("/themes", "themes"),
    ("/reviews", "reviews"),
    ("/lessons", "lessons"),
    ("/search?q=training&year_from=2020&year_to=2015", "search-errors"),
    ("/trends?q=training&count=recommendations", "trends-recommendations"),
    ("/search?q=training&victim_sex=Female&theme=training", "results-case-and-theme"),
]


@pytest.mark.parametrize("path,name", PAGES, ids=[name for _, name in PAGES])
def test_pages_pass_axe_and_fit_320px(browser, base_url, page, path, name):
    page.goto(path)
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, results.generate_report()
    shoot(browser, base_url, path, name)


@pytest.mark.parametrize("width", [320, 375])
def test_on_a_phone_the_results_come_first_and_the_filters_fold_away(browser, base_url, width):
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 667})
    page = context.new_page()
    page.goto("/search?q=training&csp=Bolton&year_from=2010")
    toggle = page.locator("summary.filter-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text("Filter (2 active)")
    expect(page.locator("#facet-addressee")).not_to_be_visible()
    count = page.locator(".result-count").bounding_box()
    assert count["y"] + count["height"] <= 667, "the result count is not on the first screen"
    first_hit = page.locator("ol.hits li").first.bounding_box()
    assert first_hit["y"] < 667 * 1.6
    toggle.click()  # a <details>: opens with no script
    expect(page.locator("#facet-addressee")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"phone-{width}-filters-open.png"), full_page=True)
    context.close()


def test_on_a_wide_screen_the_filters_are_open_without_a_toggle(page):
    page.goto("/search?q=training")
    expect(page.locator("summary.filter-toggle")).not_to_be_visible()
    expect(page.locator("#facet-addressee")).to_be_visible()


def test_a_bad_year_range_is_an_error_summary_that_links_to_the_field(page):
    page.goto("/search?q=training&year_from=2020&year_to=2015")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("From year must be the same as or before the to year")
    summary.get_by_role("link").click()
    expect(page.locator("#year_from")).to_be_focused()
    expect(page.locator("#year_from")).to_have_value("2020")
    expect(page.locator("#q")).to_have_value("training")
    width = page.locator("#year_from").bounding_box()["width"]
    assert 30 < width < 90, f"a year field is {width}px wide"


def test_a_citation_opens_under_its_recommendation_and_downloads(page):
    page.goto("/reviews/bolton-2023#rec-7")
    rec = page.locator("#rec-7")
    rec.locator("summary", has_text="Cite this").click()
    expect(rec.locator(".citation")).to_contain_text("Recommendation 7")
    with page.expect_download() as download:
        rec.get_by_role("link", name="RIS for recommendation 7").click()
    assert download.value.suggested_filename == "dhr-bolton-2023-7.ris"


def test_back_to_search_returns_to_the_same_search(page):
    page.goto("/search?q=training&csp=Bolton")
    page.locator("ol.hits h3 a").first.click()
    page.get_by_role("link", name="Back to your search").click()
    expect(page).to_have_url("/search?q=training&csp=Bolton")


def test_a_long_facet_list_narrows_as_you_type_and_without_script_by_its_button(
    page, browser, base_url
):
    page.goto("/search?type=recommendation")
    items = page.locator("#facet-addressee-list li")
    total = items.count()
    assert total > 12, "the corpus has too few agencies to need a find box"
    page.locator("#find-addressee").fill("probation")
    visible = [t for t in items.all_inner_texts() if t.strip()]
    shown = page.locator("#facet-addressee-list li:not([hidden])")
    assert 0 < shown.count() < total
    assert all("probation" in t.lower() for t in shown.all_inner_texts())
    # Without script the Find button asks the server for the matching values.
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    plain = context.new_page()
    plain.goto("/search?type=recommendation")
    plain.locator("#find-addressee").fill("probation")
    plain.get_by_role("button", name="Find addressed to").click()
    labels = plain.locator("#facet-addressee-list label").all_inner_texts()
    assert labels and all("probation" in t.lower() for t in labels), visible
    context.close()


def test_case_characteristics_fold_away_until_one_is_chosen(page):
    page.goto("/search?q=training")
    group = page.locator("details#case-characteristics")
    expect(group).not_to_have_attribute("open", "")
    expect(page.locator("#facet-victim_sex")).not_to_be_visible()
    group.locator("summary").click()  # opens with no script: a <details> element
    expect(page.locator("#facet-victim_sex")).to_be_visible()
    page.locator("#facet-victim_sex input[value=Female]").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("details#case-characteristics")).to_have_attribute("open", "")
    expect(page.locator(".chips")).to_contain_text("Female")
    page.goto("/themes")
    expect(page.locator("h1")).to_have_text("Themes of recommendations")
    page.get_by_role("link", name="Information sharing").first.click()
    expect(page.locator("#theme-information-sharing-heading")).to_be_visible()


def test_no_inline_script_or_handlers(page):
    for path, _ in PAGES:
        page.goto(path)
        inline = page.evaluate(
            """() => [...document.querySelectorAll('script:not([src])')].length +
                    [...document.querySelectorAll('*')].filter(
                      el => [...el.attributes].some(a => a.name.startsWith('on'))).length +
                    document.querySelectorAll('[style]').length"""
        )
        assert inline == 0, path

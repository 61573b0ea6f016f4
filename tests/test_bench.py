"""Smoke test of the benchmark's helpers at tiny scale (no servers, no timings asserted)."""

import importlib.util
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from search_service.analysis.filters import stop_words
from search_service.corpus.folder import read_corpus

ROOT = Path(__file__).resolve().parent.parent


def load_bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_bench_queries_and_sqlite_answer_the_same_questions(tmp_path, corpus_dir):
    bench = load_bench()
    reviews = read_corpus(corpus_dir).reviews
    rows = bench.build_sqlite(reviews, tmp_path / "bench.db")
    assert rows == sum(len(r.recommendations) for r in reviews)
    texts = [rec.text for r in reviews for rec in r.recommendations]
    queries = bench.make_queries(texts, stop_words(), per_class=4, seed=1)
    assert {q.kind for q in queries} >= {"common", "and2", "phrase"}
    assert len({q.q for q in queries}) == len(queries)
    conn = sqlite3.connect(tmp_path / "bench.db")
    for q in queries:
        assert q.ours().startswith("/api/search?q=")
        assert "_facet=addressee" in q.datasette()
        match = q.q if q.kind == "phrase" else " ".join(f'"{w}"' for w in q.words)
        found = conn.execute(
            "SELECT count(*) FROM recommendations_fts WHERE recommendations_fts MATCH ?", (match,)
        ).fetchone()[0]
        assert found > 0, q  # every query is built from words of the corpus
    assert not {q.q for q in bench.warmup_queries(queries)} & {q.q for q in queries}


def test_percentiles_and_nginx_config(tmp_path):
    bench = load_bench()
    assert bench.pct([5, 1, 4, 2, 3], 50) == 3
    assert bench.pct(list(range(1, 101)), 95) == 95
    conf = bench.nginx_config(tmp_path, 8081, [9001, 9002]).read_text()
    assert "listen 127.0.0.1:8081;" in conf
    assert "server 127.0.0.1:9001;" in conf and "server 127.0.0.1:9002;" in conf


# --- the full-text mode (--reports) ------------------------------------------------------


@pytest.fixture(scope="module")
def report_corpus(tmp_path_factory):
    """Three demo reviews with four-page report PDFs, read through a PDF cache."""
    from search_service.corpus.demo import write_demo_corpus
    from search_service.corpus.demo_reports import write_demo_reports

    root = tmp_path_factory.mktemp("reports")
    folder = root / "corpus-3-s1-p4"
    write_demo_corpus(folder, 3, seed=1)
    write_demo_reports(folder, 4, seed=1)
    return folder, root / "pdf-cache"


def test_pages_db_holds_every_page_and_page_queries_match_it(tmp_path, report_corpus):
    bench = load_bench()
    folder, cache = report_corpus
    assert bench.corpus_ready(folder, 3, report_pages=4)
    assert not bench.corpus_ready(folder, 3)  # a recommendation corpus has no PDFs
    assert not bench.corpus_ready(folder, 4, report_pages=4)
    reviews = read_corpus(folder, pdf_cache=cache).reviews
    pages = sum(len(r.passages) for r in reviews)
    assert pages >= 3 * 3  # every report has its pages read
    db = tmp_path / "pages-db" / "bench.db"
    assert bench.fulltext.build_pages_db(reviews, db) == pages
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM pages").fetchone()[0] == pages
    stored = conn.execute("SELECT review_id, page, text FROM pages ORDER BY id").fetchall()
    assert stored == [(r.id, p.page, p.text) for r in reviews for p in r.passages]
    texts = bench.fulltext.page_texts(reviews)
    queries = bench.make_queries(texts, stop_words(), 4, 1, bench.fulltext.PageQuery)
    assert {q.kind for q in queries} == set(bench.CLASSES)
    assert len({q.q for q in queries}) == len(queries)
    for q in queries:
        assert isinstance(q, bench.fulltext.PageQuery)
        assert q.ours().startswith("/api/search?q=")
        assert q.datasette().startswith("/bench/pages.json?_search=")
        assert "_facet=csp" in q.datasette() and "_size=10" in q.datasette()
        assert ("_search_mode=raw" in q.datasette()) == (q.kind == "phrase")
        match = q.q if q.kind == "phrase" else " ".join(f'"{w}"' for w in q.words)
        found = conn.execute(
            "SELECT count(*) FROM pages_fts WHERE pages_fts MATCH ?", (match,)
        ).fetchone()[0]
        assert found > 0, q  # every query is built from words of the pages
    warm = bench.warmup_queries(queries)
    assert all(isinstance(q, bench.fulltext.PageQuery) for q in warm)
    assert not {q.q for q in warm} & {q.q for q in queries}
    size = bench.fulltext.sqlite_size(db)
    assert size["file"] == db.stat().st_size
    if size["fts"] is not None:  # SQLite built with dbstat
        assert size["fts"] > 0 and size["text"] > 0


def test_rewrite_report_puts_the_marker_in_and_is_otherwise_the_generator(tmp_path, report_corpus):
    bench = load_bench()
    folder, _ = report_corpus
    corpus = tmp_path / "corpus"
    shutil.copytree(folder, corpus)
    stem = sorted(corpus.glob("*.pdf"))[1].stem
    original = (corpus / f"{stem}.pdf").read_bytes()
    # Without a marker the report is written byte for byte as `demo --report-pages` wrote it.
    assert bench.fulltext.rewrite_report(corpus, stem, 1, 4, "") == original
    assert (corpus / f"{stem}.pdf").read_bytes() == original
    bench.fulltext.rewrite_report(corpus, stem, 1, 4, "zqxbenchtest")
    reviews = read_corpus(corpus, pdf_cache=tmp_path / "cache").reviews
    pages = {p.page: p.text for r in reviews if r.id == stem for p in r.passages}
    assert "zqxbenchtest" in pages[2]
    others = [p.text for r in reviews if r.id != stem for p in r.passages]
    assert not any("zqxbench" in t for t in others)


def test_index_size_counts_the_current_version_without_the_pdf_cache(tmp_path):
    bench = load_bench()
    index = tmp_path / "index"
    (index / "v-2").mkdir(parents=True)
    (index / "v-2" / "MAIN_a.seg").write_bytes(b"x" * 1000)
    (index / "v-2" / "meta.json").write_bytes(b"y" * 24)
    (index / "v-1").mkdir()  # an older version still on disk
    (index / "v-1" / "MAIN_b.seg").write_bytes(b"z" * 500)
    (index / "pdf-cache" / "ab").mkdir(parents=True)
    (index / "pdf-cache" / "ab" / "one.json").write_bytes(b"c" * 7000)
    (index / "CURRENT").write_text("v-2\n")
    size = bench.fulltext.index_size(index, "pdf-cache")
    assert size["version"] == "v-2"
    assert size["version_bytes"] == 1024
    assert size["dir_bytes"] == 1024 + 500 + 4  # everything but the cache, CURRENT too
    assert size["cache_bytes"] == 7000


def test_goals_say_met_not_met_and_not_measured():
    bench = load_bench()
    fulltext = bench.fulltext
    good = {
        "latency": {"rare": (0.2, 0.4), "common": (0.5, 0.5)},
        "rps_ratio": 2.0,
        "errors": 0,
        "index_ratio": 3.9,
        "rss_max_mb": 120.0,
        "build_s": 170.0,
        "searchable_s": 2.5,
    }
    goals = fulltext.judge_goals(good)
    assert len(goals) == 7 and all(g.met is True for g in goals)
    bad = dict(good, latency={"rare": (0.2, 0.6)}, errors=3, index_ratio=4.5, build_s=181.0)
    verdicts = {g.name.split()[0]: g.met for g in fulltext.judge_goals(bad)}
    assert verdicts == {
        "rare": False,  # p95 above half of Datasette's
        "throughput": False,  # fast enough, but with errors
        "index": False,
        "memory": True,
        "full": False,
        "changed": True,
    }
    partial = fulltext.judge_goals({"latency": {"rare": (0.3, 0.3)}, "build_s": float("nan")})
    assert [g.met for g in partial] == [True, None, None, None, None, None]
    lines = fulltext.goal_lines(fulltext.judge_goals(bad))
    assert lines[0].startswith("goals")
    assert any(line.endswith("NOT MET") for line in lines)
    assert lines[-1].strip() == "2 of 6 met"
    assert "not measured" in "\n".join(fulltext.goal_lines(partial))


def test_goal_figures_take_the_worst_process_and_every_error():
    fulltext = load_bench().fulltext
    figures = fulltext.goal_figures(
        {"rare": (0.1, 0.2)},
        1,
        {"ours": {"rps": 30.0, "errors": 2}, "datasette": {"rps": 10.0, "errors": 0}},
        {"version_bytes": 300, "sqlite": {"file": 100}},
        {"cold_s": 100.0, "warm_s": 60.0},
        {"ours": [(1, 40.0, 41.0), (2, 130.0, 140.0), (3, 90.0, 95.0)]},
        {"report": "x", "update_s": 1.0, "searchable_s": 1.5},
    )
    assert figures["rps_ratio"] == 3.0 and figures["errors"] == 3
    assert figures["index_ratio"] == 3.0 and figures["rss_max_mb"] == 130.0
    assert figures["build_s"] == 100.0 and figures["searchable_s"] == 1.5
    failed = fulltext.goal_figures(
        {},
        0,
        None,
        {"version_bytes": 1, "sqlite": {"file": 1}},
        {"cold_s": 1.0},
        None,
        {"error": "zqxbenchabc not searchable after 60 s"},
    )
    assert "rps_ratio" not in failed and "rss_max_mb" not in failed  # --latency-only
    assert [g.met for g in fulltext.judge_goals(failed)] == [None, True, None, True, False]


def test_reports_mode_defaults_and_recommendation_defaults_unchanged():
    bench = load_bench()
    rec = bench.parse_args([])
    assert (rec.reports, rec.reviews, rec.report_pages) == (False, 6500, None)
    full = bench.parse_args(["--reports"])
    assert (full.reports, full.reviews, full.report_pages) == (True, 650, 40)
    small = bench.parse_args(["--reports", "--reviews", "40", "--report-pages", "10"])
    assert (small.reviews, small.report_pages) == (40, 10)
    with pytest.raises(SystemExit):
        bench.parse_args(["--report-pages", "10"])  # only with --reports

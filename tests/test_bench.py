"""Smoke test of the benchmark's helpers at tiny scale (no servers, no timings asserted)."""

import importlib.util
import sqlite3
import sys
from pathlib import Path

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

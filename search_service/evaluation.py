"""Search quality on a judged query set: recall@10 and nDCG@10, ours beside a plain Whoosh baseline.

The judged set is `tests/fixtures/judged/` (review pages and `queries.csv` with the
recommendation ids a domain user wants for each query). Run `scripts/eval_search`.
"""

from __future__ import annotations

import csv
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from search_service.corpus.folder import read_corpus
from search_service.index.baseline import baseline_engine
from search_service.index.writer import build_index
from search_service.search.request import SearchRequest
from search_service.search.service import open_index, run_search

K = 10


@dataclass
class Judged:
    """One judged query and the recommendation ids ("review_id:number") relevant to it."""

    query: str
    relevant: set[str]


def load_judgements(path: Path) -> list[Judged]:
    """Read queries.csv (columns query, relevant)."""
    with path.open(newline="", encoding="utf-8") as f:
        return [Judged(row["query"], set(row["relevant"].split())) for row in csv.DictReader(f)]


def recall_at_k(ranked: list[str], relevant: set[str], k: int = K) -> float:
    """Share of the relevant ids found in the top k."""
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def ndcg_at_k(ranked: list[str], relevant: set[str], k: int = K) -> float:
    """Normalised discounted cumulative gain at k, binary relevance."""
    dcg = sum(1 / math.log2(i + 2) for i, doc in enumerate(ranked[:k]) if doc in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def our_engine(corpus: Path, workdir: Path) -> Callable[[str], list[str]]:
    """Ranked recommendation ids from DHR Search over corpus."""
    build_index(workdir / "ours", read_corpus(corpus).reviews)
    handle = open_index(workdir / "ours")

    def search(q: str) -> list[str]:
        req = SearchRequest(q=q, filters={"type": ["recommendation"]}, per_page=K)
        return [f"{h['review_id']}:{h['number']}" for h in run_search(handle, req)["hits"]]

    return search


def evaluate(search: Callable[[str], list[str]], judged: list[Judged]) -> dict:
    """Mean recall@10 and nDCG@10 over the judged queries, and the per-query figures."""
    rows = []
    for j in judged:
        ranked = search(j.query)
        rows.append(
            {
                "query": j.query,
                "recall": recall_at_k(ranked, j.relevant),
                "ndcg": ndcg_at_k(ranked, j.relevant),
            }
        )
    n = len(rows) or 1
    return {
        "recall@10": round(sum(r["recall"] for r in rows) / n, 4),
        "ndcg@10": round(sum(r["ndcg"] for r in rows) / n, 4),
        "queries": rows,
    }


def compare(folder: Path) -> dict[str, dict]:
    """Evaluate ours and the baseline on the judged set in folder."""
    judged = load_judgements(folder / "queries.csv")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        return {
            "DHR Search": evaluate(our_engine(folder, work), judged),
            "Whoosh StandardAnalyzer + QueryParser": evaluate(
                baseline_engine(read_corpus(folder).reviews, work / "base", K), judged
            ),
        }

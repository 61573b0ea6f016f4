"""Search quality with report pages on: do recommendations outrank contents and glossaries?

The corpus is the Word-made fixture reports (tests/fixtures/reports, each with a contents
page and a glossary); `tests/fixtures/judged/report_queries.csv` lists queries, the kind of
answer wanted (`recommendation` or `page`) and the words that make a text relevant. Every
hit type is searched, as the results page does. Relevance is judged from the reports'
ground truth: a recommendation is relevant when its text (as the ground truth has it) holds
one of the query's relevant phrases; a report page when its text does and it is not a
contents page or glossary. Run `scripts/eval_report_pages`.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import tempfile
from pathlib import Path

from search_service.corpus.folder import read_corpus
from search_service.evaluation import K, ndcg_at_k, recall_at_k
from search_service.index.writer import build_index
from search_service.search.request import SearchRequest
from search_service.search.service import open_index, run_search


@dataclasses.dataclass
class PageQuery:
    """A judged query over reports: what is typed, what answers it, which phrases are relevant."""

    query: str
    wants: str  # "recommendation" or "page"
    phrases: list[str]


def load_queries(path: Path) -> list[PageQuery]:
    """Read report_queries.csv (columns query, wants, phrases separated by |)."""
    with path.open(newline="", encoding="utf-8") as f:
        return [
            PageQuery(row["query"], row["wants"], [p.strip() for p in row["phrases"].split("|")])
            for row in csv.DictReader(line for line in f if not line.startswith("#"))
        ]


def _holds(text: str, phrases: list[str]) -> bool:
    low = " ".join(text.lower().split())
    return any(re.search(rf"\b{re.escape(p.lower())}", low) for p in phrases)


def relevant_ids(reviews: list, fixtures: Path, q: PageQuery) -> set[str]:
    """The ids ("review:number" or "review#page-N") judged relevant to q."""
    if q.wants == "recommendation":
        found = set()
        for truth in sorted(fixtures.glob("*.json")):
            if truth.name == "baseline.json":
                continue
            data = json.loads(truth.read_text(encoding="utf-8"))
            stem = Path(data["file"]).stem
            found |= {
                f"{stem}:{r['number']}"
                for r in data["recommendations"]
                if _holds(r["text"], q.phrases)
            }
        return found
    return {
        f"{review.id}#page-{p.page}"
        for review in reviews
        for p in review.passages
        if p.kind == "text" and _holds(p.text, q.phrases)
    }


def _hit_id(hit: dict) -> str:
    if hit["type"] == "recommendation":
        return f"{hit['review_id']}:{hit['number']}"
    return (
        f"{hit['review_id']}#page-{hit['page']}" if hit["type"] == "passage" else hit["review_id"]
    )


def compare_listing_pages(fixtures: Path, queries: list[PageQuery]) -> dict[str, dict]:
    """nDCG@10 and recall@10 with contents and glossary pages marked (ours) and not (before)."""
    reviews = read_corpus(fixtures).reviews
    plain = [
        dataclasses.replace(r, passages=[dataclasses.replace(p, kind="text") for p in r.passages])
        for r in reviews
    ]
    judged = [(q, relevant_ids(reviews, fixtures, q)) for q in queries]
    listing_ids = {f"{r.id}#page-{p.page}" for r in reviews for p in r.passages if p.kind != "text"}
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, corpus in (("pages marked (ours)", reviews), ("not marked (before)", plain)):
            folder = Path(tmp) / name.split()[0]
            build_index(folder, corpus)
            handle = open_index(folder)
            rows = []
            for q, relevant in judged:
                hits = run_search(handle, SearchRequest(q=q.query, per_page=K))["hits"]
                ranked = [_hit_id(h) for h in hits]
                listing = sum(1 for i in ranked if i in listing_ids)
                rows.append(
                    {
                        "query": q.query,
                        "wants": q.wants,
                        "ndcg": ndcg_at_k(ranked, relevant),
                        "recall": recall_at_k(ranked, relevant),
                        "listing_in_top10": listing,
                    }
                )
            out[name] = _summary(rows)
    return out


def _summary(rows: list[dict]) -> dict:
    def mean(key: str, wants: str | None = None) -> float:
        chosen = [r[key] for r in rows if wants is None or r["wants"] == wants]
        return round(sum(chosen) / len(chosen), 4) if chosen else 0.0

    return {
        "ndcg@10": mean("ndcg"),
        "ndcg@10 recommendation queries": mean("ndcg", "recommendation"),
        "ndcg@10 page queries": mean("ndcg", "page"),
        "recall@10": mean("recall"),
        "listing pages in top 10 (mean)": mean("listing_in_top10"),
        "queries": rows,
    }

"""Whoosh out of the box over the same recommendations: the evaluation's baseline engine."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import fields, qparser
from whoosh import index as windex
from whoosh.analysis import StandardAnalyzer

from search_service.model import Review


def baseline_engine(reviews: Iterable[Review], folder: Path, k: int) -> Callable[[str], list[str]]:
    """Ranked "review:number" ids from Whoosh's StandardAnalyzer and default QueryParser over
    the same recommendations, in a plain Whoosh index written in folder."""
    schema = fields.Schema(id=fields.ID(stored=True), text=fields.TEXT(analyzer=StandardAnalyzer()))
    folder.mkdir(parents=True)
    ix = windex.create_in(str(folder), schema)
    with ix.writer() as w:
        for review in reviews:
            for rec in review.recommendations:
                w.add_document(id=f"{review.id}:{rec.number}", text=rec.text)
    searcher = ix.searcher()
    parser = qparser.QueryParser("text", schema)

    def search(q: str) -> list[str]:
        return [hit["id"] for hit in searcher.search(parser.parse(q), limit=k)]

    return search

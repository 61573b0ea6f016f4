"""Corpora of reviews with report PDFs, for tests of phrases in report pages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from search_service.corpus.demo import write_demo_corpus
from search_service.corpus.demo_reports import write_demo_reports
from search_service.corpus.folder import read_corpus

FIXTURES = Path(__file__).parent / "fixtures" / "reports"


def report_reviews(tmp_path_factory, kind: str, seed: int) -> list:
    """The demo corpus with generated reports beside 6 of its 10 reviews ("demo"), or 8 of
    the committed Word-made reports, which have contents pages and glossaries ("fixtures")."""
    corpus = tmp_path_factory.mktemp("corpus")
    if kind == "demo":
        write_demo_corpus(corpus, 10, seed=seed)
        write_demo_reports(corpus, 6, seed=seed)
    else:
        for pdf in sorted(FIXTURES.glob("*.pdf"))[:8]:
            shutil.copy(pdf, corpus / pdf.name)
    return read_corpus(corpus, pdf_cache=tmp_path_factory.mktemp("cache")).reviews


def page_words(pages: list[str], rng, pattern: str = r"[a-z]+"):
    """Without end: the lower-cased words of a page drawn at random, of pages of 20 or more."""
    while True:
        words = re.findall(pattern, rng.choice(pages).lower())
        if len(words) >= 20:
            yield words

"""The index schema: one Whoosh document per hit, and how a Review becomes documents.

Whoosh pickles the schema into the index; everything here is top-level and importable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from whoosh import fields, formats
from whoosh.analysis import RegexTokenizer

from search_service.analysis.filters import analysis_fingerprint, spelling_analyzer, text_analyzer
from search_service.analysis.pairs import PairAnalyzer, record
from search_service.analysis.shingles import ShingleAnalyzer
from search_service.analysis.themes import themes_for
from search_service.model import Recommendation, Review

# Bump when the schema or analysis changes: an index of another version must be rebuilt.
# 5: the analyzers moved to search_service.analysis (the pickled schema names their modules).
# 6: a recommendation's source (summary page, report table or report list) is stored.
# 7: a recommendation's themes, a report page's kind, and a review's DHRD link (on its
#    summary), are stored.
# 8: report pages have neither shingles nor spelling words (UNSHINGLED).
# 9: report pages have pairs of frequent words (PAIR_FIELDS).
SCHEMA_VERSION = 9
# Fields whose documents of one type carry no shingles: a report page's words are too many
# (two- and three-word runs of 26,000 pages were nine tenths of the index and of its build
# time), so phrases in them are matched by positions (search/phrases.py).
UNSHINGLED = {"text": "passage"}
# Those documents' pairs of frequent words instead (analysis/pairs.py): a phrase that is a
# common pair is one lookup there too, and any other narrowed to the pages holding its pairs.
PAIR_FIELDS = {"text": "text_pairs"}
# Multi-valued exact facet values are joined with tabs: agency names contain spaces.
FACET_SEP = "\t"


class RecordedText(fields.TEXT):
    """A TEXT field that keeps the analysed words of the value it indexed last, for the
    pairs field indexed next (analysing a report page twice was a third of a build)."""

    def index(self, value, **kwargs):
        """FieldType.index, with the analyzer's words recorded on the way."""
        if not isinstance(value, str):  # pre-analysed tokens: as Whoosh indexes them
            yield from super().index(value, **kwargs)
            return
        kwargs.setdefault("mode", "index")
        words = record(value)
        analyzer = self.analyzer

        def recording(v, **kw):
            for t in analyzer(v, **kw):
                if not t.stopped:
                    words.append((t.pos, t.text))
                yield t

        for text, freq, weight, vbytes in self.format.word_values(value, recording, **kwargs):
            yield text.encode("utf-8"), freq, weight, vbytes


class ExactList(fields.KEYWORD):
    """A multi-valued exact field: values joined by tabs, each kept whole (spaces and case)."""

    def __init__(self) -> None:
        super().__init__(stored=False, analyzer=RegexTokenizer(r"[^\t]+"))


def build_schema(frequent: Iterable[str] = (), common: Iterable[str] = ()) -> fields.Schema:
    """The Whoosh schema: one document per hit (recommendation, summary or report page);
    frequent: the library's frequent words, whose pairs report pages carry (common: the
    pairs of them kept as terms of their own, analysis/pairs.py)."""
    prose = text_analyzer()
    return fields.Schema(
        doc_id=fields.ID(stored=True, unique=True),
        type=fields.ID(stored=True),
        review_id=fields.ID(stored=True),
        number=fields.STORED(),
        page=fields.STORED(),
        source=fields.STORED(),
        themes=fields.STORED(),
        kind=fields.STORED(),  # a report page's kind: text, contents, glossary or index
        # On summaries only: the review's DHRD link and case characteristics (facets read it
        # there for every document of the review, so each document does not repeat it).
        dhrd=fields.STORED(),
        # Recommendation text is what users cite, so it outweighs titles and agency names.
        text=RecordedText(analyzer=prose, stored=True, phrase=True, field_boost=2.0),
        # Runs of two and three words of each searched field: a phrase of two or three words
        # is one lookup, and a longer one reads positions only where all its triples are.
        text_shingles=shingles_field(),
        # A report page's pairs of frequent words (it has no shingles).
        text_pairs=fields.FieldType(
            formats.Existence(), PairAnalyzer(frequent, common), scorable=False, stored=False
        ),
        title=fields.TEXT(analyzer=prose, stored=True, phrase=True),
        title_shingles=shingles_field(),
        csp=fields.ID(stored=True),
        region=fields.ID(stored=True),
        addressee=ExactList(),
        sector=ExactList(),
        csp_text=fields.TEXT(analyzer=prose, phrase=True, field_boost=0.5),
        addressee_text=fields.TEXT(analyzer=prose, phrase=True, field_boost=0.5),
        addressee_shingles=shingles_field(),
        csp_shingles=shingles_field(),
        sector_text=fields.TEXT(analyzer=prose, phrase=True, field_boost=0.5),
        # Unstemmed words as written, only for "did you mean" suggestions.
        spell=fields.TEXT(analyzer=spelling_analyzer(), phrase=False),
        addressees=fields.STORED(),
        sectors=fields.STORED(),
        published_year=fields.NUMERIC(stored=True, sortable=True),
        published_month=fields.STORED(),
        year_of_death=fields.NUMERIC(stored=True, sortable=True),
        source_url=fields.STORED(),
        pdf_url=fields.STORED(),
        pdf_path=fields.STORED(),
        synthetic=fields.STORED(),
    )


def _review_fields(review: Review) -> dict:
    return {
        "review_id": review.id,
        "title": review.title,
        "title_shingles": review.title,
        "csp": review.csp,
        "csp_text": review.csp,
        "csp_shingles": review.csp,
        "region": review.region,
        "published_year": review.published_year,
        "published_month": review.published_month,
        "year_of_death": review.year_of_death,
        "source_url": review.source_url,
        "pdf_url": review.pdf_url,
        "pdf_path": review.pdf_path,
        "synthetic": review.synthetic,
    }


def _rec_fields(rec: Recommendation) -> dict:
    return {
        "doc_id": f"{rec.review_id}#rec-{rec.number}",
        "type": "recommendation",
        "number": rec.number,
        "page": rec.page,
        "source": rec.source,
        "themes": themes_for(rec.text) or None,
        "text": rec.text,
        "text_shingles": rec.text,
        "addressee": FACET_SEP.join(rec.addressees),
        "addressee_text": " ; ".join(rec.addressees),
        "addressee_shingles": " ; ".join(rec.addressees),
        "addressees": list(rec.addressees),
        "sector": FACET_SEP.join(rec.sectors),
        "sector_text": " ; ".join(rec.sectors),
        "sectors": list(rec.sectors),
    }


def review_documents(review: Review) -> Iterator[dict]:
    """The Whoosh documents of one review: its summary, recommendations and report pages."""
    base = {k: v for k, v in _review_fields(review).items() if v is not None}
    # The summary document always exists: it carries the review's metadata for its page.
    yield {
        **base,
        "doc_id": f"{review.id}#summary",
        "type": "summary",
        "text": review.summary,
        "text_shingles": review.summary,
        "spell": f"{review.title} {review.summary}",
        **({"dhrd": review.dhrd} if review.dhrd else {}),
    }
    for rec in review.recommendations:
        rec_doc = {k: v for k, v in _rec_fields(rec).items() if v is not None}
        yield {**base, **rec_doc, "spell": rec.text}
    for passage in review.passages:
        yield {
            **base,
            "doc_id": f"{review.id}#page-{passage.page}",
            "type": "passage",
            "page": passage.page,
            "kind": passage.kind,
            "text": passage.text,
            "text_pairs": passage.text,  # the same string: its analysed words are reused
        }


def is_compatible(meta: dict) -> bool:
    """Whether an index was built with this schema and these analysis data files."""
    return (
        meta.get("schema_version") == SCHEMA_VERSION
        and meta.get("analysis") == analysis_fingerprint()
    )


def shingles_field() -> fields.FieldType:
    """A field of word shingles beside a searched one: matched, never scored, stored or shown.

    Documents only, no positions: reading a term's postings then unpickles no positions.
    """
    return fields.FieldType(formats.Existence(), ShingleAnalyzer(), scorable=False, stored=False)

"""Queries over cached postings answer exactly as Whoosh's own matchers do, phrases included."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from conftest import make_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_service.analysis import TOKEN_PATTERN, stop_words
from search_service.index import IndexHandle, build_index, update_index
from search_service.ingest.corpus import read_corpus
from search_service.postings import collect_fast
from search_service.query import parse_query
from search_service.scoring import collect, use_pairs

# What users type: words, AND, phrases of two to five words (agency and CSP names too),
# compounds written three ways, vocabulary expansions, field prefixes, OR, wildcards.
QUERIES = [
    "domestic",
    "marac referral",
    '"domestic abuse"',
    '"risk assessment"',
    '"safeguarding adults board"',
    '"community safety partnership"',
    '"greater manchester police"',
    '"multi agency risk assessment conference"',
    '"multi-agency" training',
    '"multiagency risk"',
    "idva",
    "=idva",
    "MARAC",
    '"forensic curiosity"',
    '"professional curiosity" OR "forensic curiosity"',
    "addressee_text:police",
    'title:"domestic homicide review"',
    "safeguard*",
    '"clare\'s law"',
    '"honour based abuse"',
    '"the police should"',
    '"review panel" training',
]

# Words as the index cuts them ("review's" is one word).
WORD = re.compile(TOKEN_PATTERN)


def _docs(searcher, q) -> dict[int, float]:
    ids, scores = collect_fast(searcher, use_pairs(q), {})
    return dict(zip(ids, scores, strict=True))


def _whoosh_docs(searcher, q) -> set[int]:
    """Whoosh's own answer: plain Phrase queries (positions of every word), no pairs."""
    results = searcher.search(q, limit=None, scored=False)
    return set(results.docs())


@pytest.fixture(scope="module")
def handles(tmp_path_factory):
    """An index built in one go, and one changed by `--update` (a second segment, deletions)."""
    corpus = make_corpus(tmp_path_factory.mktemp("corpus"), synthetic=24)
    reviews = read_corpus(corpus).reviews
    whole = tmp_path_factory.mktemp("whole")
    build_index(whole, reviews)
    updated = tmp_path_factory.mktemp("updated")
    build_index(updated, reviews)
    plan = SimpleNamespace(remove=[reviews[1].id, reviews[5].id], add=[reviews[3]], files={})
    update_index(updated, lambda files, meta: plan)
    out = {name: IndexHandle(folder) for name, folder in (("whole", whole), ("updated", updated))}
    yield out, reviews
    for h in out.values():
        h.searcher().close()


@pytest.mark.parametrize("kind", ["whole", "updated"])
@pytest.mark.parametrize("typed", QUERIES)
def test_cached_postings_give_whooshs_documents_and_scores(handles, kind, typed):
    handle = handles[0][kind]
    searcher = handle.searcher()
    q = parse_query(searcher.schema, typed).query
    fast = _docs(searcher, q)
    # The same documents with bit-identical scores as Whoosh's matcher tree (scoring.collect)...
    ids, scores = collect(searcher, use_pairs(q), {})
    assert fast == dict(zip(ids, scores, strict=True))
    # ...and the same documents as Whoosh's plain phrases, which read every word's positions.
    assert set(fast) == _whoosh_docs(searcher, q)


def test_the_phrase_queries_above_find_something(handles):
    """Guards the comparison: it must not pass because every phrase finds nothing."""
    searcher = handles[0]["whole"].searcher()
    found = {
        typed: len(_docs(searcher, parse_query(searcher.schema, typed).query))
        for typed in QUERIES
        if typed.startswith('"')
    }
    assert found['"safeguarding adults board"'] > 0
    assert found['"community safety partnership"'] > 0
    assert sum(1 for n in found.values() if n) >= 6, found


@pytest.mark.parametrize(
    "typed, expected",
    [
        ('"risk assessment"', {"apart", "inrow", "pairs"}),
        # Both pairs occur in "pairs", never in a row.
        ('"risk assessment training"', {"apart", "inrow"}),
        # Both triples occur in "apart", never in a row.
        ('"risk assessment training programme"', {"inrow"}),
        ('"assessment training programme"', {"apart", "inrow"}),
    ],
)
def test_words_in_a_row_are_not_the_same_as_their_pairs_or_triples_apart(tmp_path, typed, expected):
    from search_service.model import Recommendation, Review

    def review(rid: str, text: str) -> Review:
        rec = Recommendation(review_id=rid, number="1", text=text, addressees=["Police"])
        return Review(id=rid, title=f"Review {rid}", csp="Testshire CSP", recommendations=[rec])

    build_index(
        tmp_path,
        [
            review("pairs", "Risk assessment is weak; assessment training is missing."),
            review("apart", "Risk assessment training is weak; assessment training programme."),
            review("inrow", "Deliver risk assessment training programme to all staff."),
        ],
    )
    searcher = IndexHandle(tmp_path).searcher()
    q = parse_query(searcher.schema, typed).query
    found = {searcher.stored_fields(d)["review_id"] for d in _docs(searcher, q)}
    assert found == expected
    assert set(_docs(searcher, q)) == _whoosh_docs(searcher, q)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_run_of_words_from_a_recommendation_finds_it(handles, data):
    """A phrase cut from a recommendation finds that recommendation, as Whoosh finds it."""
    handle_map, reviews = handles
    searcher = handle_map["whole"].searcher()
    recs = [rec for r in reviews for rec in r.recommendations]
    rec = data.draw(st.sampled_from(recs))
    words = WORD.findall(rec.text)
    length = data.draw(st.integers(2, 5))
    start = data.draw(st.integers(0, max(0, len(words) - length)))
    run = words[start : start + length]
    if all(w.lower() in stop_words() for w in run):
        return  # a phrase of stop words finds nothing (they are not indexed)
    typed = '"' + " ".join(run) + '"'
    q = parse_query(searcher.schema, typed).query
    fast = _docs(searcher, q)
    assert set(fast) == _whoosh_docs(searcher, q)
    doc = searcher.document_number(doc_id=f"{rec.review_id}#rec-{rec.number}")
    assert doc in fast, typed


def test_vocabulary_names_warmed_at_switch_give_the_same_results(handles):
    """Acronyms search their long names as phrases; warming caches them, results unchanged."""
    from search_service.search import warm_vocabulary

    searcher = handles[0]["updated"].searcher()
    q = use_pairs(parse_query(searcher.schema, "idva OR marac").query)
    cold = collect_fast(searcher, q, {})
    caches: dict = {}
    assert warm_vocabulary(searcher, caches) > 20
    phrases = [k for k in caches["postings"]._items if k[-1] == "phrase"]
    assert phrases
    warmed = collect_fast(searcher, q, caches)
    assert dict(zip(*warmed, strict=True)) == dict(zip(*cold, strict=True))
    assert len(cold[0]) > 0


def test_postings_decoded_ahead_give_the_same_scores(handles):
    """After warm-up (postings cached as dicts and compactly) every query scores the same."""
    from search_service.postings import PostingsCache, compact_postings
    from search_service.search import warm_caches

    searcher = handles[0]["updated"].searcher()
    for dict_budget in (0, None):  # everything compact; or the commonest words as dicts
        caches: dict = {"postings": PostingsCache(dict_budget)}
        warm_caches(searcher, caches)
        compact = compact_postings(caches).items
        assert any(scores is None for _ids, scores in compact.values())  # shingles
        if dict_budget == 0:
            assert any(scores is not None for _ids, scores in compact.values())
        for typed in QUERIES:
            q = use_pairs(parse_query(searcher.schema, typed).query)
            warmed = collect_fast(searcher, q, caches)
            ids, scores = collect(searcher, q, {})
            assert dict(zip(*warmed, strict=True)) == dict(zip(ids, scores, strict=True))


def test_each_words_cached_postings_have_their_own_hash(handles):
    """A word's merged postings are cached per word; Whoosh's Or hashes every word's
    four-field Or alike (the word cancels out), so keyed on the Or every lookup compared
    against every word cached before it."""
    searcher = handles[0]["updated"].searcher()
    words = sorted(
        {w.lower() for r in handles[1] for rec in r.recommendations for w in WORD.findall(rec.text)}
    )
    words = [w for w in words if w.isalpha() and w not in stop_words()][:60]
    caches: dict = {}
    for w in words:
        collect_fast(searcher, use_pairs(parse_query(searcher.schema, w).query), caches)
    keys = [k for k in caches["postings"]._items if k[1] == "or"]
    assert len(keys) > 60  # one per word and segment
    assert len({hash(k) for k in keys}) == len(keys)


def test_term_frequencies_kept_per_version_are_whooshs(handles, monkeypatch):
    """The searched fields' lexicons read at warm-up, and the bounded memo of other
    lookups, give reader.doc_frequency for every term (0 for absent ones)."""
    from search_service import postings
    from search_service.query import DEFAULT_FIELDS
    from search_service.search import warm_caches

    searcher = handles[0]["updated"].searcher()
    caches: dict = {}
    warm_caches(searcher, caches)
    lexicons, memo = postings.term_frequencies(caches)
    context = searcher.context()
    monkeypatch.setattr(postings, "TERM_MEMO", 5)
    assert len(list(searcher.leaf_searchers())) > 1
    for sub, _offset in searcher.leaf_searchers():
        reader = sub.reader()
        segid = reader.segment().segment_id()
        for name in DEFAULT_FIELDS:
            table = lexicons[segid, name]
            assert table == {t: reader.doc_frequency(name, t) for t in reader.lexicon(name)}
        assert lexicons[segid, "text"]
        env = postings._Env(sub, context, caches, None)
        for term in [*list(reader.lexicon("text_shingles"))[:20], b"zzzz-absent"]:
            assert env.df("text_shingles", term) == reader.doc_frequency("text_shingles", term)
            assert env.df("text", term) == reader.doc_frequency("text", term)
            assert len(memo) <= 5


def test_terms_pushed_out_of_the_dict_cache_come_back_from_the_compact_store(handles, monkeypatch):
    """Warm-up keeps every searched term compactly (budget permitting), the commonest as
    dicts too: once queries' results have pushed a term out of the LRU, its next use is
    rebuilt from the arrays, never decoded from Whoosh's blocks again."""
    from search_service import postings
    from search_service.query import DEFAULT_FIELDS
    from search_service.search import warm_caches

    searcher = handles[0]["updated"].searcher()
    caches: dict = {}
    warm_caches(searcher, caches)
    dicts = [k for k in caches["postings"]._items if len(k) == 3]
    assert dicts  # the commonest terms are dicts...
    compact = postings.compact_postings(caches).items
    assert set(dicts) <= set(compact)  # ...and compact as well
    names = [*DEFAULT_FIELDS, *(postings.SHINGLE_FIELDS[n] for n in DEFAULT_FIELDS)]
    for sub, _offset in searcher.leaf_searchers():
        reader = sub.reader()
        segid = reader.segment().segment_id()
        for name in names:
            for term in reader.lexicon(name):
                assert (segid, name, term) in compact

    caches["postings"] = postings.PostingsCache()  # everything pushed out: rebuilt, same scores
    for typed in QUERIES:
        q = use_pairs(parse_query(searcher.schema, typed).query)
        ids, scores = collect_fast(searcher, q, caches)
        assert dict(zip(ids, scores, strict=True)) == dict(
            zip(*collect(searcher, q, {}), strict=True)
        )


def test_doc_frequency_from_the_lexicons_is_the_readers(handles):
    from search_service import postings
    from search_service.search import warm_caches

    searcher = handles[0]["updated"].searcher()
    reader = searcher.reader()
    caches: dict = {}
    words = [t.decode("utf-8") for t in reader.lexicon("text")][:200] + ["absentword"]
    for state in ("cold", "warm"):
        if state == "warm":
            warm_caches(searcher, caches)
        for field in ("text", "title", "spell"):
            for word in words:
                expected = reader.doc_frequency(field, word)
                assert postings.doc_frequency(caches, reader, field, word) == expected
    assert postings.doc_frequency(caches, reader, "text", words[0]) > 0

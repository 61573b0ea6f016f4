"""The one matching path answers exactly as Whoosh's own matchers do: phrases, NOT, every view."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from conftest import make_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import formats
from whoosh import query as wq
from whoosh_reference import whoosh_matches

from search_service.analysis.filters import stop_words
from search_service.analysis.tokenizer import TOKEN_PATTERN
from search_service.corpus.folder import read_corpus
from search_service.index.state import VersionState
from search_service.index.whoosh_internals import positions_decoder_many
from search_service.index.writer import build_index, update_index
from search_service.model import Recommendation, Review
from search_service.search.execute import match
from search_service.search.parse import parse_query
from search_service.search.postings import doc_positions
from search_service.search.service import open_index

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
    # NOT in every form the parser reads: beside other words, alone, ANDNOT, inside OR.
    "training NOT police",
    "training -police",
    "NOT police",
    "-marac",
    "marac ANDNOT idva",
    "(marac OR idva) NOT housing",
    '"domestic abuse" NOT "risk assessment"',
    "police OR NOT training",
    "NOT (police OR health)",
]

# Words as the index cuts them ("review's" is one word).
WORD = re.compile(TOKEN_PATTERN)


def _docs(searcher, q, state: VersionState | None = None) -> dict[int, float]:
    ids, scores = match(searcher, state or VersionState(), q)
    assert len(ids) == len(set(ids))
    return dict(zip(ids, scores, strict=True))


def _reference(searcher, q) -> dict[int, float]:
    return dict(zip(*whoosh_matches(searcher, q), strict=True))


def _review(rid: str, text: str, addressee: str = "Police") -> Review:
    """A one-recommendation review, for small indexes whose every text the test chose."""
    rec = Recommendation(review_id=rid, number="1", text=text, addressees=[addressee])
    return Review(id=rid, title=f"Review {rid}", csp="Testshire CSP", recommendations=[rec])


def _whoosh_docs(searcher, q) -> set[int]:
    """Whoosh's own answer: plain Phrase queries (positions of every word), no pairs
    (ANDNOT by its definition: see whoosh_reference)."""
    if type(q) is wq.AndNot:
        return _whoosh_docs(searcher, q.a) - _whoosh_docs(searcher, q.b)
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
    out = {name: open_index(folder) for name, folder in (("whole", whole), ("updated", updated))}
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
    # The same documents with bit-identical scores as Whoosh's matcher tree, walked...
    assert fast == _reference(searcher, q)
    # ...and the same documents as Whoosh's search, which reads every phrase word's positions.
    assert set(fast) == _whoosh_docs(searcher, q)


@pytest.mark.parametrize("kind", ["whole", "updated"])
def test_a_phrase_cached_at_one_boost_scores_as_whoosh_at_another(handles, kind):
    """A version keeps each phrase's scores boosted: the same words at another boost (typed
    with ^, or a two-word search's phrase boost) are their own entry."""
    handle = handles[0][kind]
    searcher = handle.searcher()
    state = VersionState()
    for typed in ('"domestic abuse"^3', '"domestic abuse"', "domestic abuse", '"domestic abuse"^3'):
        q = parse_query(searcher.schema, typed).query
        assert _docs(searcher, q, state) == _reference(searcher, q), typed
    assert len([k for k in state.postings._items if k[-1] == "phrase"]) >= 2  # two boosts
    assert any(len(k) == 5 and k[-1] == "phrase" for k in state.postings._items)


def test_the_not_queries_above_exclude_something(handles):
    """Guards the NOT comparison: each must match some documents and leave others out."""
    searcher = handles[0]["updated"].searcher()
    live = searcher.doc_count()
    for typed in (
        "training NOT police",
        "NOT police",
        "marac ANDNOT idva",
        "police OR NOT training",
    ):
        found = len(_docs(searcher, parse_query(searcher.schema, typed).query))
        assert 0 < found < live, typed
    # "a NOT b" is "a" less the documents holding "b".
    parse = lambda typed: parse_query(searcher.schema, typed, vocabulary=False).query  # noqa: E731
    a, b = _docs(searcher, parse("training")), _docs(searcher, parse("police"))
    assert set(_docs(searcher, parse("training NOT police"))) == set(a) - set(b)


def test_andnot_leaves_out_a_first_document_the_excluded_words_also_match(tmp_path):
    """ "training -police" never shows a text that mentions police (Whoosh's own AndNotMatcher
    returns its first candidate when the excluded word's first match comes earlier)."""
    build_index(
        tmp_path,
        [
            _review("a", "The police should record every call.", "Health"),
            _review("b", "Police training on coercive control.", "Health"),
            _review("c", "Training for GPs on coercive control.", "Health"),
        ],
    )
    searcher = open_index(tmp_path).searcher()
    q = parse_query(searcher.schema, "training -police").query
    found = {searcher.stored_fields(d)["review_id"] for d in _docs(searcher, q)}
    assert found == {"c"}
    assert _docs(searcher, q) == _reference(searcher, q)


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
    build_index(
        tmp_path,
        [
            _review("pairs", "Risk assessment is weak; assessment training is missing."),
            _review("apart", "Risk assessment training is weak; assessment training programme."),
            _review("inrow", "Deliver risk assessment training programme to all staff."),
        ],
    )
    searcher = open_index(tmp_path).searcher()
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
    from search_service.search.warm import warm_vocabulary

    searcher = handles[0]["updated"].searcher()
    q = parse_query(searcher.schema, "idva OR marac").query
    cold = _docs(searcher, q)
    state = VersionState()
    assert warm_vocabulary(searcher, state) > 20
    phrases = [k for k in state.postings._items if k[-1] == "phrase"]
    assert phrases
    assert _docs(searcher, q, state) == cold
    assert len(cold) > 0


def test_postings_decoded_ahead_give_the_same_scores(handles):
    """After warm-up (postings cached as dicts and compactly) every query scores the same."""
    from search_service.index.state import PostingsCache
    from search_service.search.warm import warm_state

    searcher = handles[0]["updated"].searcher()
    for dict_budget in (0, None):  # everything compact; or the commonest words as dicts
        state = VersionState(postings=PostingsCache(dict_budget))
        warm_state(searcher, state)
        compact = state.compact.items
        assert any(scores is None for _ids, scores in compact.values())  # shingles
        if dict_budget == 0:
            assert any(scores is not None for _ids, scores in compact.values())
        for typed in QUERIES:
            q = parse_query(searcher.schema, typed).query
            assert _docs(searcher, q, state) == _reference(searcher, q)


def test_each_words_cached_postings_have_their_own_hash(handles):
    """A word's merged postings are cached per word; Whoosh's Or hashes every word's
    four-field Or alike (the word cancels out), so keyed on the Or every lookup compared
    against every word cached before it."""
    searcher = handles[0]["updated"].searcher()
    words = sorted(
        {w.lower() for r in handles[1] for rec in r.recommendations for w in WORD.findall(rec.text)}
    )
    words = [w for w in words if w.isalpha() and w not in stop_words()][:60]
    state = VersionState()
    for w in words:
        match(searcher, state, parse_query(searcher.schema, w).query)
    keys = [k for k in state.postings._items if k[1] == "or"]
    assert len(keys) > 60  # one per word and segment
    assert len({hash(k) for k in keys}) == len(keys)


def test_term_frequencies_kept_per_version_are_whooshs(handles, monkeypatch):
    """The searched fields' lexicons read at warm-up, and the bounded memo of other
    lookups, give reader.doc_frequency for every term (0 for absent ones)."""
    from search_service.search import postings
    from search_service.search.parse import DEFAULT_FIELDS
    from search_service.search.warm import warm_state

    searcher = handles[0]["updated"].searcher()
    state = VersionState()
    warm_state(searcher, state)
    lexicons, memo = state.lexicons, state.term_memo
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
        seg = postings.Segment(sub, context, state, None)
        for term in [*list(reader.lexicon("text_shingles"))[:20], b"zzzz-absent"]:
            assert seg.df("text_shingles", term) == reader.doc_frequency("text_shingles", term)
            assert seg.df("text", term) == reader.doc_frequency("text", term)
            assert len(memo) <= 5


def test_terms_pushed_out_of_the_dict_cache_come_back_from_the_compact_store(handles, monkeypatch):
    """Warm-up keeps every searched term compactly (budget permitting), the commonest as
    dicts too: once queries' results have pushed a term out of the LRU, its next use is
    rebuilt from the arrays, never decoded from Whoosh's blocks again."""
    from search_service.analysis.shingles import SHINGLE_FIELDS
    from search_service.index.state import PostingsCache
    from search_service.search.parse import DEFAULT_FIELDS
    from search_service.search.warm import warm_state

    searcher = handles[0]["updated"].searcher()
    state = VersionState()
    warm_state(searcher, state)
    dicts = [k for k in state.postings._items if len(k) == 3]
    assert dicts  # the commonest terms are dicts...
    compact = state.compact.items
    assert set(dicts) <= set(compact)  # ...and compact as well
    names = [*DEFAULT_FIELDS, *(SHINGLE_FIELDS[n] for n in DEFAULT_FIELDS)]
    for sub, _offset in searcher.leaf_searchers():
        reader = sub.reader()
        segid = reader.segment().segment_id()
        for name in names:
            for term in reader.lexicon(name):
                assert (segid, name, term) in compact

    state.postings = PostingsCache()  # everything pushed out: rebuilt, same scores
    for typed in QUERIES:
        q = parse_query(searcher.schema, typed).query
        assert _docs(searcher, q, state) == _reference(searcher, q)


def test_doc_frequency_from_the_lexicons_is_the_readers(handles):
    from search_service.search.postings import doc_frequency
    from search_service.search.warm import warm_state

    searcher = handles[0]["updated"].searcher()
    reader = searcher.reader()
    state = VersionState()
    words = [t.decode("utf-8") for t in reader.lexicon("text")][:200] + ["absentword"]
    for when in ("cold", "warm"):
        if when == "warm":
            warm_state(searcher, state)
        for field in ("text", "title", "spell"):
            for word in words:
                expected = reader.doc_frequency(field, word)
                assert doc_frequency(state, reader, field, word) == expected
    assert doc_frequency(state, reader, "text", words[0]) > 0


def test_a_terms_positions_read_only_in_some_documents_are_its_positions_there(index_dir):
    """Phrases read a common word's positions only in their few candidates (phrases.SPARSE):
    the values of those documents are the ones the whole postings list holds."""
    from search_service.index.reader import IndexHandle
    from search_service.index.whoosh_internals import term_blocks, term_values_in

    searcher = IndexHandle(index_dir).searcher()
    checked = 0
    for leaf, _offset in searcher.reader().leaf_readers():
        terms = sorted(leaf.lexicon("text"), key=lambda t: -leaf.doc_frequency("text", t))
        for btext in terms[:5]:
            whole = {}
            for ids, values in term_blocks(leaf, "text", btext, "values"):
                whole.update(zip(ids, values, strict=True))
            docs = sorted(whole)
            wanted = [*docs[::7], docs[-1], max(docs) + 1]  # one past the last: not held
            got = term_values_in(leaf, "text", btext, sorted(set(wanted)))
            assert got == {d: whole[d] for d in wanted if d in whole}
            checked += 1
    assert checked


@pytest.mark.parametrize("kind", ["whole", "updated"])
def test_positions_read_for_a_few_hits_are_where_the_analyzer_puts_the_words(handles, kind):
    # Snippets place their marks at these positions (search/placed_marks.py).
    out, _ = handles
    searcher = out[kind].searcher()
    reader = searcher.reader()
    analyzer = searcher.schema["text"].analyzer
    tokens = {t.text for t in analyzer("domestic abuse risk police review the", mode="query")}
    docnums = [d for d in range(reader.doc_count_all()) if not reader.is_deleted(d)][::2]
    got = doc_positions(searcher, VersionState(), "text", tokens, docnums)
    assert set(got) == set(docnums)
    for d in docnums:
        expected: dict[str, list[int]] = {}
        for t in analyzer(reader.stored_fields(d).get("text", ""), positions=True, mode="index"):
            if t.text in tokens:
                expected.setdefault(t.text, []).append(t.pos)
        assert got[d] == expected, d
    assert sum(len(p) for found in got.values() for p in found.values()) > 50


def test_many_postings_positions_decode_as_each_ones_do(handles):
    out, _ = handles
    for leaf, _offset in out["updated"].searcher().reader().leaf_readers():
        fmt = leaf.schema["text"].format
        decode = positions_decoder_many(fmt)
        for btext in list(leaf.lexicon("text"))[:300]:
            m = leaf.postings("text", btext)
            values = []
            while m.is_active():
                values.append(m.value())
                m.next()
            assert list(map(list, decode(values))) == [fmt.decode_positions(v) for v in values]
    chars = formats.Characters()
    values = [chars.encode([(0, 0, 4), (3, 10, 14)]), chars.encode([(7, 30, 33)])]
    assert list(map(list, positions_decoder_many(chars)(values))) == [[0, 3], [7]]

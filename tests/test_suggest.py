"""'Did you mean': the variants index finds exactly the words one edit away."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh.support.levenshtein import damerau_levenshtein

from search_service.index.state import VersionState
from search_service.search.service import open_index
from search_service.search.suggest import SPELL_FIELD, Neighbours, suggest


def _lexicon(reader) -> list[str]:
    return [b.decode("utf-8") for b in reader.lexicon(SPELL_FIELD)]


@pytest.fixture(scope="module")
def lexicon(index_dir):
    reader = open_index(index_dir).searcher().reader()
    return Neighbours(reader), _lexicon(reader)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_words_one_edit_away_are_found(lexicon, data):
    near, words = lexicon
    word = data.draw(st.sampled_from(words))
    # The word itself, or one or two random edits of it: dropped, added, changed, swapped.
    for _ in range(data.draw(st.integers(0, 2))):
        i = data.draw(st.integers(0, max(0, len(word) - 1)))
        letter = data.draw(st.sampled_from(string.ascii_lowercase + "é"))
        edit = data.draw(st.sampled_from(["drop", "add", "change", "swap"]))
        if edit == "drop" and len(word) > 1:
            word = word[:i] + word[i + 1 :]
        elif edit == "add":
            word = word[:i] + letter + word[i:]
        elif edit == "change":
            word = word[:i] + letter + word[i + 1 :]
        elif edit == "swap" and i + 1 < len(word):
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    # Every word with the same first letter at most one edit away, the slow way.
    expected = [w for w in words if w[:1] == word[:1] and damerau_levenshtein(w, word) <= 1]
    assert near.within_one(word) == sorted(expected)


def test_misspellings_get_the_word_one_edit_away(index_dir):
    handle = open_index(index_dir)
    reader, schema = handle.searcher().reader(), handle.searcher().schema
    expected = {
        "safegarding": "safeguarding",  # a letter dropped
        "domesstic": "domestic",  # a letter added
        "polise": "police",  # a letter changed
        "polcie": "police",  # two letters swapped
    }
    for typed, meant in expected.items():
        assert suggest(reader, schema, typed, True, state=VersionState()).text == meant


@settings(max_examples=500, deadline=None)
@given(st.text("abc", max_size=6), st.text("abc", max_size=6))
def test_one_edit_is_damerau_levenshtein_at_most_one(a, b):
    from search_service.search.suggest import _one_edit

    assert _one_edit(a, b) == (damerau_levenshtein(a, b) <= 1)


def test_neighbours_hold_each_words_document_frequency(tmp_path, corpus_dir):
    """Suggestions rank neighbours by Neighbours.df: it must equal the reader's own count,
    also over two segments (an --update adds one)."""
    from types import SimpleNamespace

    from search_service.corpus.folder import read_corpus
    from search_service.index.writer import build_index, update_index

    reviews = read_corpus(corpus_dir).reviews
    build_index(tmp_path, reviews)
    plan = SimpleNamespace(remove=[reviews[1].id], add=[reviews[1]], files={})
    update_index(tmp_path, lambda files, meta: plan)
    reader = open_index(tmp_path).searcher().reader()
    assert len(list(reader.leaf_readers())) == 2
    near = Neighbours(reader)
    words = _lexicon(reader)
    assert sorted(near.df) == words
    assert near.df == {w: reader.doc_frequency(SPELL_FIELD, w) for w in words}
    assert near.df["police"] > 1


def test_known_words_are_remembered_per_version_and_bounded(index_dir, monkeypatch):
    import search_service.search.suggest as suggest_module

    monkeypatch.setattr(suggest_module, "KNOWN_MEMO", 2)
    searcher = open_index(index_dir).searcher()
    reader, schema = searcher.reader(), searcher.schema
    near = Neighbours(reader)
    for word in ("police", "polise", "marac", "police", "zzqx"):
        for _ in range(2):
            assert near.known(reader, schema, word) == suggest_module._known(reader, schema, word)
        assert len(near._known) <= 2
    assert near.known(reader, schema, "police") and not near.known(reader, schema, "zzqx")

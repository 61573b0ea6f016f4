"""Marks placed where the index says the marked words are: no re-analysis of the text.

A report page is ~450 words, and scanning all of them to find its two marked ones was most
of a rare word's answer. The index already holds each marked token's positions in the hit
(its postings), so only the characters are missing: each token's occurrences are found by
the spellings the word memo knows give it (a `str.find` over the lower-cased text), each
one confirmed as a whole word of the tokenizer that analyses to the token. When as many
are confirmed as the index has positions, they are the token's occurrences, in the same
order; otherwise (a spelling not met yet, a word the memo cannot analyse alone, a joined
compound) the caller falls back to analysing the text (search/highlight.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from search_service.analysis.tokenizer import TOKEN_PATTERN
from search_service.index.whoosh_internals import nltk_pattern
from search_service.search.word_memo import (
    _analyse_words,
    _config,
    _joined_forms,
    memo_for,
)

# Letters of a token looked for when its known spellings do not account for every position:
# a spelling the memo has not met still holds them (the stem's start) in nearly every word.
PREFIX = 3

Spans = list[tuple[int, int]]
# Position -> the (analysed word, start char, end char) tokens at that position.
Positions = dict[int, list[tuple[str, int, int]]]


def placed_positions(
    text: str, analyzer, wanted: set[str], positions: Mapping[str, Sequence[int]]
) -> Positions | None:
    """Position -> (token, start, end) of every wanted token, placed at the index's positions
    of each (sorted, one per occurrence); None when they cannot all be placed."""
    if _config(analyzer) is None or analyzer.items[0].pattern != TOKEN_PATTERN:
        return None
    if wanted & _joined_forms(analyzer):
        return None  # joined over two words: their characters are the pair's, not a word's
    lower = text.lower()
    if len(lower) != len(text):
        return None  # a character lower-cases to two: offsets would not line up
    finder = _Finder(text, lower, analyzer)
    by_pos: Positions = {}
    for token in wanted:
        where = positions.get(token) or ()
        if not where:
            continue
        spans = finder.occurrences(token, len(where))
        if spans is None:
            return None
        for pos, (start, end) in zip(where, spans, strict=True):
            by_pos.setdefault(pos, []).append((token, start, end))
    return dict(sorted(by_pos.items()))


class _Finder:
    """One text's words, looked up only where a marked token's spelling occurs."""

    def __init__(self, text: str, lower: str, analyzer):
        self.text, self.lower, self.analyzer = text, lower, analyzer
        self.memo = memo_for(analyzer)
        self.pattern = nltk_pattern(analyzer.items[0].nltk)

    def occurrences(self, token: str, count: int) -> Spans | None:
        """The count (start, end) spans of token in text, in order; None if not found so."""
        # A copy taken in one step: another thread may memoise a new spelling meanwhile.
        known = tuple(self.memo.raws_of.get(token, ()))
        found = self._confirmed(token, {raw.lower() for raw in known}, whole=True)
        if found is not None and len(found) != count and len(token) >= PREFIX:
            # (A shorter token's letters are in too many words: the text is analysed.)
            found = self._confirmed(token, {token[:PREFIX]}, whole=False)
        if found is None or len(found) != count:
            return None
        return sorted(found)

    def _confirmed(self, token: str, needles: set[str], whole: bool) -> set | None:
        """Spans of token in the words holding a needle (the whole word, if whole)."""
        found: set[tuple[int, int]] = set()
        seen: set[int] = set()
        for needle in needles:
            if not needle:
                continue
            at = self.lower.find(needle)
            while at != -1:
                word = self._word_at(at)
                if word is not None and word[0] not in seen:
                    start, end = word
                    if not whole or (start, end) == (at, at + len(needle)):
                        seen.add(start)
                        spans = self._token_spans(token, start, end)
                        if spans is None:
                            return None
                        found.update(spans)
                at = self.lower.find(needle, at + 1)
        return found

    def _word_at(self, at: int) -> tuple[int, int] | None:
        """The tokenizer's word holding character at, if any.

        No word holds a space or a newline, and the tokenizer's words after one are the
        same whether it starts there or at the beginning (its pattern looks neither behind
        nor ahead), so only the run of text between two of them is tokenised.
        """
        text = self.text
        start = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at)) + 1
        ends = [i for i in (text.find(" ", at), text.find("\n", at)) if i != -1]
        end = min(ends) if ends else len(text)
        for m in self.pattern.finditer(text, start, end):
            if m.start() > at:
                return None
            if at < m.end():
                return m.span()
        return None

    def _token_spans(self, token: str, start: int, end: int) -> Spans | None:
        """Where the word at start..end gives token, from its memoised analysis."""
        raw = self.text[start:end]
        word = self.memo.get(raw)
        if word is None:
            _analyse_words([raw], self.analyzer, self.memo)
            word = self.memo[raw]
        if word is False:
            return None
        return [(start + s, start + e) for w, _offset, s, e in word.tokens if w == token]

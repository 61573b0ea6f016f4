"""Snippets: escaped text in which only our own <mark> tags are live.

Whoosh's own highlighter marks every occurrence of every word of a phrase, and its
strict-phrase mode compares unstemmed words; we match words and phrases on positions, so
`"risk assessment"` marks the phrase and not every "risk" in the text. A search's hits come
with the index's positions of each marked word, and the marks are placed there
(placed_marks.py); otherwise the text is re-analysed with the field's analyzer. For the text
analyzer the re-analysis is rebuilt from each word's memoised analysis, with the same result
as running the chain over the whole text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from operator import itemgetter

from whoosh import query as wq

from search_service.analysis.filters import compound_pairs
from search_service.index.whoosh_internals import expanded_words
from search_service.search.placed_marks import Positions, placed_positions
from search_service.search.word_memo import (
    _analyse_pair,
    _analyse_words,
    _config,
    _iter_word_spans,
    _joined_forms,
    _word_spans,
    memo_for,
    word_splitter,
)

SNIPPET_CHARS = 360
CONTEXT_BEFORE = 90
# Multi-term leaves (prefix, wildcard, fuzzy) expand to at most this many words for marking.
MAX_EXPANSIONS = 200
# Marked tokens placed at the index's positions (placed_marks.py) up to this many; a prefix
# expanded to more would read more postings than scanning the text costs.
PLACED_MAX = 16


@dataclass
class MarkTerms:
    """What to mark: single words (analysed form) and phrases (lists of analysed words)."""

    words: set[str] = field(default_factory=set)
    phrases: list[list[str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def tokens(self) -> set[str]:
        """Every analysed word to mark: the single words and each phrase's."""
        return self.words.union(*self.phrases)


def terms_to_mark(q: wq.Query | None, reader, fieldname: str = "text") -> MarkTerms:
    """Collect the words and phrases of q in fieldname that a snippet should mark."""
    marks = MarkTerms()
    if q is not None:
        _collect(q, reader, fieldname, marks)
    return marks


def _collect(node: wq.Query, reader, fieldname: str, marks: MarkTerms) -> None:
    if isinstance(node, wq.Not):
        return  # words the user excluded are not what they are looking for
    if isinstance(node, wq.Phrase):
        if node.fieldname == fieldname:
            marks.phrases.append([str(w) for w in node.words])
        return
    if isinstance(node, wq.Term):
        if node.fieldname == fieldname:
            marks.words.add(str(node.text))
        return
    if isinstance(node, wq.MultiTerm) and node.fieldname == fieldname:
        for i, word in enumerate(expanded_words(node, reader) if reader is not None else ()):
            if i >= MAX_EXPANSIONS:
                break
            marks.words.add(word.decode("utf-8") if isinstance(word, bytes) else str(word))
        return
    for child in node.children():
        _collect(child, reader, fieldname, marks)


def mark_spans(text: str, analyzer, marks: MarkTerms) -> list[tuple[int, int]]:
    """Character spans of text to mark: matching words, and phrases matched on positions."""
    if not marks or not text:
        return []
    wanted = marks.tokens
    return _spans_at(_positions(text, analyzer, wanted), marks)


def _mark_spans_reference(text: str, analyzer, marks: MarkTerms) -> list[tuple[int, int]]:
    """mark_spans with the whole analyzer chain run over text: what the fast path must equal."""
    if not marks or not text:
        return []
    return _spans_at(_positions_reference(text, analyzer), marks)


def _spans_at(by_pos: Positions, marks: MarkTerms) -> list[tuple[int, int]]:
    return [span for span, _ in _spans_with_positions(by_pos, marks)]


def _positions_reference(text: str, analyzer) -> Positions:
    """Position -> (word, start, end) tokens, from the analyzer run over the whole text."""
    by_pos: Positions = {}
    for t in analyzer(text, positions=True, chars=True, mode="index"):
        by_pos.setdefault(t.pos, []).append((t.text, t.startchar, t.endchar))
    return by_pos


class _Fallback(Exception):
    """A word the fast path cannot analyse alone: the whole chain must run."""


def _positions(text: str, analyzer, wanted: set[str] | None = None) -> Positions:
    """_positions_reference's map, from memoised per-word analyses; only wanted words if given.

    Positions enter the map in increasing order, so leaving out tokens no mark looks at
    leaves _spans_at's spans, and their order, as they were.
    """
    if _config(analyzer) is None:
        return _positions_reference(text, analyzer)
    try:
        for found, _pos, _reached in _position_steps(text, analyzer, wanted):
            by_pos = found
    except _Fallback:
        return _positions_reference(text, analyzer)
    return by_pos


def _position_steps(text: str, analyzer, wanted: set[str] | None, every: int = 0):
    """_positions' map as it grows: (map, next position, characters read) every `every`
    words (0: only at the end), and at the end; raises _Fallback for the whole chain."""
    memo = memo_for(analyzer)
    pairs = compound_pairs()
    by_pos: Positions = {}
    pos = -1  # the next kept word's position; StopFilter gives the first its own index
    # The previous kept word: its pair form (None unless a plain word), text, position, start.
    prev_form, prev_raw, prev_pos, prev_start = None, "", 0, 0
    tokenizer = analyzer.items[0]
    i = 0
    for i, (start, end) in enumerate(_iter_word_spans(tokenizer, text)):
        if every and i and i % every == 0:
            yield by_pos, pos, start
        raw = text[start:end]
        word = memo.get(raw)
        if word is None:
            # This word and the rest of the text, in one run of the chain.
            rest = [text[start + s : start + e] for s, e in _word_spans(tokenizer, text[start:])]
            _analyse_words([raw, *rest], analyzer, memo)
            word = memo[raw]
        if word is False:
            raise _Fallback
        tokens, width, form = word
        if not width:
            continue  # a stop word: dropped before CompoundFilter, so prev_form still stands
        if pos < 0:
            pos = i
        if form is not None and prev_form is not None and pairs.get((prev_form, form)):
            joined = memo.get((prev_raw, raw))
            if joined is None:
                joined = memo[prev_raw, raw] = _analyse_pair(prev_raw, raw, analyzer, memo)
            if joined is False:
                raise _Fallback
            for jtext, offset in joined:
                if wanted is None or jtext in wanted:
                    by_pos.setdefault(prev_pos + offset, []).append((jtext, prev_start, end))
        for wtext, offset, s, e in tokens:
            if wanted is None or wtext in wanted:
                by_pos.setdefault(pos + offset, []).append((wtext, start + s, start + e))
        prev_form, prev_raw, prev_pos, prev_start = form, raw, pos, start
        pos += width
    yield by_pos, max(pos, 0) + i + 2, len(text)


# Words read between checks whether a long text's snippet window is settled.
_WINDOW_STEP = 48


def _window_spans(text: str, analyzer, marks: MarkTerms) -> list[tuple[int, int]]:
    """The spans a snippet window of text shows, reading text only as far as the window.

    A report page is ~3,000 characters and its snippet a tenth of that: the words after the
    window need not be analysed. The window is settled once the first mark is known and
    every mark that could start before the window's end is decided: a phrase at position p
    is decided once position p + its length is read (one more, for a compound's second word).
    """
    wanted = marks.tokens
    margin = max((len(p) for p in marks.phrases), default=1) + 1
    end = end_pos = None
    for by_pos, pos, reached in _position_steps(text, analyzer, wanted, _WINDOW_STEP):
        if reached >= len(text):
            return _spans_at(by_pos, marks)
        decided = pos - margin  # marks starting at positions before this are final
        if end is None:
            final = [span for span, at in _spans_with_positions(by_pos, marks) if at < decided]
            if final:
                end = _window(text, [min(final)])[1]
        if end is not None and end_pos is None and reached > end:
            end_pos = pos  # every word starting before the window's end has a position below
        if end_pos is not None and end_pos < decided:
            return [span for span, _ in _spans_with_positions(by_pos, marks)]
    raise AssertionError("unreachable: the last step reads the whole text")


def _spans_with_positions(by_pos: Positions, marks: MarkTerms) -> list[tuple[tuple, int]]:
    """_spans_at's spans, each with the position its mark starts at."""
    found = [((s, e), p) for p, toks in by_pos.items() for (w, s, e) in toks if w in marks.words]
    for words in marks.phrases:
        if not words:
            continue
        for p, toks in by_pos.items():
            for w, s, e in toks:
                if w != words[0]:
                    continue
                run = [(s, e)]
                for offset, want in enumerate(words[1:], start=1):
                    hit = next((tok for tok in by_pos.get(p + offset, ()) if tok[0] == want), None)
                    if hit is None:
                        break
                    run.append((hit[1], hit[2]))
                else:
                    found.append(((run[0][0], max(e for _, e in run)), p))
    return found


def _merge(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        # Words separated only by spaces or a hyphen become one mark: <mark>forensic curiosity</mark>.
        gap = text[merged[-1][1] : start] if merged else ""
        if merged and (start <= merged[-1][1] or gap.strip() in ("", "-", "‐", "‑")):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def render(
    text: str, spans: Iterable[tuple[int, int]], start: int = 0, end: int | None = None
) -> str:
    """Escape text[start:end], wrapping the given spans in <mark>."""
    end = len(text) if end is None else end
    out: list[str] = []
    pos = start
    for s, e in _merge(text, spans):
        if e <= pos or s >= end:
            continue
        s, e = max(s, pos), min(e, end)
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def _window(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    if len(text) <= SNIPPET_CHARS:
        return 0, len(text)
    first = min(spans)[0] if spans else 0
    start = max(0, first - CONTEXT_BEFORE)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def _token_marks(text: str, analyzer, marks: MarkTerms) -> list[tuple[int, int]] | None:
    """The spans of marks, from one scan of text and its distinct words; None: not here.

    A word's own tokens never depend on its neighbours (the memo's premise): each distinct
    word is analysed once, ever, and the memo says which words as written give the marked
    tokens, so the per-word work is set operations and running sums in C. A report page
    holds ~450 words; the position walk (_position_steps) spent about a microsecond on each.
    Positions follow _position_steps' rule: the first kept word keeps its own index, and
    each kept word moves on by its width. Joined compounds (two spaced words) are left to
    the walk: when one is wanted, or, for phrases, when a pair is not what the memo expects.
    """
    split = word_splitter(analyzer.items[0])
    wanted = marks.tokens
    if split is None or wanted & _joined_forms(analyzer):
        return None
    parts = split(text)
    raws = parts[1::2]
    memo = memo_for(analyzer)
    distinct = set(raws)
    if not all(map(memo.__contains__, distinct)):  # (issubset would copy the memo's keys)
        _analyse_words([raw for raw in dict.fromkeys(raws) if raw not in memo], analyzer, memo)
    if not distinct.isdisjoint(memo.unanalysable):
        return None
    raws_of = memo.raws_of
    hit = distinct.intersection(set().union(*(raws_of.get(token, ()) for token in wanted)))
    if not hit:
        return []
    starts = list(accumulate(map(len, parts)))[0::2]  # word k starts where gap k ends
    found = [k for k, raw in enumerate(raws) if raw in hit]
    if not marks.phrases:
        words = marks.words
        return [
            (starts[k] + s, starts[k] + e)
            for k in found
            for w, _offset, s, e in memo[raws[k]].tokens
            if w in words
        ]
    widths = list(map(_WIDTH, map(memo.__getitem__, raws)))
    if not _pairs_as_memoised(raws, widths, memo, analyzer):
        return None
    first = next(k for k, width in enumerate(widths) if width)  # a hit is a kept word
    before = list(accumulate(widths, initial=0))
    by_pos: Positions = {}
    for k in found:
        pos = first + before[k]
        for w, offset, s, e in memo[raws[k]].tokens:
            if w in wanted:
                by_pos.setdefault(pos + offset, []).append((w, starts[k] + s, starts[k] + e))
    return _spans_at(by_pos, marks)


_WIDTH = itemgetter(1)  # _Word.width


def _pairs_as_memoised(raws: list[str], widths: list[int], memo, analyzer) -> bool:
    """Whether every compound pair of adjacent kept words analyses as the memo expects."""
    if memo.pair_starts.isdisjoint(raws):
        return True
    pairs = compound_pairs()
    for k in [k for k, raw in enumerate(raws) if raw in memo.pair_starts]:
        # The next kept word: stop words between are dropped before CompoundFilter.
        j = next((j for j in range(k + 1, len(raws)) if widths[j]), None)
        if j is None:
            continue
        first, second = raws[k], raws[j]
        if memo[second].pair_form is None or not pairs.get(
            (memo[first].pair_form, memo[second].pair_form)
        ):
            continue
        joined = memo.get((first, second))
        if joined is None:
            joined = memo[first, second] = _analyse_pair(first, second, analyzer, memo)
        if joined is False:
            return False
    return True


def snippet(
    text: str,
    analyzer,
    marks: MarkTerms,
    whole: bool = False,
    positions: Mapping[str, Sequence[int]] | None = None,
) -> str:
    """An escaped snippet of text with matches marked: the whole text, or a window around the
    first match. positions: each marked token's positions in text, as the index holds them."""
    tokens = marks.tokens
    if positions is not None and tokens and len(tokens) <= PLACED_MAX:
        by_pos = placed_positions(text, analyzer, tokens, positions)
        if by_pos is not None:
            return _snippet_from_spans(text, _spans_at(by_pos, marks), whole)
    if not marks or _config(analyzer) is None:
        return _snippet_from_spans(text, mark_spans(text, analyzer, marks), whole)
    spans = _token_marks(text, analyzer, marks)
    if spans is not None:
        return _snippet_from_spans(text, spans, whole)
    if whole or len(text) <= 2 * SNIPPET_CHARS:
        return _snippet_from_spans(text, mark_spans(text, analyzer, marks), whole)
    try:
        spans = _window_spans(text, analyzer, marks)
    except _Fallback:
        spans = _mark_spans_reference(text, analyzer, marks)
    return _snippet_from_spans(text, spans, whole)


def _snippet_from_spans(text: str, spans: list[tuple[int, int]], whole: bool) -> str:
    start, end = (0, len(text)) if whole else _window(text, spans)
    body = render(text, spans, start, end)
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")

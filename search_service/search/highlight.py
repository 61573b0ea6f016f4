"""Snippets: escaped text in which only our own <mark> tags are live.

Whoosh's own highlighter marks every occurrence of every word of a phrase, and its
strict-phrase mode compares unstemmed words; we re-analyse the text with the field's
analyzer and match words and phrases on positions, so `"risk assessment"` marks the phrase
and not every "risk" in the text. For the text analyzer the re-analysis is rebuilt from each
word's memoised analysis, with the same result as running the chain over the whole text.
"""

from __future__ import annotations

import html
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from whoosh import query as wq
from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, StemFilter, StopFilter

from search_service.analysis.filters import (
    HYPHENS,
    ApostropheFilter,
    CompoundFilter,
    SpellingFilter,
    compound_pairs,
    fold_spelling,
    split_parts,
)
from search_service.analysis.tokenizer import TOKEN_PATTERN, NltkTokenizer
from search_service.index.whoosh_internals import expanded_words, nltk_pattern

SNIPPET_CHARS = 360
CONTEXT_BEFORE = 90
# Multi-term leaves (prefix, wildcard, fuzzy) expand to at most this many words for marking.
MAX_EXPANSIONS = 200

# Position -> the (analysed word, start char, end char) tokens at that position.
Positions = dict[int, list[tuple[str, int, int]]]


@dataclass
class MarkTerms:
    """What to mark: single words (analysed form) and phrases (lists of analysed words)."""

    words: set[str] = field(default_factory=set)
    phrases: list[list[str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)


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
    wanted = marks.words.union(*marks.phrases)
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


# ---- the fast path: each distinct word analysed once, positions rebuilt per text ---------
#
# Running the seven-stage generator chain over every hit's text cost about 4 µs a word, a
# third of a search request's CPU. Every stage but two works on one word at a time, so a
# word's tokens are the same wherever it stands; what depends on context is kept here:
# StopFilter drops stop words and renumbers (the first kept word keeps its own index), a
# compound takes one position per kept part, and CompoundFilter joins two adjacent plain words
# that form a known compound ("multi agency"), stop words between them included. Anything
# unexpected falls back to the chain.

# Distinct words analysed alone, per analyzer configuration; a table is emptied at this size
# (about 40 MB at 100,000 words).
MEMO_WORDS = 100_000
# Configuration -> {word as written: _Word, or False if it cannot be analysed alone;
# (word, word): the joined pair's (text, position offset) tokens, or False}.
_memo: dict[tuple, dict] = {}


class _Word(NamedTuple):
    """One word as written, analysed alone: tokens relative to its first position and char."""

    tokens: tuple[tuple[str, int, int, int], ...]  # (text, position offset, start, end)
    width: int  # positions it takes: 0 for a stop word, one per kept part of a compound
    pair_form: str | None  # a plain word's folded form, which CompoundFilter pairs on


def fast_path_supported(analyzer) -> bool:
    """Whether snippets for this analyzer take the fast path (the text analyzer's chain)."""
    return _config(analyzer) is not None


def _config(analyzer) -> tuple | None:
    """What the chain's output depends on, if analyzer is exactly text_analyzer()'s chain."""
    items = getattr(analyzer, "items", ())
    if type(analyzer) is not CompositeAnalyzer or tuple(map(type, items)) != _CHAIN:
        return None
    tok, _, _, stop, comp, _, stem = items
    if not stop.renumber:
        return None
    return (tok.pattern, stop.stops, stop.min, stop.max, comp.stoplist) + (
        stem.stemfn,
        stem.lang,
        stem.ignore,
    )


_CHAIN = (
    *(NltkTokenizer, LowercaseFilter, ApostropheFilter, StopFilter, CompoundFilter),
    *(SpellingFilter, StemFilter),
)
_INDEX_ARGS = {"positions": True, "chars": True, "mode": "index"}


def _word_spans(tokenizer: NltkTokenizer, text: str) -> list[tuple[int, int]]:
    """The tokenizer's (start, end) spans of text."""
    if tokenizer.pattern == TOKEN_PATTERN:
        # NLTK runs every match under a wall-clock timeout (a ReDoS guard for patterns it
        # does not know), which costs more than the match; our pattern is linear, so we run
        # NLTK's own compiled pattern without it.
        return [m.span() for m in nltk_pattern(tokenizer.nltk).finditer(text)]
    return list(tokenizer.nltk.span_tokenize(text))


class _Fallback(Exception):
    """A word the fast path cannot analyse alone: the whole chain must run."""


def _iter_word_spans(tokenizer: NltkTokenizer, text: str):
    """_word_spans, one at a time: a snippet window stops reading where it is settled."""
    if tokenizer.pattern == TOKEN_PATTERN:
        return (m.span() for m in nltk_pattern(tokenizer.nltk).finditer(text))
    return tokenizer.nltk.span_tokenize(text)


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
    memo = _memo.get(_config(analyzer))
    if memo is None or len(memo) > MEMO_WORDS:
        memo = _memo[_config(analyzer)] = {}
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
    wanted = marks.words.union(*marks.phrases)
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


def warm_words(analyzer, words: Iterable[str], batch: int = 200) -> int:
    """Memoise words (as written) for snippets ahead of use, up to half of MEMO_WORDS, so
    there is room for the words met later; returns how many were new.

    Run when an index version is opened, with the lexicon's words as they are usually
    written: a hit's first snippet then does not analyse most of its words one run at a time.
    """
    config = _config(analyzer)
    if config is None:
        return 0
    memo = _memo.get(config)
    if memo is None:
        memo = _memo[config] = {}
    room = MEMO_WORDS // 2 - len(memo)
    new = [w for w in dict.fromkeys(words) if w not in memo][: max(0, room)]
    for i in range(0, len(new), batch):
        _analyse_words(new[i : i + batch], analyzer, memo)
    return len(new)


def _analyse_word(raw: str, analyzer) -> _Word | bool:
    """raw analysed on its own; False if it is not one token by itself."""
    if _word_spans(analyzer.items[0], raw) != [(0, len(raw))]:
        return False
    tokens = tuple((t.text, t.pos, t.startchar, t.endchar) for t in analyzer(raw, **_INDEX_ARGS))
    if not tokens:
        return _Word((), 0, None)
    if tokens[0][1] != 0 or min(t[1] for t in tokens) < 0:
        return False
    # The text CompoundFilter sees (tokenized, lower-cased, apostrophes folded); like its
    # _index, a word that does not split into parts is plain and pairs on its folded form.
    stream = analyzer.items[0](raw, mode="index")
    for item in analyzer.items[1:3]:
        stream = item(stream)
    seen = [t.text.translate(HYPHENS) for t in stream]
    if len(seen) != 1:
        return False
    pair_form = fold_spelling(seen[0]) if split_parts(seen[0]) is None else None
    return _Word(tokens, max(t[1] for t in tokens) + 1, pair_form)


def _analyse_words(raws: list[str], analyzer, memo: dict) -> None:
    """Memoise the words of raws new to memo, analysed by one run of the chain over them all.

    A chain run costs about five words' analysis, so one per new word would make a text of
    unseen words slower than the reference. In the run, each word's own tokens are the ones
    inside its characters; the joined tokens that CompoundFilter adds over two words are not.
    """
    new = [raw for raw in dict.fromkeys(raws) if raw not in memo]
    text = " ".join(new)
    starts, bounds, start = [], [], 0
    for raw in new:
        starts.append(start)
        bounds.append((start, start + len(raw)))
        start += len(raw) + 1
    if len(new) < 2 or _word_spans(analyzer.items[0], text) != bounds:
        for raw in new:
            memo[raw] = _analyse_word(raw, analyzer)
        return
    tokens: list[list[tuple[str, int, int, int]]] = [[] for _ in new]
    for t in analyzer(text, **_INDEX_ARGS):
        i = bisect_right(starts, t.startchar) - 1
        if t.endchar <= bounds[i][1]:
            tokens[i].append((t.text, t.pos, t.startchar - starts[i], t.endchar - starts[i]))
    # The text CompoundFilter sees, word by word (see _analyse_word).
    stream = analyzer.items[0](text, chars=True, mode="index")
    for item in analyzer.items[1:3]:
        stream = item(stream)
    seen = {t.startchar: t.text.translate(HYPHENS) for t in stream}
    for i, raw in enumerate(new):
        own = tokens[i]
        if not own:
            memo[raw] = _Word((), 0, None)
            continue
        base = own[0][1]
        own = tuple((w, p - base, s, e) for w, p, s, e in own)
        if min(p for _, p, _, _ in own) < 0 or starts[i] not in seen:
            memo[raw] = _analyse_word(raw, analyzer)
            continue
        form = seen[starts[i]]
        pair_form = fold_spelling(form) if split_parts(form) is None else None
        memo[raw] = _Word(own, max(p for _, p, _, _ in own) + 1, pair_form)


def _analyse_pair(first: str, second: str, analyzer, memo: dict) -> tuple | bool:
    """The joined tokens CompoundFilter adds over two adjacent plain words; False if unexpected."""
    text = f"{first} {second}"
    got = [(t.text, t.pos, t.startchar, t.endchar) for t in analyzer(text, **_INDEX_ARGS)]
    a, b = memo[first], memo[second]
    if len(a.tokens) != 1 or len(b.tokens) != 1 or len(got) != 4:
        return False
    shifted = (b.tokens[0][0], 1, b.tokens[0][2] + len(first) + 1, b.tokens[0][3] + len(first) + 1)
    joined = got[1:3]
    if got[0] != a.tokens[0] or got[3] != shifted:
        return False
    if [(p, s, e) for _, p, s, e in joined] != [(0, 0, len(text)), (1, 0, len(text))]:
        return False
    return tuple((jtext, p) for jtext, p, _, _ in joined)


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


def _word_marks(text: str, analyzer, marks: MarkTerms) -> list[tuple[int, int]] | None:
    """The spans of marks without phrases, from the distinct words of text; None: not here.

    A word's own tokens never depend on its neighbours (the memo's premise); only positions
    and compounds joined over two words do. Without phrases positions do not matter, and
    when no joined form is wanted, a word is marked exactly when its own tokens are: each
    distinct word is looked at once, and the text's tokens are only compared with the few
    marked ones (a report page holds ~450 words, ~250 of them distinct).
    """
    tokenizer = analyzer.items[0]
    if marks.phrases or tokenizer.pattern != TOKEN_PATTERN:
        return None
    if marks.words & _joined_forms(analyzer):
        return None
    config = _config(analyzer)
    memo = _memo.get(config)
    if memo is None or len(memo) > MEMO_WORDS:
        memo = _memo[config] = {}
    pattern = nltk_pattern(tokenizer.nltk)
    distinct = set(pattern.findall(text))
    new = [w for w in distinct if w not in memo]
    if new:
        _analyse_words(new, analyzer, memo)
    wanted = marks.words
    marked = {}
    for raw in distinct:
        word = memo[raw]
        if word is False:
            return None
        own = [(s, e) for wtext, _offset, s, e in word.tokens if wtext in wanted]
        if own:
            marked[raw] = own
    if not marked:
        return []
    return [
        (m.start() + s, m.start() + e)
        for m in pattern.finditer(text)
        if m.group() in marked
        for s, e in marked[m.group()]
    ]


_joined: dict[tuple, frozenset[str]] = {}


def _joined_forms(analyzer) -> frozenset[str]:
    """Every token CompoundFilter can add over two spaced words ("multi agency")."""
    config = _config(analyzer)
    found = _joined.get(config)
    if found is None:
        forms = set()
        for first, second in compound_pairs():
            alone = {t.text for w in (first, second) for t in analyzer(w, mode="index")}
            pair = {t.text for t in analyzer(f"{first} {second}", mode="index")}
            forms |= pair - alone
        found = _joined[config] = frozenset(forms)
    return found


def snippet(text: str, analyzer, marks: MarkTerms, whole: bool = False) -> str:
    """An escaped snippet of text with matches marked: the whole text, or a window around the first match."""
    if not marks or _config(analyzer) is None:
        return _snippet_from_spans(text, mark_spans(text, analyzer, marks), whole)
    spans = _word_marks(text, analyzer, marks)
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

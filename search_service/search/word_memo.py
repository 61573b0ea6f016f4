"""Each distinct word as written, analysed once: what snippets rebuild a text's analysis from.

Running the seven-stage generator chain over every hit's text cost about 4 µs a word, a
third of a search request's CPU. Every stage but two works on one word at a time, so a
word's tokens are the same wherever it stands; what depends on context is kept by the
snippet code (search/highlight.py): StopFilter drops stop words and renumbers (the first
kept word keeps its own index), a compound takes one position per kept part, and
CompoundFilter joins two adjacent plain words that form a known compound ("multi agency"),
stop words between them included. Anything unexpected falls back to the chain.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import NamedTuple

import regex
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
from search_service.index.whoosh_internals import nltk_pattern

# Distinct words analysed alone, per analyzer configuration; a table is emptied at this size
# (about 40 MB at 100,000 words).
MEMO_WORDS = 100_000


class WordTable(dict):
    """One configuration's memo: word as written -> _Word, or False if it cannot be analysed
    alone; (word, word) -> the joined pair's (text, position offset) tokens, or False.

    It also keeps, as words are added, which words as written give each token and which
    cannot be analysed alone, so a snippet finds its marked words by set operations on a
    text's distinct words instead of looking at each of them (search/highlight.py).
    """

    def __init__(self) -> None:
        super().__init__()
        self.raws_of: dict[str, set[str]] = {}  # token -> the words as written that give it
        self.unanalysable: set[str] = set()
        self.pair_starts: set[str] = set()  # words whose form starts a known compound pair
        self._firsts = {first for first, _ in compound_pairs()}

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        if not isinstance(key, str):
            return
        if value is False:
            self.unanalysable.add(key)
            return
        for token in value.tokens:
            self.raws_of.setdefault(token[0], set()).add(key)
        if value.pair_form in self._firsts:
            self.pair_starts.add(key)


# Configuration -> its WordTable.
_memo: dict[tuple, WordTable] = {}


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


def _iter_word_spans(tokenizer: NltkTokenizer, text: str):
    """_word_spans, one at a time: a snippet window stops reading where it is settled."""
    if tokenizer.pattern == TOKEN_PATTERN:
        return (m.span() for m in nltk_pattern(tokenizer.nltk).finditer(text))
    return tokenizer.nltk.span_tokenize(text)


def frequent_words(analyzer, texts: Iterable[str], limit: int) -> list[str]:
    """The limit words the texts hold most often, as written (the analyzer's tokens)."""
    tokenizer = analyzer.items[0] if _config(analyzer) is not None else None
    if tokenizer is None or tokenizer.pattern != TOKEN_PATTERN:
        return []
    findall = nltk_pattern(tokenizer.nltk).findall
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(findall(text))
    return [word for word, _ in counts.most_common(limit)]


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
        memo = _memo[config] = WordTable()
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


def memo_for(analyzer) -> WordTable:
    """The word table of the analyzer's configuration (emptied past MEMO_WORDS)."""
    config = _config(analyzer)
    memo = _memo.get(config)
    if memo is None or len(memo) > MEMO_WORDS:
        memo = _memo[config] = WordTable()
    return memo


def word_splitter(tokenizer: NltkTokenizer) -> Callable[[str], list[str]] | None:
    """text -> [gap, word, gap, word, ..., gap] in one scan, for our own pattern; else None.

    The words are what the tokenizer finds (its pattern, captured), and the running sum of
    the pieces' lengths gives every word's offsets without a Python step per word.
    """
    if tokenizer.pattern != TOKEN_PATTERN:
        return None
    pattern = nltk_pattern(tokenizer.nltk)
    return _capturing(pattern.pattern, pattern.flags).split


@lru_cache(maxsize=8)
def _capturing(pattern: str, flags: int):
    return regex.compile(f"({pattern})", flags)

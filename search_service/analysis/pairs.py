"""Word pairs of report pages: every two frequent words at adjacent positions.

Report pages carry no shingles (index/schema.py): their two- and three-word runs were nine
tenths of the index. But a phrase of two frequent words ("domestic abuse", "risk
assessment") read both words' positions in ~20,000 pages. A page's pairs of words that are
both among its library's frequent words are ~0.6 a word. The frequent words, and the pairs
of them that are common, are chosen once a build from a sample of its first pages and kept
in the schema. A common pair is a term of its own, so a phrase of two frequent words that
is one is a single lookup; every other pair is one of BUCKETS shared terms, whose pages are
candidates that positions then decide (most pairs are seen once or twice in the whole
library, and a term each was most of what the pairs added to a build).
"""

from __future__ import annotations

import re
import threading
import zlib
from collections import Counter
from collections.abc import Iterable

from whoosh.analysis import Analyzer, Token

from search_service.analysis.filters import stop_words, text_analyzer
from search_service.analysis.shingles import SHINGLE_SEP

# Words in at least this share of the sampled pages are frequent, the commonest first, up
# to FREQUENT_MAX analysed words (in the benchmark's 25,690 pages, the 1,000th commonest
# word is in 4%: ~0.6 pairs a word, and 49 of its 60 two-word queries are two of them).
FREQUENT_SHARE = 0.04
FREQUENT_MAX = 1000
# Pages of the build's first reviews sampled for its frequent words and common pairs (from
# at most SAMPLE_REVIEWS reviews: a library of summaries alone is not held back whole).
SAMPLE_PAGES = 400
SAMPLE_REVIEWS = 50
# A pair in this many sampled pages is common: a term of its own.
COMMON_PAIR_PAGES = 2
# Shared terms the other pairs of frequent words are hashed to (CRC-32: the same in every
# process, where Python's hash of a string is not).
BUCKETS = 8192

_WORD = re.compile(r"[a-z]+")

# The words the text field last analysed at index time, by position (index/schema.py's
# RecordedText): the pairs field comes next in Whoosh's sorted field order and reads them
# instead of analysing the page again (analysis is most of a build's time).
_recorded = threading.local()


def record(value: str) -> list:
    """A list to fill with (position, word) of value's analysed words, kept for pairs()."""
    words: list = []
    _recorded.value, _recorded.words = value, words
    return words


def frequent_words(texts: Iterable[str]) -> frozenset[str]:
    """The analysed words in at least FREQUENT_SHARE of texts (pages), at most FREQUENT_MAX."""
    pages = 0
    df: Counter = Counter()
    for text in texts:
        pages += 1
        df.update(set(_WORD.findall(text.lower())))
    if not pages:
        return frozenset()
    analyze = text_analyzer()
    found: list[str] = []
    seen: set[str] = set()
    # Commonest first, ties by the word: the same words whatever order the sets gave.
    for word, count in sorted(df.items(), key=lambda item: (-item[1], item[0])):
        if count < FREQUENT_SHARE * pages or len(found) >= FREQUENT_MAX:
            break
        for t in analyze(word):
            if t.text not in seen:
                seen.add(t.text)
                found.append(t.text)
    return frozenset(found[:FREQUENT_MAX])


def common_pairs(texts: Iterable[str], frequent: frozenset[str]) -> frozenset[str]:
    """The pairs of frequent words in at least COMMON_PAIR_PAGES of texts (pages).

    Words are read as written, each analysed once, stop words left out: close to the text
    analyzer's words in a row, and any choice is exact (the rest are in buckets)."""
    analyze = text_analyzer()
    stop = stop_words()
    stems: dict[str, str | None] = {}
    df: Counter = Counter()
    for text in texts:
        found = set()
        previous = None
        for word in _WORD.findall(text.lower()):
            if word in stop:
                continue
            stem = stems.get(word, "")
            if stem == "":
                stem = stems[word] = next((t.text for t in analyze(word)), None)
            if previous in frequent and stem in frequent:
                found.add(pair(previous, stem))
            previous = stem
        df.update(found)
    return frozenset(p for p, count in df.items() if count >= COMMON_PAIR_PAGES)


def pair(a: str, b: str) -> str:
    """Two analysed words in a row as one string: "domest abus"."""
    return a + SHINGLE_SEP + b


class PairAnalyzer(Analyzer):
    """Pairs of frequent words at adjacent positions of the text analyzer's output: a common
    pair as itself, any other as its bucket.

    Compounds put several words at one position; every combination is a pair, so a page
    holds a common pair's term exactly when it holds the two words in a row.
    """

    def __init__(self, frequent: Iterable[str] = (), common: Iterable[str] = ()):
        self.frequent = frozenset(frequent)
        self.common = frozenset(common)
        self.inner = text_analyzer()

    def __getstate__(self) -> dict:
        return {"frequent": sorted(self.frequent), "common": sorted(self.common)}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state.get("frequent", ()), state.get("common", ()))

    def __eq__(self, other):
        return (
            isinstance(other, PairAnalyzer)
            and other.frequent == self.frequent
            and other.common == self.common
        )

    def term(self, a: str, b: str) -> str:
        """The term of two frequent words in a row: the pair if common, else its bucket."""
        found = pair(a, b)
        if found in self.common:
            return found
        return f"#{zlib.crc32(found.encode('utf-8')) % BUCKETS}"

    def exact(self, a: str, b: str) -> bool:
        """Whether the pages holding the term of a and b are those holding them in a row."""
        return pair(a, b) in self.common

    def _words(self, value: str, mode: str) -> Iterable[tuple[int, str]]:
        if getattr(_recorded, "value", None) is value:
            return _recorded.words
        return (
            (t.pos, t.text) for t in self.inner(value, positions=True, mode=mode) if not t.stopped
        )

    def pairs(self, value: str, mode: str = "") -> set[str]:
        """Every pair term of value."""
        frequent = self.frequent
        at: dict[int, list[str]] = {}
        for pos, word in self._words(value, mode):
            if word in frequent:
                at.setdefault(pos, []).append(word)
        found = set()
        term = self.term
        for pos, words in at.items():
            second = at.get(pos + 1)
            if second:
                found.update(term(a, b) for a in words for b in second)
        return found

    def __call__(self, value, mode="", **kwargs):
        tok = Token(removestops=False, mode=mode)
        tok.boost = 1.0
        tok.stopped = False
        for text in sorted(self.pairs(value, mode)):
            tok.text = text
            yield tok

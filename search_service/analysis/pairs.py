"""Word pairs of report pages: every two frequent words at adjacent positions.

Report pages carry no shingles (index/schema.py): their two- and three-word runs were nine
tenths of the index. But a phrase of two frequent words ("domestic abuse", "risk
assessment") read both words' positions in ~20,000 pages. A page's pairs of words that are
both among its library's frequent words (chosen once a build, from a sample of its first
pages, and kept in the schema) are ~0.6 a word: a phrase of two of them is one lookup, and
a longer one reads positions only in the pages holding every such pair.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable

from whoosh.analysis import Analyzer, Token

from search_service.analysis.filters import text_analyzer
from search_service.analysis.shingles import SHINGLE_SEP

# Words in at least this share of the sampled pages are frequent, the commonest first, up
# to FREQUENT_MAX analysed words (in the benchmark's 25,690 pages, the 1,000th commonest
# word is in 4%: ~0.6 pairs a word, and 49 of its 60 two-word queries are two of them).
FREQUENT_SHARE = 0.04
FREQUENT_MAX = 1000
# Pages of the build's first reviews sampled for its frequent words.
SAMPLE_PAGES = 400

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
    for word, count in df.most_common():
        if count < FREQUENT_SHARE * pages or len(found) >= FREQUENT_MAX:
            break
        for t in analyze(word):
            if t.text not in seen:
                seen.add(t.text)
                found.append(t.text)
    return frozenset(found[:FREQUENT_MAX])


def pair(a: str, b: str) -> str:
    """The pair term of two analysed words in a row: "domest abus"."""
    return a + SHINGLE_SEP + b


class PairAnalyzer(Analyzer):
    """Pairs of frequent words at adjacent positions of the text analyzer's output.

    Compounds put several words at one position; every combination is a pair, so a phrase
    of two frequent words matches a page exactly when the page holds its pair.
    """

    def __init__(self, frequent: Iterable[str] = ()):
        self.frequent = frozenset(frequent)
        self.inner = text_analyzer()

    def __getstate__(self) -> dict:
        return {"frequent": sorted(self.frequent)}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state.get("frequent", ()))

    def __eq__(self, other):
        return isinstance(other, PairAnalyzer) and other.frequent == self.frequent

    def _words(self, value: str, mode: str) -> Iterable[tuple[int, str]]:
        if getattr(_recorded, "value", None) is value:
            return _recorded.words
        return (
            (t.pos, t.text) for t in self.inner(value, positions=True, mode=mode) if not t.stopped
        )

    def pairs(self, value: str, mode: str = "") -> set[str]:
        """Every pair of value."""
        frequent = self.frequent
        at: dict[int, list[str]] = {}
        for pos, word in self._words(value, mode):
            if word in frequent:
                at.setdefault(pos, []).append(word)
        found = set()
        for pos, words in at.items():
            second = at.get(pos + 1)
            if second:
                found.update(pair(a, b) for a in words for b in second)
        return found

    def __call__(self, value, mode="", **kwargs):
        tok = Token(removestops=False, mode=mode)
        tok.boost = 1.0
        tok.stopped = False
        for text in sorted(self.pairs(value, mode)):
            tok.text = text
            yield tok

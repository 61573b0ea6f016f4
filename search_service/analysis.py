"""The text analyzer: NLTK's regexp tokenizer and Snowball stemmer in a Whoosh filter chain.

Whoosh pickles the schema (analyzer included) into the index, so every piece here is a
top-level, importable object; tests check ``pickle.dumps`` of the schema.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import RegexpTokenizer
from whoosh.analysis import Analyzer, LowercaseFilter, StemFilter, StopFilter, Token, Tokenizer

# Words: letters/digits with inner apostrophes, hyphens or ampersands kept ("Clare's", "co-ordination", "A&E").
TOKEN_PATTERN = r"\w+(?:[-'’&]\w+)*"

_stemmer = SnowballStemmer("english")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The shipped English stop-word list (NLTK's corpus download is not reachable here)."""
    text = resources.files("search_service").joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def snowball_stem(word: str) -> str:
    """English Snowball stem of a lower-cased word."""
    return _stemmer.stem(word)


class NltkTokenizer(Tokenizer):
    """Whoosh tokenizer backed by ``nltk.tokenize.RegexpTokenizer``, keeping character offsets."""

    def __init__(self, pattern: str = TOKEN_PATTERN):
        self.pattern = pattern
        self._nltk = RegexpTokenizer(pattern)

    def __getstate__(self) -> dict:
        return {"pattern": self.pattern}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["pattern"])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NltkTokenizer) and other.pattern == self.pattern

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for pos, (start, end) in enumerate(self._nltk.span_tokenize(value)):
            t.text = value[start:end]
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


def text_analyzer() -> Analyzer:
    """Analyzer for searchable prose: tokenize, lower-case, drop stop words, stem."""
    return (
        NltkTokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=stop_words(), minsize=1)
        | StemFilter(stemfn=snowball_stem, cachesize=50000)
    )

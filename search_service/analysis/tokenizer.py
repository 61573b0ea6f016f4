"""Words: NLTK's regexp tokenizer as the first stage of every analyzer chain (picklable)."""

from __future__ import annotations

from collections.abc import Iterator

from nltk.tokenize import RegexpTokenizer
from whoosh.analysis import Token, Tokenizer

# Words: letters/digits with inner apostrophes, hyphens or ampersands kept ("Clare's",
# "co-ordination", "A&E"). U+2010/U+2011 are the Unicode hyphens PDF text often carries.
TOKEN_PATTERN = r"\w+(?:[-\u2010\u2011'’&]\w+)*"
# Characters NLTK tokenises in one call (a report page is ~3,000; see NltkTokenizer.spans).
CHUNK_CHARS = 65_536


class NltkTokenizer(Tokenizer):
    """Whoosh tokenizer backed by ``nltk.tokenize.RegexpTokenizer``, keeping character offsets."""

    def __init__(self, pattern: str = TOKEN_PATTERN):
        self.pattern = pattern
        self.nltk = RegexpTokenizer(pattern)

    def __getstate__(self) -> dict:
        return {"pattern": self.pattern}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["pattern"])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NltkTokenizer) and other.pattern == self.pattern

    def spans(self, value: str) -> Iterator[tuple[int, int]]:
        """(start, end) of every word of value, as NLTK's span_tokenize gives them.

        NLTK runs each call under a 5 s wall-clock ReDoS guard, which a page of a few
        megabytes exceeds on a busy machine (a build process then died and its share of
        the corpus was lost). Our pattern never matches whitespace, so the text is cut
        after a whitespace character into pieces of at most CHUNK_CHARS and each piece
        tokenised alone: the same words, each call far inside the guard.
        """
        if len(value) <= CHUNK_CHARS:
            yield from self.nltk.span_tokenize(value)
            return
        start = 0
        while start < len(value):
            end = min(start + CHUNK_CHARS, len(value))
            if end < len(value):
                cut = max(value.rfind(" ", start, end), value.rfind("\n", start, end))
                end = cut + 1 if cut > start else end  # one word of CHUNK_CHARS: cut it
            for s, e in self.nltk.span_tokenize(value[start:end]):
                yield start + s, start + e
            start = end

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
        for pos, (start, end) in enumerate(self.spans(value)):
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

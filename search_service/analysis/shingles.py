"""Word shingles: every run of two and of three analysed words at adjacent positions.

A phrase of two or three words matches a document exactly when the document holds its
shingle, so it is one term lookup (search/execute.py); a longer phrase reads its words'
positions only in the documents holding all its triples.
"""

from __future__ import annotations

from whoosh.analysis import Analyzer, Token

from search_service.analysis.filters import text_analyzer

# Companion fields holding every run of two and of three words at adjacent positions of each
# searched field (schema.py): a phrase of two or three words is one lookup, no positions read,
# and a longer one reads its words' positions only in the documents holding all its triples.
SHINGLE_FIELDS = {
    "text": "text_shingles",
    "title": "title_shingles",
    "addressee_text": "addressee_shingles",
    "csp_text": "csp_shingles",
}
SHINGLE_SEP = " "


def shingle(words) -> str:
    """The shingle term for analysed words in a row: "domest abus"."""
    return SHINGLE_SEP.join(words)


class ShingleAnalyzer(Analyzer):
    """Runs of two and three of the text analyzer's words at adjacent positions.

    Compounds put several words at one position; every combination is a shingle, so a
    phrase of two or three words matches a document exactly when the document holds its
    shingle.
    """

    def __init__(self):
        self.inner = text_analyzer()
        # Titles, CSPs and agency names repeat on every document of a review: their shingles
        # are worked out once (a bounded memo, not pickled with the schema).
        self._memo: dict[tuple[str, str], list[str]] = {}

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self.__init__()

    def __eq__(self, other):
        return isinstance(other, ShingleAnalyzer)

    def shingles(self, value: str, mode: str = "") -> list[str]:
        """Every shingle of value, in order."""
        key = (value, mode)
        found = self._memo.get(key)
        if found is not None:
            return found
        at: dict[int, set[str]] = {}
        for t in self.inner(value, positions=True, mode=mode):
            if not t.stopped:
                at.setdefault(t.pos, set()).add(t.text)
        found = []
        for pos, words in at.items():
            second = at.get(pos + 1)
            if not second:
                continue
            third = at.get(pos + 2, ())
            for a in sorted(words):
                for b in sorted(second):
                    found.append(a + SHINGLE_SEP + b)
                    found.extend(a + SHINGLE_SEP + b + SHINGLE_SEP + c for c in sorted(third))
        if len(value) <= 300:  # short, repeated values only; report text is read once
            if len(self._memo) >= 20000:
                self._memo.clear()
            self._memo[key] = found
        return found

    def __call__(self, value, mode="", **kwargs):
        tok = Token(removestops=False, mode=mode)
        tok.boost = 1.0
        tok.stopped = False
        for text in self.shingles(value, mode):
            tok.text = text
            yield tok

"""Clean page text: drop running headers, footers and page numbers; rejoin hyphenated words."""

from __future__ import annotations

import re
from collections import Counter

# PDFium marks a hyphen it found at a line end with U+FFFE (and joins the lines); other
# producers leave a soft hyphen or a plain "-" before the newline. All become "-\n".
_LINE_END_HYPHEN = re.compile(r"[\ufffe\u00ad\x02]\n?")
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
# Only odd or repeated spaces: matching every single space would cost more than the parse.
_SPACES = re.compile(r"[\t\u00a0\u2009\u202f][ \t\u00a0\u2009\u202f]*|  +")
_LINE_EDGE_SPACES = re.compile(r" +\n *|\n +")
# Justified lines as PDFium reads LibreOffice's exports: the punctuation after a line's last
# word ("incidents", "curiosity") comes at the start of the next line (", because").
_STRANDED_PUNCTUATION = re.compile(r"\n([,.;:!?)\]\u2019\u201d]+)(?= |\n|$)")

# Lines near the top or bottom of a page that could be running text; only these are
# candidates, so a repeated sentence in the body is never dropped.
_EDGE_LINES = 3
_MAX_RUNNING_LEN = 120


def normalise(raw: str) -> str:
    """Unify line ends, PDFium's hyphen marks, ligatures and odd spaces."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_END_HYPHEN.sub("-\n", text)
    for ligature, letters in _LIGATURES.items():
        if ligature in text:
            text = text.replace(ligature, letters)
    # Whole-page substitutions: a regex call per line costs more than PDFium's page parse.
    text = _LINE_EDGE_SPACES.sub("\n", _SPACES.sub(" ", text)).strip(" ")
    return _STRANDED_PUNCTUATION.sub(r"\1\n", text) if "\n" in text else text


def _running_key(line: str) -> str:
    # Page numbers change from page to page; everything else in a running line repeats.
    return re.sub(r"\d+", "#", line.lower())


def _edge_slots(lines: list[str]) -> list[tuple[int, str]]:
    """(slot, line index) pairs: slot 0.. from the top, -1.. from the bottom."""
    slots = []
    for i in range(min(_EDGE_LINES, len(lines))):
        slots.append((i, i))
        slots.append((-1 - i, len(lines) - 1 - i))
    return slots


def _edge_keys(lines: list[str]) -> list[tuple[int, int, str]]:
    return [(slot, i, _running_key(lines[i])) for slot, i in _edge_slots(lines)]


def strip_running_lines(pages: list[str]) -> list[str]:
    """Drop header/footer/page-number lines that recur in the same place on several pages."""
    page_lines = [[ln for ln in page.split("\n") if ln] for page in pages]
    page_keys = [_edge_keys(lines) for lines in page_lines]
    seen: Counter[tuple[int, str]] = Counter()
    for keys in page_keys:
        seen.update({(slot, key) for slot, _, key in keys if len(key) <= _MAX_RUNNING_LEN})
    # Recurring on at least 2 pages and a quarter of them: a title-page-less footer still counts.
    threshold = max(2, len(pages) // 4)
    cleaned = []
    for lines, keys in zip(page_lines, page_keys, strict=True):
        drop = {i for slot, i, key in keys if seen[(slot, key)] >= threshold}
        cleaned.append("\n".join(ln for i, ln in enumerate(lines) if i not in drop))
    return cleaned


_BROKEN_WORD = re.compile(r"([A-Za-z]+)-\n([A-Za-z]+)")
# A broken word with what follows it on its line ("tim’s", "tion,"), moved up whole.
_BROKEN_TOKEN = re.compile(r"([A-Za-z]+)-\n([A-Za-z]+)(\S*) ?")
# Prefixes that stay hyphenated in DHR prose even when the document never shows the word whole.
_TENS = frozenset({"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"})
_UNITS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine"})
_KEEP_PREFIXES = frozenset({"multi", "non", "self", "cross", "anti", "well"})
# Prefixes that also begin whole words ("explore", "prevent", "postpone"): kept only before
# a word the document prints on its own.
_SHORT_PREFIXES = frozenset({"ex", "pre", "post"})


class Dehyphenator:
    """Rejoin words broken at line ends, deciding from the document's own vocabulary."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self._vocab: Counter[str] | None = None

    @property
    def vocab(self) -> Counter[str]:
        """How often the document prints each form a broken word could take, counted once."""
        if self._vocab is None:
            text = "\n".join(self.texts).lower()
            forms = set()
            for left, right in _BROKEN_WORD.findall(text):
                forms.update((left, right, left + right, f"{left}-{right}"))
            self._vocab = Counter()
            if forms:
                # Broken words would vote for themselves; count only words printed whole.
                whole = _BROKEN_WORD.sub(" ", text)
                alternatives = "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
                # One pass for all forms; a whole word only ("call" is not in "call-out").
                pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
                self._vocab.update(pattern.findall(whole))
        return self._vocab

    def word(self, left: str, right: str) -> str:
        """The word that 'left-' at a line end followed by 'right' stands for."""
        if right[0].isupper() or right[0].isdigit():
            return f"{left}-{right}"  # "Covid-19", "Anti-Social": a real hyphen
        hyphenated, joined = f"{left}-{right}".lower(), f"{left}{right}".lower()
        if self.vocab[hyphenated] or self.vocab[joined]:
            return (
                f"{left}-{right}" if self.vocab[hyphenated] > self.vocab[joined] else left + right
            )
        if self.vocab[left.lower()] and self.vocab[right.lower()] and len(right) > 2:
            return f"{left}-{right}"  # "call-out": both halves are words of their own here
        if left.lower() in _KEEP_PREFIXES:
            return f"{left}-{right}"
        if left.lower() in _SHORT_PREFIXES and self.vocab[right.lower()]:
            return f"{left}-{right}"  # "ex-partner", but "explore", not "ex-plore"
        if left.lower() in _TENS and right.lower() in _UNITS:
            return f"{left}-{right}"  # "twenty-eight" is always written so
        return left + right

    def page(self, text: str) -> str:
        """Rejoin broken words on a page, keeping the line count (the break follows the word)."""
        if "-\n" not in text:
            return text
        return _BROKEN_TOKEN.sub(lambda m: self.word(m[1], m[2]) + m[3] + "\n", text)

    def cell(self, text: str) -> str:
        """A table cell or paragraph as one line: rejoin broken words, join lines with spaces."""
        return " ".join(self.page(text).split())


def clean_pages(raw_pages: list[str]) -> tuple[list[str], Dehyphenator]:
    """Normalise, strip running lines and rejoin hyphenated words; the joiner serves tables too."""
    pages = strip_running_lines([normalise(p) for p in raw_pages])
    dehyphenate = Dehyphenator(pages)
    return [dehyphenate.page(p).strip() for p in pages], dehyphenate

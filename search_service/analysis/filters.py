"""The text analyzer: NLTK's regexp tokenizer and Snowball stemmer in a Whoosh filter chain.

Between tokenizing and stemming, three folding filters make variant forms meet:
apostrophes ("Clare's", "Clare’s", "Clares"), British/American spellings
(``data/spellings.csv`` plus a general -ize/-yze rule) and hyphenated, joined and spaced
compounds ("multi-agency", "multiagency", "multi agency"; ``data/compounds.csv``).

Whoosh pickles the schema (analyzer included) into the index, so every piece here is a
top-level, importable object; tests check ``pickle.dumps`` of the analyzer. The folding
filters read the data files through cached loaders rather than holding the tables, so a
changed data file changes search behaviour: rebuild the index when
``analysis_fingerprint()`` changes.
"""

from __future__ import annotations

import csv
import hashlib
import re
from functools import lru_cache
from importlib import resources
from itertools import chain

from nltk.stem.snowball import SnowballStemmer
from whoosh.analysis import (
    Analyzer,
    Filter,
    LowercaseFilter,
    StemFilter,
    StopFilter,
)

from search_service.analysis.tokenizer import NltkTokenizer

# The index stores what these give (analysed words, themes): a change needs a rebuild.
DATA_FILES = (
    "data/stopwords.txt",
    "data/spellings.csv",
    "data/compounds.csv",
    "data/themes.csv",
)

_stemmer = SnowballStemmer("english")


def _data_text(name: str) -> str:
    return resources.files("search_service").joinpath(name).read_text("utf-8")


def _csv_rows(name: str) -> list[dict[str, str]]:
    """Rows of a shipped CSV file, skipping blank lines and '#' comment lines."""
    lines = [ln for ln in _data_text(name).splitlines() if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(lines))


def analysis_fingerprint() -> str:
    """A short hash of the data files the analyzer reads; a change means: rebuild the index."""
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update(_data_text(name).encode("utf-8"))
    return digest.hexdigest()[:12]


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The shipped English stop-word list (NLTK's corpus download is not reachable here)."""
    text = _data_text("data/stopwords.txt")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


# Stems shared by every analyzer: each searcher unpickles its own schema, and StemFilter's
# cache belongs to one instance, so a word stemmed by one thread (or the warm-up) was stemmed
# again by the next (~10 µs). Emptied at this size.
STEM_MEMO = 200_000
_stems: dict[str, str] = {}


def snowball_stem(word: str) -> str:
    """English Snowball stem of a lower-cased word."""
    found = _stems.get(word)
    if found is None:
        if len(_stems) >= STEM_MEMO:
            _stems.clear()
        found = _stems[word] = _stemmer.stem(word)
    return found


# ---- apostrophes -------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def fold_apostrophes(word: str) -> str:
    """Drop a possessive 's and any inner apostrophe: "clare’s" and "clares" -> "clare"/"clares"."""
    word = word.translate(_APOSTROPHES)
    if word.endswith("'s"):
        word = word[:-2]
    # The stemmer then meets "clare" and "clares" alike; "o'brien" becomes "obrien".
    return word.replace("'", "")


class ApostropheFilter(Filter):
    """Fold curly and straight apostrophes and possessives so "Clare's Law" meets "Clares Law"."""

    def __call__(self, tokens):
        for t in tokens:
            if "'" in t.text or "\u2019" in t.text or "\u2018" in t.text or "\u02bc" in t.text:
                t.text = fold_apostrophes(t.text)
            yield t


# ---- British / American spellings ---------------------------------------------------------


@lru_cache(maxsize=1)
def spelling_table() -> dict[str, str]:
    """variant -> canonical (British) spelling, from ``data/spellings.csv``."""
    rows = _csv_rows("data/spellings.csv")
    return {r["variant"].strip().lower(): r["canonical"].strip().lower() for r in rows}


# -ize/-yze endings fold to -ise/-yse. Real words that end in -ize but have no -ise form
# (size, prize, seize ...) are excepted; the stem must be 3+ letters so "size" never matches.
_IZE = re.compile(r"^([a-z]{3,}?)iz(e|es|ed|ing|ation|ations|ational|ationally|er|ers)$")
_YZE = re.compile(r"^([a-z]{2,}?)yz(e|es|ed|ing|er|ers)$")
_IZE_EXCEPTIONS = frozenset(
    {
        *("capsize", "downsize", "upsize", "resize", "oversize", "outsize", "undersize"),
        *("supersize", "maize", "baize", "assize", "bedsize", "midsize"),
    }
)


def fold_word_spelling(word: str) -> str:
    """Canonical (British) spelling of one lower-case word: table first, then -ize/-yze rules."""
    table = spelling_table()
    if word in table:
        return table[word]
    m = _IZE.match(word)
    if m and m.group(1) + "ize" not in _IZE_EXCEPTIONS:
        return f"{m.group(1)}is{m.group(2)}"
    m = _YZE.match(word)
    if m:
        return f"{m.group(1)}ys{m.group(2)}"
    return word


def fold_spelling(word: str) -> str:
    """Fold each hyphen-separated part of a lower-case word ("honor-based" -> "honour-based")."""
    if "-" in word:
        return "-".join(fold_word_spelling(p) for p in word.split("-"))
    return fold_word_spelling(word)


class SpellingFilter(Filter):
    """Fold American spellings to British ones so "behavior" and "behaviour" index alike."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold_spelling(t.text)
            yield t


# ---- hyphenated, joined and spaced compounds ----------------------------------------------

HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})


@lru_cache(maxsize=1)
def compound_table() -> dict[str, tuple[str, ...]]:
    """joined form -> its parts ("multiagency" -> ("multi", "agency")), from compounds.csv."""
    table = {}
    for row in _csv_rows("data/compounds.csv"):
        joined, parts = row["joined"].strip().lower(), tuple(row["parts"].lower().split())
        if "".join(parts) != joined:
            raise ValueError(f"compounds.csv: parts {parts} do not spell {joined!r}")
        table[joined] = parts
    return table


@lru_cache(maxsize=1)
def compound_pairs() -> dict[tuple[str, str], str]:
    """Two spaced words -> their joined form (("multi", "agency") -> "multiagency")."""
    return {parts: joined for joined, parts in compound_table().items() if len(parts) == 2}


def split_parts(word: str) -> list[tuple[str, int, int]] | None:
    """(part, start, end) offsets inside ``word`` for a hyphenated or known joined compound."""
    if "-" in word:
        spans, start = [], 0
        for part in word.split("-"):
            if part:
                spans.append((part, start, start + len(part)))
            start += len(part) + 1
        return spans
    parts = compound_table().get(word)
    if parts is None:
        return None
    spans, start = [], 0
    for part in parts:
        spans.append((part, start, start + len(part)))
        start += len(part)
    return spans


class CompoundFilter(Filter):
    """Make "multi-agency", "multiagency" and "multi agency" find each other, phrases included.

    At index time a hyphenated (or known joined) word yields its joined form and its parts,
    the parts at successive positions (later tokens shift along) and the joined form at the
    first and at the last part's position, so phrases that meet the compound from either
    side match. Two spaced words that form a known compound also yield the joined form.
    At query time a lone hyphenated word becomes just its joined form, one term every
    spelling of the compound carries; inside a phrase it becomes its parts, which every
    spelling carries at successive positions. Every token keeps the characters of the words as
    written, so highlights mark the original text.
    """

    def __init__(self, stoplist: frozenset[str] = frozenset()):
        # Parts that are stop words are dropped without taking a position, mirroring the
        # StopFilter's renumbering so "one-to-one" and the phrase "one to one" line up.
        self.stoplist = frozenset(stoplist)

    def __call__(self, tokens):
        tokens = iter(tokens)
        first = next(tokens, None)
        if first is None:
            return
        if first.mode == "query":
            # Queries are short: look at them whole to know if this is one word or a phrase.
            yield from self._query([first.copy()] + [t.copy() for t in tokens])
            return
        yield from self._index(chain([first], tokens))

    def _query(self, tokens):
        lone = len(tokens) == 1
        for t in tokens:
            text = t.text.translate(HYPHENS)
            spans = None if getattr(t, "stopped", False) else split_parts(text)
            if spans is None:
                t.text = text
                yield t
            elif lone:
                t.text = "".join(fold_word_spelling(p) for p, _, _ in spans)
                yield t
            else:
                for part, _, _ in spans:
                    if part not in self.stoplist:
                        t.text = part
                        yield t

    def _index(self, tokens):
        shift = 0
        prev = None  # (folded text, pos, startchar) of the previous plain word, for pairs
        pairs = compound_pairs()
        for t in tokens:
            if t.positions:
                t.pos += shift
            if getattr(t, "stopped", False):
                yield t
                continue
            text = t.text.translate(HYPHENS)
            spans = split_parts(text)
            if spans is None:
                t.text = text
                folded = fold_spelling(text)
                if prev is not None:
                    joined = pairs.get((prev[0], folded))
                    if joined and (not t.positions or prev[1] + 1 == t.pos):
                        yield from self._joined_pair(t, joined, prev)
                prev = (folded, t.pos if t.positions else None, t.startchar if t.chars else None)
                yield t
                continue
            prev = None
            # The joined form is built from folded parts so "honor-based" meets "honour-based".
            joined = "".join(fold_word_spelling(p) for p, _, _ in spans)
            if t.chars and t.endchar - t.startchar != len(text):
                # An earlier filter changed the word's length (an apostrophe dropped), so
                # offsets inside it are unknown: every part highlights the whole word.
                spans = [(p, 0, t.endchar - t.startchar) for p, _, _ in spans]
            kept = [s for s in spans if s[0] not in self.stoplist]
            yield from self._expand(t, joined, kept)
            shift += max(len(kept), 1) - 1

    @staticmethod
    def _expand(t, joined, spans):
        """Yield the joined form, the parts, then the joined form again at the last position."""
        base = t.pos if t.positions else 0
        start = t.startchar if t.chars else 0
        end = t.endchar if t.chars else 0
        t.text = joined
        yield t
        for i, (part, s, e) in enumerate(spans):
            t.text = part
            if t.positions:
                t.pos = base + i
            if t.chars:
                t.startchar, t.endchar = start + s, start + e
            yield t
        if len(spans) > 1:
            t.text = joined
            if t.chars:
                t.startchar, t.endchar = start, end
            yield t
        # Leave the token as the last part so the caller's position bookkeeping holds.
        if t.positions:
            t.pos = base + max(len(spans), 1) - 1

    @staticmethod
    def _joined_pair(t, joined, prev):
        """Yield a joined token over the previous and the current word, at both positions."""
        text = t.text
        pos = t.pos if t.positions else None
        endchar = t.endchar if t.chars else None
        startchar = t.startchar if t.chars else None
        for p in (prev[1], pos) if t.positions else (None,):
            t.text = joined
            if t.positions:
                t.pos = p
            if t.chars:
                t.startchar, t.endchar = prev[2], endchar
            yield t
        t.text = text
        if t.positions:
            t.pos = pos
        if t.chars:
            t.startchar, t.endchar = startchar, endchar


def text_analyzer() -> Analyzer:
    """Analyzer for prose: tokenize, lower-case, fold variants, drop stop words, stem."""
    # CompoundFilter comes after StopFilter because StopFilter renumbers positions, which
    # would collapse the joined form and the parts it places at shared positions; it comes
    # before SpellingFilter so part offsets are measured on the words as written.
    return (
        NltkTokenizer()
        | LowercaseFilter()
        | ApostropheFilter()
        | StopFilter(stoplist=stop_words(), minsize=1)
        | CompoundFilter(stoplist=stop_words())
        | SpellingFilter()
        | StemFilter(stemfn=snowball_stem, cachesize=50000)
    )


def spelling_analyzer() -> Analyzer:
    """Words as written, lower-cased: the lexicon that "did you mean" suggestions come from."""
    return NltkTokenizer() | LowercaseFilter() | ApostropheFilter()

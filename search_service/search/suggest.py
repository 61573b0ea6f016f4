""" "Did you mean": corrections for unknown or rare words, from the index's own lexicon."""

from __future__ import annotations

from dataclasses import dataclass

from search_service.index.state import VersionState
from search_service.search.parse import LEXEME, is_plain_word
from search_service.search.postings import doc_frequency

SPELL_FIELD = "spell"
# A rare word is worth a suggestion when a neighbour one edit away is this many times commoner.
RARE_DOCS = 2
COMMONER = 10
# Words whose "known" answer one index version remembers.
KNOWN_MEMO = 4096


@dataclass
class Suggestion:
    """A corrected query, and whether every correction is a single edit."""

    text: str
    one_edit: bool


def _known(reader, schema, word: str, state: VersionState | None = None) -> bool:
    # Known when the analysed form is in the text (stemming and folding make "MARACs" known).
    terms = [t.text for t in schema["text"].analyzer(word, mode="query")]
    return not terms or all(doc_frequency(state, reader, "text", t) > 0 for t in terms)


def _deletions(word: str) -> set[str]:
    """word less any one letter."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Neighbours:
    """The suggestion lexicon's words, and its words by each of their one-letter deletions
    (built once per index version): two words one edit apart (a letter added, dropped,
    changed, or two neighbours swapped) are one another, or one is a deletion of the other,
    or they share a deletion, so the words one edit from a word are a few dict lookups away.
    (Whoosh's terms_within builds a Levenshtein automaton per call on one segment, which
    misses swapped letters, and scans every word with the first letter on several.)"""

    def __init__(self, reader):
        # Each word's document frequency, summed over segments as reader.doc_frequency does:
        # ranking a rare word's neighbours then costs dict lookups, not hash-file probes.
        df: dict[str, int] = {}
        for leaf in reader.leaf_readers():
            for term, info in leaf[0].iter_field(SPELL_FIELD):
                word = term.decode("utf-8") if isinstance(term, bytes) else term
                df[word] = df.get(word, 0) + info.doc_frequency()
        self.df = df
        by_deletion: dict[str, str | tuple[str, ...]] = {}
        for word in df:
            for key in _deletions(word):
                # Most keys have one word: kept as a plain string, not a container.
                held = by_deletion.get(key)
                by_deletion[key] = word if held is None else (*_as_tuple(held), word)
        self.by_deletion = by_deletion
        self._known: dict[str, bool] = {}

    def known(self, reader, schema, word: str, state: VersionState | None = None) -> bool:
        """_known(reader, schema, word, state), remembered for this version (bounded)."""
        found = self._known.get(word)
        if found is None:
            if len(self._known) >= KNOWN_MEMO:
                self._known.clear()
            found = self._known[word] = _known(reader, schema, word, state)
        return found

    def within_one(self, word: str) -> list[str]:
        """The words one edit from word (a letter added, dropped, changed, or two neighbours
        swapped) that start with its first letter, word included if known, sorted."""
        keys = _deletions(word)
        candidates = {k for k in (word, *keys) if k in self.df}
        for key in (word, *keys):
            candidates.update(_as_tuple(self.by_deletion.get(key, ())))
        return sorted(c for c in candidates if c[:1] == word[:1] and _one_edit(c, word))


def _as_tuple(held: str | tuple[str, ...]) -> tuple[str, ...]:
    return (held,) if isinstance(held, str) else held


def _one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance(a, b) <= 1, in one pass instead of a full table."""
    if len(a) < len(b):
        a, b = b, a
    if len(a) - len(b) > 1:
        return False
    i = 0
    while i < len(b) and a[i] == b[i]:
        i += 1
    if i == len(b):
        return True  # equal, or a has one letter more at the end
    if len(a) > len(b):
        return a[i + 1 :] == b[i:]  # a letter dropped
    # Same length: one letter changed, or two neighbours swapped.
    return a[i + 1 :] == b[i + 1 :] or (
        a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    )


def neighbours(reader, state: VersionState | None) -> Neighbours | None:
    """The version's Neighbours, built on first use (None without a version's state)."""
    if state is None:
        return None
    return state.neighbours.get(lambda: Neighbours(reader))


def _doc_frequency(reader, near: Neighbours | None, word: str) -> int:
    if near is not None:
        return near.df.get(word, 0)
    return reader.doc_frequency(SPELL_FIELD, word)


def _best_neighbour(reader, word: str, maxdist: int, near: Neighbours | None = None) -> str | None:
    if maxdist == 1 and near is not None:
        within = near.within_one(word)
    else:
        within = reader.terms_within(SPELL_FIELD, word, maxdist, prefix=1)
    candidates = [w for w in within if w != word]
    if not candidates:
        return None
    return max(candidates, key=lambda w: (_doc_frequency(reader, near, w), w))


def suggest(
    reader, schema, q: str, few_results: bool, state: VersionState | None = None
) -> Suggestion | None:
    """A corrected query when a word is unknown (or rare while results are few), else None.

    With the version's state, words one edit away come from its Neighbours.
    """
    if SPELL_FIELD not in schema:
        return None
    near = neighbours(reader, state)
    out: list[str] = []
    changed = False
    one_edit = True
    for lex in LEXEME.findall(q):
        word = lex.lower()
        if not is_plain_word(lex) or len(word) < 3 or not word.isalpha():
            out.append(lex)
            continue
        replacement = None
        known = (
            near.known(reader, schema, word, state)
            if near is not None
            else _known(reader, schema, word)
        )
        if not known:
            replacement = _best_neighbour(reader, word, 1, near)
            if replacement is None:
                replacement = _best_neighbour(reader, word, 2)
                one_edit = one_edit and replacement is None
        elif few_results and _doc_frequency(reader, near, word) <= RARE_DOCS:
            near_word = _best_neighbour(reader, word, 1, near)
            if near_word and _doc_frequency(reader, near, near_word) >= COMMONER * max(
                1, _doc_frequency(reader, near, word)
            ):
                replacement = near_word
        if replacement:
            changed = True
            out.append(replacement)
        else:
            out.append(lex)
    return Suggestion(" ".join(out), one_edit) if changed else None

""" "Did you mean": corrections for unknown or rare words, from the index's own lexicon."""

from __future__ import annotations

from dataclasses import dataclass

from .query import _LEXEME, _is_plain

SPELL_FIELD = "spell"
# A rare word is worth a suggestion when a neighbour one edit away is this many times commoner.
RARE_DOCS = 2
COMMONER = 10


@dataclass
class Suggestion:
    """A corrected query, and whether every correction is a single edit."""

    text: str
    one_edit: bool


def _known(reader, schema, word: str) -> bool:
    # Known when the analysed form is in the text (stemming and folding make "MARACs" known).
    terms = [t.text for t in schema["text"].analyzer(word, mode="query")]
    return not terms or all(reader.doc_frequency("text", t) > 0 for t in terms)


def _best_neighbour(reader, word: str, maxdist: int) -> str | None:
    candidates = [w for w in reader.terms_within(SPELL_FIELD, word, maxdist, prefix=1) if w != word]
    if not candidates:
        return None
    return max(candidates, key=lambda w: (reader.doc_frequency(SPELL_FIELD, w), w))


def suggest(reader, schema, q: str, few_results: bool) -> Suggestion | None:
    """A corrected query when a word is unknown (or rare while results are few), else None."""
    if SPELL_FIELD not in schema:
        return None
    out: list[str] = []
    changed = False
    one_edit = True
    for lex in _LEXEME.findall(q):
        word = lex.lower()
        if not _is_plain(lex) or len(word) < 3 or not word.isalpha():
            out.append(lex)
            continue
        replacement = None
        if not _known(reader, schema, word):
            replacement = _best_neighbour(reader, word, 1)
            if replacement is None:
                replacement = _best_neighbour(reader, word, 2)
                one_edit = one_edit and replacement is None
        elif few_results and reader.doc_frequency(SPELL_FIELD, word) <= RARE_DOCS:
            near = _best_neighbour(reader, word, 1)
            if near and reader.doc_frequency(SPELL_FIELD, near) >= COMMONER * max(
                1, reader.doc_frequency(SPELL_FIELD, word)
            ):
                replacement = near
        if replacement:
            changed = True
            out.append(replacement)
        else:
            out.append(lex)
    return Suggestion(" ".join(out), one_edit) if changed else None

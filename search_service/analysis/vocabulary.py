"""Curated DHR vocabulary: groups of equivalent terms (acronyms, expansions, old and new names).

Applied at query time: the query builder asks ``equivalents(term)`` and ORs every form, so a
search for either side finds both. Pure Python, no Whoosh. The groups live in
``data/vocabulary.csv`` (one group per row, forms separated by "|"); see docs/vocabulary.md.
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from importlib import resources

from search_service.analysis.filters import compound_table, fold_spelling


def normalise_phrase(phrase: str) -> str:
    """A matching key: case, apostrophes, hyphens, '&', compounds and spelling folded."""
    text = phrase.lower().replace("\u2019", "'").replace("\u2018", "'").replace("'", "")
    # "&" reads as "and", so "A&E" == "a and e" and "Accident & Emergency" == "... and ...".
    text = re.sub(r"[^\w&]+", " ", text.replace("&", " and "))
    words = []
    for word in text.split():
        # "multiagency" -> "multi agency" so it meets "multi-agency" and "multi agency".
        words.extend(compound_table().get(word, (word,)))
    return " ".join(fold_spelling(w) for w in words)


@lru_cache(maxsize=1)
def groups() -> list[list[str]]:
    """Every group of equivalent forms, as written in ``data/vocabulary.csv``."""
    text = resources.files("search_service").joinpath("data/vocabulary.csv").read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    result = []
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        forms = [f.strip() for f in row["forms"].split("|") if f.strip()]
        if len(forms) > 1:
            result.append(forms)
    return result


@lru_cache(maxsize=1)
def _index() -> dict[str, list[int]]:
    """Matching key -> indexes of the groups holding a form with that key."""
    index: dict[str, list[int]] = {}
    for i, forms in enumerate(groups()):
        for form in forms:
            index.setdefault(normalise_phrase(form), []).append(i)
    return index


def _candidate_keys(key: str) -> list[str]:
    """The key itself, then singular/plural forms of its last word ("MARACs", "GPs")."""
    keys = [key]
    if key.endswith("es"):
        keys.append(key[:-2])
    if key.endswith("s") and len(key) > 2:
        keys.append(key[:-1])
    keys.append(key + "s")
    return keys


def equivalents(phrase: str) -> list[str]:
    """Every surface form equivalent to ``phrase``, its own group included; else [phrase]."""
    index = _index()
    for key in _candidate_keys(normalise_phrase(phrase)):
        if key in index:
            forms: dict[str, None] = {}
            for i in index[key]:
                forms.update(dict.fromkeys(groups()[i]))
            return list(forms)
    return [phrase]

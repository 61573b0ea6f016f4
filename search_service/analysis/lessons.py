"""Recurring lessons: recommendations of different reviews that ask for the same thing.

A recommendation becomes a set of *lesson terms*: the index's analysed terms
(``filters.text_analyzer``: spelling, word forms and stop words fold), less place names and
the boilerplate of recommendations ("ensures", "should"), with agencies folded to an agency
type (``@police``, ``@gp`` ...) and a few synonyms folded to a concept (``~ask`` for *ask*,
*enquire*, *routine enquiry*; ``~assess`` for *assessment*, *checklist*). Two recommendations
are the same lesson when the weighted cosine of their term sets reaches ``THRESHOLD`` and
neither the agency types nor the asks (``~ask``, ``~record``, ``~train`` ...) of the two
are disjoint: "GPs should ask about domestic abuse" and "GPs should record domestic abuse
disclosures" share their agency but not their ask. Groups are the connected components of
that relation over recommendations of *different* reviews; a group's id is its smallest
rec_id. Weights are fixed (no corpus statistics), so adding reviews never changes whether two
recommendations are the same lesson. See docs/search.md, "Recurring lessons".
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

from search_service.analysis.filters import text_analyzer
from search_service.analysis.lesson_words import (
    ABBREVIATION_PATTERN,
    ABBREVIATIONS,
    AGENCY_PAIRS,
    AGENCY_TERMS,
    AGENCY_WEIGHT,
    ASK_WEIGHT,
    ASKS,
    BOILERPLATE,
    CONCEPT_WEIGHT,
    CONCEPTS,
    WEIGHTS,
    WORD_PATTERN,
)

THRESHOLD = 0.35  # weighted cosine at or above which two recommendations are one lesson
# A posting keeps at most this many members of one group: a group of thousands of near
# copies grows from a sample of its members instead of comparing every pair (see docs).
POSTING_SAMPLE = 8
# A node is compared with at most this many members of any other group, rarest shared
# terms first: the best candidates of a group come first, the rest rarely decide.
PROBE_SAMPLE = 3
# Two groups join only if their centroids reach THRESHOLD * CENTROID_FACTOR as well.
CENTROID_FACTOR = 0.8


@lru_cache(maxsize=1)
def _analyzer():
    return text_analyzer()


@lru_cache(maxsize=200_000)
def _word_terms(word: str) -> tuple[str, ...]:
    """The analysed terms of one word (query mode: a compound gives its parts)."""
    return tuple(t.text for t in _analyzer()(word, mode="query"))


@lru_cache(maxsize=1)
def place_terms() -> frozenset[str]:
    """Analysed words of CSP, region and police force names (DHRD), which say nothing asked."""
    path = resources.files("search_service").joinpath("data/dhrd/incidents.csv")
    with path.open(encoding="utf-8") as f:
        names = {n for row in csv.DictReader(f) for n in (row["csp"], row["region"])}
    names |= {"Greater Manchester", "Metropolitan", "Avon and Somerset", "Thames Valley"}
    names |= {"Essex", "Nottinghamshire", "West Yorkshire", "South Wales", "Northumbria"}
    terms = {
        t for name in names for w in WORD_PATTERN.findall(name.lower()) for t in _word_terms(w)
    }
    return frozenset(terms - set(AGENCY_TERMS) - set(CONCEPTS) - set(WEIGHTS))


def _analysed(text: str) -> list[str]:
    text = ABBREVIATION_PATTERN.sub(lambda m: ABBREVIATIONS[m.group(1)], text)
    places = place_terms()
    return [
        t
        for w in WORD_PATTERN.findall(text.lower())
        for t in _word_terms(w)
        if t not in places and t not in BOILERPLATE
    ]


def lesson_terms(text: str) -> frozenset[str]:
    """The analysed representation of a recommendation: lesson terms, agency types, concepts."""
    terms = _analysed(text)
    out: set[str] = set()
    claimed: set[int] = set()  # positions whose term went into an agency type
    for i in range(len(terms) - 1):
        agency = AGENCY_PAIRS.get((terms[i], terms[i + 1]))
        if agency:
            out.add(agency)
            claimed |= {i, i + 1}
    for i, t in enumerate(terms):
        if i in claimed:
            continue
        if t in AGENCY_TERMS:
            # "housing officers": the officers belong to housing, not the police.
            if t == "offic" and i and terms[i - 1] in ("hous", "tenanc"):
                continue
            out.add(AGENCY_TERMS[t])
        else:
            out.add(CONCEPTS.get(t, t))
    return frozenset(out)


def _weight(term: str) -> float:
    if term.startswith("@"):
        return AGENCY_WEIGHT
    if term in ASKS:
        return ASK_WEIGHT
    if term in WEIGHTS:
        return WEIGHTS[term]
    return CONCEPT_WEIGHT if term.startswith("~") else 1.0


def _norm(terms: Iterable[str]) -> float:
    return math.sqrt(sum(_weight(t) ** 2 for t in terms))


def _compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    """False when both name agency types, or both name asks, and they have none in common."""
    for kind in (lambda t: t.startswith("@"), ASKS.__contains__):
        ka, kb = {t for t in a if kind(t)}, {t for t in b if kind(t)}
        if ka and kb and ka.isdisjoint(kb):
            return False
    return True


def term_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Weighted cosine of two lesson-term sets, 0 when their agency types or asks conflict."""
    if not a or not b or not _compatible(a, b):
        return 0.0
    shared = sum(_weight(t) ** 2 for t in a & b)
    return shared / (_norm(a) * _norm(b)) if shared else 0.0


def similarity(a: str, b: str) -> float:
    """How alike two recommendations' lessons are, 0 to 1 (``THRESHOLD`` makes them one)."""
    return term_similarity(lesson_terms(a), lesson_terms(b))


def same_lesson(a: str, b: str, threshold: float = THRESHOLD) -> bool:
    """Whether two recommendations ask for the same thing (similarity >= threshold)."""
    return similarity(a, b) >= threshold


class _Groups:
    """Union-find over node numbers; a root is the smallest number of its set."""

    def __init__(self, vectors: list[dict[str, float]]):
        self.parent = list(range(len(vectors)))
        self.sums = vectors  # per root: the sum of its members' unit vectors

    def _centroids_meet(self, a: int, b: int, threshold: float) -> bool:
        va, vb = self.sums[a], self.sums[b]
        dot = sum(w * vb.get(t, 0.0) for t, w in va.items())
        na = math.sqrt(sum(w * w for w in va.values()))
        nb = math.sqrt(sum(w * w for w in vb.values()))
        return dot >= threshold * na * nb

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int, threshold: float) -> None:
        """Join the groups of i and j if their centroids are alike too (no long chains)."""
        a, b = self.find(i), self.find(j)
        if a == b or not self._centroids_meet(a, b, threshold * CENTROID_FACTOR):
            return
        keep, gone = min(a, b), max(a, b)
        self.parent[gone] = keep
        into = self.sums[keep]
        for t, w in self.sums[gone].items():
            into[t] = into.get(t, 0.0) + w
        self.sums[gone] = {}


def _prefix(terms: list[str], weights: list[float], threshold: float) -> list[str]:
    """The leading terms that must hold a shared term of any match at ``threshold``.

    Past the prefix the remaining unit-vector norm is below the threshold, so a vector
    sharing only suffix terms has a cosine below it (Cauchy-Schwarz).
    """
    total = sum(w * w for w in weights)
    rest = total
    for i, w in enumerate(weights):
        rest -= w * w
        if rest < threshold * threshold * total:
            return terms[: i + 1]
    return terms


def group_lessons(
    items: Sequence[tuple[str, str, str]], threshold: float = THRESHOLD
) -> list[list[str]]:
    """Groups of rec_ids of (rec_id, review_id, text) items that ask for the same thing.

    A group holds recommendations of at least two reviews, and two recommendations of one
    review are never linked directly. Members are sorted, groups are sorted by their id (the
    smallest rec_id), and the result does not depend on the order of ``items``.
    """
    # One node per distinct term set: copies of a wording are analysed and compared once.
    nodes: dict[frozenset[str], list[tuple[str, str]]] = {}
    analysed: dict[str, frozenset[str]] = {}
    for rec_id, review_id, text in items:
        terms = analysed.get(text)
        if terms is None:
            terms = analysed[text] = lesson_terms(text)
        nodes.setdefault(terms, []).append((rec_id, review_id))
    order = sorted(nodes, key=lambda t: min(r for r, _ in nodes[t]))
    members = [sorted(nodes[t]) for t in order]
    reviews = [frozenset(rv for _, rv in m) for m in members]
    df: dict[str, int] = {}
    for terms in order:
        for t in terms:
            df[t] = df.get(t, 0) + 1
    square = {t: _weight(t) ** 2 for t in df}
    norms = [math.sqrt(sum(square[t] for t in terms)) for terms in order]
    agencies = [frozenset(t for t in terms if t[0] == "@") for terms in order]
    asks = [terms & ASKS for terms in order]
    groups = _Groups(
        [{t: _weight(t) / n for t in terms} for terms, n in zip(order, norms, strict=True)]
    )
    postings: dict[str, list[int]] = {}
    sampled: dict[tuple[str, int], int] = {}  # (term, group root): members in the posting
    find = groups.find
    for i, terms in enumerate(order):
        # Rarest terms first (ties by term), so prefixes, and their postings, are short.
        ranked = sorted(terms, key=lambda t: (df[t], t))
        single = reviews[i] if len(reviews[i]) == 1 else None
        seen: set[int] = set()
        tried: dict[int, int] = {}  # other group root: its members compared with this node
        for t in ranked:
            for j in postings.get(t, ()):
                if j in seen:
                    continue
                seen.add(j)
                root_j = find(j)
                if root_j == find(i) or reviews[j] == single:
                    continue  # one review's recommendations alone are never a reason
                if tried.get(root_j, 0) >= PROBE_SAMPLE:
                    continue
                tried[root_j] = tried.get(root_j, 0) + 1
                if agencies[i] and agencies[j] and agencies[i].isdisjoint(agencies[j]):
                    continue
                if asks[i] and asks[j] and asks[i].isdisjoint(asks[j]):
                    continue
                shared = sum(square[x] for x in terms & order[j])
                if shared >= threshold * norms[i] * norms[j]:
                    groups.union(i, j, threshold)
        root = find(i)
        for t in _prefix(ranked, [_weight(x) for x in ranked], threshold):
            if sampled.get((t, root), 0) < POSTING_SAMPLE:
                sampled[(t, root)] = sampled.get((t, root), 0) + 1
                postings.setdefault(t, []).append(i)
    by_root: dict[int, list[int]] = {}
    for i in range(len(order)):
        by_root.setdefault(groups.find(i), []).append(i)
    result = []
    for nodes_of_group in by_root.values():
        if len(nodes_of_group) == 1 and len(reviews[nodes_of_group[0]]) < 2:
            continue
        result.append(sorted(r for i in nodes_of_group for r, _ in members[i]))
    return sorted(result)


def representative(texts: Sequence[str], ids: Sequence[str] | None = None) -> str:
    """The wording of a group closest to its centroid (cosine); ties go to the smallest id."""
    if not texts:
        raise ValueError("representative() needs at least one text")
    keys = list(ids) if ids is not None else [f"{i:09d}" for i in range(len(texts))]
    sets = [lesson_terms(t) for t in texts]
    centroid: dict[str, float] = {}
    for terms in sets:
        n = _norm(terms) or 1.0
        for t in terms:
            centroid[t] = centroid.get(t, 0.0) + _weight(t) / n

    def closeness(k: int) -> float:
        n = _norm(sets[k]) or 1.0
        return sum(_weight(t) * centroid[t] for t in sets[k]) / n

    best = min(range(len(texts)), key=lambda k: (-round(closeness(k), 9), keys[k]))
    return texts[best]


def read_judged(path: Path) -> list[tuple[str, str, str, bool]]:
    """The judged pairs of a CSV file (id, text_a, text_b, same, note) as (id, a, b, same)."""
    with open(path, encoding="utf-8", newline="") as f:
        return [
            (r["id"], r["text_a"], r["text_b"], r["same"].strip() == "1") for r in csv.DictReader(f)
        ]


def _figures(predicted: Iterable[bool], judged: Iterable[bool]) -> dict:
    tp = fp = fn = 0
    for p, j in zip(predicted, judged, strict=True):
        tp += p and j
        fp += p and not j
        fn += j and not p
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
    }


def score(rows: Sequence[tuple[str, str, str, bool]], threshold: float = THRESHOLD) -> dict:
    """Pair precision and recall of ``same_lesson`` and of ``group_lessons`` on judged pairs.

    For groups, every distinct text of the set is one recommendation of its own review, all
    are grouped together, and a pair is predicted same when both texts share a group.
    """
    judged = [same for *_, same in rows]
    pairs = _figures((same_lesson(a, b, threshold) for _, a, b, _ in rows), judged)
    texts = sorted({t for _, a, b, _ in rows for t in (a, b)})
    key = {t: f"t{i:04d}" for i, t in enumerate(texts)}
    group_of = {}
    for group in group_lessons([(key[t], key[t], t) for t in texts], threshold):
        for rec_id in group:
            group_of[rec_id] = group[0]
    together = (
        key[a] in group_of and group_of.get(key[a]) == group_of.get(key[b]) for _, a, b, _ in rows
    )
    errors = [
        {"id": id_, "same": same, "similarity": round(similarity(a, b), 3)}
        for id_, a, b, same in rows
        if same_lesson(a, b, threshold) != same
    ]
    return {
        "threshold": threshold,
        "pairs": pairs,
        "groups": _figures(together, judged),
        "errors": errors,
    }

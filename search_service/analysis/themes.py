"""Themes of recommendations: rules over analysed terms (``data/themes.csv``) assign themes.

A rule is a phrase of analysed terms, or several phrases that must all occur in the text.
Rule phrases and the recommendation go through the same analyzer as the index
(``filters.text_analyzer``), so spelling, word forms, apostrophes and compounds fold alike:
the rule ``risk assess`` matches "risk assessment", "risk-assessments" and "Risk Assessing".
A phrase matches consecutive analysed terms (stop words take no position, so ``housing of
records`` and ``housing records`` are the same phrase). A ``mask`` rule marks where a
look-alike occurs ("multi-agency training" is training, not multi-agency working); a match
rule of the same theme does not count terms inside a masked span. See docs/search.md.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from search_service.analysis.filters import text_analyzer

# Ordered as DHR thematic analyses usually list them; ids are stable, labels are for people.
THEMES: tuple[tuple[str, str], ...] = (
    ("risk-assessment", "Risk assessment and management"),
    ("information-sharing", "Information sharing"),
    ("multi-agency", "MARAC and multi-agency working"),
    ("training", "Training and awareness"),
    ("professional-curiosity", "Professional curiosity"),
    ("coercive-control", "Coercive control"),
    ("policy-procedure", "Domestic abuse policy and procedure"),
    ("substance-misuse", "Substance misuse"),
    ("mental-health", "Mental health"),
    ("housing", "Housing"),
    ("children", "Children and young people"),
    ("older-people", "Older people"),
    ("stalking", "Stalking and harassment"),
    ("economic-abuse", "Economic abuse"),
    ("culture-faith-honour", "Culture, faith and honour-based abuse"),
    ("disability-carers", "Disability and carers"),
    ("health", "Health and GP practice"),
    ("criminal-justice", "Criminal justice and offender management"),
    ("communication", "Interpreters and communication"),
    ("family-friends-employers", "Engagement with family, friends and employers"),
    ("record-keeping", "Record keeping"),
    ("commissioning", "Commissioning and services"),
)
LABELS: dict[str, str] = dict(THEMES)
RULES_FILE = "data/themes.csv"
KINDS = ("match", "mask")


@dataclass(frozen=True)
class Rule:
    """One alternative of a rules-file row: phrases (analysed terms) that must all occur."""

    theme: str
    kind: str
    phrases: tuple[tuple[str, ...], ...]
    source: str


@lru_cache(maxsize=1)
def _analyzer():
    return text_analyzer()


def analyse_phrase(phrase: str) -> tuple[str, ...]:
    """A rule phrase as the query parser would see it: the analysed terms in order."""
    # Query mode, as for a search phrase: a hyphenated word becomes its parts, which the
    # indexed text carries at successive positions whichever way the compound is written.
    return tuple(t.text for t in _analyzer()(phrase, mode="query"))


def parse_rules(text: str) -> tuple[Rule, ...]:
    """Rules from the text of a rules file (columns theme, kind, pattern, note)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    rules = []
    for row in csv.DictReader(lines):
        theme, kind = row["theme"].strip(), row["kind"].strip()
        if theme not in LABELS:
            raise ValueError(f"themes.csv: unknown theme {theme!r}")
        if kind not in KINDS:
            raise ValueError(f"themes.csv: kind must be one of {KINDS}, not {kind!r}")
        for alternative in row["pattern"].split("|"):
            phrases = tuple(analyse_phrase(p) for p in alternative.split("+"))
            if not alternative.strip() or not all(phrases):
                raise ValueError(f"themes.csv: {alternative!r} has a part with no terms")
            if kind == "mask" and len(phrases) > 1:
                raise ValueError(f"themes.csv: a mask is one phrase, not {alternative!r}")
            rules.append(Rule(theme, kind, phrases, alternative.strip()))
    return tuple(rules)


@lru_cache(maxsize=1)
def load_rules() -> tuple[Rule, ...]:
    """The shipped rules of ``data/themes.csv`` (cached)."""
    return parse_rules(resources.files("search_service").joinpath(RULES_FILE).read_text("utf-8"))


def _by_theme(rules: Sequence[Rule]) -> dict[str, tuple[list[Rule], list[Rule]]]:
    """{theme: (match rules, mask rules)} in THEMES order."""
    table: dict[str, tuple[list[Rule], list[Rule]]] = {t: ([], []) for t in LABELS}
    for rule in rules:
        table[rule.theme][KINDS.index(rule.kind)].append(rule)
    return table


@lru_cache(maxsize=1)
def _shipped_by_theme() -> dict[str, tuple[list[Rule], list[Rule]]]:
    return _by_theme(load_rules())


class _Text:
    """A text's analysed terms by position, and each term's positions (for phrase starts)."""

    __slots__ = ("at", "where")

    def __init__(self, text: str):
        # A compound puts several terms at one position.
        self.at: dict[int, set[str]] = {}
        self.where: dict[str, list[int]] = {}
        for t in _analyzer()(text, positions=True):
            self.at.setdefault(t.pos, set()).add(t.text)
            self.where.setdefault(t.text, []).append(t.pos)


def _spans(text: _Text, phrase: tuple[str, ...]) -> list[range]:
    """Position ranges where the phrase's terms occur consecutively."""
    # Only where its first term is: a rule's phrase is tried against a few positions, not
    # every position of the text (several hundred rules a recommendation, at index time).
    starts = text.where.get(phrase[0])
    if not starts:
        return []
    n, at = len(phrase), text.at
    return [
        range(p, p + n) for p in starts if all(phrase[i] in at.get(p + i, ()) for i in range(1, n))
    ]


def matching_rules(text: str, rules: Sequence[Rule] | None = None) -> dict[str, list[Rule]]:
    """{theme id: the match rules that fired}, in THEMES order; the shipped rules by default."""
    at = _Text(text)
    found: dict[str, list[Rule]] = {}
    table = _shipped_by_theme() if rules is None else _by_theme(rules)
    terms = at.where.keys()
    # A rule can fire only when every phrase's first term is in the text: of about 500
    # rules, those keyed by one of the text's terms are tried, the rest never looked at.
    keyed = _shipped_keyed() if rules is None else _keyed(table)
    reached = {id(r) for t in terms for r in keyed.get(t, ()) if _firsts(r) <= terms}
    for theme, (matches, masks) in table.items():
        candidates = [r for r in matches if id(r) in reached]
        if not candidates:
            continue
        masked = {p for m in masks for span in _spans(at, m.phrases[0]) for p in span}
        for rule in candidates:
            if all(
                any(masked.isdisjoint(span) for span in _spans(at, phrase))
                for phrase in rule.phrases
            ):
                found.setdefault(theme, []).append(rule)
    return found


@lru_cache(maxsize=4096)
def _firsts(rule: Rule) -> frozenset[str]:
    return frozenset(phrase[0] for phrase in rule.phrases)


def _keyed(table: dict[str, tuple[list[Rule], list[Rule]]]) -> dict[str, list[Rule]]:
    """{term: the match rules whose first phrase starts with it}."""
    index: dict[str, list[Rule]] = {}
    for matches, _ in table.values():
        for rule in matches:
            index.setdefault(rule.phrases[0][0], []).append(rule)
    return index


@lru_cache(maxsize=1)
def _shipped_keyed() -> dict[str, list[Rule]]:
    return _keyed(_shipped_by_theme())


def themes_for(text: str, rules: Sequence[Rule] | None = None) -> list[str]:
    """Theme ids of a recommendation, in THEMES order (labels are ``LABELS[id]``)."""
    return list(matching_rules(text, rules))


def unmatched(texts: Iterable[str]) -> list[str]:
    """The texts that no rule gives a theme: where the rules file may need to grow."""
    return [t for t in texts if not matching_rules(t)]


# ---- evaluation on a judged set ------------------------------------------------------------


def read_judged(path: Path) -> list[tuple[str, str, frozenset[str]]]:
    """(id, text, theme ids) rows of a judged CSV (columns id, text, themes joined by ';')."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = [
            (r["id"], r["text"], frozenset(t.strip() for t in r["themes"].split(";") if t.strip()))
            for r in csv.DictReader(f)
        ]
    unknown = {t for _, _, themes in rows for t in themes} - LABELS.keys()
    if unknown:
        raise ValueError(f"{path.name}: unknown themes {sorted(unknown)}")
    return rows


def _figures(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    # Nothing predicted (or nothing to find) counts as perfect, so an empty theme is not a zero.
    return {
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def score(judged: Iterable[tuple[str, str, frozenset[str]]]) -> dict:
    """Per-theme and micro-averaged precision and recall of ``themes_for`` on judged rows."""
    counts = {t: [0, 0, 0] for t in LABELS}
    errors = []
    for id_, text, truth in judged:
        found = set(themes_for(text))
        for t in found & truth:
            counts[t][0] += 1
        for t in found - truth:
            counts[t][1] += 1
        for t in truth - found:
            counts[t][2] += 1
        if found != truth:
            errors.append(
                {"id": id_, "extra": sorted(found - truth), "missed": sorted(truth - found)}
            )
    overall = [sum(c[i] for c in counts.values()) for i in range(3)]
    return {
        "overall": _figures(*overall),
        "themes": {t: _figures(*c) for t, c in counts.items()},
        "errors": errors,
    }

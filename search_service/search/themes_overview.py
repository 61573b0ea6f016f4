"""Each theme's place in the library, for /themes: its recommendations, reviews, sectors, years."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from search_service.analysis.themes import THEMES
from search_service.index.reader import IndexHandle
from search_service.search.facets import FacetTable, facet_table


@dataclass(frozen=True)
class ThemeSummary:
    """One theme's counts over an index version (recommendations only carry themes)."""

    id: str
    label: str
    recommendations: int
    reviews: int
    sectors: tuple[tuple[str, int], ...]  # most recommendations first
    years: tuple[tuple[int, int], ...]  # (year published, recommendations), in year order


def theme_summaries(table: FacetTable) -> list[ThemeSummary]:
    """Every theme of the rules file, in its order, with its counts (zero when unused)."""
    recs: Counter[str] = Counter()
    reviews: dict[str, set[str]] = defaultdict(set)
    sectors: dict[str, Counter[str]] = defaultdict(Counter)
    years: dict[str, Counter[int]] = defaultdict(Counter)
    themes_of, sectors_of = table.values["theme"], table.values["sector"]
    for d in table.live:
        themes = themes_of[d]
        if not themes or not table.is_rec[d]:
            continue
        year = table.year(d, "published")
        for theme in themes:
            recs[theme] += 1
            reviews[theme].add(table.review_id[d])
            sectors[theme].update(sectors_of[d])
            if year is not None:
                years[theme][year] += 1
    return [
        ThemeSummary(
            id=theme,
            label=label,
            recommendations=recs[theme],
            reviews=len(reviews[theme]),
            sectors=tuple(sorted(sectors[theme].items(), key=lambda kv: (-kv[1], kv[0]))),
            years=tuple(sorted(years[theme].items())),
        )
        for theme, label in THEMES
    ]


def theme_overview(handle: IndexHandle) -> list[ThemeSummary]:
    """Every theme's counts over the live index version, computed once per version."""
    state, searcher = handle.state, handle.searcher()
    return state.themes.get(lambda: theme_summaries(facet_table(state, searcher)))


def unthemed(handle: IndexHandle) -> list[dict]:
    """Stored fields of every recommendation no theme rule matched, by review and number."""
    table = facet_table(handle.state, handle.searcher())
    docs = [d for d in table.live if table.is_rec[d] and not table.values["theme"][d]]
    return [handle.stored_fields(d) for d in docs]

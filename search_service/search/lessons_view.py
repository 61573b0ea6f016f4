"""Recurring lessons over an index version: which recommendations ask for the same thing.

analysis/lessons.py groups the version's recommendations once, when the version is warmed
(search/warm.py), from their stored text; every later index version (a full build or an
`--update`) is grouped afresh, so groups follow the corpus. A group's id is its smallest
recommendation id ("review:number"), stable while that recommendation stays.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from search_service.analysis.lessons import group_lessons, representative
from search_service.index.reader import IndexHandle
from search_service.links import review_url
from search_service.search.facets import FacetTable, facet_table
from search_service.search.request import SearchRequest


@dataclass
class LessonIndex:
    """An index version's lesson groups: docnums by group, and each recommendation's group."""

    groups: dict[str, list[int]] = field(default_factory=dict)  # group id -> docnums
    group_of: dict[int, str] = field(default_factory=dict)  # docnum -> group id
    # group id -> (how many reviews it spans, its first year published): said on every
    # member, so counted once per group, not once per member (a group may hold thousands).
    spans: dict[str, tuple[int, int | None]] = field(default_factory=dict)


def _rec_id(stored: dict) -> str:
    return f"{stored.get('review_id', '')}:{stored.get('number', '')}"


# A review's first this many recommendations take part (the corpus limit for one review,
# corpus/limits.py): an index built around that limit must not make the grouping, which
# runs beside searches in the warm-up thread, take seconds over one review's thousands.
PER_REVIEW = 500


def build_lessons(searcher, table: FacetTable) -> LessonIndex:
    """Group the version's recommendations (read from the stored fields)."""
    items, docnum = [], {}
    taken: Counter[str] = Counter()
    for d in table.live:
        if table.is_rec[d] and taken[table.review_id[d]] < PER_REVIEW:
            taken[table.review_id[d]] += 1
            if len(items) % 256 == 0:
                time.sleep(0)  # the warm-up thread lets searches in between reads
            stored = searcher.stored_fields(d)
            rec_id = _rec_id(stored)
            docnum[rec_id] = d
            items.append((rec_id, stored.get("review_id", ""), stored.get("text", "")))
    lessons = LessonIndex()
    for members in group_lessons(items):
        gid = members[0]
        docs = [docnum[m] for m in members]
        lessons.groups[gid] = docs
        for d in docs:
            lessons.group_of[d] = gid
        years = [y for d in docs if (y := table.year(d, "published")) is not None]
        lessons.spans[gid] = (len({table.review_id[d] for d in docs}), min(years, default=None))
    return lessons


def lessons_of(handle: IndexHandle) -> tuple[LessonIndex, FacetTable]:
    """The live version's lessons (built once per version, normally by the warm-up)."""
    state, searcher = handle.state, handle.searcher()
    table = facet_table(state, searcher)
    return state.lessons.get(lambda: build_lessons(searcher, table)), table


def attach_notes(handle: IndexHandle, hits: list[dict], docnums: list[int], wait: bool) -> None:
    """Give each recommendation hit its lesson note; without wait, only once grouped."""
    state = handle.state
    if not wait and state.lessons.value is None:
        return  # grouping is the warm-up's last step: a search does not wait for it
    lessons, table = lessons_of(handle)
    for hit, d in zip(hits, docnums, strict=True):
        if hit.get("type") == "recommendation":
            hit["lesson"] = lesson_note(lessons, table, d)


def lesson_note(lessons: LessonIndex, table: FacetTable, docnum: int) -> dict | None:
    """ "Also recommended in N other reviews (first in YEAR)" for one recommendation, or None."""
    gid = lessons.group_of.get(docnum)
    if gid is None:
        return None
    reviews, first_year = lessons.spans[gid]
    return {
        "group": gid,
        "other_reviews": reviews - 1,  # its own review is one of them
        "first_year": first_year,
        "url": f"/lessons/{gid}",
    }


def _group_dict(handle: IndexHandle, table: FacetTable, gid: str, docnums: list[int]) -> dict:
    reviews = {table.review_id[d] for d in docnums}
    years = Counter(y for d in docnums if (y := table.year(d, "published")) is not None)
    sectors = Counter(s for d in docnums for s in table.values["sector"][d])
    regions = Counter(r for d in docnums for r in table.values["region"][d])
    members = []
    for d in sorted(docnums, key=lambda d: (-(table.published[d] or 0), table.review_id[d])):
        stored = handle.stored_fields(d)
        members.append(
            {
                "review_id": stored.get("review_id", ""),
                "number": stored.get("number"),
                "title": stored.get("title", ""),
                "csp": stored.get("csp", ""),
                "published_year": stored.get("published_year"),
                "text": stored.get("text", ""),
                "addressees": list(stored.get("addressees") or []),
                "review_url": review_url(stored.get("review_id", ""), stored.get("number")),
            }
        )
    return {
        "id": gid,
        "reviews": len(reviews),
        "recommendations": len(docnums),
        "representative": representative(
            [m["text"] for m in members], [f"{m['review_id']}:{m['number']}" for m in members]
        ),
        "first_year": min(years) if years else None,
        "years": [{"year": y, "recommendations": n} for y, n in sorted(years.items())],
        "sectors": [{"sector": s, "recommendations": n} for s, n in sectors.most_common()],
        "regions": [{"region": r, "recommendations": n} for r, n in regions.most_common()],
        "members": members,
        "url": f"/lessons/{gid}",
    }


def list_lessons(handle: IndexHandle, req: SearchRequest, limit: int = 50) -> dict:
    """Groups most often repeated (by reviews), their members narrowed by req's filters."""
    from search_service.search.facets import filter_test

    lessons, table = lessons_of(handle)
    keep = filter_test(table, req)
    rows = []
    for gid, docnums in lessons.groups.items():
        chosen = docnums if keep is None else [d for d in docnums if keep(d)]
        if len({table.review_id[d] for d in chosen}) >= 2:
            rows.append((gid, chosen))
    rows.sort(key=lambda r: (-len({table.review_id[d] for d in r[1]}), -len(r[1]), r[0]))
    return {
        "total": len(rows),
        "lessons": [_group_dict(handle, table, gid, chosen) for gid, chosen in rows[:limit]],
    }


def get_lesson(handle: IndexHandle, gid: str) -> dict | None:
    """One group with every member, or None."""
    lessons, table = lessons_of(handle)
    docnums = lessons.groups.get(gid)
    return None if docnums is None else _group_dict(handle, table, gid, docnums)

"""Recurring lessons: the analysed representation, same_lesson, grouping and the judged figures."""

import json
import random
from pathlib import Path

import pytest

from search_service.analysis.lessons import (
    THRESHOLD,
    group_lessons,
    lesson_terms,
    read_judged,
    representative,
    same_lesson,
    score,
    similarity,
)

JUDGED = Path(__file__).parent / "fixtures" / "judged"
DASH = [
    "That Greater Manchester Police ensures officers complete a DASH risk assessment at every "
    "domestic abuse incident.",
    "Officers attending domestic incidents should always complete the DASH risk checklist.",
    "That West Midlands Police ensures officers complete a DASH risk assessment at every "
    "domestic abuse incident.",
]


@pytest.fixture(scope="module")
def result():
    return score(read_judged(JUDGED / "lesson_pairs.csv"))


def test_judged_set_is_big_enough_and_labelled_both_ways():
    rows = read_judged(JUDGED / "lesson_pairs.csv")
    assert len(rows) >= 200
    assert 80 <= sum(same for *_, same in rows) <= len(rows) - 80


def test_figures_do_not_fall_below_the_baseline(result):
    baseline = json.loads((JUDGED / "lessons_baseline.json").read_text(encoding="utf-8"))
    assert result["threshold"] == baseline["threshold"] == THRESHOLD
    for kind in ("pairs", "groups"):
        for measure in ("precision", "recall"):
            assert result[kind][measure] >= baseline[kind][measure], (kind, measure)


def test_pair_goal_precision_090_at_recall_080(result):
    assert result["pairs"]["recall"] >= 0.8
    assert result["pairs"]["precision"] >= 0.9


def test_lesson_terms_fold_places_agencies_and_synonyms():
    a, b = lesson_terms(DASH[0]), lesson_terms(DASH[2])
    assert a == b  # only the force differs
    assert {"@police", "~assess", "~dash", "~incident"} <= a
    assert "manchest" not in a and "ensur" not in a
    assert "~assess" in lesson_terms("complete the DASH risk checklist")


def test_same_ask_in_different_words_is_one_lesson():
    assert same_lesson(DASH[0], DASH[1])
    assert similarity(DASH[0], DASH[2]) == pytest.approx(1.0)


def test_shared_words_with_a_different_ask_or_agency_are_not():
    assert not same_lesson(
        "GPs should ask about domestic abuse.", "GPs should record domestic abuse disclosures."
    )
    assert not same_lesson(
        "Training on coercive control for police officers.",
        "Training on coercive control for housing staff.",
    )


def test_groups_need_two_reviews_and_ignore_copies_within_one_review():
    items = [
        ("r1:1", "r1", DASH[0]),
        ("r1:2", "r1", DASH[2]),  # same lesson, same review: no group on its own
        ("r2:4", "r2", "GPs should record domestic abuse disclosures."),
    ]
    assert group_lessons(items) == []
    items.append(("r3:1", "r3", DASH[1]))
    assert group_lessons(items) == [["r1:1", "r1:2", "r3:1"]]


def test_grouping_is_deterministic_and_independent_of_order():
    rows = read_judged(JUDGED / "lesson_pairs.csv")
    texts = sorted({t for _, a, b, _ in rows for t in (a, b)})
    items = [(f"rec{i:03d}", f"review{i % 40}", t) for i, t in enumerate(texts)]
    groups = group_lessons(items)
    shuffled = items[:]
    random.Random(3).shuffle(shuffled)
    assert group_lessons(shuffled) == groups == group_lessons(items)
    review = {rec_id: rv for rec_id, rv, _ in items}
    for group in groups:
        assert group == sorted(group)
        assert len({review[r] for r in group}) >= 2
    assert groups == sorted(groups)  # ordered by id, the smallest rec_id


def test_group_ids_survive_adding_an_unrelated_review():
    items = [("a:1", "a", DASH[0]), ("b:1", "b", DASH[1])]
    before = group_lessons(items)
    after = group_lessons(
        items + [("c:1", "c", "All schools to take part in Operation Encompass.")]
    )
    assert before == after == [["a:1", "b:1"]]


def test_representative_is_the_wording_nearest_the_centroid_ties_by_id():
    texts = [DASH[1], DASH[0], DASH[2]]
    assert representative(texts, ids=["x3", "x2", "x1"]) == DASH[2]
    assert representative(texts) == DASH[0]
    assert representative(["only one"]) == "only one"
    with pytest.raises(ValueError):
        representative([])

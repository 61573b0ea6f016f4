"""The top hits: highest score first, ties by lowest docnum, exactly as a full sort gives."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from search_service.search.ranking import top


def _expected(ids, scores, keep, n):
    pairs = [(s, d) for d, s in zip(ids, scores, strict=True) if keep is None or keep(d)]
    return [d for s, d in sorted(pairs, key=lambda p: (-p[0], p[1]))[:n]]


@settings(max_examples=300, deadline=None)
@given(
    size=st.integers(0, 6000),
    distinct=st.integers(1, 50),
    n=st.integers(1, 60),
    seed=st.integers(0, 2**32),
    filtered=st.booleans(),
)
def test_top_is_the_first_n_of_a_full_sort(size, distinct, n, seed, filtered):
    rng = random.Random(seed)
    # Few distinct scores: many ties, as templated texts give.
    values = [rng.random() * 10 for _ in range(distinct)]
    ids = rng.sample(range(size * 3 + 1), size)
    scores = [rng.choice(values) for _ in ids]
    keep = (lambda d: d % 3 != 0) if filtered else None
    assert top(ids, scores, keep, n) == _expected(ids, scores, keep, n)

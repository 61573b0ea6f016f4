"""What one opened index version's searches share: typed, bounded, and dropped with the version.

Everything here is derived from one version's files, and a version never changes once
published (a build or `index --update` writes a new one and switches CURRENT), so a switch
is the one event that invalidates it all: the reader starts a fresh VersionState for the
new version and drops the old one when its last searcher closes. What a new version may
take over from the previous one is said field by field (segments an update keeps have the
same id, documents and lengths).
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from search_service.config import setting

if TYPE_CHECKING:  # the builders live in search/, which reads this module
    from search_service.search.facets import FacetTable
    from search_service.search.suggest import Neighbours

T = TypeVar("T")

# Decoded postings cost ~100 bytes each (an estimate, for the cache budget).
BYTES_PER_POSTING = 100


class Once(Generic[T]):
    """A value built on first use by one thread; a thread arriving meanwhile waits for it."""

    def __init__(self) -> None:
        self.value: T | None = None
        self._lock = threading.Lock()

    def get(self, build: Callable[[], T]) -> T:
        """The value, built now by build() if no thread has built it yet."""
        value = self.value
        if value is None:
            with self._lock:
                value = self.value
                if value is None:
                    value = self.value = build()
        return value


class PostingsCache:
    """LRU of decoded postings and merged results, (segment, field, term...) -> {docnum: score},
    bounded by an estimate of its bytes ($DHR_POSTINGS_CACHE_MB, read when a version opens)."""

    def __init__(self, budget: int | None = None):
        if budget is None:
            budget = int(setting("POSTINGS_CACHE_MB") * 1024 * 1024)
        self.budget = budget
        self.used = 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The cached value, or None (and it becomes the most recently used)."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key, value: dict, extra: int = 0) -> None:
        """Keep value (extra: bytes its values hold beyond a score's), dropping the least
        recently used past the budget."""
        size = len(value) * BYTES_PER_POSTING + 200 + extra
        if size > self.budget:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, size)
            self.used += size
            while self.used > self.budget and self._items:
                _, (_old, old_size) = self._items.popitem(last=False)
                self.used -= old_size


class CompactPostings:
    """Postings decoded ahead of use: (segment, field, term) -> (ids, scores) as arrays, 12
    bytes a posting where a dict costs ~100. Filled at warm-up for the searched fields' terms,
    commonest first, within $DHR_COMPACT_POSTINGS_MB, so a term's first use builds its dict in
    C instead of decoding Whoosh's blocks in Python. Never evicted."""

    def __init__(self, budget: int | None = None):
        if budget is None:
            budget = int(setting("COMPACT_POSTINGS_MB") * 1024 * 1024)
        self.budget = budget
        self.used = 0
        self.items: dict = {}

    def get(self, key) -> dict | None:
        """docnum -> score of a kept term, as a new dict; None if not kept."""
        found = self.items.get(key)
        if found is None:
            return None
        ids, scores = found
        if scores is None:  # a field that is matched, never scored (shingles)
            return dict.fromkeys(ids, 0.0)
        return dict(zip(ids, scores, strict=True))

    @staticmethod
    def _size(postings: int, scored: bool) -> int:
        return (12 if scored else 4) * postings + 150

    def fits(self, postings: int, scored: bool = True) -> bool:
        """Whether a term of this many postings fits in what is left of the budget."""
        return self.used + self._size(postings, scored) <= self.budget

    def add(self, key, scores: dict, scored: bool = True) -> None:
        """Keep scores compactly (only the ids when not scored)."""
        values = array("d", scores.values()) if scored else None
        self.items[key] = (array("i", scores.keys()), values)
        self.used += self._size(len(scores), scored)


# Looked-up terms whose document frequency (0: absent) a version remembers outside the
# lexicons read at warm-up; emptied at this size (~150 bytes a term).
TERM_MEMO = 100_000


@dataclass
class VersionState:
    """One index version's shared, derived state (see the module docstring for invalidation)."""

    # Decoded postings and merged results of words and phrases; bounded LRU.
    postings: PostingsCache = field(default_factory=PostingsCache)
    # Postings decoded at warm-up, compactly; bounded by its budget, never evicted.
    compact: CompactPostings = field(default_factory=CompactPostings)
    # (segment id, field) -> {term: document frequency}: the searched fields' whole lexicons,
    # read at warm-up. A segment's lexicon never changes.
    lexicons: dict = field(default_factory=dict)
    # (segment id, field, term) -> document frequency, for terms outside those lexicons;
    # emptied at TERM_MEMO entries.
    term_memo: dict = field(default_factory=dict)
    # (segment id, field) -> docnum -> field length, for BM25F; a new version takes over the
    # previous one's for the segments they share (same segment id: same documents).
    lengths: dict = field(default_factory=dict)
    # Query text -> its analysed plain-words query (search/parse.py); bounded there.
    plain_words: dict = field(default_factory=dict)
    # docnum -> facet values, years and review ids (search/facets.py), built once.
    facets: Once[FacetTable] = field(default_factory=Once)
    # The previous version's table, for the first build of this one's (segments an update
    # kept are copied from it); dropped once the table is built.
    previous_facets: FacetTable | None = None
    # "Did you mean"'s words by their one-letter deletions (search/suggest.py), built once.
    neighbours: Once[Neighbours] = field(default_factory=Once)
    # Each theme's counts for /themes (search/themes_overview.py), built once.
    themes: Once[list] = field(default_factory=Once)
    # The recurring-lesson groups of its recommendations (search/lessons_view.py), built once.
    lessons: Once = field(default_factory=Once)

    def follow(self, previous: VersionState | None, segment_ids: set) -> None:
        """Take over what the previous version's state can lend this one (see each field)."""
        if previous is None:
            return
        # Keyed by segment id: the same segment has the same lengths.
        self.lengths.update((k, v) for k, v in previous.lengths.items() if k[0] in segment_ids)
        self.previous_facets = previous.facets.value or previous.previous_facets

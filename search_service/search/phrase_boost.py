"""A two-word search's phrase boost, read in report pages only as far as the page shown needs.

`domestic abuse` ranks the texts holding its words in a row above the others: Whoosh's
AndMaybe adds the phrase's score (twice the words' scores in the text) to the search's. For
that, every report page holding both words had its positions read: 20,000 pages for a common
pair, ~70% of such a search's first answer. But the boost can only raise a page's score, by
an amount known before any position is read. So a page is read only if its raised score could
reach the page of hits shown; the others keep their scores without the boost, and stay below
that page's last hit. The grouped view and the export rank every match: they read them all.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from operator import add

from search_service.search.phrases import Unread
from search_service.search.postings import OutOfTime

# Pages read first, for each hit of the page shown: enough for a pair whose best pages hold
# it in a row. Past them every page is read at once, as the whole phrase is read otherwise.
FIRST_READ = 2


@dataclass
class PhraseBoost:
    """The report pages a top-level phrase boost may raise, over every segment: where each
    one's score is in the match lists, and what it scores if its words are in a row."""

    parts: list[Unread] = field(default_factory=list)  # one a segment
    part: list[int] = field(default_factory=list)  # per page: its index in parts
    local: list[int] = field(default_factory=list)  # per page: docnum in its segment
    at: list[int] = field(default_factory=list)  # per page: index in the match lists
    raised: list[float] = field(default_factory=list)  # per page: its score with the boost
    settled: bool = False

    def add(self, unread: Unread, start: int, local: list[int], boost: float) -> list:
        """Take those of unread's pages the query matches (local, in the match lists from
        index start on); returns their scores without the boost."""
        sums = unread.sums
        if len(local) != len(sums):  # not all of them: the sums of those
            held = dict(zip(unread.docs, sums, strict=True))
            sums = list(map(held.__getitem__, local))
        lows = list(map(unread.without.__getitem__, local))
        self.part.extend([len(self.parts)] * len(local))
        self.parts.append(unread)
        self.local.extend(local)
        self.at.extend(range(start, start + len(local)))
        # AndMaybe's a + b, b the phrase boosted: the floats the whole phrase gives.
        self.raised.extend(map(add, lows, map(boost.__rmul__, sums)))
        return lows

    def demote(self, ids: list[int], listed: frozenset[int], weight: float) -> None:
        """Cut the raised scores of listing pages as service._demoted cuts their scores."""
        self.raised = [
            r * weight if ids[i] in listed else r for i, r in zip(self.at, self.raised, strict=True)
        ]

    def settle(self, ids: list[int], scores: list[float], keep, n: int | None) -> None:
        """Raise, in scores, the pages holding the phrase that the n best matches (passing
        keep, a docnum test or None) could include; all of them when n is None. Past the
        deadline it stops where it is: the result already says it is partial."""
        if self.settled or not self.at:
            return
        try:
            if n is None or not self._settle_top(ids, scores, keep, n):
                self._read_all(scores)
        except OutOfTime:
            pass

    def _settle_top(self, ids: list[int], scores: list[float], keep, n: int) -> bool:
        """Read the pages that could rank highest; True if no other one could reach the n best."""
        order = sorted(range(len(self.at)), key=self.raised.__getitem__, reverse=True)
        if keep is not None:
            order = [k for k in order if keep(ids[self.at[k]])]
        floor = _floor(ids, scores, keep, n)
        first = [k for k in order[: FIRST_READ * n] if self.raised[k] >= floor]
        if not first:
            return True
        self._read(first, scores)
        later = order[len(first) :]
        # Pages are in order of their raised scores, and a page tied with the n-th best may
        # still rank above it (ties go by docnum): read unless below.
        return not later or self.raised[later[0]] < _floor(ids, scores, keep, n)

    def _read(self, ks: list[int], scores: list[float]) -> None:
        by_part: dict[int, list[int]] = {}
        for k in sorted(ks, key=self.local.__getitem__):
            by_part.setdefault(self.part[k], []).append(k)
        for p, part_ks in by_part.items():
            confirmed = set(self.parts[p].in_a_row([self.local[k] for k in part_ks]))
            for k in part_ks:
                if self.local[k] in confirmed:
                    scores[self.at[k]] = self.raised[k]

    def _read_all(self, scores: list[float]) -> None:
        confirmed = [unread.read_all() for unread in self.parts]
        for k, (p, d) in enumerate(zip(self.part, self.local, strict=True)):
            if d in confirmed[p]:
                scores[self.at[k]] = self.raised[k]
        self.settled = True


def _floor(ids: list[int], scores: list[float], keep, n: int) -> float:
    """The n-th best score of the matches passing keep (-inf when fewer match): scores only
    rise as pages are read, so a page whose raised score is below it cannot be in the n best."""
    kept = scores if keep is None else (s for d, s in zip(ids, scores, strict=True) if keep(d))
    best = heapq.nlargest(n, kept)
    return best[-1] if len(best) == n else float("-inf")

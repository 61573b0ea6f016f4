"""Bounds on what one query may cost: wildcard expansions and wall-clock time.

A query like `a*` expands to every word starting with "a"; a time limit stops matching and
ranking early and the result says it is partial, so one query cannot occupy a server thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import islice

from whoosh import query as wq

from search_service.index.whoosh_internals import expanded_words

# Defaults; the app reads SEARCH_TIME_LIMIT and MAX_EXPANSIONS from config.py.
TIME_LIMIT = 5.0
MAX_EXPANSIONS = 500


@dataclass(frozen=True)
class Limits:
    """What one query may cost: seconds of matching (None: no limit) and words per wildcard."""

    time_limit: float | None = TIME_LIMIT
    max_expansions: int = MAX_EXPANSIONS

    @classmethod
    def from_config(cls, config) -> Limits:
        """The limits an app's (or the environment's) settings give."""
        return cls(config["SEARCH_TIME_LIMIT"] or None, config["MAX_EXPANSIONS"])


# How often (in documents) matching looks at the clock: often enough, cheaply.
CLOCK_EVERY = 256
# Query nodes that expand into many terms. NumericRange stays: its terms are trie steps.
_EXPANDING = (wq.Prefix, wq.Wildcard, wq.Regex, wq.FuzzyTerm, wq.TermRange)

PARTIAL_NOTE = "The search took too long and was stopped early: results and counts are partial."


def cap_expansions(q: wq.Query | None, reader, limit: int) -> tuple[wq.Query | None, list[str]]:
    """q with each wildcard, prefix, fuzzy or range word cut to its first `limit` expansions."""
    notes: list[str] = []

    def cap(node: wq.Query) -> wq.Query:
        if isinstance(node, _EXPANDING):
            words = list(islice(expanded_words(node, reader), limit + 1))
            if len(words) <= limit:
                return node
            notes.append(
                f"'{node}' matches more than {limit} words; only the first {limit} were searched."
            )
            terms = [wq.Term(node.fieldname, w.decode("utf-8")) for w in words[:limit]]
            return wq.Or(terms, boost=node.boost)
        return node.apply(cap)

    return (cap(q) if q is not None else None), notes


class Deadline:
    """A point in time after which a search stops and reports itself partial."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.at = time.perf_counter() + seconds if seconds else None
        self.hit = False

    def start(self) -> None:
        """Count the limit from now: waiting for the version's shared tables (a warm-up
        thread may be building them) is not the query's own work."""
        if self.seconds and not self.hit:
            self.at = time.perf_counter() + self.seconds

    def remaining(self) -> float | None:
        """Seconds left (None without a limit); at least 0."""
        return None if self.at is None else max(0.0, self.at - time.perf_counter())

    def passed(self) -> bool:
        """Whether the limit has passed (remembered, so the result can say so)."""
        if self.at is not None and time.perf_counter() >= self.at:
            self.hit = True
        return self.hit

"""The full-text half of scripts/bench.py (`--reports`): report pages in SQLite FTS5 for
Datasette, page queries, sizes on disk, one changed report made searchable, and the goals.

bench.py runs the servers and times them; this module holds what only the full-text mode
needs. It imports search_service lazily (bench.py puts the checkout on sys.path first).
"""

from __future__ import annotations

import json
import math
import os
import random
import sqlite3
import string
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Rows per Datasette answer, as the issue asks; ours answers with its default page of hits.
# Top 10 on both sides: the comparison (ours would show 20 by default).
DS_PAGE_SIZE = 10
# Datasette's table metadata for the pages database.
DATASETTE_TABLES = {"pages": {"fts_table": "pages_fts", "fts_pk": "id"}}
# What the full-text mode is for (the figures); ratios are ours / Datasette's.
LATENCY_RATIO = 0.5
THROUGHPUT_RATIO = 1.5
SIZE_RATIO = 4.0
RSS_MB = 150.0
BUILD_S = 180.0
SEARCHABLE_S = 5.0
MB = 1024 * 1024


@dataclass
class PageQuery:
    """One query over report pages: ours as a user sends it, Datasette's over the pages table."""

    kind: str
    q: str
    words: list[str] = field(default_factory=list)

    def ours(self) -> str:
        # Every hit type, facets and highlighted snippets are /api/search's defaults.
        return "/api/search?" + urllib.parse.urlencode({"q": self.q, "per_page": DS_PAGE_SIZE})

    def datasette(self) -> str:
        params = [("_search", self.q)]
        if self.kind == "phrase":
            params.append(("_search_mode", "raw"))
        params += [("_facet", "csp"), ("_size", str(DS_PAGE_SIZE))]
        return "/bench/pages.json?" + urllib.parse.urlencode(params)


# --- the same pages in SQLite -------------------------------------------------------------


def page_texts(reviews) -> list[str]:
    """Every report page's text, in the order build_pages_db stores them."""
    return [p.text for r in reviews for p in r.passages]


def build_pages_db(reviews, db_path: Path) -> int:
    """pages(review_id, page, text, csp, region, published_year) + FTS5 (porter); rows written."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.unlink(missing_ok=True)
    conn = sqlite3.connect(db_path)
    conn.executescript(
        """
        CREATE TABLE pages (
            id INTEGER PRIMARY KEY, review_id TEXT, page INTEGER, text TEXT,
            csp TEXT, region TEXT, published_year INTEGER);
        CREATE INDEX pages_csp ON pages(csp);
        CREATE VIRTUAL TABLE pages_fts USING fts5(
            text, content="pages", content_rowid="id", tokenize="porter unicode61");
        """
    )
    rows = (
        (r.id, p.page, p.text, r.csp, r.region, r.published_year)
        for r in reviews
        for p in r.passages
    )
    conn.executemany(
        "INSERT INTO pages (review_id, page, text, csp, region, published_year)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    count = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
    conn.execute("INSERT INTO pages_fts(pages_fts) VALUES ('rebuild')")
    conn.commit()
    conn.execute("VACUUM")
    conn.close()
    return count


def sqlite_size(db_path: Path) -> dict:
    """The database file's bytes, and (where SQLite has dbstat) its text and FTS5 parts."""
    out = {"file": db_path.stat().st_size, "text": None, "fts": None}
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.Error:  # built without SQLITE_ENABLE_DBSTAT_VTAB: the file size only
        return out
    finally:
        conn.close()
    out["fts"] = sum(n for name, n in rows if name.startswith("pages_fts"))
    out["text"] = sum(n for name, n in rows if not name.startswith("pages_fts"))
    return out


# --- our index on disk --------------------------------------------------------------------


def _bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def index_size(index_dir: Path, pdf_cache: str = "pdf-cache") -> dict:
    """Bytes of the version CURRENT names (what serving reads), of the whole index folder
    without the PDF extraction cache, and of the cache."""
    version = (index_dir / "CURRENT").read_text().strip()
    others = [p for p in index_dir.iterdir() if p.name != pdf_cache]
    cache = index_dir / pdf_cache
    return {
        "version": version,
        "version_bytes": _bytes(index_dir / version),
        "dir_bytes": sum(_bytes(p) for p in others),
        "cache_bytes": _bytes(cache) if cache.exists() else 0,
    }


# --- one changed report, searchable -------------------------------------------------------


def rewrite_report(corpus: Path, stem: str, seed: int, pages: int, marker: str) -> bytes:
    """Write stem's report PDF again as `demo --seed seed --report-pages pages` did, with
    marker on page 2; return the bytes it had."""
    from search_service.corpus.demo_reports import write_page_report

    path = corpus / f"{stem}.pdf"
    old = path.read_bytes()
    write_page_report(corpus / f"{stem}.txt", pages, seed, marker=marker)
    return old


def found(base: str, word: str) -> bool:
    """Whether the server at base finds word (as typed: no near spelling counts)."""
    query = urllib.parse.urlencode({"q": word, "correct": "0"})
    try:
        with urllib.request.urlopen(f"{base}/api/search?{query}", timeout=10) as resp:
            return json.loads(resp.read())["total"] > 0
    except OSError:  # a worker between versions: ask again
        return False


def time_report_update(
    corpus: Path,
    index_dir: Path,
    base: str,
    seed: int,
    pages: int,
    cli: Callable[..., subprocess.CompletedProcess],
    timeout: float = 60,
) -> dict:
    """Change one report (a new word on page 2), run `index --update`, poll the running
    server until the word is found; then put the report back and update again, untimed."""
    marker = "zqxbench" + "".join(random.choice(string.ascii_lowercase) for _ in range(6))
    reports = sorted(corpus.glob("*.pdf"))
    stem = reports[min(1, len(reports) - 1)].stem
    old = rewrite_report(corpus, stem, seed, pages, marker)
    update = [str(corpus), "--index-dir", str(index_dir), "--update"]
    try:
        started = time.perf_counter()
        proc = cli("index", *update)
        update_s = time.perf_counter() - started
        if proc.returncode:
            return {"error": proc.stderr.strip()[-300:]}
        while time.perf_counter() - started < timeout:
            if found(base, marker):
                searchable = time.perf_counter() - started
                return {"report": stem, "update_s": update_s, "searchable_s": searchable}
            time.sleep(0.05)
        return {"error": f"{marker} not searchable after {timeout:.0f} s"}
    finally:
        (corpus / f"{stem}.pdf").write_bytes(old)
        cli("index", *update)  # back in step with the corpus, so a rerun starts clean


# --- goals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """One of the issue's goals: what it asks, what this run measured, and whether it is met."""

    name: str
    measured: str
    met: bool | None  # None: not measured in this run


def _known(*values) -> bool:
    return all(v is not None and not (isinstance(v, float) and math.isnan(v)) for v in values)


def judge_goals(fig: dict) -> list[Goal]:
    """The goals for these figures: latency {class: (p50 ratio, p95 ratio)}, rps_ratio,
    errors, index_ratio, rss_max_mb, build_s, searchable_s (a missing one is not measured)."""
    goals = []
    for kind, (r50, r95) in fig.get("latency", {}).items():
        ok = r50 <= LATENCY_RATIO and r95 <= LATENCY_RATIO if _known(r50, r95) else None
        name = f"{kind} p50 and p95 <= {LATENCY_RATIO}x datasette"
        goals.append(Goal(name, f"{r50:.2f}x, {r95:.2f}x", ok))

    rps, errors = fig.get("rps_ratio"), fig.get("errors")
    name = f"throughput >= {THROUGHPUT_RATIO}x, 0 errors"
    if _known(rps, errors):
        ok = rps >= THROUGHPUT_RATIO and errors == 0
        goals.append(Goal(name, f"{rps:.2f}x, {errors}", ok))
    else:
        goals.append(Goal(name, "-", None))
    singles = [
        (f"index on disk <= {SIZE_RATIO:.0f}x SQLite", "index_ratio", SIZE_RATIO, "{:.2f}x"),
        (f"memory <= {RSS_MB:.0f} MB per serve process", "rss_max_mb", RSS_MB, "{:.0f} MB"),
        (f"full build <= {BUILD_S / 60:.0f} min", "build_s", BUILD_S, "{:.1f} s"),
        (
            f"changed report searchable <= {SEARCHABLE_S:.0f} s",
            "searchable_s",
            SEARCHABLE_S,
            "{:.2f} s",
        ),
    ]
    for name, key, limit, fmt in singles:
        value = fig.get(key)
        known = _known(value)
        goals.append(
            Goal(name, fmt.format(value) if known else "-", value <= limit if known else None)
        )
    return goals


def goal_figures(
    latency: dict, latency_errors: int, tput, sizes: dict, build: dict, mem, update
) -> dict:
    """judge_goals' figures from one run's results (the steps skipped are left out)."""
    figures = {
        "latency": latency,
        "index_ratio": sizes["version_bytes"] / sizes["sqlite"]["file"],
        "build_s": build["cold_s"],
    }
    if tput is not None:
        ours, theirs = tput["ours"], tput["datasette"]
        figures["rps_ratio"] = ours["rps"] / max(theirs["rps"], 1e-9)
        figures["errors"] = ours["errors"] + latency_errors
    if mem is not None:
        figures["rss_max_mb"] = max(rss for _, rss, _ in mem["ours"])
    if update is not None:
        # A failed update, or a report never found, is the goal missed, not unmeasured.
        figures["searchable_s"] = update.get("searchable_s", math.inf)
    return figures


def goal_lines(goals: list[Goal]) -> list[str]:
    """The goals block of the report."""
    verdict = {True: "met", False: "NOT MET", None: "not measured"}
    lines = ["goals (ratios measured in this run):"]
    lines += [f"  {g.name:<42} {g.measured:>14}  {verdict[g.met]}" for g in goals]
    met = sum(g.met is True for g in goals)
    lines.append(f"  {met} of {len(goals)} met")
    return lines


# --- report -------------------------------------------------------------------------------


def head_lines(args, meta: dict, rows: int, queries: int, datasette: str) -> list[str]:
    """What was compared: the corpus on each side, the machine and how both were asked."""
    return [
        f"DHR Search vs Datasette {datasette}, full text: {meta['reviews']} reviews, "
        f"{meta.get('passages', 0)} report pages (ours also {meta['recommendations']} "
        f"recommendations and {meta['summaries']} summaries), {rows} page rows in SQLite",
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {queries} distinct queries, "
        f"{args.rounds} round(s), interleaved; ours: serve --workers {args.workers}",
        f"ours: /api/search as users ask (every hit type, facets, highlights), top {DS_PAGE_SIZE}; "
        f"datasette: pages.json with _facet=csp, _size={DS_PAGE_SIZE}",
    ]


def _mb(n: int | None) -> str:
    return "?" if n is None else f"{n / MB:.1f} MB"


def size_lines(sizes: dict) -> list[str]:
    """Our index's size on disk beside the SQLite file's."""
    db = sizes["sqlite"]
    parts = "" if db["fts"] is None else f" (text {_mb(db['text'])}, FTS5 {_mb(db['fts'])})"
    return [
        f"size on disk: ours {_mb(sizes['version_bytes'])} (index version {sizes['version']}; "
        f"whole index folder without the PDF cache {_mb(sizes['dir_bytes'])}, "
        f"PDF cache {_mb(sizes['cache_bytes'])})",
        f"  SQLite {_mb(db['file'])}{parts}, after VACUUM; "
        f"ratio ours/SQLite {sizes['version_bytes'] / db['file']:.2f}",
    ]


def memory_lines(mem: dict) -> list[str]:
    """VmRSS of every server process after the run: {side: [(pid, rss, hwm), ...]}."""
    lines = ["memory after the run, every server process (VmRSS, peak VmHWM):"]
    for side, procs in mem.items():
        for n, (pid, rss, hwm) in enumerate(procs):
            role = "" if len(procs) == 1 else (" parent" if n == 0 else " worker")
            lines.append(f"  {side}{role} {pid}: {rss:.0f} MB (peak {hwm:.0f})")
        rss = [r for _, r, _ in procs]
        lines.append(f"  {side}: max {max(rss):.0f} MB per process, {sum(rss):.0f} MB in all")
    return lines


def build_lines(build: dict, sqlite_s: float, rows: int) -> list[str]:
    """The build split: a cold build extracts and indexes, a warm-cache one only indexes."""
    cold, warm = build["cold_s"], build["warm_s"]
    if math.isnan(cold):
        head = "build: not timed (--skip-build: the index of an earlier run)"
    else:
        head = (
            f"build: {cold:.1f} s full from scratch = extraction ~{cold - warm:.1f} s + indexing "
            f"~{warm:.1f} s (the same build with a warm PDF cache)"
        )
    return [head, f"SQLite: {rows} page rows, FTS5 rebuilt and VACUUMed in {sqlite_s:.1f} s"]


def update_lines(update: dict | None) -> list[str]:
    """One changed report: the update command and when the running server finds it."""
    if update is None:
        return ["changed report: not measured (--latency-only)"]
    if "error" in update:
        return [f"changed report: failed: {update['error']}"]
    return [
        f"changed report ({update['report']}): index --update {update['update_s']:.2f} s, "
        f"searchable by the running server after {update['searchable_s']:.2f} s"
    ]

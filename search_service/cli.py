"""Command line: `python -m search_service index|search|serve|status|agencies|demo` (thin wrappers)."""

from __future__ import annotations

import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import click

from search_service import config
from search_service.corpus.changes import Changes, changed_corpus, fingerprint
from search_service.corpus.folder import iter_corpus
from search_service.index.schema import is_compatible
from search_service.index.versions import IndexLockedError, IndexMissingError, read_meta
from search_service.index.whoosh_internals import (
    SubWriterFailed,
    UnverifiedVersionError,
    check_versions,
)
from search_service.index.writer import (
    IncompleteBuildError,
    NeedsFullBuildError,
    build_index,
    update_index,
)
from search_service.model import Skipped
from search_service.search.limits import Limits
from search_service.search.request import QueryError, SearchRequest
from search_service.search.service import open_index, run_search

# Extracted PDF text, by content hash, kept beside the index versions across rebuilds.
PDF_CACHE = "pdf-cache"

INDEX_DIR = click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Index folder (default: $DHR_INDEX_DIR or index/ in the repository).",
)


def _index_dir(value: Path | None) -> Path:
    return value or config.default_index_dir()


class Progress:
    """Progress on stderr: a rewritten line on a terminal, a line per 10% otherwise."""

    def __init__(self, label: str):
        self.label = label
        self.tty = sys.stderr.isatty()
        self.last_step = -1
        self.started = time.monotonic()

    def __call__(self, done: int, total: int, name: str) -> None:
        if self.tty:
            click.echo(f"\r{self.label} {done}/{total} {name[:50]:<50}", nl=False, err=True)
            if done == total:
                click.echo("", err=True)
            return
        step = done * 10 // max(total, 1)
        if step != self.last_step or done == total:
            self.last_step = step
            click.echo(
                f"{self.label} {done}/{total} ({time.monotonic() - self.started:.1f}s)", err=True
            )


def summary_line(reviews: int, recommendations: int, passages: int, skipped: list[Skipped]) -> str:
    """The one line an index run ends with."""
    line = f"indexed {reviews} reviews, {recommendations} recommendations"
    if passages:
        line += f", {passages} report pages"
    left_out = [s for s in skipped if not s.indexed]
    cut = [s for s in skipped if s.indexed]
    if left_out:
        reasons = "; ".join(f"{s.path} ({s.reason})" for s in left_out)
        line += f"; skipped {len(left_out)} file{'s' if len(left_out) != 1 else ''}: {reasons}"
    else:
        line += "; skipped 0 files"
    if cut:
        reasons = "; ".join(f"{s.path} ({s.reason})" for s in cut)
        line += f"; cut {len(cut)} to the limits: {reasons}"
    return line


@click.group()
def cli() -> None:
    """DHR Search: full-text search over Domestic Homicide Reviews."""


@cli.command()
@click.argument("corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@INDEX_DIR
@click.option("--wait", is_flag=True, help="Wait for another running indexer instead of failing.")
@click.option(
    "--update",
    is_flag=True,
    help="Re-read only new or changed files (by content hash) and drop reviews whose files are gone.",
)
def index(corpus_dir: Path, index_dir: Path | None, wait: bool, update: bool) -> None:
    """Build the index from CORPUS_DIR (review pages, manifest.csv) and switch to it."""
    index_dir = _index_dir(index_dir)
    started = time.monotonic()
    on_wait = _say_waiting if wait else None
    try:
        if update:
            try:
                _update(corpus_dir, index_dir, wait, on_wait, started)
                return
            except NeedsFullBuildError as exc:
                click.echo(f"{exc}: building it in full", err=True)
        _full_build(corpus_dir, index_dir, wait, on_wait, started)
    except (
        IndexLockedError,
        IndexMissingError,
        UnverifiedVersionError,
        SubWriterFailed,
        IncompleteBuildError,
    ) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        # Disk full, a read-only or missing folder: one line, and the live index is untouched.
        where = exc.filename or index_dir
        raise click.ClickException(
            f"cannot write the index: {exc.strerror or exc} ({where}); the previous index, if "
            "any, is unchanged"
        ) from None


def _say_waiting(message: str) -> None:
    click.echo(message, err=True)


def _full_build(corpus_dir: Path, index_dir: Path, wait: bool, on_wait, started: float) -> None:
    skipped: list[Skipped] = []
    synthetic = 0
    pages = 0
    # Hashed before reading: a file changed mid-build is simply re-read by the next --update.
    files = fingerprint(corpus_dir)

    def reviews():
        nonlocal synthetic, pages
        for item in iter_corpus(corpus_dir, Progress("reading"), pdf_cache=index_dir / PDF_CACHE):
            if isinstance(item, Skipped):
                skipped.append(item)
            else:
                pages += 1
                synthetic += item.synthetic
                yield item

    try:
        stats = build_index(
            index_dir,
            _non_empty(reviews()),
            meta=lambda: {
                "corpus": corpus_dir.resolve().name,
                "corpus_path": str(corpus_dir.resolve()),
                "synthetic_reviews": synthetic,
                "skipped": [s.as_json() for s in skipped],
                "mode": "full",
                "files_read": pages + len(skipped),
            },
            wait=wait,
            files=files,
            on_wait=on_wait,
        )
    except _NothingToIndex:
        click.echo(summary_line(0, 0, 0, skipped), err=True)
        raise click.ClickException(
            f"nothing could be indexed in {corpus_dir}; the previous index is unchanged"
        ) from None
    click.echo(
        summary_line(stats.reviews, stats.recommendations, stats.passages, skipped)
        + f" in {time.monotonic() - started:.1f}s"
    )


def _update(corpus_dir: Path, index_dir: Path, wait: bool, on_wait, started: float) -> None:
    with ExitStack() as stack:
        plan: list[Changes] = []

        def changes(old_files: dict, old_meta: dict) -> Changes:
            found = changed_corpus(
                corpus_dir,
                old_files,
                old_meta.get("skipped", []),
                Progress("re-reading"),
                pdf_cache=index_dir / PDF_CACHE,
            )
            plan.append(stack.enter_context(found))
            return plan[0]

        def meta() -> dict:
            return {
                "corpus": corpus_dir.resolve().name,
                "skipped": [s.as_json() for s in plan[0].skipped],
                "corpus_path": str(corpus_dir.resolve()),
                "mode": "update",
                "files_read": len(plan[0].reread),
                "reviews_removed": len(plan[0].gone),
            }

        stats = update_index(index_dir, changes, meta=meta, wait=wait, on_wait=on_wait)
        done = plan[0]
        live = read_meta(index_dir, stats.version)
    click.echo(
        f"updated: re-read {len(done.reread)} new or changed file{'s' if len(done.reread) != 1 else ''}, "
        f"removed {len(done.gone)} review{'s' if len(done.gone) != 1 else ''} whose files are gone; now "
        + summary_line(live["reviews"], live["recommendations"], live["passages"], done.skipped)
        + f" in {time.monotonic() - started:.1f}s"
    )


class _NothingToIndex(Exception):
    pass


def _non_empty(reviews):
    # Refuse to replace a good index with an empty one: fail before the switch.
    first = next(reviews, None)
    if first is None:
        raise _NothingToIndex
    yield first
    yield from reviews


@cli.command()
@click.argument("query", default="")
@INDEX_DIR
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option("--addressee", multiple=True, help="Only recommendations addressed to this agency.")
@click.option("--csp", multiple=True, help="Only this Community Safety Partnership.")
@click.option("--limit", default=10, show_default=True, help="How many hits to show.")
def search(query: str, index_dir: Path | None, as_json: bool, addressee, csp, limit: int) -> None:
    """Search the index from the terminal."""
    filters = {"addressee": list(addressee), "csp": list(csp)}
    req = SearchRequest(q=query, filters={k: v for k, v in filters.items() if v}, per_page=limit)
    try:
        handle = open_index(_index_dir(index_dir))
        data = run_search(handle, req, Limits.from_config(config.from_environment()))
    except (IndexMissingError, QueryError, UnverifiedVersionError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for note in data["notes"]:
        click.echo(f"note: {note}")
    click.echo(f"{data['total']} results for {query!r} ({data['took_ms']} ms)")
    for i, hit in enumerate(data["hits"], start=1):
        label = {"recommendation": f"rec {hit.get('number')}", "passage": f"page {hit['page']}"}
        where = label.get(hit["type"], hit["type"])
        to = f" -> {'; '.join(hit['addressees'])}" if hit["addressees"] else ""
        click.echo(f"{i:>3}. [{hit['review_id']} {where}] {hit['csp']}{to}")
        click.echo(f"     {_terminal_snippet(hit['highlight'])}")


def _terminal_snippet(highlight: str) -> str:
    import html

    text = highlight.replace("<mark>", "\x1b[1m").replace("</mark>", "\x1b[0m")
    if not sys.stdout.isatty():
        text = text.replace("\x1b[1m", "[").replace("\x1b[0m", "]")
    return html.unescape(text)


@cli.command()
@INDEX_DIR
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per process.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes sharing the port (searching is CPU-bound: one per core uses them all).",
)
def serve(index_dir: Path | None, host: str, port: int, threads: int, workers: int) -> None:
    """Serve the web app and JSON API with waitress."""
    from search_service.web.security import configure_access_log

    configure_access_log()
    index_dir = _index_dir(index_dir)
    try:
        check_versions()  # refuse to start on a Whoosh or NLTK whose internals we have not read
    except UnverifiedVersionError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        meta = read_meta(index_dir)
        click.echo(f"index {index_dir}: {meta['reviews']} reviews, version {meta['version']}")
    except IndexMissingError as exc:
        click.echo(f"warning: {exc}", err=True)
    # Exports' absolute links: the public address when set, else where we listen (never Host).
    listening = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        base_url = config.base_url(config.setting("BASE_URL") or f"http://{listening}")
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    plural = "es" if workers > 1 else ""
    click.echo(
        f"serving DHR Search on http://{host}:{port}/ with {workers} process{plural} (Ctrl-C to stop)"
    )
    if workers == 1:
        _serve_one(index_dir, threads, base_url, host=host, port=port)
        return
    from search_service.web.workers import listen, serve_workers

    try:
        sock = listen(host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    code = serve_workers(
        lambda s: _serve_one(index_dir, threads, base_url, sockets=[s]), sock, workers
    )
    if code:
        raise click.ClickException("a worker process could not start; see the messages above")


def _serve_one(index_dir: Path, threads: int, base_url: str, **where) -> None:
    from search_service import create_app
    from search_service.web.serving import serve as waitress_serve

    app = create_app({"INDEX_DIR": str(index_dir), "BASE_URL": base_url})
    # New versions are opened and warmed as soon as a build switches to them.
    app.extensions["dhr_index"].watch()
    # With the connection, timeout and size limits of config.py, in every worker.
    waitress_serve(app, threads, **where)


@cli.command()
@INDEX_DIR
@click.option("--corpus-path", is_flag=True, help="Print only the folder the index was built from.")
def status(index_dir: Path | None, corpus_path: bool) -> None:
    """Show the live index version and counts; exit 1 when there is none or it is outdated."""
    try:
        meta = read_meta(_index_dir(index_dir))
    except IndexMissingError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(meta.get("corpus_path", "") if corpus_path else json.dumps(meta, indent=2))
    if not is_compatible(meta):
        raise click.ClickException(
            "this index was built by another version of DHR Search: rebuild it"
        )


@cli.command()
@INDEX_DIR
@click.option("--all", "show_all", is_flag=True, help="List every addressee with its sector.")
def agencies(index_dir: Path | None, show_all: bool) -> None:
    """List addressees whose sector is Other (so data/sectors.csv can grow), most frequent first."""
    from search_service.corpus.agencies import sector_for
    from search_service.search.reviews import addressee_counts

    try:
        counts = addressee_counts(open_index(_index_dir(index_dir)))
    except (IndexMissingError, UnverifiedVersionError) as exc:
        raise click.ClickException(str(exc)) from None
    rows = [(n, name, sector_for(name)) for name, n in counts.items()]
    rows = [r for r in rows if show_all or r[2] == "Other"]
    for n, name, sector in sorted(rows, key=lambda r: (-r[0], r[1].lower())):
        click.echo(f"{n:>6}  {name}" + ("" if not show_all else f"  [{sector}]"))
    total = sum(counts.values())
    other = sum(n for name, n in counts.items() if sector_for(name) == "Other")
    click.echo(
        f"{len(rows)} addressees listed; {other} of {total} recommendation addressees are Other",
        err=True,
    )


@cli.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--reviews", default=60, show_default=True, help="How many synthetic reviews.")
@click.option(
    "--seed", default=2023, show_default=True, help="Random seed (same seed, same files)."
)
@click.option("--no-seed-review", is_flag=True, help="Leave out the real Bolton review.")
def demo(out_dir: Path, reviews: int, seed: int, no_seed_review: bool) -> None:
    """Write a deterministic demo corpus of synthetic review pages to OUT_DIR."""
    from search_service.corpus.demo import write_demo_corpus

    count = write_demo_corpus(out_dir, reviews, seed=seed, include_seed=not no_seed_review)
    click.echo(f"wrote {count} review pages to {out_dir}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="dhr-search")

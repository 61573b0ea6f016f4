"""`index`: build the index from a corpus folder, in full or as an update."""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path

import click

from search_service.cli.options import INDEX_DIR, PDF_CACHE, Progress, index_dir_or_default
from search_service.corpus.changes import Changes, changed_corpus, fingerprint
from search_service.corpus.fetch import (
    FETCHED,
    KEY,
    FetchRun,
    fetch_reports,
    keep_fetched,
    with_fetched,
)
from search_service.corpus.folder import iter_corpus
from search_service.index.verified import UnverifiedVersionError
from search_service.index.versions import IndexLockedError, IndexMissingError, read_meta
from search_service.index.whoosh_internals import SubWriterFailed
from search_service.index.writer import (
    IncompleteBuildError,
    NeedsFullBuildError,
    build_index,
    update_index,
)
from search_service.model import Skipped


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


@click.command()
@click.argument("corpus_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@INDEX_DIR
@click.option("--wait", is_flag=True, help="Wait for another running indexer instead of failing.")
@click.option(
    "--update",
    is_flag=True,
    help="Re-read only new or changed files (by content hash) and drop reviews whose files are gone.",
)
@click.option(
    "--fetch",
    is_flag=True,
    help="Download the report PDFs manifest.csv names by URL and the folder lacks (into "
    "INDEX_DIR/fetched/, kept across runs) and index them; their links stay the URLs.",
)
def index(corpus_dir: Path, index_dir: Path | None, wait: bool, update: bool, fetch: bool) -> None:
    """Build the index from CORPUS_DIR (review pages, manifest.csv) and switch to it."""
    index_dir = index_dir_or_default(index_dir)
    started = time.monotonic()
    on_wait = _say_waiting if wait else None
    try:
        if update:
            try:
                _update(corpus_dir, index_dir, wait, on_wait, started, fetch)
                return
            except NeedsFullBuildError as exc:
                click.echo(f"{exc}: building it in full", err=True)
        _full_build(corpus_dir, index_dir, wait, on_wait, started, fetch)
    except ValueError as exc:  # a DHR_FETCH_ setting that is not a number
        raise click.ClickException(str(exc)) from None
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


def _fetch(corpus_dir: Path, index_dir: Path) -> FetchRun:
    # Called with the writer lock held: two indexers never write one fetched/ folder.
    run = fetch_reports(corpus_dir, index_dir / FETCHED, Progress("fetching"))
    click.echo(run.line(), err=True)
    return run


def _full_build(
    corpus_dir: Path, index_dir: Path, wait: bool, on_wait, started: float, fetch: bool
) -> None:
    skipped: list[Skipped] = []
    synthetic = 0
    pages = 0
    # Hashed before reading: a file changed mid-build is simply re-read by the next --update.
    files = fingerprint(corpus_dir)
    fetched = FetchRun()

    def reviews():
        nonlocal synthetic, pages, fetched
        if fetch:
            fetched = _fetch(corpus_dir, index_dir)
            skipped.extend(fetched.skipped)
        for item in iter_corpus(
            corpus_dir, Progress("reading"), pdf_cache=index_dir / PDF_CACHE, fetched=fetched.paths
        ):
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
            files=lambda: {**files, **fetched.files()},
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


def _update(
    corpus_dir: Path, index_dir: Path, wait: bool, on_wait, started: float, fetch: bool
) -> None:
    with ExitStack() as stack:
        plan: list[Changes] = []

        def changes(old_files: dict, old_meta: dict) -> Changes:
            # Fetched reports' entries are corpus/fetch.py's to compare, not the folder's.
            folder_files = {k: v for k, v in old_files.items() if not k.startswith(KEY)}
            found = stack.enter_context(
                changed_corpus(
                    corpus_dir,
                    folder_files,
                    old_meta.get("skipped", []),
                    Progress("re-reading"),
                    pdf_cache=index_dir / PDF_CACHE,
                )
            )
            if fetch:
                found = with_fetched(
                    found,
                    corpus_dir,
                    old_files,
                    old_meta.get("skipped", []),
                    _fetch(corpus_dir, index_dir),
                    Progress("re-reading"),
                    pdf_cache=index_dir / PDF_CACHE,
                )
            else:
                found = keep_fetched(found, old_files)
            plan.append(found)
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

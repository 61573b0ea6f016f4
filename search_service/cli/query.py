"""`search`, `serve` and `status`: use the index from a terminal or the web."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from search_service import config
from search_service.cli.options import INDEX_DIR, index_dir_or_default
from search_service.index.schema import is_compatible
from search_service.index.verified import UnverifiedVersionError, check_versions
from search_service.index.versions import IndexMissingError, read_meta
from search_service.search.limits import Limits
from search_service.search.request import QueryError, SearchRequest
from search_service.search.service import open_index, run_search


@click.command()
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
        handle = open_index(index_dir_or_default(index_dir))
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


@click.command()
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
    index_dir = index_dir_or_default(index_dir)
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


@click.command()
@INDEX_DIR
@click.option("--corpus-path", is_flag=True, help="Print only the folder the index was built from.")
def status(index_dir: Path | None, corpus_path: bool) -> None:
    """Show the live index version and counts; exit 1 when there is none or it is outdated."""
    try:
        meta = read_meta(index_dir_or_default(index_dir))
    except IndexMissingError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(meta.get("corpus_path", "") if corpus_path else json.dumps(meta, indent=2))
    if not is_compatible(meta):
        raise click.ClickException(
            "this index was built by another version of DHR Search: rebuild it"
        )

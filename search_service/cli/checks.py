"""Commands that look at what a corpus or an index holds: `agencies`, `links`, `themes`, `demo`."""

from __future__ import annotations

from pathlib import Path

import click

from search_service.cli.options import INDEX_DIR, index_dir_or_default
from search_service.index.verified import UnverifiedVersionError
from search_service.index.versions import IndexMissingError
from search_service.search.service import open_index


@click.command()
@INDEX_DIR
@click.option("--all", "show_all", is_flag=True, help="List every addressee with its sector.")
def agencies(index_dir: Path | None, show_all: bool) -> None:
    """List addressees whose sector is Other (so data/sectors.csv can grow), most frequent first."""
    from search_service.corpus.agencies import sector_for
    from search_service.search.reviews import addressee_counts

    try:
        counts = addressee_counts(open_index(index_dir_or_default(index_dir)))
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


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--reviews", default=60, show_default=True, help="How many synthetic reviews.")
@click.option(
    "--seed", default=2023, show_default=True, help="Random seed (same seed, same files)."
)
@click.option("--no-seed-review", is_flag=True, help="Leave out the real Bolton review.")
@click.option(
    "--report-pages",
    type=click.IntRange(min=0),
    default=0,
    help="Also write a report PDF of about this many pages beside each page (needs the bench extra).",
)
def demo(out_dir: Path, reviews: int, seed: int, no_seed_review: bool, report_pages: int) -> None:
    """Write a deterministic demo corpus of synthetic review pages to OUT_DIR."""
    from search_service.corpus.demo import write_demo_corpus

    count = write_demo_corpus(out_dir, reviews, seed=seed, include_seed=not no_seed_review)
    click.echo(f"wrote {count} review pages to {out_dir}")
    if report_pages:
        from search_service.corpus.demo_reports import write_demo_reports

        reports, pages = write_demo_reports(out_dir, report_pages, seed)
        click.echo(f"wrote {reports} report PDFs, {pages} pages, to {out_dir}")


@click.command()
@INDEX_DIR
@click.option(
    "--all", "show_all", is_flag=True, help="List linked reviews too, with their incident."
)
def links(index_dir: Path | None, show_all: bool) -> None:
    """List reviews not linked to a DHRD incident, with the reason (no match, ambiguous ...)."""
    from collections import Counter

    from search_service.search.reviews import review_summaries

    try:
        summaries = review_summaries(open_index(index_dir_or_default(index_dir)))
    except (IndexMissingError, UnverifiedVersionError) as exc:
        raise click.ClickException(str(exc)) from None
    statuses: Counter[str] = Counter()
    for stored in sorted(summaries, key=lambda s: s.get("review_id", "")):
        link = stored.get("dhrd") or {"status": "not linked", "explanation": ""}
        statuses[link["status"].split(":")[0]] += 1
        if link.get("incident") and not show_all:
            continue
        where = link.get("incident") or link["status"]
        click.echo(f"{stored.get('review_id', '')}  [{where}]  {link.get('explanation', '')}")
    linked = statuses.pop("linked", 0)
    rest = ", ".join(f"{n} {status}" for status, n in statuses.most_common())
    click.echo(
        f"{linked} of {len(summaries)} reviews linked to the DHRD"
        + (f"; not linked: {rest}" if rest else ""),
        err=True,
    )


@click.command()
@INDEX_DIR
def themes(index_dir: Path | None) -> None:
    """List recommendations no theme rule matched (so data/themes.csv can grow)."""
    from search_service.search.themes_overview import unthemed

    try:
        handle = open_index(index_dir_or_default(index_dir))
        left = unthemed(handle)
    except (IndexMissingError, UnverifiedVersionError) as exc:
        raise click.ClickException(str(exc)) from None
    for stored in sorted(left, key=lambda s: (s.get("review_id", ""), str(s.get("number")))):
        text = " ".join(stored.get("text", "").split())
        click.echo(f"{stored.get('review_id', '')} rec {stored.get('number')}: {text[:160]}")
    click.echo(
        f"{len(left)} recommendation{'' if len(left) == 1 else 's'} match no theme rule", err=True
    )

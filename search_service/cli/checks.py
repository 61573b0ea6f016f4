"""Commands that look at what a corpus or an index holds: `agencies`, `demo`."""

from __future__ import annotations

from pathlib import Path

import click

from search_service.cli.options import INDEX_DIR, index_dir_or_default
from search_service.index.versions import IndexMissingError
from search_service.index.whoosh_internals import UnverifiedVersionError
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
def demo(out_dir: Path, reviews: int, seed: int, no_seed_review: bool) -> None:
    """Write a deterministic demo corpus of synthetic review pages to OUT_DIR."""
    from search_service.corpus.demo import write_demo_corpus

    count = write_demo_corpus(out_dir, reviews, seed=seed, include_seed=not no_seed_review)
    click.echo(f"wrote {count} review pages to {out_dir}")

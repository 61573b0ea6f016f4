"""What the commands share: the --index-dir option, where the PDF cache lives, progress lines."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from search_service import config

# Extracted PDF text, by content hash, kept beside the index versions across rebuilds.
PDF_CACHE = "pdf-cache"

INDEX_DIR = click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Index folder (default: $DHR_INDEX_DIR or index/ in the repository).",
)


def index_dir_or_default(value: Path | None) -> Path:
    """The --index-dir given, or the configured default."""
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

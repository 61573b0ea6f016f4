"""Command line: `python -m search_service index|search|serve|status|agencies|links|themes|demo|inspect`."""

from __future__ import annotations

import click

from search_service.cli.build import index
from search_service.cli.checks import agencies, demo, links, themes
from search_service.cli.inspect import inspect
from search_service.cli.query import search, serve, status


@click.group()
def cli() -> None:
    """DHR Search: full-text search over Domestic Homicide Reviews."""


for _command in (index, search, serve, status, agencies, links, themes, demo, inspect):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="dhr-search")

"""`python -m search_service ...`: the command line (cli.py)."""

from search_service.cli import cli

if __name__ == "__main__":
    cli(prog_name="python -m search_service")

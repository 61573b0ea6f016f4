"""scripts/load runs end to end (briefly): it serves, loads, reindexes, and reports no errors."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "load"


def test_load_script_reports_both_phases_without_errors(corpus_dir, tmp_path):
    index = tmp_path / "ix"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "search_service",
            "index",
            str(corpus_dir),
            "--index-dir",
            str(index),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--index-dir", str(index), "--reindex", str(corpus_dir)]
        + ["--clients", "2", "--duration", "2", "--threads", "2"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    steady, reindexing = (json.loads(line) for line in done.stdout.splitlines())
    assert (steady["phase"], reindexing["phase"]) == ("steady", "reindexing")
    assert steady["requests"] > 0 and steady["errors"] == reindexing["errors"] == 0
    assert reindexing["rebuilds"] >= 1

"""The command line, run as a user runs it: a real process in a temporary folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import copy_seed

from search_service.corpus.folder import read_page_file

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "search_service", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )


def test_index_then_search_round_trip(tmp_path):
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    (corpus / "notes.txt").write_text("Minutes of a meeting, not a review.\n")
    (corpus / "manifest.csv").write_text(
        "file,pdf_url,source_url\nbolton-2023.txt,https://example.org/bolton.pdf,javascript:alert(1)\n"
    )
    index = tmp_path / "ix"
    built = run("index", str(corpus), "--index-dir", str(index), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    summary = built.stdout.strip().splitlines()[-1]
    assert summary.startswith(
        "indexed 1 reviews, 9 recommendations; skipped 1 file: notes.txt (not a review page: no 'CSP:' line)"
    )

    found = run("search", '"forensic curiosity"', "--index-dir", str(index), "--json", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    data = json.loads(found.stdout)
    hit = data["hits"][0]
    assert (hit["review_id"], hit["number"], data["total"]) == ("bolton-2023", "7", 1)
    assert hit["pdf_url"] == "https://example.org/bolton.pdf"

    text = run("search", "forensic curiosity", "--index-dir", str(index), cwd=tmp_path)
    assert "[bolton-2023 rec 7]" in text.stdout and "[forensic curiosity]" in text.stdout


def test_skipped_files_are_recorded_for_the_status_command(tmp_path):
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    (corpus / "broken.md").write_bytes(b"\xff\xfe\x00 not text")
    index = tmp_path / "ix"
    assert run("index", str(corpus), "--index-dir", str(index), cwd=tmp_path).returncode == 0
    meta = json.loads(run("status", "--index-dir", str(index), cwd=tmp_path).stdout)
    assert meta["skipped"] == [{"file": "broken.md", "reason": "not UTF-8 text"}]
    assert meta["reviews"] == 1


def test_nothing_indexable_exits_non_zero_with_one_line_and_keeps_the_old_index(tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    copy_seed(good)
    bad.mkdir()
    (bad / "a.txt").write_text("nothing here")
    index = tmp_path / "ix"
    assert run("index", str(good), "--index-dir", str(index), cwd=tmp_path).returncode == 0
    failed = run("index", str(bad), "--index-dir", str(index), cwd=tmp_path)
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    assert "Error: nothing could be indexed" in failed.stderr
    assert "a.txt (not a review page" in failed.stderr
    still = run("search", "forensic", "--index-dir", str(index), "--json", cwd=tmp_path)
    assert json.loads(still.stdout)["total"] == 1


def test_wrong_arguments_exit_non_zero_without_a_traceback(tmp_path):
    result = run("index", str(tmp_path / "missing"), cwd=tmp_path)
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_search_without_an_index_says_how_to_build_one(tmp_path):
    result = run("search", "x", "--index-dir", str(tmp_path / "none"), cwd=tmp_path)
    assert result.returncode == 1
    assert "build one with 'index CORPUS_DIR'" in result.stderr or "build one" in result.stderr


def test_agencies_lists_addressees_that_fall_into_other(tmp_path):
    corpus = tmp_path / "corpus"
    seed = copy_seed(corpus)
    seed.write_text(
        seed.read_text(encoding="utf-8").replace(
            "| Greater Manchester Probation Trust |",
            "| Greater Manchester Fire and Rescue Service |",
        ),
        encoding="utf-8",
    )
    index = tmp_path / "ix"
    assert run("index", str(corpus), "--index-dir", str(index), cwd=tmp_path).returncode == 0
    listed = run("agencies", "--index-dir", str(index), cwd=tmp_path)
    assert listed.returncode == 0
    assert listed.stdout.split() == [
        "1",
        "Greater",
        "Manchester",
        "Fire",
        "and",
        "Rescue",
        "Service",
    ]
    every = run("agencies", "--all", "--index-dir", str(index), cwd=tmp_path).stdout
    assert "8  Bolton Community Safety Partnership  [Partnership]" in every


def test_progress_is_reported_while_reading(tmp_path):
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    copy_seed(corpus, "bolton-copy.txt")
    built = run("index", str(corpus), "--index-dir", str(tmp_path / "ix"), cwd=tmp_path)
    assert "reading 1/2" in built.stderr and "reading 2/2" in built.stderr


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "dhr-search"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("index", "search", "serve", "status", "agencies", "demo"):
        assert command in result.stdout


def test_update_rereads_only_new_and_changed_files_and_drops_deleted_ones(tmp_path):
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    assert (
        run("demo", str(corpus), "--reviews", "20", "--no-seed-review", cwd=tmp_path).returncode
        == 0
    )
    index = tmp_path / "ix"
    assert run("index", str(corpus), "--index-dir", str(index), cwd=tmp_path).returncode == 0
    before = json.loads(run("status", "--index-dir", str(index), cwd=tmp_path).stdout)
    assert (before["mode"], before["files_read"], before["reviews"]) == ("full", 21, 21)

    pages = sorted(p for p in corpus.glob("*.txt") if p.name != "bolton-2023.txt")
    changed, deleted = pages[0], pages[1]
    changed.write_text(
        changed.read_text().replace("Summary\n", "Summary\nA zanzibarian word only here.\n")
    )
    deleted_id, deleted_recs = deleted.stem, len(read_page_file(deleted).recommendations)
    deleted.unlink()
    copy_seed(corpus, "bolton-copy-2023.txt")

    updated = run("index", str(corpus), "--index-dir", str(index), "--update", cwd=tmp_path)
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout.startswith("updated: re-read 2 new or changed files, removed 1 review")
    meta = json.loads(run("status", "--index-dir", str(index), cwd=tmp_path).stdout)
    assert (meta["mode"], meta["files_read"], meta["reviews_removed"]) == ("update", 2, 1)
    assert meta["reviews"] == 21  # 21 - 1 deleted + 1 new
    assert meta["recommendations"] == before["recommendations"] - deleted_recs + 9

    def ids(query: str) -> list[str]:
        out = run(
            "search", query, "--index-dir", str(index), "--json", "--limit", "100", cwd=tmp_path
        )
        return sorted({h["review_id"] for h in json.loads(out.stdout)["hits"]})

    assert ids("zanzibarian") == [changed.stem]
    assert ids('"forensic curiosity"') == ["bolton-2023", "bolton-copy-2023"]
    assert deleted_id not in ids("")
    assert not list(index.glob("*.building"))

    again = run("index", str(corpus), "--index-dir", str(index), "--update", cwd=tmp_path)
    assert again.stdout.startswith("updated: re-read 0 new or changed files, removed 0 reviews")


def test_update_rereads_a_review_whose_manifest_row_changed(tmp_path):
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    copy_seed(corpus, "other-2023.txt")
    row = "other-2023.txt,https://example.org/other.pdf,\n"
    (corpus / "manifest.csv").write_text("file,pdf_url,source_url\n" + row)
    index = tmp_path / "ix"
    assert run("index", str(corpus), "--index-dir", str(index), cwd=tmp_path).returncode == 0
    (corpus / "manifest.csv").write_text(
        "file,pdf_url,source_url\n" + row + "bolton-2023.txt,https://example.org/new.pdf,\n"
    )
    assert (
        run("index", str(corpus), "--index-dir", str(index), "--update", cwd=tmp_path).returncode
        == 0
    )
    meta = json.loads(run("status", "--index-dir", str(index), cwd=tmp_path).stdout)
    assert (meta["files_read"], meta["reviews"]) == (1, 2)
    found = run("search", '"forensic curiosity"', "--index-dir", str(index), "--json", cwd=tmp_path)
    urls = {h["review_id"]: h["pdf_url"] for h in json.loads(found.stdout)["hits"]}
    assert urls == {
        "bolton-2023": "https://example.org/new.pdf",
        "other-2023": "https://example.org/other.pdf",
    }


def test_inspect_shows_what_extraction_finds_before_indexing(tmp_path):
    from pdf_factory import DEFAULT_RECOMMENDATIONS, build_report, make_truncated_pdf

    made = build_report(tmp_path / "wigan.pdf", csp="Wigan", published="March 2021")
    shown = run("inspect", str(tmp_path / "wigan.pdf"), cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert f"wigan.pdf: {made.page_count} pages" in text
    assert "CSP:        Wigan" in text and "Published:  March 2021" in text
    assert f"{len(DEFAULT_RECOMMENDATIONS)} recommendations:" in text
    number, _, agency = DEFAULT_RECOMMENDATIONS[0]
    page = made.recommendation_pages[number]
    assert f"{number:>4}  page {page}, from a table in the report" in text
    assert f"to: {agency}" in text

    as_json = run("inspect", "--json", str(tmp_path / "wigan.pdf"), cwd=tmp_path)
    data = json.loads(as_json.stdout)
    assert (data["csp"], data["published"], data["pages"]) == (
        "Wigan",
        "March 2021",
        made.page_count,
    )
    assert [(r["number"], r["text"], r["addressed_to"]) for r in data["recommendations"]] == (
        DEFAULT_RECOMMENDATIONS
    )
    assert {r["source"] for r in data["recommendations"]} == {"table"}
    assert data["recommendations"][0]["page"] == page

    make_truncated_pdf(tmp_path / "cut.pdf")
    broken = run("inspect", str(tmp_path / "cut.pdf"), cwd=tmp_path)
    assert broken.returncode == 1
    assert broken.stderr.strip() == "Error: cut.pdf: incomplete PDF (truncated download?)"

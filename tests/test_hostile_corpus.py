"""A hostile corpus folder: every file is indexed completely or skipped with a reason.

Each test writes real files (bad manifest rows, dot-files, twin pages, folders named like
pages, links, pipes, oversized pages) and reads them through the real corpus reader, the real
change detector or the real command line, as a user would meet them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search_service.corpus.changes import changed_corpus, fingerprint
from search_service.corpus.folder import iter_corpus, read_corpus, read_manifest
from search_service.corpus.limits import (
    MAX_MANIFEST_BYTES,
    MAX_PAGE_BYTES,
    MAX_RECOMMENDATIONS,
    MAX_TEXT_CHARS,
)
from search_service.corpus.pages import parse_page
from search_service.model import Skipped

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}
HEADER = "file,pdf_url,source_url\n"


def page(
    csp: str = "Bolton", recs: int = 2, summary: str = "A short summary.", rec: str = ""
) -> str:
    """A review page in the library's layout, with recs recommendations."""
    rows = "".join(
        f"| {n} | {rec or f'That agencies share information, number {n}.'} | Bolton Police |\n"
        for n in range(1, recs + 1)
    )
    return (
        f"Source · Domestic Homicide Review\n{csp} review\nCSP: {csp}\nPublished: April 2023\n"
        f"Summary\n{summary}\nExtracted recommendations\n"
        "| # | Recommendation | Addressed to |\n|---|---|---|\n" + rows
    )


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def skips(items) -> list[tuple[str, str]]:
    return [(s.path, s.reason) for s in items if isinstance(s, Skipped)]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "search_service", *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )


# manifest.csv


BAD_MANIFEST = (
    HEADER
    + "a.txt,https://example.org/a.pdf,\n"  # line 2: good
    + "b.txt,https://example.org/b.pdf,https://example.org/b,extra\n"  # line 3: 4 columns
    + '"c.txt,https://example.org/c.pdf,\n'  # line 4: the quote never closes
    + "d.txt,https://example.org/d.pdf,\n"  # line 5: good, after the broken quote
    + "a.txt,https://example.org/second.pdf,\n"  # line 6: a second row for a.txt
    + "\n"  # line 7: blank, passed over
    + ",https://example.org/orphan.pdf,\n"  # line 8: no file name
    + ",,\n"  # line 9: an empty spreadsheet row, passed over
    + "e.txt,https://example.org/e.pdf,,\n"  # line 10: an empty trailing cell is fine
    + "f.txt,https://example.org/f.pdf\n"  # line 11: a missing trailing cell is empty
)


def test_bad_manifest_rows_are_skipped_by_line_and_every_good_row_is_kept(tmp_path):
    for name in "abcdef":
        write(tmp_path, f"{name}.txt", page(csp=name.upper()))
    write(tmp_path, "manifest.csv", BAD_MANIFEST)
    report = read_corpus(tmp_path)
    assert skips(report.skipped) == [
        ("manifest.csv", "line 3: 4 columns, expected 3"),
        ("manifest.csv", "line 4: a quote is opened and never closed on this line"),
        ("manifest.csv", "line 6: a second row for a.txt (line 2 is kept)"),
        ("manifest.csv", "line 8: no file name in the 'file' column"),
    ]
    urls = {r.id: r.pdf_url for r in report.reviews}
    assert urls == {
        "a": "https://example.org/a.pdf",  # the first row for a file wins
        "b": "",
        "c": "",
        "d": "https://example.org/d.pdf",  # not swallowed by line 4's quote
        "e": "https://example.org/e.pdf",
        "f": "https://example.org/f.pdf",
    }
    assert {r.source_url for r in report.reviews} == {""}


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"name,url\na.txt,https://example.org/a.pdf\n", "manifest.csv has no 'file' column"),
        (
            b"\xff\xfefile,pdf_url\n",
            "manifest.csv could not be read: its header is not UTF-8 text",
        ),
        (b"", "manifest.csv has no 'file' column"),
    ],
)
def test_a_manifest_unreadable_as_a_whole_is_one_skip(tmp_path, content, reason):
    write(tmp_path, "a.txt", page())
    (tmp_path / "manifest.csv").write_bytes(content)
    report = read_corpus(tmp_path)
    assert skips(report.skipped) == [("manifest.csv", reason)]
    assert [r.id for r in report.reviews] == ["a"]


def test_a_row_that_is_not_utf8_costs_that_row_only(tmp_path):
    write(tmp_path, "a.txt", page())
    (tmp_path / "manifest.csv").write_bytes(
        HEADER.encode()
        + b"caf\xe9.txt,https://example.org/x.pdf,\na.txt,https://example.org/a.pdf,\n"
    )
    links, skipped = read_manifest(tmp_path)
    assert skips(skipped) == [("manifest.csv", "line 2: not UTF-8 text")]
    assert links["a.txt"]["pdf_url"] == "https://example.org/a.pdf"


def test_an_oversized_manifest_is_refused_naming_the_limit(tmp_path):
    write(tmp_path, "a.txt", page())
    with (tmp_path / "manifest.csv").open("wb") as fh:
        fh.write(HEADER.encode())
        fh.write(b"a.txt,https://example.org/a.pdf,\n" * (MAX_MANIFEST_BYTES // 30))
    _, skipped = read_manifest(tmp_path)
    assert len(skipped) == 1 and "over the 16 MB limit" in skipped[0].reason


def test_a_manifest_that_is_a_folder_or_an_outside_link_is_one_skip(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", page())
    (corpus / "manifest.csv").mkdir()
    assert skips(read_corpus(corpus).skipped) == [
        ("manifest.csv", "manifest.csv: a folder, not a file: sub-folders are not read")
    ]
    (corpus / "manifest.csv").rmdir()
    write(tmp_path, "elsewhere.csv", HEADER + "a.txt,https://example.org/a.pdf,\n")
    (corpus / "manifest.csv").symlink_to(tmp_path / "elsewhere.csv")
    report = read_corpus(corpus)
    assert skips(report.skipped) == [
        ("manifest.csv", "manifest.csv: a link to a file outside the corpus folder")
    ]
    assert report.reviews[0].pdf_url == ""


def test_fingerprint_and_update_read_the_manifest_with_the_same_parser(tmp_path):
    for name in "abcdef":
        write(tmp_path, f"{name}.txt", page(csp=name.upper()))
    write(tmp_path, "manifest.csv", BAD_MANIFEST)
    files = fingerprint(tmp_path)  # used to raise TypeError on line 3's extra cell
    rows = sorted(k for k in files if k.startswith("manifest.csv:"))
    assert rows == [f"manifest.csv:{n}.txt" for n in "adef"]
    # Only the kept (first) row for a.txt counts: editing the ignored second row re-reads nothing.
    write(tmp_path, "manifest.csv", BAD_MANIFEST.replace("second.pdf", "third.pdf"))
    with changed_corpus(tmp_path, files, []) as changes:
        added = list(changes.add)
        assert (changes.reread, added) == ([], [])
        assert ("manifest.csv", "line 6: a second row for a.txt (line 2 is kept)") in skips(
            changes.skipped
        )
    # Mending line 3 gives b.txt its links: that review, and only it, is re-read.
    mended = BAD_MANIFEST.replace("https://example.org/b,extra", "https://example.org/b")
    write(tmp_path, "manifest.csv", mended)
    with changed_corpus(tmp_path, files, []) as changes:
        added = list(changes.add)
        assert changes.reread == ["b.txt"]
        assert [(r.id, r.pdf_url) for r in added] == [("b", "https://example.org/b.pdf")]
        assert len([s for s in changes.skipped if s.path == "manifest.csv"]) == 3


# Which files a walk sees


def test_dot_files_and_folders_are_not_listed_by_either_walk(tmp_path):
    write(tmp_path, "a.txt", page())
    write(tmp_path, ".hidden.txt", page(csp="Hidden"))
    write(tmp_path / ".git", "x.txt", page())
    write(tmp_path, ".DS_Store", "binary junk")
    report = read_corpus(tmp_path)
    assert [r.id for r in report.reviews] == ["a"] and report.skipped == []
    assert list(fingerprint(tmp_path)) == ["a.txt"]


def test_of_two_pages_with_one_stem_one_is_indexed_and_the_other_skipped(tmp_path):
    write(tmp_path, "bolton.txt", page(csp="Bolton"))
    write(tmp_path, "bolton.md", page(csp="Bolton markdown"))
    report = read_corpus(tmp_path)
    assert [(r.id, r.csp) for r in report.reviews] == [("bolton", "Bolton")]
    assert skips(report.skipped) == [
        ("bolton.md", "a second page for review bolton: bolton.txt is indexed")
    ]
    # When the preferred page cannot be read, its twin stands in, and the broken one says why.
    write(tmp_path, "bolton.txt", "Minutes of a meeting.\n")
    report = read_corpus(tmp_path)
    assert [(r.id, r.csp) for r in report.reviews] == [("bolton", "Bolton markdown")]
    assert skips(report.skipped) == [("bolton.txt", "not a review page: no 'CSP:' line")]


def test_a_folder_named_like_a_page_is_skipped(tmp_path):
    write(tmp_path, "a.txt", page())
    (tmp_path / "x.txt").mkdir()
    (tmp_path / "archive").mkdir()
    report = read_corpus(tmp_path)
    assert skips(report.skipped) == [
        ("archive", "a folder, not a file: sub-folders are not read"),
        ("x.txt", "a folder, not a file: sub-folders are not read"),
    ]
    assert list(fingerprint(tmp_path)) == ["a.txt"]


def test_links_are_read_inside_the_corpus_and_refused_otherwise(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus, "a.txt", page())
    write(corpus / "sub", "b.txt", page(csp="Sub"))
    secret = write(tmp_path, "secret.txt", page(csp="Secret"))
    (corpus / "inside.txt").symlink_to("a.txt")
    (corpus / "deeper.txt").symlink_to("sub/b.txt")
    (corpus / "outside.txt").symlink_to(secret)
    (corpus / "sneaky.txt").symlink_to("../secret.txt")
    (corpus / "loop.txt").symlink_to("loop.txt")
    (corpus / "ping.txt").symlink_to("pong.txt")
    (corpus / "pong.txt").symlink_to("ping.txt")
    (corpus / "gone.txt").symlink_to("nowhere.txt")
    report = read_corpus(corpus)
    assert sorted(r.id for r in report.reviews) == ["a", "deeper", "inside"]
    assert skips(report.skipped) == [
        ("gone.txt", "a link to a file that does not exist"),
        ("loop.txt", "a link that loops back on itself"),
        ("outside.txt", "a link to a file outside the corpus folder"),
        ("ping.txt", "a link that loops back on itself"),
        ("pong.txt", "a link that loops back on itself"),
        ("sneaky.txt", "a link to a file outside the corpus folder"),
        ("sub", "a folder, not a file: sub-folders are not read"),
    ]
    assert sorted(fingerprint(corpus)) == ["a.txt", "deeper.txt", "inside.txt"]


def test_a_pipe_named_like_a_page_is_skipped_not_waited_on(tmp_path):
    write(tmp_path, "a.txt", page())
    os.mkfifo(tmp_path / "pipe.txt")  # opening it to read would block until a writer came
    items = list(iter_corpus(tmp_path))
    assert skips(items) == [("pipe.txt", "not a regular file but a pipe, socket or device")]
    assert list(fingerprint(tmp_path)) == ["a.txt"]


# Oversized inputs


def test_a_page_over_the_size_limit_is_skipped_naming_the_limit(tmp_path):
    write(tmp_path, "a.txt", page())
    padding = "word " * (MAX_PAGE_BYTES // 5)
    write(tmp_path, "huge.txt", page(summary=padding))
    assert (tmp_path / "huge.txt").stat().st_size > MAX_PAGE_BYTES
    report = read_corpus(tmp_path)
    assert [r.id for r in report.reviews] == ["a"]
    assert skips(report.skipped) == [
        ("huge.txt", "larger than 2 MB, the limit for a review page: a real one is a few KB")
    ]


def test_recommendations_past_the_limit_are_dropped_and_counted(tmp_path):
    write(tmp_path, "many.txt", page(recs=MAX_RECOMMENDATIONS + 100))
    report = read_corpus(tmp_path)
    (review,) = report.reviews
    assert len(review.recommendations) == MAX_RECOMMENDATIONS
    assert review.recommendations[-1].number == str(MAX_RECOMMENDATIONS)
    assert skips(report.skipped) == [
        ("many.txt", "600 recommendations: only the first 500 were indexed (100 dropped)")
    ]


def test_a_long_summary_and_recommendation_are_cut_with_a_reason(tmp_path):
    long = "x" * (MAX_TEXT_CHARS + 10)
    write(tmp_path, "long.txt", page(recs=1, summary=long, rec=long))
    report = read_corpus(tmp_path)
    (review,) = report.reviews
    assert len(review.summary) == len(review.recommendations[0].text) == MAX_TEXT_CHARS
    assert skips(report.skipped) == [
        (
            "long.txt",
            "the summary is 100,010 characters: only the first 100,000 were indexed",
        ),
        (
            "long.txt",
            "1 recommendation (1) over 100,000 characters: "
            "only the first 100,000 of each were indexed",
        ),
    ]


def test_a_table_row_that_never_closes_parses_in_linear_time():
    # Each wrapped line used to be added to a growing string: 2 MB took seconds.
    text = page(recs=0) + "| 1 | start\n" + "more words of the same row\n" * 70_000
    started = time.perf_counter()
    review = parse_page(text, "open")
    assert time.perf_counter() - started < 2.0
    assert len(review.recommendations) == 1


# The command line, end to end


def test_index_and_update_of_a_hostile_folder_report_every_skip_and_agree(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "ix"
    write(corpus, "bolton-2023.txt", page())
    write(corpus, "bolton-2023.md", page(csp="Twin"))
    write(corpus, ".hidden.txt", page(csp="Hidden"))
    write(corpus, "many.txt", page(recs=MAX_RECOMMENDATIONS + 1))
    (corpus / "x.txt").mkdir()
    (corpus / "loop.txt").symlink_to("loop.txt")
    (corpus / "outside.txt").symlink_to(write(tmp_path, "secret.txt", page(csp="Secret")))
    os.mkfifo(corpus / "pipe.txt")
    write(corpus, os.fsdecode(b"caf\xe9.txt"), page())  # a file name that is not UTF-8
    write(
        corpus,
        "manifest.csv",
        HEADER
        + "bolton-2023.txt,https://example.org/b.pdf,https://example.org/b,extra\n"
        + '"many.txt,https://example.org/m.pdf,\n'
        + "many.txt,https://example.org/m.pdf,\n"
        + "many.txt,https://example.org/second.pdf,\n",
    )
    expected = [
        ("manifest.csv", "line 2: 4 columns, expected 3"),
        ("manifest.csv", "line 3: a quote is opened and never closed on this line"),
        ("manifest.csv", "line 5: a second row for many.txt (line 4 is kept)"),
        ("caf\ufffd.txt", "the file name is not UTF-8 text: rename the file"),
        ("loop.txt", "a link that loops back on itself"),
        ("outside.txt", "a link to a file outside the corpus folder"),
        ("pipe.txt", "not a regular file but a pipe, socket or device"),
        ("x.txt", "a folder, not a file: sub-folders are not read"),
        ("bolton-2023.md", "a second page for review bolton-2023: bolton-2023.txt is indexed"),
        ("many.txt", "501 recommendations: only the first 500 were indexed (1 dropped)"),
    ]

    built = run("index", str(corpus), "--index-dir", str(index))
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    summary = built.stdout.strip().splitlines()
    assert len(summary) == 1
    # Nine files left out, and one indexed cut to the limits: the line tells them apart.
    assert summary[0].startswith("indexed 2 reviews, 502 recommendations; skipped 9 files: ")
    left_out, cut = summary[0].split("; cut 1 to the limits: ")
    for path, reason in expected[:-1]:
        assert f"{path} ({reason})" in left_out
    assert cut.startswith(
        "many.txt (501 recommendations: only the first 500 were indexed (1 dropped)) in "
    )
    meta = json.loads(run("status", "--index-dir", str(index)).stdout)
    assert [(s["file"], s["reason"]) for s in meta["skipped"]] == expected
    assert meta["reviews"] == 2

    # A new dot-file is invisible to --update as to the full build; a new page is read.
    write(corpus, ".also-hidden.txt", page(csp="Hidden"))
    write(corpus, "new-2024.txt", page(csp="New"))
    updated = run("index", str(corpus), "--index-dir", str(index), "--update")
    assert updated.returncode == 0, updated.stderr
    assert "Traceback" not in updated.stderr
    assert updated.stdout.startswith("updated: re-read 1 new or changed file, removed 0 reviews")
    meta = json.loads(run("status", "--index-dir", str(index)).stdout)
    assert sorted((s["file"], s["reason"]) for s in meta["skipped"]) == sorted(expected)
    assert (meta["reviews"], meta["recommendations"]) == (3, 504)

    # The update and a full build of the same folder agree on what was skipped.
    rebuilt = run("index", str(corpus), "--index-dir", str(index))
    assert rebuilt.returncode == 0, rebuilt.stderr
    again = json.loads(run("status", "--index-dir", str(index)).stdout)
    assert sorted(map(str, again["skipped"])) == sorted(map(str, meta["skipped"]))
    assert (again["reviews"], again["recommendations"]) == (3, 504)

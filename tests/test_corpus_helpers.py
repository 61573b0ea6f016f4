"""Small corpus helpers: the shared file hash, the PDF agency-cell rule, the import layering."""

import hashlib

import pytest

from search_service.corpus.agencies import split_addressees
from search_service.corpus.changes import fingerprint
from search_service.corpus.digest import file_sha256
from search_service.corpus.pdf.recommendations import split_cell_addressees


def test_file_sha256_matches_hashlib_across_blocks(tmp_path):
    data = bytes(range(256)) * 9000  # over 2 MiB: several 1 MiB blocks and a partial one
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()
    assert file_sha256(str(path)) == file_sha256(path)
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    assert file_sha256(empty) == hashlib.sha256(b"").hexdigest()


def test_fingerprint_uses_the_shared_hash(tmp_path):
    (tmp_path / "a.txt").write_text("Title: A\n", encoding="utf-8")
    assert fingerprint(tmp_path) == {"a.txt": file_sha256(tmp_path / "a.txt")}


@pytest.mark.parametrize(
    "cell, names",
    [
        ("Bolton NHS Foundation Trust; Bolton CCG", ["Bolton NHS Foundation Trust", "Bolton CCG"]),
        ("Police \u2022 Bolton Council", ["Police", "Bolton Council"]),
        (
            "Greater Manchester Police and Bolton Council",
            ["Greater Manchester Police", "Bolton Council"],
        ),
        ("Police and Crime Commissioner", ["Police", "Crime Commissioner"]),
        (
            "Children's Services and Adult Social Care",
            ["Children's Services and Adult Social Care"],
        ),
        (
            "Bolton Council (Housing, Children's Services)",
            ["Bolton Council (Housing", "Children's Services)"],
        ),
        ("Home Office.", ["Home Office"]),
        ("", []),
    ],
)
def test_split_cell_addressees_keeps_its_rule(cell, names):
    # Pinned as extracted today: these names are in built indexes and the PDF cache.
    assert split_cell_addressees(cell) == names


def test_cell_rule_and_page_rule_differ_where_documented():
    cell = "Police and Crime Commissioner"
    assert split_cell_addressees(cell) != split_addressees(cell)

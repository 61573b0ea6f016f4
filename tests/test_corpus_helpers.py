"""Small corpus helpers: the shared file hash, the agency-cell rule, the import layering."""

import hashlib

import pytest

from search_service.corpus.agencies import split_addressees
from search_service.corpus.changes import fingerprint
from search_service.corpus.digest import file_sha256
from search_service.corpus.pdf.addressees import cell_addressees


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
        # One body, though it holds an "and" or a comma (data/joined_names.txt, DHRD CSPs).
        ("Police and Crime Commissioner", ["Police and Crime Commissioner"]),
        (
            "NHS Bristol, North Somerset and South Gloucestershire Integrated Care Board",
            ["NHS Bristol, North Somerset and South Gloucestershire Integrated Care Board"],
        ),
        (
            "Cheshire Constabulary and Cheshire West and Chester Council",
            ["Cheshire Constabulary", "Cheshire West and Chester Council"],
        ),
        (
            "Bolton Council (Housing, Children's Services)",
            ["Bolton Council (Housing, Children's Services)"],
        ),
        # A name per line of the cell; bodies it is only shared with are not addressees.
        (
            "Next Link Domestic Abuse Services\nAvon and Somerset Police",
            ["Next Link Domestic Abuse Services", "Avon and Somerset Police"],
        ),
        ("Lead: Bolton Council\nShared with: Home Office", ["Bolton Council"]),
        ("Home Office (for information: NHS England)", ["Home Office"]),
        ("Home Office.", ["Home Office"]),
        ("", []),
    ],
)
def test_report_cells_split_by_the_one_rule_for_addressed_to_cells(cell, names):
    assert cell_addressees(cell) == names
    if not any(word in cell for word in ("\n", "hared", "information")):
        assert split_addressees(cell) == names  # the rule for review pages' cells

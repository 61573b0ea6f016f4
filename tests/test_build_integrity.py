"""A build indexes everything it read or fails without publishing: counts are the index's own.

Found by building hostile corpora: a page of a few megabytes made NLTK's tokenizer hit its
ReDoS time limit inside a build process, Whoosh's multiprocess commit skipped the lost
process's share, and the run printed counts the index did not hold. These tests use the
real CLI, real build processes and real signals.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import regex
from whoosh import index as windex
from whoosh.query import Term

from search_service.analysis.tokenizer import CHUNK_CHARS, TOKEN_PATTERN, NltkTokenizer
from search_service.corpus.demo import write_demo_corpus
from search_service.index.versions import META, POINTER, current_version

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}


def cli(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "search_service", *args],
        capture_output=True,
        text=True,
        env=env or ENV,
        timeout=300,
        **kw,
    )


def status(index: Path) -> dict:
    found = cli("status", "--index-dir", str(index))
    assert found.returncode == 0, found.stderr
    return json.loads(found.stdout)


class _Recording:
    """NLTK's tokenizer, remembering how long each text it was handed was."""

    def __init__(self, inner):
        self.inner = inner
        self.lengths: list[int] = []

    def span_tokenize(self, text: str):
        self.lengths.append(len(text))
        return self.inner.span_tokenize(text)


@pytest.mark.parametrize("size", [10, CHUNK_CHARS, CHUNK_CHARS + 1, 3_000_000])
def test_long_texts_are_tokenised_in_pieces_with_the_same_words(size):
    """NLTK bounds each call with a 5 s wall-clock guard; a page of megabytes is handed to
    it in pieces of at most CHUNK_CHARS, and the words and their offsets are unchanged."""
    rng = random.Random(size)
    words = ["domestic", "abuse", "multi-agency", "Clare's", "A&E", "co‐ordination", "—", "9.8"]
    pieces: list[str] = []
    length = 0
    while length < size:
        pieces.append(rng.choice(words) + rng.choice([" ", " ", "\n", "  ", ", "]))
        length += len(pieces[-1])
    text = "".join(pieces)[:size]
    tokenizer = NltkTokenizer()
    tokenizer.nltk = _Recording(tokenizer.nltk)
    spans = list(tokenizer.spans(text))
    assert spans == [m.span() for m in regex.finditer(TOKEN_PATTERN, text)]
    assert max(tokenizer.nltk.lengths) <= CHUNK_CHARS
    tokens = [(t.text, t.pos, t.startchar) for t in tokenizer(text, positions=True, chars=True)]
    assert [(text[s:e], i, s) for i, (s, e) in enumerate(spans)] == tokens


def test_a_page_of_megabytes_is_indexed_cut_with_every_other_review(tmp_path):
    """A summary of 1.5 million characters is indexed cut to the text limit, the run says
    so, and every other review of the corpus is there with it (two build processes)."""
    corpus = tmp_path / "corpus"
    write_demo_corpus(corpus, 30, seed=3)
    pages = sorted(corpus.glob("*.txt"))
    big = pages[5]
    filler = " ".join(f"lesson{i % 997} about risk" for i in range(75_000))  # ~1.5 MB
    big.write_text(big.read_text().replace("\nSummary\n", f"\nSummary\nzebracrossing {filler} ", 1))
    index = tmp_path / "ix"
    built = cli(
        "index", str(corpus), "--index-dir", str(index), env={**ENV, "DHR_BUILD_PROCS": "2"}
    )
    assert built.returncode == 0, built.stderr
    line = built.stdout.strip().splitlines()[-1]
    assert "; skipped 0 files; cut 1 to the limits: " in line and big.name in line
    meta = status(index)
    assert meta["reviews"] == len(pages)
    assert [s["file"] for s in meta["skipped"] if s.get("indexed")] == [big.name]
    found = cli("search", "zebracrossing", "--index-dir", str(index), "--json")
    assert json.loads(found.stdout)["total"] == 1
    bolton = cli("search", "csp:bolton", "--index-dir", str(index), "--json")
    assert json.loads(bolton.stdout)["total"] > 0


def test_the_counts_printed_and_recorded_are_what_the_index_holds(tmp_path):
    corpus = tmp_path / "corpus"
    write_demo_corpus(corpus, 40, seed=5)
    index = tmp_path / "ix"
    built = cli(
        "index", str(corpus), "--index-dir", str(index), env={**ENV, "DHR_BUILD_PROCS": "2"}
    )
    assert built.returncode == 0, built.stderr
    meta = json.loads((index / current_version(index) / META).read_text())
    with windex.open_dir(str(index / current_version(index))).searcher() as s:
        held = {
            kind: len(list(s.docs_for_query(Term("type", kind))))
            for kind in ("recommendation", "summary", "passage")
        }
    assert meta["reviews"] == held["summary"] == 41  # 40 synthetic and Bolton
    assert meta["recommendations"] == held["recommendation"] > 0
    assert meta["passages"] == held["passage"]
    line = built.stdout.strip().splitlines()[-1]
    assert line.startswith(
        f"indexed {held['summary']} reviews, {held['recommendation']} recommendations"
    )


def _postings(index: Path) -> dict:
    """Every posting of the live version, by field, term and document id: weight and value."""
    found = {}
    with windex.open_dir(str(index / current_version(index))).searcher() as s:
        reader = s.reader()
        ids = {d: f["doc_id"] for d, f in reader.iter_docs()}
        for fieldname, btext in reader.all_terms():
            m = reader.postings(fieldname, btext)
            while m.is_active():
                found[(fieldname, btext, ids[m.id()])] = (m.weight(), m.value())
                m.next()
    return found


def test_a_build_that_spills_postings_to_disk_holds_what_one_in_memory_holds(tmp_path):
    """Each build process sorts its postings in memory up to DHR_BUILD_POOL_MB, then in runs
    on disk; two processes, reports of several pages: both ways give the same index."""
    from search_service.corpus.demo_reports import write_demo_reports

    corpus = tmp_path / "corpus"
    write_demo_corpus(corpus, 8, seed=4)
    write_demo_reports(corpus, 6, seed=4)
    built = {}
    for pool in ("1", "0"):  # 1 MB: runs on disk; 0: the default, all in memory
        index = tmp_path / f"ix-{pool}"
        env = {**ENV, "DHR_BUILD_PROCS": "2", "DHR_BUILD_POOL_MB": pool}
        done = cli("index", str(corpus), "--index-dir", str(index), env=env)
        assert done.returncode == 0, done.stderr
        built[pool] = _postings(index)
    assert len(built["1"]) > 15_000  # ~3.5 MB in Whoosh's estimate: over 1 MB a process
    assert any(key[0] == "text" and value[1] for key, value in built["1"].items())
    assert built["1"] == built["0"]


# Builds an index as Whoosh writes it alone: postings blocks pickled at protocol 2.
_WHOOSH_PICKLES = r"""
import pickle
from whoosh.codec import whoosh3
from search_service.index import whoosh_internals
whoosh_internals.apply()
whoosh3.dumps = pickle.dumps
from search_service.cli import cli
cli(prog_name="whoosh-pickles")
"""


def _block_protocols(index: Path, fieldname: str) -> set[int]:
    """The pickle protocols of the postings blocks of fieldname's terms in the live version."""
    import zlib

    found = set()
    with windex.open_dir(str(index / current_version(index))).searcher() as s:
        for sub, _offset in s.leaf_searchers():
            reader = sub.reader()
            for btext in reader.lexicon(fieldname):
                m = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)
                if not hasattr(m, "_dataoffset"):
                    continue  # one posting, kept in the term table
                data = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
                found.add((zlib.decompress(data) if m._compression else data)[1])
    return found


def test_postings_blocks_pickled_at_protocol_5_hold_what_whoosh_writes(tmp_path):
    """Whoosh pickles each postings block at protocol 2, where every page's positions cost a
    call to read back; ours are protocol 5, hold the same postings, and take less room."""
    from search_service.corpus.demo_reports import write_demo_reports

    corpus = tmp_path / "corpus"
    write_demo_corpus(corpus, 8, seed=5)
    write_demo_reports(corpus, 6, seed=5)
    env = {**ENV, "DHR_BUILD_PROCS": "2"}
    ours, whoosh = tmp_path / "ours", tmp_path / "whoosh"
    done = cli("index", str(corpus), "--index-dir", str(ours), env=env)
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [sys.executable, "-c", _WHOOSH_PICKLES, "index", str(corpus), "--index-dir", str(whoosh)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert _block_protocols(ours, "text") == {5}
    assert _block_protocols(whoosh, "text") == {2}
    assert _postings(ours) == _postings(whoosh)

    def size(index: Path) -> int:
        return sum(f.stat().st_size for f in (index / current_version(index)).glob("*.seg"))

    assert size(ours) < 0.9 * size(whoosh)


def test_the_build_pool_is_the_setting_or_a_share_of_memory(tmp_path, monkeypatch):
    from search_service.index.schema import build_schema
    from search_service.index.writer import POOL_MB, full_build_writer, pool_mb

    monkeypatch.setenv("DHR_BUILD_POOL_MB", "7")
    assert pool_mb(2) == 7
    monkeypatch.delenv("DHR_BUILD_POOL_MB")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    assert pool_mb(2) == max(64, min(POOL_MB, memory // 8))
    assert pool_mb(1) >= pool_mb(2)
    monkeypatch.setenv("DHR_BUILD_PROCS", "2")
    monkeypatch.setenv("DHR_BUILD_POOL_MB", "9")
    (tmp_path / "ix").mkdir()
    writer = full_build_writer(windex.create_in(str(tmp_path / "ix"), build_schema()))
    try:
        assert writer.subargs["limitmb"] == 9
    finally:
        writer.cancel()


def test_writing_a_field_without_lengths_looks_for_its_column_once(tmp_path, monkeypatch):
    """The posting writer asks each posting's field length; a field without lengths (report
    pages' pairs, shingles) was a `stat` of a missing column file for each posting."""
    from whoosh.filedb.filestore import FileStorage

    from search_service.index import whoosh_internals
    from search_service.index.schema import build_schema

    whoosh_internals.apply()
    looked: list[str] = []
    exists = FileStorage.file_exists
    monkeypatch.setattr(
        FileStorage, "file_exists", lambda self, name: looked.append(name) or exists(self, name)
    )
    ix = windex.create_in(str(tmp_path), build_schema({"domest", "abus", "risk"}, {"domest abus"}))
    with ix.writer() as w:
        for i in range(50):
            text = f"Domestic abuse, risk {i}: risk domestic abuse."
            w.add_document(doc_id=str(i), type="passage", text=text, text_pairs=text)
    pair_columns = [n for n in looked if "text_pairs" in n]
    assert len(pair_columns) == 1  # where it was one a posting: 150
    with ix.searcher() as s:
        assert s.doc_frequency("text_pairs", b"domest abus") == 50


def _build_processes(parent: int) -> list[int]:
    """The indexer's forked build processes (they share its command line)."""
    try:
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        own = Path(f"/proc/{parent}/cmdline").read_bytes()
    except OSError:
        return []
    found = []
    for pid in children:
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes() == own:
                found.append(int(pid))
        except OSError:
            continue
    return found


def test_a_build_process_that_dies_fails_the_build_and_the_old_index_stays(tmp_path, corpus_dir):
    index = tmp_path / "ix"
    first = cli("index", str(corpus_dir), "--index-dir", str(index))
    assert first.returncode == 0, first.stderr
    before = status(index)
    big = tmp_path / "big"
    write_demo_corpus(big, 900, seed=21)
    proc = subprocess.Popen(
        [sys.executable, "-m", "search_service", "index", str(big), "--index-dir", str(index)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**ENV, "DHR_BUILD_PROCS": "2"},
    )
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while not workers and proc.poll() is None and time.monotonic() < deadline:
            workers = _build_processes(proc.pid)
            time.sleep(0.02)
        assert workers, "the build never started its build processes"
        time.sleep(0.3)  # let it take some of the corpus, as a process lost mid-build would
        os.kill(workers[0], signal.SIGKILL)  # as the OOM killer would
        out, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, (out, err)
    assert "build processes failed (killed by signal 9)" in err
    assert "not published" in err and "Traceback" not in err
    assert not out.strip().startswith("indexed")
    after = status(index)
    assert after["version"] == before["version"] and after["reviews"] == before["reviews"]
    assert not list(index.glob("*.building"))


def test_a_folder_named_current_is_refused_with_what_to_do(tmp_path, corpus_dir):
    index = tmp_path / "ix"
    (index / POINTER).mkdir(parents=True)
    for args in (("status",), ("index", str(corpus_dir)), ("search", "risk")):
        result = cli(*args, "--index-dir", str(index))
        assert result.returncode == 1, args
        assert "is a folder" in result.stderr and "Traceback" not in result.stderr, args


def test_a_current_that_is_not_a_version_name_is_rebuilt_over(tmp_path, corpus_dir):
    from search_service import create_app

    index = tmp_path / "ix"
    assert cli("index", str(corpus_dir), "--index-dir", str(index)).returncode == 0
    (index / POINTER).write_bytes(b"\xff\xfe\x00junk")
    refused = cli("status", "--index-dir", str(index))
    assert refused.returncode == 1 and "does not name an index version" in refused.stderr
    page = create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client().get("/api/search")
    assert (
        page.status_code == 503
        and "does not name an index version" in page.get_json()["error"]["message"]
    )
    rebuilt = cli("index", str(corpus_dir), "--index-dir", str(index))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert status(index)["reviews"] > 0


def test_an_index_folder_that_cannot_be_written_is_one_line(tmp_path, corpus_dir):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = cli("index", str(corpus_dir), "--index-dir", str(blocker / "ix"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot write the index:"), lines
    assert "Not a directory" in lines[0]


def test_a_full_disk_fails_the_build_in_one_line_and_keeps_the_old_index(tmp_path, corpus_dir):
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        index = disk / "ix"
        small = cli("index", str(corpus_dir), "--index-dir", str(index))
        assert small.returncode == 0, small.stderr
        before = status(index)
        big = tmp_path / "big"
        write_demo_corpus(big, 400, seed=8)
        full = cli("index", str(big), "--index-dir", str(index))
        assert full.returncode == 1
        assert "No space left on device" in full.stderr and "Traceback" not in full.stderr
        assert status(index)["version"] == before["version"]
        assert not list(index.glob("*.building"))
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)

"""Every use of a private Whoosh or NLTK name, in one place, checked against the versions read.

What is private here, and why we use it:
- segment sub-files are read in place from the memory map (MappedFile replaces Whoosh's
  BufferFile, which copied each sub-file into a BytesIO: every thread's searcher held its
  own copy of the index);
- a term's postings are decoded a block at a time from W3LeafMatcher's block attributes
  (Whoosh's matcher decodes them one posting at a time, in Python);
- positions are decoded from the Positions format's pickled deltas without its loop;
- postings blocks are pickled at protocol 5, not 2 (whoosh3's module-level `dumps`):
  protocol 2 has no bytes type, and reading each posting's positions back cost a call;
- a segment's per-document reader remembers a lengths column it lacks (_cached_reader):
  for a field without lengths, the posting writer's every posting was a `stat`;
- a multi-term query's words come from Query._btexts (the one place Whoosh expands them);
- full builds use sub-writer processes that die with the indexer (MpWriter._new_task), and
  whose commit fails when one of them died (MpWriter._commit skips a missing result);
- BM25F's per-field B comes from BM25F._field_B;
- NLTK's compiled pattern is run without its per-match ReDoS timeout (our pattern is linear).

Nothing is changed by importing this module: `apply()` checks the versions and installs the
three replacements (MappedFile, block_dumps, cached_reader) when an index is opened. It
refuses to run, with a message saying what to install, on any other version of Whoosh or
NLTK: each of these names may change between releases. The bit-identical tests in tests/test_execute.py,
tests/test_mapped_files.py and tests/test_highlight.py pin what they read.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import mmap
import os
import pickle
import signal
import sys
import threading
import weakref
from array import array
from itertools import accumulate
from pickle import loads

from whoosh import formats
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb import compound, structfile
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.system import _INT_SIZE

from search_service.index.verified import check_versions

PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>

_applied = threading.Lock()
_done = False


def apply() -> None:
    """Check the versions, then read segments in place and write postings blocks at pickle
    protocol 5 (once per process; idempotent)."""
    global _done
    with _applied:
        if _done:
            return
        check_versions()
        compound.BufferFile = MappedFile
        whoosh3.dumps = block_dumps
        whoosh3.W3PerDocReader._cached_reader = cached_reader
        _done = True


def cached_reader(self, fieldname: str, column):
    """W3PerDocReader._cached_reader, remembering a missing column too (a segment's files
    never change once written, and the reader is opened after they are)."""
    if fieldname not in self._readers:
        found = self.has_column(fieldname)
        self._readers[fieldname] = self.column_reader(fieldname, column) if found else None
    return self._readers[fieldname]


# ---- postings blocks pickled at protocol 5 ------------------------------------------------

_FRAME = b"\x95"  # pickle's FRAME opcode, then the frame's length in 8 bytes


def block_dumps(obj, protocol=None) -> bytes:
    """pickle.dumps for whoosh3's postings: protocol 5 where it asks for 2, without the frame.

    whoosh3 pickles each postings block and each single-posting term at protocol 2, which
    has no bytes type: each posting's value (its encoded positions) was pickled as a call to
    `_codecs.encode`. At 5 a block of a common word's pages unpickles ~7x faster and takes
    half the room; pickle.loads reads every protocol, so older indexes read as they did.
    """
    if protocol != 2:
        return pickle.dumps(obj, protocol)
    out = pickle.dumps(obj, 5)
    # Protocol 4 and up wrap the pickle in one frame (9 bytes a block), which only a reader
    # of a stream needs in advance; frames are optional, and these are read whole.
    if out[2:3] == _FRAME and int.from_bytes(out[3:11], "little") == len(out) - 11:
        out = out[:2] + out[11:]
    return out


# ---- segment files read in place -------------------------------------------------------


class _MappedRaw(io.RawIOBase):
    """A read-only, seekable raw file over a memoryview, reading it in place."""

    def __init__(self, view: memoryview):
        self._view = view
        self._pos = 0

    def readable(self) -> bool:
        return True

    seekable = readable

    def readinto(self, b) -> int:
        n = max(0, min(len(b), len(self._view) - self._pos))
        b[:n] = self._view[self._pos : self._pos + n]
        self._pos += n
        return n

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos


class MappedFile(structfile.BufferFile):
    """Whoosh's BufferFile for a sub-file of a memory-mapped segment, without its copy.

    BufferFile reads through a BytesIO of the mapped bytes, which copies the sub-file: each
    thread's searcher held its own copy of the index (~73 MB a searcher at 10x).
    """

    def __init__(self, buf, name=None, onclose=None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        source = getattr(buf, "obj", None)
        if isinstance(source, mmap.mmap) and hasattr(source, "madvise"):
            _maps.add(source)
        self.file = io.BufferedReader(_MappedRaw(memoryview(buf)), buffer_size=4096)


# Every segment map a MappedFile reads (one per compound segment and searcher: each thread's
# searcher maps the segments again, and a page read through two maps counts twice in RSS).
_maps: weakref.WeakSet = weakref.WeakSet()


def release_mapped_pages() -> int:
    """Drop the segment pages this process has read from its resident set; returns how many
    maps were released.

    Every page a search or the warm-up read stayed in the process's RSS, once per thread's
    searcher (~65 MB after a benchmark's queries). They stay in the kernel's page cache,
    shared by every process; a later read maps them again (a minor fault, no disk read).
    """
    released = 0
    for source in list(_maps):
        try:
            source.madvise(mmap.MADV_DONTNEED)
        except (ValueError, OSError):  # closed meanwhile
            continue
        released += 1
    return released


# ---- postings, a block at a time --------------------------------------------------------


def term_blocks(reader, fieldname: str, btext: bytes, part: str | None):
    """(ids, weights), (ids, values) or (ids, None) of one term's postings, a block at a time.

    Whoosh's own block reader decodes ids and expands absent or constant weights in Python
    generators, one posting at a time; here the same data comes out of C (accumulate, tuple
    repetition), and weights are not read at all when only ids are wanted.
    """
    m = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)
    if type(m) is not W3LeafMatcher:  # another codec: one posting at a time
        one = m.weight if part == "weights" else m.value
        while m.is_active():
            yield (m.id(),), (None if part is None else one(),)
            m.next()
        return
    while m.is_active():
        ids = _block_ids(m)
        if part == "weights":
            yield ids, _block_weights(m._data[1], m._blocklength)
        elif part == "values":
            if m._values is None:
                m._read_values()
            yield ids, m._values
        else:
            yield ids, None
        m._next_block()


def _block_ids(m: W3LeafMatcher):
    """The docnums of the matcher's current block (its data read if it was not yet)."""
    if m._data is None:
        m._read_data()
    ids = m._ids
    if ids is None:
        ids = m._data[0]
        if not m._byteids:
            ids = tuple(accumulate(ids))  # W3LeafMatcher._read_ids' delta_decode
    return ids


def term_values_in(reader, fieldname: str, btext: bytes, docs: list[int]) -> dict:
    """docnum -> the raw postings value of one term, for the documents of a sorted list only.

    A block whose last id is below the next wanted document is passed by its header alone,
    its ids and values left encoded: a phrase's few candidates among a common word's 20,000
    report pages read a few blocks, not every one.
    """
    m = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)
    found = {}
    if type(m) is not W3LeafMatcher:  # another codec: one posting at a time
        wanted = set(docs)
        while m.is_active():
            if m.id() in wanted:
                found[m.id()] = m.value()
            m.next()
        return found
    i, n = 0, len(docs)
    while m.is_active() and i < n:
        if docs[i] > m._maxid:
            m._next_block()
            continue
        ids = _block_ids(m)
        if m._values is None:
            m._read_values()
        block = dict(zip(ids, m._values, strict=True))
        while i < n and docs[i] <= m._maxid:
            value = block.get(docs[i])
            if value is not None:
                found[docs[i]] = value
            i += 1
        m._next_block()
    return found


def _block_weights(weights, count: int):
    """W3LeafMatcher._read_weights: every weight 1.0 (None), one float for all, or an array."""
    if weights is None:
        return (1.0,) * count
    if isinstance(weights, float):
        # Whoosh keeps weights in array("f"): the float rounded to single precision.
        return array("f", (weights,)) * count
    return weights


def positions_decoder(fmt):
    """format.decode_positions, for Whoosh's Positions format without the Python loop."""
    if type(fmt) is not formats.Positions:
        return fmt.decode_positions

    def decode(value: bytes):
        # Positions.decode_positions: pickled deltas after the frequency, summed.
        if not value.endswith(b"."):
            value += b"."
        return accumulate(loads(value[_INT_SIZE:]))

    return decode


# A Positions value past its frequency: pickle protocol 2 of a list (Positions.encode's
# dumps(deltas, 2)), its STOP byte sometimes cut off by the codec.
_PICKLE_2 = b"\x80\x02"


def positions_decoder_many(fmt):
    """values -> each one's positions (an iterator), many postings in one pickle load.

    What follows each value's pickle header is the opcodes that push its list of deltas;
    those of all the values between a MARK and a LIST are one pickle of the list of lists:
    one call into C instead of one a posting (a two-word query's phrase boost reads the
    positions of both words in ~2,000 report pages).
    """
    one = positions_decoder(fmt)
    if type(fmt) is not formats.Positions:
        return lambda values: list(map(one, values))
    start = _INT_SIZE + len(_PICKLE_2)

    def decode(values: list[bytes]):
        body = [v[start:-1] if v[-1:] == b"." else v[start:] for v in values]
        lists = loads(_PICKLE_2 + b"(" + b"".join(body) + b"l.")
        if len(lists) != len(values):  # not Positions.encode's pickles: one at a time
            return list(map(one, values))
        return list(map(accumulate, lists))

    return decode


# ---- queries and scoring ----------------------------------------------------------------


def expanded_words(query, reader):
    """The words (bytes) a prefix, wildcard, regex, fuzzy or range query expands to in reader."""
    return query._btexts(reader)


def field_b(weighting, fieldname: str) -> float:
    """The B a BM25F weighting uses for one field (its per-field setting, else its B)."""
    return weighting._field_B.get(fieldname, weighting.B)


# ---- full-build sub-writers that die with the indexer -----------------------------------


class SubWriterFailed(RuntimeError):
    """A full build's sub-writer process died: the documents it held are not in the index."""


class TiedSubWriter(SubWriterTask):
    """A Whoosh sub-writer process that dies with the indexer that started it, and says why
    in one line (exit status 1) when it fails.

    Without this, `kill -9` of an indexer leaves its sub-writers blocked on their job queue
    for ever, holding the inherited writer lock, so every later build is refused.
    """

    def run(self) -> None:
        _die_with_parent()
        apply()  # forked after it already, unless multiprocessing spawns
        try:
            super().run()
        except BaseException as exc:  # noqa: BLE001 - reported, and the build fails on it
            sys.stderr.write(f"a build process failed: {type(exc).__name__}: {exc}\n")
            sys.stderr.flush()
            os._exit(1)


def _die_with_parent() -> None:
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return  # not Linux: a killed build may then leave its sub-writers behind
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


class TiedMpWriter(MpWriter):
    """MpWriter whose sub-writer processes are TiedSubWriter (MpWriter._new_task's body),
    and whose commit refuses to go on when one of them failed."""

    def _commit(self, mergetype, optimize, merge):
        # Whoosh's _commit waits for the sub-writers, then takes each one's segment off the
        # result queue and skips any that never came (queue.Empty: pass): a sub-writer that
        # died lost its share of the corpus without a word, and the build was published with
        # it missing. So they are finished first, and any that did not exit cleanly fails
        # the build (super()._commit then finds them finished: its extra end-of-jobs markers
        # go unread, and joining them again returns at once).
        if self.docbuffer:
            self._enqueue()
        for _task in self.tasks:
            self.jobqueue.put(None)
        for task in self.tasks:
            task.join()
        failed = [task.exitcode for task in self.tasks if task.exitcode != 0]
        if failed:
            how = ", ".join(
                f"killed by signal {-code}" if code < 0 else f"exit status {code}"
                for code in failed
            )
            raise SubWriterFailed(
                f"{len(failed)} of {len(self.tasks)} build processes failed ({how}), so part "
                "of the corpus is not in the new index; it was not published"
            )
        super()._commit(mergetype, optimize, merge)

    def _new_task(self):
        task = TiedSubWriter(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task


# ---- NLTK ---------------------------------------------------------------------------------


def nltk_pattern(tokenizer):
    """The compiled pattern inside an NLTK RegexpTokenizer, to run without its timeout."""
    tokenizer._check_regexp()
    return getattr(tokenizer._regexp, "_rx", tokenizer._regexp)

"""Segment files read in place from the memory map: the same answers as Whoosh's BufferFile."""

import pickle
from array import array

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile

from search_service.index.whoosh_internals import MappedFile
from search_service.search.service import open_index

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("read"), st.integers(-1, 40)),
        st.tuples(st.just("seek"), st.integers(-5, 300), st.sampled_from([0, 1, 2])),
        st.tuples(st.just("tell")),
        st.tuples(st.just("readline")),
        st.tuples(st.just("get"), st.integers(0, 250), st.integers(0, 40)),
        st.tuples(st.just("read_int")),
        st.tuples(st.just("get_array"), st.integers(0, 200), st.integers(0, 10)),
    ),
    max_size=30,
)


def _run(f, ops) -> list:
    out = []
    for op, *args in ops:
        try:
            if op == "seek":
                pos, whence = args
                if whence == 0:
                    pos = max(0, pos)
                out.append(f.seek(pos, whence))
            elif op == "readline":
                out.append(f.file.readline())
            else:
                out.append(getattr(f, op)(*args))
        except Exception as exc:  # both must fail alike
            out.append(type(exc).__name__)
    return out


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=256), ops=OPS)
def test_reads_seeks_and_gets_give_what_bufferfile_gives(data, ops):
    mapped = memoryview(bytearray(data))
    assert _run(MappedFile(mapped), ops) == _run(BufferFile(memoryview(bytes(data))), ops)


def test_pickles_arrays_and_lines_read_back_as_from_bufferfile():
    payload = pickle.dumps({"a": [1, 2.5, "x"]}, -1)
    data = payload + array("i", range(50)).tobytes() + b"line one\nline two\n"

    def read(f) -> list:
        return [f.read_pickle(), list(f.read_array("i", 50)), f.file.readline(), list(f.file)]

    mine, whooshs = read(MappedFile(memoryview(data))), read(BufferFile(memoryview(data)))
    assert mine == whooshs
    assert mine[0] == {"a": [1, 2.5, "x"]} and mine[2:] == [b"line one\n", [b"line two\n"]]


def test_segments_are_opened_without_a_copy(index_dir):
    # Each thread's searcher used to copy every file it opened out of the map (~73 MB a
    # searcher at 10x); segments now open through MappedFile.
    assert compound.BufferFile is MappedFile
    searcher = open_index(index_dir).searcher()
    leaf = searcher.reader().leaf_readers()[0][0]
    assert isinstance(leaf._terms._dbfile, MappedFile)
    assert searcher.document_number(doc_id="bolton-2023#rec-7") is not None

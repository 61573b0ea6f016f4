"""The index folder on disk: versions, the CURRENT pointer, the writer lock, reader leases.

Layout of an index folder::

    index/CURRENT          name of the live version (replaced atomically with os.replace)
    index/v-<stamp>/       one complete Whoosh index plus meta.json, files.json, .readers
    index/.lock            held (flock) by the one writer allowed at a time

Searches never see a half-built index: a build writes a new version folder, and only when
it is complete does CURRENT point at it.

Readers hold a shared flock on `v-<stamp>/.readers` while any of their searchers reads that
version; a writer deletes an old version only after taking that lock exclusively (and renames
the folder away while holding it), so a searcher never reads a deleted version.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

POINTER = "CURRENT"
LOCK = ".lock"
META = "meta.json"
# {file name: sha256} of the corpus a version was built from, for `index --update`.
FILES = "files.json"
# Readers hold a shared flock on this file in each version folder they read.
READERS = ".readers"
BUILDING = ".building"
DELETING = ".deleting"


class IndexMissingError(RuntimeError):
    """No usable index has been built in this folder yet."""


class IndexLockedError(RuntimeError):
    """Another indexer holds the writer lock."""


def current_version(index_dir: Path) -> str | None:
    """Name of the live version folder, or None when nothing has been built.

    A CURRENT that is not a small UTF-8 file naming a version (a folder, binary junk) is
    IndexMissingError with what to do, never a traceback.
    """
    pointer = index_dir / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:
        raise IndexMissingError(
            f"{pointer} is a folder, but DHR Search keeps the live version's name in a file "
            "of that name: move the folder out of the index folder and build the index again"
        ) from None
    except UnicodeDecodeError:
        name = ""
    if name and ("/" in name or "\\" in name or name.startswith(".")):
        name = ""  # never a path out of the index folder
    if not name and pointer.exists():
        raise IndexMissingError(
            f"{pointer} does not name an index version (it is not what DHR Search writes "
            "there): build the index again with 'python -m search_service index CORPUS_DIR'"
        )
    return name if name and (index_dir / name / META).exists() else None


def read_meta(index_dir: Path, version: str | None = None) -> dict:
    """meta.json of the live (or given) version; IndexMissingError when there is none."""
    version = version or current_version(index_dir)
    if version is None:
        raise IndexMissingError(f"no index in {index_dir}: build one with 'index CORPUS_DIR'")
    return json.loads((index_dir / version / META).read_text())


def read_files(index_dir: Path, version: str) -> dict[str, str]:
    """The {file: sha256} map a version was built from ({} for versions without one)."""
    try:
        return json.loads((index_dir / version / FILES).read_text())
    except FileNotFoundError:
        return {}


def _holder(fh) -> str:
    fh.seek(0)
    return fh.read().strip() or "another process"


@contextmanager
def writer_lock(
    index_dir: Path, wait: bool = False, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the one-writer lock; flock is released by the kernel if the holder dies.

    Without wait a held lock raises IndexLockedError at once; with wait, on_wait hears
    who holds it and we block until it is free.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            holder = _holder(fh)
            if not wait:
                raise IndexLockedError(
                    f"index {index_dir} is being written by {holder} (lock {path}); "
                    "wait for it to finish or pass --wait"
                ) from None
            if on_wait:
                on_wait(f"waiting for {holder} to finish writing {index_dir} (lock {path})")
            fcntl.flock(fh, fcntl.LOCK_EX)
        # The pid is only for the message above: the flock itself is the lock, so a pid left
        # behind by a killed indexer means nothing.
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()


def switch_to(index_dir: Path, version: str) -> None:
    tmp = index_dir / f"{POINTER}.tmp"
    with open(tmp, "w") as fh:
        fh.write(version + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / POINTER)
    fsync_dir(index_dir)


def fsync_dir(path: Path) -> None:
    dir_fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def version_names(index_dir: Path) -> list[str]:
    # Complete versions only: v-<stamp> without a .building/.deleting suffix.
    return sorted(
        p.name
        for p in index_dir.iterdir()
        if p.is_dir() and p.name.startswith("v-") and "." not in p.name
    )


def remove_unused_versions(index_dir: Path, keep: set[str]) -> list[str]:
    """Delete versions no reader holds (and leftovers of killed builds); return those kept.

    Call only with the writer lock held.
    """
    for p in index_dir.iterdir():
        if p.name.endswith((BUILDING, DELETING)):
            shutil.rmtree(p, ignore_errors=True)  # left by a killed writer; we hold the lock
    in_use = []
    for name in version_names(index_dir):
        if name in keep:
            continue
        folder = index_dir / name
        fd = os.open(folder / READERS, os.O_RDONLY | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                in_use.append(name)  # a searcher still reads it: a later build removes it
                continue
            # Renamed while we hold the lock, so a reader that locks after us finds it gone.
            trash = index_dir / f"{name}{DELETING}"
            os.replace(folder, trash)
        finally:
            os.close(fd)
        shutil.rmtree(trash, ignore_errors=True)
    return in_use


def lease_version(index_dir: Path, version: str) -> int | None:
    """Take a reader's shared lock on a version: its fd, or None if it is being deleted."""
    folder = index_dir / version
    try:
        fd = os.open(folder / READERS, os.O_RDONLY)
    except FileNotFoundError:
        # Renamed away (being deleted), or a version from before leases existed.
        return -1 if (folder / META).exists() else None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    # A writer renames the folder before releasing its exclusive lock: still here means kept.
    if not (folder / META).exists():
        os.close(fd)
        return None
    return fd

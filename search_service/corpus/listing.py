"""Which entries of a corpus folder are files to read; the one walk a full build and --update share.

The rules, in order, for each entry directly in the folder (sub-folders are not read):

- a name starting with "." (``.DS_Store``, ``.hidden.txt``, ``.git/``, editors' swap files) is
  not listed at all: such files belong to the system or an editor, never to the corpus;
- a name that is not UTF-8 is skipped: it could not be stored in the index or printed;
- a symbolic link is followed only to a file inside the corpus folder: a link that loops, that
  points nowhere, or that leaves the folder is skipped, so a corpus unpacked from elsewhere
  cannot make the index publish files from the rest of the machine;
- a folder, and anything that is not a regular file (a pipe, a socket, a device, which could
  block a reader for ever), is skipped.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from search_service.model import Skipped


def printable_name(name: str) -> str:
    """A file name as it can be printed and stored: undecodable bytes become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def entry_problem(path: Path, root: Path) -> str | None:
    """Why the entry at path cannot be read as a corpus file of root, or None when it can."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not UTF-8 text: rename the file"
    try:
        info = os.stat(path)  # follows links
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a link that loops back on itself"
        if exc.errno == errno.ENOENT:
            return "a link to a file that does not exist"
        return f"could not be read: {(exc.strerror or str(exc)).lower()}"
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if not target.is_relative_to(Path(os.path.realpath(root))):
            return "a link to a file outside the corpus folder"
    if stat.S_ISDIR(info.st_mode):
        return "a folder, not a file: sub-folders are not read"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file but a pipe, socket or device"
    return None


def list_folder(folder: Path, skip_names: tuple[str, ...] = ()) -> tuple[list[Path], list[Skipped]]:
    """The readable files directly in folder, by name, and a Skipped for each entry that is not."""
    # Dot-files and dot-folders, and names in skip_names, are left out without a word.
    files: list[Path] = []
    skipped: list[Skipped] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name in skip_names:
            continue
        problem = entry_problem(path, folder)
        if problem is None:
            files.append(path)
        else:
            skipped.append(Skipped(printable_name(path.name), problem))
    return files, skipped

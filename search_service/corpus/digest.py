"""Content hashes of corpus files: the change detector and the PDF cache key share one."""

from __future__ import annotations

import hashlib
from pathlib import Path

# 1 MiB blocks: a report PDF of hundreds of megabytes never sits in memory whole.
_BLOCK = 1 << 20


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes, read in blocks so big files don't fill memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()

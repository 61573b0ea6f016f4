"""The Whoosh and NLTK releases whose private names index/whoosh_internals.py was read in."""

from __future__ import annotations

import nltk
import whoosh

# setup.cfg pins them.
VERIFIED_WHOOSH = (2, 7, 5)
VERIFIED_NLTK = "3.10.4"

class UnverifiedVersionError(RuntimeError):
    """The installed Whoosh or NLTK is not the release whoosh_internals was checked against."""


def check_versions(whoosh_version: tuple | None = None, nltk_version: str | None = None) -> None:
    """Raise UnverifiedVersionError unless Whoosh and NLTK (as installed) are the verified releases."""
    whoosh_version = whoosh.__version__ if whoosh_version is None else whoosh_version
    nltk_version = nltk.__version__ if nltk_version is None else nltk_version
    found = []
    if tuple(whoosh_version) != VERIFIED_WHOOSH:
        have = ".".join(map(str, whoosh_version))
        want = ".".join(map(str, VERIFIED_WHOOSH))
        found.append(f"Whoosh {have} is installed; DHR Search reads Whoosh {want}'s internals")
    if nltk_version != VERIFIED_NLTK:
        found.append(f"NLTK {nltk_version} is installed; DHR Search reads NLTK {VERIFIED_NLTK}'s")
    if found:
        raise UnverifiedVersionError(
            "; ".join(found)
            + f". Install the releases setup.cfg pins (whoosh-reloaded=={'.'.join(map(str, VERIFIED_WHOOSH))}, "
            f"nltk=={VERIFIED_NLTK}) and start again."
        )

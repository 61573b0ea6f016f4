"""Agencies named in recommendations: split an 'addressed to' cell, map names to sectors."""

from __future__ import annotations


def split_addressees(cell: str) -> list[str]:
    """Split an 'addressed to' cell into agency names."""
    return [part.strip() for part in cell.split(";") if part.strip()]


def sectors_for(addressees: list[str]) -> list[str]:
    """Sectors of the given agencies, de-duplicated in order."""
    return []

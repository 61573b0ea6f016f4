"""Where the lines of a table cell end paragraphs, from where PDFium placed their glyphs.

Text alone cannot tell two agencies typed on two lines of one cell from one long name
wrapped over two. The page can: a line that ends a paragraph stops short, leaving room on
its line for the first word of the next; a wrapped line leaves no such room.
"""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2 as pdfium

_BLANK = frozenset(" \r\n\t\u00a0")
# How PDFium marks a word hyphenated at a line's end (it prints no glyph of its own).
_HYPHEN_MARKS = frozenset("\ufffe\x02\u00ad")
# Room to spare (points) before a word counts as fitting: glyph boxes are tight, spacing isn't.
_SLACK = 3.0


@dataclass(frozen=True)
class Glyph:
    """One printed character and its box (PDF points, y upwards)."""

    char: str
    left: float
    bottom: float
    right: float
    top: float
    space_before: bool = False  # a space or line end comes before it in the text


def page_glyphs(textpage: pdfium.PdfTextPage) -> list[Glyph]:
    """Every printed character of a page in reading order (spaces and line ends left out)."""
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count)
    if len(text) != count:  # characters outside the BMP: positions would not line up
        return []
    glyphs: list[Glyph] = []
    space = True
    for i, char in enumerate(text):
        if char in _HYPHEN_MARKS:
            if glyphs:
                last = glyphs[-1]
                glyphs.append(Glyph("-", last.right, last.bottom, last.right + 3, last.top))
            space = True
        elif char in _BLANK:
            space = True
        else:
            glyphs.append(Glyph(char, *textpage.get_charbox(i), space_before=space))
            space = False
    return glyphs


def _lines(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped into printed lines: one back to the left and lower starts a new line."""
    # Not by height alone: a comma's box sits lower than the letters of its line.
    lines: list[list[Glyph]] = []
    for glyph in glyphs:
        if lines:
            before = lines[-1][-1]
            back = glyph.left < before.left
            lower = glyph.top < min(g.bottom for g in lines[-1][-3:]) + 1
            if not (back and lower):
                lines[-1].append(glyph)
                continue
        lines.append([glyph])
    return lines


def _first_word_width(line: list[Glyph]) -> float:
    end = line[0].right
    for glyph in line[1:]:
        if glyph.space_before:
            break
        end = glyph.right
    return end - line[0].left


def paragraph_breaks(
    glyphs: list[Glyph], x0: float, bottom: float, x1: float, top: float
) -> tuple[int, ...] | None:
    """Indices of the cell's lines that end a paragraph (never the last), or None if unsure."""
    inside = [
        g
        for g in glyphs
        if x0 <= (g.left + g.right) / 2 <= x1 and bottom <= (g.top + g.bottom) / 2 <= top
    ]
    lines = _lines(inside)
    if len(lines) < 2:
        return ()
    padding = min(line[0].left for line in lines) - x0
    limit = x1 - padding  # the right edge text may reach, mirroring the left padding
    breaks = []
    for i, (line, following) in enumerate(zip(lines, lines[1:], strict=False)):
        if line[-1].char == "-":
            continue  # a hyphenated word carries on
        space = (line[-1].right - line[-1].left) * 0.5 + 1.0
        if line[-1].right + space + _first_word_width(following) + _SLACK < limit:
            breaks.append(i)
    return tuple(breaks)

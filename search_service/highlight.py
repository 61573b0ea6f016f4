"""Snippets: escaped text in which only our own <mark> tags are live.

Whoosh's own highlighter marks every occurrence of every word of a phrase, and its
strict-phrase mode compares unstemmed words; we re-analyse the text with the field's
analyzer and match words and phrases on positions, so `"risk assessment"` marks the phrase
and not every "risk" in the text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field

from whoosh import query as wq

SNIPPET_CHARS = 360
CONTEXT_BEFORE = 90
# Multi-term leaves (prefix, wildcard, fuzzy) expand to at most this many words for marking.
MAX_EXPANSIONS = 200


@dataclass
class MarkTerms:
    """What to mark: single words (analysed form) and phrases (lists of analysed words)."""

    words: set[str] = field(default_factory=set)
    phrases: list[list[str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)


def terms_to_mark(q: wq.Query | None, reader, fieldname: str = "text") -> MarkTerms:
    """Collect the words and phrases of q in fieldname that a snippet should mark."""
    marks = MarkTerms()
    if q is not None:
        _collect(q, reader, fieldname, marks)
    return marks


def _collect(node: wq.Query, reader, fieldname: str, marks: MarkTerms) -> None:
    if isinstance(node, wq.Not):
        return  # words the user excluded are not what they are looking for
    if isinstance(node, wq.Phrase):
        if node.fieldname == fieldname:
            marks.phrases.append([str(w) for w in node.words])
        return
    if isinstance(node, wq.Term):
        if node.fieldname == fieldname:
            marks.words.add(str(node.text))
        return
    if isinstance(node, wq.MultiTerm) and node.fieldname == fieldname:
        for i, word in enumerate(node._btexts(reader) if reader is not None else ()):
            if i >= MAX_EXPANSIONS:
                break
            marks.words.add(word.decode("utf-8") if isinstance(word, bytes) else str(word))
        return
    for child in node.children():
        _collect(child, reader, fieldname, marks)


def mark_spans(text: str, analyzer, marks: MarkTerms) -> list[tuple[int, int]]:
    """Character spans of text to mark: matching words, and phrases matched on positions."""
    if not marks or not text:
        return []
    by_pos: dict[int, list[tuple[str, int, int]]] = {}
    for t in analyzer(text, positions=True, chars=True, mode="index"):
        by_pos.setdefault(t.pos, []).append((t.text, t.startchar, t.endchar))
    spans = [(s, e) for toks in by_pos.values() for (w, s, e) in toks if w in marks.words]
    for words in marks.phrases:
        if not words:
            continue
        for pos, toks in by_pos.items():
            for w, s, e in toks:
                if w != words[0]:
                    continue
                run = [(s, e)]
                for offset, want in enumerate(words[1:], start=1):
                    hit = next(
                        (tok for tok in by_pos.get(pos + offset, ()) if tok[0] == want), None
                    )
                    if hit is None:
                        break
                    run.append((hit[1], hit[2]))
                else:
                    # One mark from the phrase's first word to its last, stop words included.
                    spans.append((run[0][0], max(e for _, e in run)))
    return spans


def _merge(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        # Words separated only by spaces or a hyphen become one mark: <mark>forensic curiosity</mark>.
        gap = text[merged[-1][1] : start] if merged else ""
        if merged and (start <= merged[-1][1] or gap.strip() in ("", "-", "‐", "‑")):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def render(
    text: str, spans: Iterable[tuple[int, int]], start: int = 0, end: int | None = None
) -> str:
    """Escape text[start:end], wrapping the given spans in <mark>."""
    end = len(text) if end is None else end
    out: list[str] = []
    pos = start
    for s, e in _merge(text, spans):
        if e <= pos or s >= end:
            continue
        s, e = max(s, pos), min(e, end)
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def _window(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    if len(text) <= SNIPPET_CHARS:
        return 0, len(text)
    first = min(spans)[0] if spans else 0
    start = max(0, first - CONTEXT_BEFORE)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def snippet(text: str, analyzer, marks: MarkTerms, whole: bool = False) -> str:
    """An escaped snippet of text with matches marked: the whole text, or a window around the first match."""
    spans = mark_spans(text, analyzer, marks)
    start, end = (0, len(text)) if whole else _window(text, spans)
    body = render(text, spans, start, end)
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")

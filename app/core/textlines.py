"""Lines of policy texts: the stored form of a body, splitting and joining, ranges.

Nothing here touches Flask, the database or the rest of the app: the text
modules of app.core (:mod:`.textlines`, :mod:`.linemaps`, :mod:`.textchanges`,
:mod:`.merging`, :mod:`.diffing`, :mod:`.worddiff`) work on plain strings
with the standard library, ``merge3`` and ``fast_diff_match_patch``.

Conventions
-----------
* A *body* is Markdown with one sentence per line.  A *line* is a line of
  the source, numbered from 1.  Stored bodies are normalised (see
  :func:`normalize_body`).  Functions that read a body split it with
  :func:`split_lines` (which also accepts CRLF/CR endings); functions that
  produce a body return it normalised.
* A *range* ``(line_start, line_end)`` is 1-based and inclusive.  An
  *insertion point* before line ``k`` is ``(k, k - 1)``; the end of an
  ``n``-line text is ``(n + 1, n)``.  In an ``n``-line text a range is valid
  when ``1 <= line_start``, ``line_end <= n`` and
  ``line_start <= line_end + 1`` (hence ``line_start <= n + 1``).
"""

from __future__ import annotations

import difflib
import functools
from typing import Iterable

__all__ = [
    "check_range",
    "count_lines",
    "is_insertion",
    "join_lines",
    "line_matcher",
    "normalize_body",
    "quote_of",
    "split_lines",
]

#: Every line alignment of the text modules uses the same matcher.  autojunk
#: is off so that frequent lines (blank lines in long texts) are never ignored.
line_matcher = functools.partial(difflib.SequenceMatcher, autojunk=False)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalize_body(text: str) -> str:
    """Return ``text`` in the stored form of a body.

    CRLF and lone CR become LF; lines are otherwise kept exactly as typed
    (no whitespace is stripped inside or at the end of a line).  A non-empty
    result ends with exactly one ``"\\n"``: a missing final newline is added
    and trailing blank lines are dropped.  ``""``, and a text made only of
    line breaks, normalise to ``""``.
    """
    text = _lf(text).rstrip("\n")
    return text + "\n" if text else ""


def split_lines(body: str) -> list[str]:
    """Split a body into its lines, without newline characters.

    CRLF/CR count as line breaks; the final line break is optional.
    ``""`` gives ``[]``.  Exact inverse of :func:`join_lines`.
    """
    body = _lf(body)
    if not body:
        return []
    lines = body.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def count_lines(body: str) -> int:
    """Number of lines of a body (``len(split_lines(body))``)."""
    return len(split_lines(body))


def join_lines(lines: Iterable[str]) -> str:
    """Join lines into a body: each line followed by ``"\\n"``; ``[]`` gives ``""``."""
    return "".join(line + "\n" for line in lines)


def check_range(line_start: int, line_end: int, n: int | None) -> None:
    """Raise ValueError unless (line_start, line_end) is a valid range of an n-line text."""
    if line_start < 1 or line_start > line_end + 1:
        raise ValueError(f"invalid range {line_start}..{line_end}")
    if n is not None and line_end > n:
        raise ValueError(f"range {line_start}..{line_end} outside a {n}-line text")


def is_insertion(line_start: int, line_end: int) -> bool:
    """True when ``(line_start, line_end)`` is an insertion point (``line_end == line_start - 1``)."""
    return line_end == line_start - 1


def quote_of(body: str, line_start: int, line_end: int) -> str:
    """The lines ``line_start..line_end`` joined with ``"\\n"`` (``""`` for an insertion point)."""
    lines = split_lines(body)
    check_range(line_start, line_end, len(lines))
    return "\n".join(lines[line_start - 1 : line_end])

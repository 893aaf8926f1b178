"""Word-level diff of two lines (the highlighted words of a replaced line)."""

from __future__ import annotations

import re

import fast_diff_match_patch

__all__ = ["word_diff"]

# Words, whitespace runs and single punctuation characters.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
# Private-use code points a token can stand for: the BMP's, then planes 15 and 16 (137,468 in all).
_PRIVATE_USE = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))
_CODES = sum(last - first + 1 for first, last in _PRIVATE_USE)
_DMP_OPS = {"=": "equal", "-": "delete", "+": "insert"}


def _code(index: int) -> str:
    """The index-th private-use character."""
    for first, last in _PRIVATE_USE:
        if index <= last - first:
            return chr(first + index)
        index -= last - first + 1
    raise ValueError("no private-use character left")


def _token_pieces_dmp(old_tokens: list[str], new_tokens: list[str]) -> list[tuple[str, str]]:
    codes = {tok: _code(i) for i, tok in enumerate(dict.fromkeys(old_tokens + new_tokens))}
    tokens = {code: tok for tok, code in codes.items()}
    ops = fast_diff_match_patch.diff(
        "".join(codes[t] for t in old_tokens),
        "".join(codes[t] for t in new_tokens),
        checklines=False,
        cleanup="Semantic",
        counts_only=False,
    )
    return [(_DMP_OPS[op], "".join(tokens[c] for c in chunk)) for op, chunk in ops]


def _whole_line_pieces(old_tokens: list[str], new_tokens: list[str]) -> list[tuple[str, str]]:
    """The line shown as replaced whole: for more distinct tokens than private-use characters."""
    return [("delete", "".join(old_tokens)), ("insert", "".join(new_tokens))]


def _merge_pieces(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``pieces`` without empty ones, neighbours with the same op joined."""
    merged: list[tuple[str, str]] = []
    for op, text in pieces:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged


def word_diff(old_line: str, new_line: str) -> list[tuple[str, str]]:
    """Word-level diff of two lines as ``[(op, text)]``, op in equal/delete/insert.

    Lines are split into tokens (words, whitespace runs, single punctuation
    characters); each distinct token is mapped to one private-use character
    and the encoded strings are diffed by diff-match-patch with semantic
    cleanup (its documented "word mode" trick), so edits never split a word
    and scattered one-word equalities are folded into readable blocks.
    Private-use characters of the BMP and planes 15–16 give 137,468 distinct tokens; a
    line with more (megabytes of distinct words) is shown as replaced whole.
    Equal + delete pieces rebuild ``old_line``; equal + insert rebuild
    ``new_line``.  Adjacent pieces never share an op; no piece is empty.
    """
    old_tokens, new_tokens = _TOKEN.findall(old_line), _TOKEN.findall(new_line)
    if len(set(old_tokens) | set(new_tokens)) <= _CODES:
        pieces = _token_pieces_dmp(old_tokens, new_tokens)
    else:
        pieces = _whole_line_pieces(old_tokens, new_tokens)
    return _merge_pieces(pieces)

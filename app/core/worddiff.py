"""Word-level diff of two lines (the highlighted words of a replaced line)."""

from __future__ import annotations

import re

import fast_diff_match_patch

from .textlines import line_matcher

__all__ = ["word_diff"]

# Words, whitespace runs and single punctuation characters.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_PUA_START, _PUA_SIZE = 0xE000, 0xF8FF - 0xE000 + 1  # BMP private-use area
_DMP_OPS = {"=": "equal", "-": "delete", "+": "insert"}


def _token_pieces_dmp(old_tokens: list[str], new_tokens: list[str]) -> list[tuple[str, str]]:
    codes = {tok: chr(_PUA_START + i) for i, tok in enumerate(dict.fromkeys(old_tokens + new_tokens))}
    tokens = {code: tok for tok, code in codes.items()}
    ops = fast_diff_match_patch.diff(
        "".join(codes[t] for t in old_tokens),
        "".join(codes[t] for t in new_tokens),
        checklines=False,
        cleanup="Semantic",
        counts_only=False,
    )
    return [(_DMP_OPS[op], "".join(tokens[c] for c in chunk)) for op, chunk in ops]


def _token_pieces_difflib(old_tokens: list[str], new_tokens: list[str]) -> list[tuple[str, str]]:
    pieces = []
    for tag, i1, i2, j1, j2 in line_matcher(None, old_tokens, new_tokens).get_opcodes():
        if tag == "equal":
            pieces.append(("equal", "".join(old_tokens[i1:i2])))
        else:
            pieces.append(("delete", "".join(old_tokens[i1:i2])))
            pieces.append(("insert", "".join(new_tokens[j1:j2])))
    return pieces


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
    Above 6400 distinct tokens difflib on the token lists is used instead.
    Equal + delete pieces rebuild ``old_line``; equal + insert rebuild
    ``new_line``.  Adjacent pieces never share an op; no piece is empty.
    """
    old_tokens, new_tokens = _TOKEN.findall(old_line), _TOKEN.findall(new_line)
    if len(set(old_tokens) | set(new_tokens)) <= _PUA_SIZE:
        pieces = _token_pieces_dmp(old_tokens, new_tokens)
    else:
        pieces = _token_pieces_difflib(old_tokens, new_tokens)
    return _merge_pieces(pieces)

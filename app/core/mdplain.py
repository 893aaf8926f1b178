"""Plain text of a Markdown policy text, for search and summaries.

``plain_text(source) -> str`` is markup-free text, NOT HTML: escape it on
output.  Deterministic; the module imports no Flask/app code.
"""

from __future__ import annotations

import html as _html

import nh3
from markdown_it.token import Token

from .mdguard import RenderTooCostly
from .mdparsers import WS_RE, budget_env, source_lines
from .mdpolicy import POLICY_MD
from .mdsanitize import CLEAN_CONTENT_TAGS

__all__ = ["plain_text"]

_TEXT_CLEANER = nh3.Cleaner(tags=set(), clean_content_tags=set(CLEAN_CONTENT_TAGS), attributes={})


def _inline_text(children: list[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child.children or []))
    return "".join(parts)


def _leaf_text(token: Token) -> str | None:
    """The text of a leaf block token (inline, code, raw HTML); ``None`` for other tokens."""
    if token.type == "inline":
        return _inline_text(token.children or [])
    if token.type in ("fence", "code_block"):
        return token.content
    if token.type == "html_block":
        return _html.unescape(_TEXT_CLEANER.clean(token.content))
    return None


def _text_lines(tokens: list[Token]) -> list[str]:
    """One collapsed line per leaf block; the cells of a table row share one line."""
    out: list[str] = []
    row: list[str] | None = None
    for token in tokens:
        if token.type == "tr_open":
            row = []
            continue
        if token.type == "tr_close":
            if row is not None:
                out.append(" ".join(cell for cell in row if cell))
            row = None
            continue
        text = _leaf_text(token)
        if text is None:
            continue
        text = WS_RE.sub(" ", text).strip()
        if row is not None:
            row.append(text)
        elif text:
            out.append(text)
    return out


def plain_text(source: str) -> str:
    """Text without markup, for search and summaries.

    One line per leaf block (paragraph, heading, list item paragraph, table
    row, code block); whitespace inside a line is collapsed.  The result is
    plain text, not HTML."""
    try:
        tokens = POLICY_MD.parse(source or "", budget_env())
    except RenderTooCostly:
        lines = (WS_RE.sub(" ", line).strip() for line in source_lines(source or ""))
        return "\n".join(line for line in lines if line)
    return "\n".join(_text_lines(tokens))

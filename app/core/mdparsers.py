"""The markdown-it parsers of Commonwright and how they see a source text.

Every parser comes from :func:`new_md` (CommonMark, strikethrough, tables by
default, unsafe link destinations rendered as text) and is bounded by
:func:`.mdguard.guard`; each parse gets a fresh work budget from
:func:`budget_env`.  Line breaks are ``\\r\\n``, ``\\r`` or ``\\n`` (the same
normalisation markdown-it applies).  The module imports no Flask/app code.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from .mdguard import ENV_KEY, Budget, guard
from .mdsanitize import is_safe_url

__all__ = ["NEWLINES_RE", "WS_RE", "budget_env", "new_md", "source_lines"]

#: A line break of a Markdown source.
NEWLINES_RE = re.compile(r"\r\n?|\n")
#: A run of whitespace (collapsed to one space in short and plain texts).
WS_RE = re.compile(r"\s+")


def source_lines(source: str) -> list[str]:
    """The lines of a Markdown source, as markdown-it numbers them."""
    return NEWLINES_RE.split(source)


def _validate_link(url: str) -> bool:
    # Invalid destinations make markdown-it render the link as plain text.
    return is_safe_url(url)


def _configured_md(*, html: bool, tables: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": html, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"] if tables else ["strikethrough"])
    md.validateLink = _validate_link  # type: ignore[method-assign]
    return md


def new_md(*, html: bool, tables: bool = True) -> MarkdownIt:
    """A parser with its inline twin, both bounded by :func:`.mdguard.guard`."""
    return guard(_configured_md(html=html, tables=tables), _configured_md(html=html, tables=tables))


def budget_env() -> dict:
    """A fresh ``env`` for one parse, with its work budget (see :mod:`.mdguard`)."""
    return {ENV_KEY: Budget()}

"""Rendering policy texts: Markdown written one sentence per line, block by block.

The reading view renders a draft *block by block* and every block carries the
range of source lines it came from, so that readers can comment on or amend
any line range and the page can show line numbers in a gutter.  Lines are
lines of the Markdown source, numbered from 1 (see :func:`.mdparsers.source_lines`).

``render_blocks(source) -> list[Block]``
    One :class:`Block` per top-level Markdown block, with 1-based inclusive
    line numbers and sanitised HTML.  Inside a block, ``<li>``, ``<p>``,
    ``<h1>``-``<h6>``, ``<tr>``, ``<ul>``, ``<ol>``, ``<blockquote>`` and
    ``<table>`` elements carry ``data-line-start`` / ``data-line-end``.
``render_document(source) -> str`` (alias ``render_markdown``)
    The blocks wrapped by :func:`wrap_block` and joined with newlines.
``check_renderable(source)``
    Raises :class:`.mdguard.RenderTooCostly` for a text over the work budget.

Everything is deterministic: the same input always gives the same output, so
results may be cached per revision.  The module imports no Flask/app code.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from .mdguard import RenderTooCostly
from .mdparsers import budget_env, new_md, source_lines
from .mdsanitize import ALIGN_VALUES, POLICY_TAGS, make_cleaner

__all__ = [
    "BLOCK_KINDS",
    "POLICY_MD",
    "TOO_COSTLY_MESSAGE",
    "Block",
    "check_renderable",
    "render_blocks",
    "render_document",
    "render_markdown",
    "wrap_block",
]

#: Kinds of :class:`Block`.  ``reference`` covers source lines that render to
#: nothing (link reference definitions); its ``html`` is empty.
BLOCK_KINDS = frozenset(
    {"heading", "paragraph", "list", "table", "blockquote", "code", "hr", "html", "reference"}
)

_TOP_LEVEL_KIND = {
    "heading_open": "heading",
    "paragraph_open": "paragraph",
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "table_open": "table",
    "blockquote_open": "blockquote",
    "fence": "code",
    "code_block": "code",
    "hr": "hr",
    "html_block": "html",
}

#: Elements that get data-line-start/data-line-end inside a block.
_LINE_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "ul", "ol", "blockquote", "table"}
)

_BLANK_LINE_RE = re.compile(r"^[ \t]*$")
_DATA_LINE_IN_RAW_RE = re.compile(r"data-line-", re.IGNORECASE)

# The renderer marks line ranges with attribute names containing a random,
# per-process key, and only those survive sanitising; they are renamed to
# ``data-line-start``/``data-line-end`` afterwards.  Author-supplied raw HTML
# (or attribute-quote tricks across blocks) therefore cannot forge line ranges,
# and since the key never reaches the output, output stays deterministic.
_KEY = secrets.token_hex(8)
_MARK_START = f"data-cw{_KEY}-s"
_MARK_END = f"data-cw{_KEY}-e"

_BLOCK_CLEANER = make_cleaner(POLICY_TAGS, images=True, line_attrs=frozenset({_MARK_START, _MARK_END}))

#: The parser of policy texts (raw HTML allowed, then sanitised).
POLICY_MD = new_md(html=True)

#: Why a text over the work budget is refused (shown under the text field).
TOO_COSTLY_MESSAGE = (
    "This text has more markup than the page can show (for example very long runs of [, * or |, "
    "or tens of thousands of tiny blocks or table cells). Remove the repeated characters, or "
    "split the text into several policies."
)


@dataclass(frozen=True)
class Block:
    """One top-level block of a Markdown document.

    ``line_start``/``line_end`` are 1-based and inclusive; ``line_end`` is the
    last non-blank source line of the block.  ``html`` is sanitised.
    """

    line_start: int
    line_end: int
    html: str
    kind: str


def _unmark(html: str) -> str:
    return html.replace(_MARK_START, "data-line-start").replace(_MARK_END, "data-line-end")


def _is_blank(line: str) -> bool:
    return bool(_BLANK_LINE_RE.match(line))


def _line_span(token_map: list[int], lines: list[str]) -> tuple[int, int]:
    """1-based inclusive (start, end) for a 0-based [start, end) map,
    without trailing blank lines."""
    start, end = token_map[0], min(token_map[1], len(lines))
    while end - 1 > start and _is_blank(lines[end - 1]):
        end -= 1
    return start + 1, max(end, start + 1)


def _align_cell(token: Token) -> None:
    """Turn markdown-it's ``style="text-align:…"`` on a table cell into ``align``."""
    style = token.attrs.pop("style", None)
    if isinstance(style, str) and style.startswith("text-align:"):
        align = style.split(":", 1)[1].strip()
        if align in ALIGN_VALUES:
            token.attrSet("align", align)


def _defuse_raw_line_attrs(token: Token) -> None:
    """Belt and braces: author HTML never carries our line attributes."""
    if token.type == "html_block":
        token.content = _DATA_LINE_IN_RAW_RE.sub("data-x-line-", token.content)
    elif token.type == "inline" and token.children:
        for child in token.children:
            if child.type == "html_inline":
                child.content = _DATA_LINE_IN_RAW_RE.sub("data-x-line-", child.content)


def _prepare_tokens(tokens: list[Token], lines: list[str]) -> None:
    """Annotate tokens before rendering (line ranges, table alignment)."""
    for token in tokens:
        if token.nesting == 1 and token.map and token.tag in _LINE_TAGS:
            start, end = _line_span(token.map, lines)
            token.attrSet(_MARK_START, str(start))
            token.attrSet(_MARK_END, str(end))
        if token.type in ("th_open", "td_open"):
            _align_cell(token)
        _defuse_raw_line_attrs(token)


def _top_level_groups(tokens: list[Token]) -> list[tuple[Token, list[Token]]]:
    groups: list[tuple[Token, list[Token]]] = []
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i]
        j = i
        if token.nesting == 1:
            j = i + 1
            while j < n and not (tokens[j].level == token.level and tokens[j].nesting == -1):
                j += 1
        groups.append((token, tokens[i : j + 1]))
        i = j + 1
    return groups


def _plain_blocks(lines: list[str]) -> list[Block]:
    """The fallback for texts over the work budget: the whole text as typed, in
    one escaped ``<pre>`` block (every non-blank line still belongs to it)."""
    start, end = 1, len(lines)
    while end >= start and _is_blank(lines[end - 1]):
        end -= 1
    while start <= end and _is_blank(lines[start - 1]):
        start += 1
    if start > end:
        return []
    text = escapeHtml("\n".join(lines[start - 1 : end]))
    html = f'<pre data-line-start="{start}" data-line-end="{end}">{text}</pre>'
    return [Block(start, end, html, "code")]


def _rendered_blocks(tokens: list[Token], lines: list[str], env: dict) -> list[Block]:
    """One sanitised block per top-level group of ``tokens`` (already prepared)."""
    blocks: list[Block] = []
    for opener, group in _top_level_groups(tokens):
        rendered = POLICY_MD.renderer.render(group, POLICY_MD.options, env)
        html = _unmark(_BLOCK_CLEANER.clean(rendered)).strip("\n")
        if not opener.map:  # defensive: should not happen for block tokens
            if blocks:
                last = blocks[-1]
                blocks[-1] = Block(last.line_start, last.line_end, last.html + html, last.kind)
            continue
        start, end = _line_span(opener.map, lines)
        kind = _TOP_LEVEL_KIND.get(opener.type, opener.type.removesuffix("_open"))
        blocks.append(Block(start, end, html, kind))
    return blocks


def _reference_blocks(lines: list[str], blocks: list[Block]) -> list[Block]:
    """Runs of non-blank lines outside every block (reference definitions), as empty blocks."""
    covered = {number for block in blocks for number in range(block.line_start, block.line_end + 1)}
    references: list[Block] = []
    run_start = None
    for number in range(1, len(lines) + 2):
        uncovered = (
            number <= len(lines) and number not in covered and not _is_blank(lines[number - 1])
        )
        if uncovered and run_start is None:
            run_start = number
        elif not uncovered and run_start is not None:
            references.append(Block(run_start, number - 1, "", "reference"))
            run_start = None
    return references


def check_renderable(source: str) -> None:
    """Raise :class:`RenderTooCostly` when ``source`` needs more work to render
    than the budget allows (see :mod:`app.core.mdguard`): parsing is where the
    budget is spent, so this parses without rendering."""
    POLICY_MD.parse(source or "", budget_env())


def render_blocks(source: str, *, strict: bool = False) -> list[Block]:
    """Render Markdown into one sanitised :class:`Block` per top-level block.

    Every non-blank source line belongs to exactly one block; source lines that
    produce no output (link reference definitions) form ``reference`` blocks
    with empty ``html``.

    The work is budgeted (:mod:`app.core.mdguard`): a text over the budget is
    shown as paragraphs of escaped plain text, or with ``strict`` raises
    :class:`RenderTooCostly`.
    """
    source = source or ""
    lines = source_lines(source)
    env = budget_env()
    try:
        tokens = POLICY_MD.parse(source, env)
    except RenderTooCostly:
        if strict:
            raise
        return _plain_blocks(lines)
    _prepare_tokens(tokens, lines)
    blocks = _rendered_blocks(tokens, lines, env)
    blocks.extend(_reference_blocks(lines, blocks))
    blocks.sort(key=lambda b: b.line_start)
    return blocks


def wrap_block(block: Block) -> str:
    """``<section class="md-block" data-line-start="a" data-line-end="b" id="La">…</section>``"""
    return (
        f'<section class="md-block" data-line-start="{block.line_start}" '
        f'data-line-end="{block.line_end}" id="L{block.line_start}">'
        f"{block.html}</section>"
    )


def render_document(source: str) -> str:
    """The whole document: every block wrapped by :func:`wrap_block`."""
    return "\n".join(wrap_block(block) for block in render_blocks(source))


#: Alias of :func:`render_document`.
render_markdown = render_document

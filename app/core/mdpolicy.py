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
    Every non-blank source line of a block also has exactly one *line element*,
    in source order, with ``data-line`` = its number:
    a ``<span>`` in the flow of its paragraph, heading, list item or code block
    (inline markup spanning lines is closed and reopened at the line break), a
    table row's ``<tr>``, the delimiter row's ``<tbody>``, an ``<hr>``; lines
    that show nothing of their own (a fence, a setext underline, a lone ``>``,
    raw HTML) get an empty ``<span>`` where they stand (see :data:`LINE_ELEMENT_RE`).
``render_document(source) -> str`` (alias ``render_markdown``)
    The blocks wrapped by :func:`wrap_block` and joined with newlines.
``check_renderable(source)``
    Raises :class:`.mdguard.RenderTooCostly` for a text over the work budget.

Everything is deterministic: the same input always gives the same output, so
results may be cached per revision.  The module imports no Flask/app code (only Flask-Babel's
gettext for the one message it gives people, :func:`too_costly_message`).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask_babel import gettext
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from .mdguard import RenderTooCostly
from .mdparsers import budget_env, new_md, source_lines
from .mdsanitize import ALIGN_VALUES, POLICY_TAGS, make_cleaner

__all__ = [
    "BLOCK_KINDS",
    "LINE_ELEMENT_RE",
    "POLICY_MD",
    "TOO_COSTLY_MESSAGE",
    "too_costly_message",
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

#: A line element in a block's HTML: group 1 the tag, group 2 the line number.
LINE_ELEMENT_RE = re.compile(r'<(span|tr|tbody|hr)(?: data-line-start="\d+" data-line-end="\d+")? data-line="(\d+)"')
_OPENER_RE = re.compile(r'<(\w+) data-line-start="(\d+)" data-line-end="\d+">')
_HOLDS_A_SPAN = frozenset({"li", "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"})
#: Inline tokens that open markup which must be closed and reopened at a line break.
_INLINE_CLOSERS = {"strong_open": "strong_close", "em_open": "em_close", "s_open": "s_close",
                   "link_open": "link_close"}
_DATA_LINE_IN_RAW_RE = re.compile(r"data-line-", re.IGNORECASE)

# The renderer marks line ranges with attribute names containing a random,
# per-process key, and only those survive sanitising; they are renamed to
# ``data-line-start``/``data-line-end`` afterwards.  Author-supplied raw HTML
# (or attribute-quote tricks across blocks) therefore cannot forge line ranges,
# and since the key never reaches the output, output stays deterministic.
_KEY = secrets.token_hex(8)
_MARK_START = f"data-cw{_KEY}-s"
_MARK_END = f"data-cw{_KEY}-e"
_MARK_LINE = f"data-cw{_KEY}-l"

_BLOCK_CLEANER = make_cleaner(
    POLICY_TAGS, images=True, line_attrs=frozenset({_MARK_START, _MARK_END, _MARK_LINE})
)

#: The parser of policy texts (raw HTML allowed, then sanitised).
POLICY_MD = new_md(html=True)

#: Why a text over the work budget is refused (shown under the text field).
TOO_COSTLY_MESSAGE = (
    "This text has more markup than the page can show (for example very long runs of [, * or |, "
    "or tens of thousands of tiny blocks or table cells). Remove the repeated characters, or "
    "split the text into several policies."
)


def too_costly_message():
    """TOO_COSTLY_MESSAGE in the reader's language (call it where the message is given)."""
    return gettext(
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
    return (
        html.replace(_MARK_START, "data-line-start").replace(_MARK_END, "data-line-end")
        .replace(_MARK_LINE, "data-line")
    )


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


def _prepare_tokens(tokens: list[Token], lines: list[str], with_lines: bool) -> None:
    """Annotate tokens before rendering (line ranges, table alignment)."""
    for token in tokens:
        if token.nesting == 1 and token.map and token.tag in _LINE_TAGS:
            start, end = _line_span(token.map, lines)
            token.attrSet(_MARK_START, str(start))
            token.attrSet(_MARK_END, str(end))
        if token.type in ("th_open", "td_open"):
            _align_cell(token)
        _defuse_raw_line_attrs(token)
    if with_lines:
        _mark_lines(tokens, lines)


def _line_mark(number: int) -> str:
    return f'{_MARK_LINE}="{number}"'


def _mark_lines(tokens: list[Token], lines: list[str]) -> None:
    """Give each source line of a block of several lines its line element (after the raw
    HTML was defused). A block of one line is that line's element itself."""
    table_start = None
    single = False
    for index, token in enumerate(tokens):
        if token.level == 0 and token.nesting >= 0 and token.map:
            start, end = _line_span(token.map, lines)
            single = start == end
        if single:
            continue
        if token.type == "inline" and token.map and index and tokens[index - 1].type in (
                "paragraph_open", "heading_open"):
            _split_inline(token, token.map[0] + 1)
        elif token.type in ("fence", "code_block"):
            token.meta["cw_lines"] = True
        elif token.type == "hr" and token.map:
            token.attrSet(_MARK_LINE, str(token.map[0] + 1))
        elif token.type == "tr_open" and token.map:
            token.attrSet(_MARK_LINE, str(token.map[0] + 1))
        elif token.type == "table_open" and token.map:
            table_start = token.map[0]
        elif token.type == "tbody_open" and table_start is not None:
            token.attrSet(_MARK_LINE, str(table_start + 2))  # the delimiter row


def _raw(content: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = content
    return token


def _split_inline(inline: Token, first: int) -> None:
    """Wrap each source line of an inline token's children in a marked ``<span>``.

    A soft or hard break ends a line; markup still open there (emphasis, a link) is
    closed before the span ends and reopened in the next one, so the spans nest properly.
    Breaks swallowed by a code span or raw HTML over several lines skip those lines (their
    empty line elements are added by :func:`_fill_lines`).
    """
    children = inline.children or []
    last = first + inline.content.count("\n")
    code_cursor = [0]
    out = [_raw(f"<span {_line_mark(first)}>")]
    stack: list[Token] = []
    line = first
    for child in children:
        kind = child.type
        if kind in ("softbreak", "hardbreak"):
            line = min(line + 1, last)
            closing = "".join(f"</{t.tag}>" for t in reversed(stack))
            reopening = "".join(POLICY_MD.renderer.renderToken([t], 0, POLICY_MD.options, {}) for t in stack)
            brk = "<br />" if kind == "hardbreak" else ""
            out.append(_raw(f"{brk}{closing}</span>\n<span {_line_mark(line)}>{reopening}"))
            continue
        out.append(child)
        if kind in _INLINE_CLOSERS:
            stack.append(child)
        elif stack and kind == _INLINE_CLOSERS[stack[-1].type]:
            stack.pop()
        elif kind == "html_inline":
            line = min(line + child.content.count("\n"), last)
        elif kind == "code_inline" and last > first:
            line = min(line + _code_newlines(inline.content, child.markup, code_cursor), last)
    out.append(_raw("".join(f"</{t.tag}>" for t in reversed(stack)) + "</span>"))
    inline.children = out


def _code_newlines(source: str, markup: str, cursor: list[int]) -> int:
    """Line breaks inside the next code span delimited by ``markup`` in ``source``."""
    opening = source.find(markup, cursor[0])
    closing = source.find(markup, opening + len(markup)) if opening >= 0 else -1
    if closing < 0:
        return 0
    cursor[0] = closing + len(markup)
    return source.count("\n", opening, closing)


def _render_code(default):
    """A code block's renderer that wraps each non-blank line of code in a marked span."""

    def render(self, tokens, idx, options, env):  # noqa: ANN001, ANN202, ARG001
        html = default(tokens, idx, options, env)
        token = tokens[idx]
        if not token.map or not token.meta.get("cw_lines"):
            return html
        first = token.map[0] + (2 if token.type == "fence" else 1)
        body_start = html.find(">", html.find("<code")) + 1
        body_end = html.rfind("</code>")
        if body_start <= 0 or body_end < body_start:
            return html
        parts = html[body_start:body_end].split("\n")
        wrapped = [
            f"<span {_line_mark(first + i)}>{part}</span>" if part.strip() else part for i, part in enumerate(parts)
        ]
        return html[:body_start] + "\n".join(wrapped) + html[body_end:]

    return render


def _fill_lines(html: str, start: int, end: int, lines: list[str]) -> str:
    """Add an empty line element for each non-blank line in start..end that has none, before
    the element of the next line (outside a table), else at the end: one per line, in order."""
    found = [(int(m.group(2)), m.start(), m.group(1)) for m in LINE_ELEMENT_RE.finditer(html)]
    present = {number for number, _pos, _tag in found}
    missing = [n for n in range(start, end + 1)
               if n not in present and n <= len(lines) and not _BLANK_LINE_RE.match(lines[n - 1])]
    if not missing:
        return html
    inserts = []
    index = 0
    found.sort()
    openers = {int(m.group(2)): m.end() for m in _OPENER_RE.finditer(html) if m.group(1) in _HOLDS_A_SPAN}
    for number in missing:
        while index < len(found) and found[index][0] < number:
            index += 1
        position = len(html)
        if number in openers:  # an element of its own that shows nothing (an empty item)
            position = openers[number]
        elif index < len(found):
            _n, position, tag = found[index]
            if tag in ("tr", "tbody"):
                position = html.rfind("<table", 0, position)
        inserts.append((position, f'<span data-line="{number}"></span>'))
    inserts.sort(key=lambda item: item[0])
    pieces, previous = [], 0
    for position, piece in inserts:
        pieces.append(html[previous:position])
        pieces.append(piece)
        previous = position
    pieces.append(html[previous:])
    return "".join(pieces)


for _code_rule in ("fence", "code_block"):
    POLICY_MD.add_render_rule(_code_rule, _render_code(POLICY_MD.renderer.rules[_code_rule]))


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


def _rendered_blocks(tokens: list[Token], lines: list[str], env: dict, with_lines: bool) -> list[Block]:
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
        if with_lines and end > start:
            html = _fill_lines(html, start, end, lines)
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


def render_blocks(source: str, *, strict: bool = False, with_lines: bool = False) -> list[Block]:
    """Render Markdown into one sanitised :class:`Block` per top-level block.

    Every non-blank source line belongs to exactly one block; source lines that
    produce no output (link reference definitions) form ``reference`` blocks
    with empty ``html``.  With ``with_lines`` every non-blank line of a block of
    several lines also gets its line element (``data-line``, see the module
    docstring): what the reading view shows; revisions store the blocks without.

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
    _prepare_tokens(tokens, lines, with_lines)
    blocks = _rendered_blocks(tokens, lines, env, with_lines)
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

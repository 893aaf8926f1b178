"""Markdown rendering and HTML sanitising for Commonwright.

Policy drafts are Markdown written one sentence per line.  The reading view
renders a draft *block by block* and every block carries the range of source
lines it came from, so that readers can comment on or amend any line range and
the page can show line numbers in a gutter.

Lines are lines of the Markdown source, numbered from 1.  Line breaks are
``\\r\\n``, ``\\r`` or ``\\n`` (the same normalisation markdown-it applies).

Public API
----------

``render_blocks(source) -> list[Block]``
    One :class:`Block` per top-level Markdown block, with 1-based inclusive
    line numbers and sanitised HTML.  Inside a block, ``<li>``, ``<p>``,
    ``<h1>``-``<h6>``, ``<tr>``, ``<ul>``, ``<ol>``, ``<blockquote>`` and
    ``<table>`` elements carry ``data-line-start`` / ``data-line-end``.
``render_document(source) -> str`` (alias ``render_markdown``)
    The blocks wrapped by :func:`wrap_block` and joined with newlines.
``render_inline(source) -> str``
    Single-line inline Markdown (titles, short texts).
``render_comment(source) -> str``
    Full Markdown for comments: no raw HTML, no images, ``rel`` with ``ugc``.
``sanitize_html(html, *, allow_images=True) -> str``
    The allow-list sanitiser used for policy HTML.
``plain_text(source) -> str``
    Markup-free text for search and summaries (NOT HTML: escape it on output).

Everything is deterministic: the same input always gives the same output, so
results may be cached per revision.  The module imports no Flask/app code.
"""

from __future__ import annotations

import html as _html
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Callable

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from .mdguard import ENV_KEY, Budget, RenderTooCostly, guard

__all__ = [
    "Block",
    "BLOCK_KINDS",
    "render_blocks",
    "render_document",
    "render_markdown",
    "wrap_block",
    "render_inline",
    "render_comment",
    "sanitize_html",
    "plain_text",
    "is_safe_url",
    "RenderTooCostly",
    "check_renderable",
    "TOO_COSTLY_MESSAGE",
]

# ---------------------------------------------------------------------------
# Allow-lists
# ---------------------------------------------------------------------------

#: Tags allowed in policy HTML (rendered Markdown plus sanitised raw HTML).
POLICY_TAGS = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "blockquote", "pre", "code",
        "em", "strong", "del", "s", "a",
        "table", "thead", "tbody", "tr", "th", "td",
        "hr", "br", "img", "sup", "sub", "section", "span", "div",
    }
)
#: Comments: no images, and nothing raw HTML alone could produce.
COMMENT_TAGS = POLICY_TAGS - {"img", "section"}
#: Titles and other short texts: phrasing content only.
INLINE_TAGS = frozenset({"a", "em", "strong", "del", "s", "code", "br", "sup", "sub", "span"})

#: Tags removed together with their content (never rendered as text either).
_CLEAN_CONTENT_TAGS = frozenset(
    {
        "script", "style", "template", "iframe", "frame", "frameset", "object",
        "embed", "applet", "svg", "math", "noscript", "noembed", "noframes",
        "xmp", "plaintext", "textarea", "select", "title", "head", "meta",
        "link", "base",
    }
)

#: URL schemes allowed in href/src (relative URLs are allowed as well).
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

POLICY_LINK_REL = "noopener noreferrer nofollow"
COMMENT_LINK_REL = "nofollow noopener noreferrer ugc"

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

_ALIGN_VALUES = frozenset({"left", "center", "right"})
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_LANG_CLASS_RE = re.compile(r"^language-[A-Za-z0-9_+#.\-]{1,40}$")
_DIGITS_RE = re.compile(r"^[0-9]{1,9}$")
_NEWLINES_RE = re.compile(r"\r\n?|\n")
_BLANK_LINE_RE = re.compile(r"^[ \t]*$")
_WS_RE = re.compile(r"\s+")

# The renderer marks line ranges with attribute names containing a random,
# per-process key, and only those survive sanitising; they are renamed to
# ``data-line-start``/``data-line-end`` afterwards.  Author-supplied raw HTML
# (or attribute-quote tricks across blocks) therefore cannot forge line ranges,
# and since the key never reaches the output, output stays deterministic.
_KEY = secrets.token_hex(8)
_MARK_START = f"data-cw{_KEY}-s"
_MARK_END = f"data-cw{_KEY}-e"


# ---------------------------------------------------------------------------
# URL checks
# ---------------------------------------------------------------------------


def _url_fingerprint(url: str) -> str:
    """The URL as a lenient browser might see it: unescaped, without any
    whitespace / control / invisible formatting characters, lower-cased.

    Stricter than browsers on purpose (it also drops characters that browsers
    would keep and that would make the scheme invalid)."""
    previous = None
    value = url
    # Undo (possibly repeated) entity encoding, e.g. ``&amp;#106;``.
    for _ in range(4):
        if value == previous:
            break
        previous = value
        value = _html.unescape(value)
    return "".join(
        ch
        for ch in value
        if not (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp"))
    ).lower()


def is_safe_url(url: str) -> bool:
    """True for relative URLs and http/https/mailto URLs."""
    match = _SCHEME_RE.match(_url_fingerprint(url))
    return match is None or match.group(1) in ALLOWED_URL_SCHEMES


# ---------------------------------------------------------------------------
# Sanitisers
# ---------------------------------------------------------------------------


def _make_attribute_filter(line_attrs: frozenset[str]) -> Callable[[str, str, str], str | None]:
    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr in ("href", "src"):
            return value if is_safe_url(value) else None
        if attr in line_attrs or attr == "start":
            return value if _DIGITS_RE.match(value) else None
        if attr == "class":
            classes = [c for c in value.split() if _LANG_CLASS_RE.match(c)]
            return " ".join(classes[:1]) or None
        return value

    return attribute_filter


def _make_cleaner(
    tags: frozenset[str],
    *,
    images: bool,
    line_attrs: frozenset[str] = frozenset(),
    link_rel: str = POLICY_LINK_REL,
) -> nh3.Cleaner:
    attributes: dict[str, set[str]] = {
        "a": {"href", "title"},
        "code": {"class"},
        "ol": {"start"},
    }
    if images:
        attributes["img"] = {"src", "alt", "title"}
    if line_attrs:
        attributes["*"] = set(line_attrs)
    attributes = {tag: attrs for tag, attrs in attributes.items() if tag == "*" or tag in tags}
    tag_attribute_values = {
        cell: {"align": set(_ALIGN_VALUES)} for cell in ("th", "td") if cell in tags
    }
    return nh3.Cleaner(
        tags=set(tags),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes=attributes,
        attribute_filter=_make_attribute_filter(line_attrs),
        strip_comments=True,
        link_rel=link_rel,
        tag_attribute_values=tag_attribute_values,
        url_schemes=set(ALLOWED_URL_SCHEMES),
    )


_LINE_ATTRS = frozenset({"data-line-start", "data-line-end"})
_MARK_ATTRS = frozenset({_MARK_START, _MARK_END})

_PUBLIC_CLEANER = _make_cleaner(POLICY_TAGS, images=True, line_attrs=_LINE_ATTRS)
_PUBLIC_CLEANER_NO_IMG = _make_cleaner(POLICY_TAGS - {"img"}, images=False, line_attrs=_LINE_ATTRS)
_BLOCK_CLEANER = _make_cleaner(POLICY_TAGS, images=True, line_attrs=_MARK_ATTRS)
_COMMENT_CLEANER = _make_cleaner(COMMENT_TAGS, images=False, link_rel=COMMENT_LINK_REL)
_INLINE_CLEANER = _make_cleaner(INLINE_TAGS, images=False)


def sanitize_html(html: str, *, allow_images: bool = True) -> str:
    """Sanitise an HTML fragment with the policy allow-list.

    Keeps only the allowed tags and attributes, ``href``/``src`` with
    http/https/mailto or relative URLs, numeric ``data-line-start`` /
    ``data-line-end``, ``class="language-…"`` on ``code`` and ``align`` on
    table cells.  Links get ``rel="noopener noreferrer nofollow"``.
    """
    cleaner = _PUBLIC_CLEANER if allow_images else _PUBLIC_CLEANER_NO_IMG
    return cleaner.clean(html)


def _unmark(html: str) -> str:
    return html.replace(_MARK_START, "data-line-start").replace(_MARK_END, "data-line-end")


# ---------------------------------------------------------------------------
# markdown-it instances
# ---------------------------------------------------------------------------


def _validate_link(url: str) -> bool:
    # Invalid destinations make markdown-it render the link as plain text.
    return is_safe_url(url)


def _image_as_text(self, tokens, idx, options, env) -> str:  # noqa: ANN001
    """Images in titles: their alt text."""
    return escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env))


def _image_as_link(self, tokens, idx, options, env) -> str:  # noqa: ANN001
    """Images in comments: a link to the image, labelled with its alt text."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    src = token.attrGet("src") or ""
    label = escapeHtml(alt or src)
    if not src:
        return label
    return f'<a href="{escapeHtml(str(src))}">{label}</a>'


def _configured_md(*, html: bool, tables: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": html, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"] if tables else ["strikethrough"])
    md.validateLink = _validate_link  # type: ignore[method-assign]
    return md


def _new_md(*, html: bool, tables: bool = True) -> MarkdownIt:
    """A parser with its inline twin, both bounded by :func:`.mdguard.guard`."""
    return guard(_configured_md(html=html, tables=tables), _configured_md(html=html, tables=tables))


def _budget_env() -> dict:
    """A fresh ``env`` for one parse, with its work budget (see :mod:`.mdguard`)."""
    return {ENV_KEY: Budget()}


_POLICY_MD = _new_md(html=True)
_COMMENT_MD = _new_md(html=False)
_COMMENT_MD.add_render_rule("image", _image_as_link)
_INLINE_MD = _new_md(html=False, tables=False)
_INLINE_MD.add_render_rule("image", _image_as_text)


# ---------------------------------------------------------------------------
# Blocks
# ---------------------------------------------------------------------------


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


def _source_lines(source: str) -> list[str]:
    return _NEWLINES_RE.split(source)


def _is_blank(line: str) -> bool:
    return bool(_BLANK_LINE_RE.match(line))


def _line_span(token_map: list[int], lines: list[str]) -> tuple[int, int]:
    """1-based inclusive (start, end) for a 0-based [start, end) map,
    without trailing blank lines."""
    start, end = token_map[0], min(token_map[1], len(lines))
    while end - 1 > start and _is_blank(lines[end - 1]):
        end -= 1
    return start + 1, max(end, start + 1)


_DATA_LINE_IN_RAW_RE = re.compile(r"data-line-", re.IGNORECASE)


def _prepare_tokens(tokens: list[Token], lines: list[str]) -> None:
    """Annotate tokens before rendering (line ranges, table alignment)."""
    for token in tokens:
        if token.nesting == 1 and token.map and token.tag in _LINE_TAGS:
            start, end = _line_span(token.map, lines)
            token.attrSet(_MARK_START, str(start))
            token.attrSet(_MARK_END, str(end))
        if token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None)
            if isinstance(style, str) and style.startswith("text-align:"):
                align = style.split(":", 1)[1].strip()
                if align in _ALIGN_VALUES:
                    token.attrSet("align", align)
        if token.type == "html_block":
            # Belt and braces: author HTML never carries our line attributes.
            token.content = _DATA_LINE_IN_RAW_RE.sub("data-x-line-", token.content)
        elif token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "html_inline":
                    child.content = _DATA_LINE_IN_RAW_RE.sub("data-x-line-", child.content)


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


#: Why a text over the work budget is refused (shown under the text field).
TOO_COSTLY_MESSAGE = (
    "This text has more markup than the page can show (for example very long runs of [, * or |, "
    "or tens of thousands of tiny blocks or table cells). Remove the repeated characters, or "
    "split the text into several policies."
)


def check_renderable(source: str) -> None:
    """Raise :class:`RenderTooCostly` when ``source`` needs more work to render
    than the budget allows (see :mod:`app.core.mdguard`): parsing is where the
    budget is spent, so this parses without rendering."""
    _POLICY_MD.parse(source or "", _budget_env())


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
    lines = _source_lines(source)
    env = _budget_env()
    try:
        tokens = _POLICY_MD.parse(source, env)
    except RenderTooCostly:
        if strict:
            raise
        return _plain_blocks(lines)
    _prepare_tokens(tokens, lines)

    blocks: list[Block] = []
    covered: set[int] = set()
    for opener, group in _top_level_groups(tokens):
        rendered = _POLICY_MD.renderer.render(group, _POLICY_MD.options, env)
        html = _unmark(_BLOCK_CLEANER.clean(rendered)).strip("\n")
        if not opener.map:  # defensive: should not happen for block tokens
            if blocks:
                last = blocks[-1]
                blocks[-1] = Block(last.line_start, last.line_end, last.html + html, last.kind)
            continue
        start, end = _line_span(opener.map, lines)
        kind = _TOP_LEVEL_KIND.get(opener.type, opener.type.removesuffix("_open"))
        blocks.append(Block(start, end, html, kind))
        covered.update(range(start, end + 1))

    # Non-blank lines outside any block: reference definitions.
    run_start = None
    for number in range(1, len(lines) + 2):
        uncovered = (
            number <= len(lines) and number not in covered and not _is_blank(lines[number - 1])
        )
        if uncovered and run_start is None:
            run_start = number
        elif not uncovered and run_start is not None:
            blocks.append(Block(run_start, number - 1, "", "reference"))
            run_start = None
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


# ---------------------------------------------------------------------------
# Inline, comments, plain text
# ---------------------------------------------------------------------------


def render_inline(source: str) -> str:
    """Inline Markdown of a single line (titles, short texts), sanitised.

    Line breaks are turned into spaces; block syntax is not interpreted; raw
    HTML is escaped; images are replaced by their alt text."""
    text = _WS_RE.sub(" ", _NEWLINES_RE.sub(" ", source or "")).strip()
    if not text:
        return ""
    try:
        return _INLINE_CLEANER.clean(_INLINE_MD.renderInline(text, _budget_env()))
    except RenderTooCostly:
        return escapeHtml(text)


def render_comment(source: str) -> str:
    """Full Markdown for comments: raw HTML escaped, images turned into links,
    links with ``rel="nofollow noopener noreferrer ugc"``."""
    if not (source or "").strip():
        return ""
    try:
        html = _COMMENT_MD.render(source, _budget_env())
    except RenderTooCostly:  # plain escaped paragraphs: nothing left to sanitise
        return "\n".join(f"<p>{escapeHtml(part.strip())}</p>" for part in _PARAGRAPH_BREAK_RE.split(source))
    return _COMMENT_CLEANER.clean(html).strip("\n")


_PARAGRAPH_BREAK_RE = re.compile(r"(?:\r\n?|\n)[ \t]*(?:\r\n?|\n)\s*")


_TEXT_CLEANER = nh3.Cleaner(tags=set(), clean_content_tags=set(_CLEAN_CONTENT_TAGS), attributes={})


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


def plain_text(source: str) -> str:
    """Text without markup, for search and summaries.

    One line per leaf block (paragraph, heading, list item paragraph, table
    row, code block); whitespace inside a line is collapsed.  The result is
    plain text, not HTML."""
    try:
        tokens = _POLICY_MD.parse(source or "", _budget_env())
    except RenderTooCostly:
        lines = (_WS_RE.sub(" ", line).strip() for line in _source_lines(source or ""))
        return "\n".join(line for line in lines if line)
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
        if token.type == "inline":
            text = _inline_text(token.children or [])
        elif token.type in ("fence", "code_block"):
            text = token.content
        elif token.type == "html_block":
            text = _html.unescape(_TEXT_CLEANER.clean(token.content))
        else:
            continue
        text = _WS_RE.sub(" ", text).strip()
        if row is not None:
            row.append(text)
        elif text:
            out.append(text)
    return "\n".join(out)

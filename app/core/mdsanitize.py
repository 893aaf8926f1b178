"""HTML sanitising for rendered Markdown: allow-lists, URL checks and nh3 cleaners.

``sanitize_html(html, *, allow_images=True) -> str`` is the allow-list
sanitiser used for policy HTML; the rendering modules (:mod:`.mdpolicy`,
:mod:`.mdcomment`, :mod:`.mdinline`) build their own cleaners with
:func:`make_cleaner` from the allow-lists here.  Everything is deterministic
and the module imports no Flask/app code.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata
from typing import Callable

import nh3

__all__ = [
    "ALIGN_VALUES",
    "ALLOWED_URL_SCHEMES",
    "CLEAN_CONTENT_TAGS",
    "COMMENT_LINK_REL",
    "COMMENT_TAGS",
    "INLINE_TAGS",
    "POLICY_LINK_REL",
    "POLICY_TAGS",
    "is_safe_url",
    "make_cleaner",
    "sanitize_html",
]

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
CLEAN_CONTENT_TAGS = frozenset(
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

#: Values of ``align`` allowed on table cells.
ALIGN_VALUES = frozenset({"left", "center", "right"})
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_LANG_CLASS_RE = re.compile(r"^language-[A-Za-z0-9_+#.\-]{1,40}$")
_DIGITS_RE = re.compile(r"^[0-9]{1,9}$")


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
# Cleaners
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


def _allowed_attributes(tags: frozenset[str], images: bool, line_attrs: frozenset[str]) -> dict[str, set[str]]:
    """The attributes a cleaner keeps, per tag (``"*"``: on every tag)."""
    attributes: dict[str, set[str]] = {
        "a": {"href", "title"},
        "code": {"class"},
        "ol": {"start"},
    }
    if images:
        attributes["img"] = {"src", "alt", "title"}
    if line_attrs:
        attributes["*"] = set(line_attrs)
    return {tag: attrs for tag, attrs in attributes.items() if tag == "*" or tag in tags}


def make_cleaner(
    tags: frozenset[str],
    *,
    images: bool,
    line_attrs: frozenset[str] = frozenset(),
    link_rel: str = POLICY_LINK_REL,
) -> nh3.Cleaner:
    """An nh3 cleaner keeping ``tags``, safe URLs, numeric ``line_attrs`` (on any tag),
    ``class="language-…"`` on ``code``, ``align`` on table cells; links get ``link_rel``."""
    tag_attribute_values = {
        cell: {"align": set(ALIGN_VALUES)} for cell in ("th", "td") if cell in tags
    }
    return nh3.Cleaner(
        tags=set(tags),
        clean_content_tags=set(CLEAN_CONTENT_TAGS),
        attributes=_allowed_attributes(tags, images, line_attrs),
        attribute_filter=_make_attribute_filter(line_attrs),
        strip_comments=True,
        link_rel=link_rel,
        tag_attribute_values=tag_attribute_values,
        url_schemes=set(ALLOWED_URL_SCHEMES),
    )


_LINE_ATTRS = frozenset({"data-line-start", "data-line-end"})

_PUBLIC_CLEANER = make_cleaner(POLICY_TAGS, images=True, line_attrs=_LINE_ATTRS)
_PUBLIC_CLEANER_NO_IMG = make_cleaner(POLICY_TAGS - {"img"}, images=False, line_attrs=_LINE_ATTRS)


def sanitize_html(html: str, *, allow_images: bool = True) -> str:
    """Sanitise an HTML fragment with the policy allow-list.

    Keeps only the allowed tags and attributes, ``href``/``src`` with
    http/https/mailto or relative URLs, numeric ``data-line-start`` /
    ``data-line-end``, ``class="language-…"`` on ``code`` and ``align`` on
    table cells.  Links get ``rel="noopener noreferrer nofollow"``.
    """
    cleaner = _PUBLIC_CLEANER if allow_images else _PUBLIC_CLEANER_NO_IMG
    return cleaner.clean(html)

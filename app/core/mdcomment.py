"""Rendering comments: full Markdown, no raw HTML, no images, links marked ``ugc``.

``render_comment(source) -> str`` gives sanitised HTML; a comment over the
work budget (:mod:`.mdguard`) is shown as escaped paragraphs.  Deterministic;
the module imports no Flask/app code.
"""

from __future__ import annotations

import re

from markdown_it.common.utils import escapeHtml

from .mdguard import RenderTooCostly
from .mdparsers import budget_env, new_md
from .mdsanitize import COMMENT_LINK_REL, COMMENT_TAGS, make_cleaner

__all__ = ["render_comment"]

_PARAGRAPH_BREAK_RE = re.compile(r"(?:\r\n?|\n)[ \t]*(?:\r\n?|\n)\s*")


def _image_as_link(self, tokens, idx, options, env) -> str:  # noqa: ANN001
    """Images in comments: a link to the image, labelled with its alt text."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    src = token.attrGet("src") or ""
    label = escapeHtml(alt or src)
    if not src:
        return label
    return f'<a href="{escapeHtml(str(src))}">{label}</a>'


_COMMENT_MD = new_md(html=False)
_COMMENT_MD.add_render_rule("image", _image_as_link)
_COMMENT_CLEANER = make_cleaner(COMMENT_TAGS, images=False, link_rel=COMMENT_LINK_REL)


def render_comment(source: str) -> str:
    """Full Markdown for comments: raw HTML escaped, images turned into links,
    links with ``rel="nofollow noopener noreferrer ugc"``."""
    if not (source or "").strip():
        return ""
    try:
        html = _COMMENT_MD.render(source, budget_env())
    except RenderTooCostly:  # plain escaped paragraphs: nothing left to sanitise
        return "\n".join(f"<p>{escapeHtml(part.strip())}</p>" for part in _PARAGRAPH_BREAK_RE.split(source))
    return _COMMENT_CLEANER.clean(html).strip("\n")

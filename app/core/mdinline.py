"""Rendering single-line inline Markdown (titles and other short texts).

``render_inline(source) -> str`` gives sanitised phrasing HTML.  Deterministic;
the module imports no Flask/app code.
"""

from __future__ import annotations

from markdown_it.common.utils import escapeHtml

from .mdguard import RenderTooCostly
from .mdparsers import NEWLINES_RE, WS_RE, budget_env, new_md
from .mdsanitize import INLINE_TAGS, make_cleaner

__all__ = ["render_inline"]


def _image_as_text(self, tokens, idx, options, env) -> str:  # noqa: ANN001
    """Images in titles: their alt text."""
    return escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env))


_INLINE_MD = new_md(html=False, tables=False)
_INLINE_MD.add_render_rule("image", _image_as_text)
_INLINE_CLEANER = make_cleaner(INLINE_TAGS, images=False)


def render_inline(source: str) -> str:
    """Inline Markdown of a single line (titles, short texts), sanitised.

    Line breaks are turned into spaces; block syntax is not interpreted; raw
    HTML is escaped; images are replaced by their alt text."""
    text = WS_RE.sub(" ", NEWLINES_RE.sub(" ", source or "")).strip()
    if not text:
        return ""
    try:
        return _INLINE_CLEANER.clean(_INLINE_MD.renderInline(text, budget_env()))
    except RenderTooCostly:
        return escapeHtml(text)

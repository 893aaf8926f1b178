"""What the typesetter is given: text it can always set, and only links that lead somewhere safe.

Both functions run once on the whole HTML of a printed document, just before WeasyPrint sees it
(services.PdfJob), so every text in it is covered: title, summary, body, amendments, rationales,
names, the document's metadata. The Markdown export is never touched (it stays byte for byte).

neutralise(text) keeps ordinary text identical and changes only characters that are invisible or
cannot be encoded, and that either stop WeasyPrint (a soft hyphen on a line after a preserved
line break, U+2029: an assertion in its line breaking, WeasyPrint 70) or could make the printed
text read otherwise than it was written (bidi embeddings, overrides and isolates):

- soft hyphens (U+00AD) are removed, wherever they are: even inside a word, one that follows a
  preserved line break stops WeasyPrint. They print nothing; the stylesheet's `hyphens: auto`
  still hyphenates where the text allows it;
- the line and paragraph separators U+2028, U+2029, NEL (U+0085), vertical tab and form feed
  become a newline; every other control character except tab, newline and carriage return is
  removed;
- bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the other format
  characters are removed, except those that are part of normal writing: zero-width space,
  (non-)joiners, word joiner, the left-to-right / right-to-left / Arabic letter marks, invisible
  mathematical operators, the Arabic and Syriac prepended marks and the tag characters of flag
  emoji; U+FEFF (a byte-order mark) becomes the word joiner U+2060 it stands for mid-text;
- lone surrogates, noncharacters and code points unassigned in Python's Unicode database become
  U+FFFD (the font has no glyph for them anyway; the replacement character says so).

safe_links(html) keeps the href of an `<a>` only when it is http(s) with a host, mailto or a
fragment of the document (#…): a relative or `//host` link would otherwise become a file:// link
to the server's own folders in the PDF. The element stays, as plain text.

Pure functions: no Flask, no database.
"""
import html as html_lib
import re
import unicodedata
from urllib.parse import urlsplit

REPLACEMENT = "\ufffd"
WORD_JOINER = "\u2060"
#: Become a newline: they are line breaks, and WeasyPrint's line breaking trips on some of them.
LINE_BREAKS = frozenset("\u2028\u2029\u0085\x0b\x0c")
#: Control characters kept as they are.
KEPT_CONTROLS = frozenset("\t\n\r")
#: Format characters (category Cf) that belong to normal text and are kept.
KEPT_FORMATS = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u061c\u2060\u2061\u2062\u2063\u2064"
    "\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd"
) | frozenset(chr(code) for code in range(0xE0020, 0xE0080))
LINK_SCHEMES = ("http", "https")

#: Characters that are always kept as they are (no need to look them up).
_SUSPECT_RE = re.compile(r"[^\t\n\r\x20-\x7e\u00a0-\u00ac\u00ae-\u036f]")
_A_TAG_RE = re.compile(r"<a\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.IGNORECASE)
_HREF_RE = re.compile(r"""\shref\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""", re.IGNORECASE)


def neutralise(text):
    """`text` with what the typesetter cannot take removed or replaced (see the module docstring).

    Ordinary text (letters of any script, punctuation, emoji, tabs and newlines) is returned
    unchanged; the function is idempotent.
    """
    if not text:
        return text
    return _SUSPECT_RE.sub(lambda match: _replacement(match.group()), text)


def _replacement(ch):
    """What one character becomes: itself, a newline, U+2060, U+FFFD or nothing."""
    if ch in LINE_BREAKS:
        return "\n"
    if ch == "\ufeff":
        return WORD_JOINER
    category = unicodedata.category(ch)
    if category == "Cc":
        return ch if ch in KEPT_CONTROLS else ""
    if category == "Cf":
        return ch if ch in KEPT_FORMATS else ""
    if category in ("Cs", "Cn") or _is_noncharacter(ch):
        return REPLACEMENT
    return ch


def _is_noncharacter(ch):
    code = ord(ch)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def is_kept_link(href):
    """True for an href the PDF may link to: http(s) with a host, mailto, or #fragment."""
    value = html_lib.unescape(href or "").strip()
    if value.startswith("#"):
        return len(value) > 1
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme in LINK_SCHEMES:
        return bool(parts.hostname)
    return scheme == "mailto" and bool(parts.path)


def safe_links(html):
    """`html` with the href removed from every `<a>` whose target is not a kept link."""
    return _A_TAG_RE.sub(_filter_anchor, html)


def _filter_anchor(match):
    tag = match.group(0)

    def drop(href):
        value = href.group(1)
        if value[:1] in "\"'":
            value = value[1:-1]
        return href.group(0) if is_kept_link(value) else ""

    return _HREF_RE.sub(drop, tag)


def prepare(html):
    """The HTML of a printed document as WeasyPrint gets it: text neutralised, links filtered."""
    return safe_links(neutralise(html))

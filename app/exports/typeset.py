"""What the typesetter is given: text it can always set, and only links that lead somewhere safe.

Both functions run once on the whole of a printed document (pdf.typeset): neutralise on its HTML
just before WeasyPrint parses it, safe_links on the tree WeasyPrint parsed, just before it
renders. So every text in it is covered: title, summary, body, amendments, rationales,
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

safe_links(root) works on the parsed tree WeasyPrint renders (pdf.typeset builds weasyprint.HTML,
then filters its etree_element, then renders): it keeps an href only when it is http(s) with a
host, mailto or a fragment of the document (#…), so a relative or `//host` link never becomes a
file:// link to the server's own folders in the PDF. The element stays, as plain text. Working on
that very tree (not on the HTML text) leaves no room between what is checked and what is linked:
an href smuggled inside another attribute's value is only text there. Every attribute named
href in any namespace (xlink:href of SVG too) is checked, on every element but <link>, whose
href is fetched, not linked, and so is the URL fetcher's business (pdf.StaticOnlyFetcher), like
<img src>.

Pure functions: no Flask, no database.
"""
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
#: What WeasyPrint strips around an href, and removes inside it, before it makes a link of it
#: (weasyprint.html.parse_url): the value is checked, and kept, exactly as WeasyPrint will read it.
URL_WHITESPACE, URL_REMOVED = " \t\n\x0c\r", "\t\n\r"
#: Elements whose href is fetched (by the URL fetcher), not made a link.
FETCHED_HREF_TAGS = frozenset({"link"})
#: An absolute URL as WeasyPrint tells one (weasyprint.urls.url_is_absolute): anything else is
#: joined to the base URL, a file:// folder of the server.
_ABSOLUTE_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9.+-]+:")

#: Characters that are always kept as they are (no need to look them up).
_SUSPECT_RE = re.compile(r"[^\t\n\r\x20-\x7e\u00a0-\u00ac\u00ae-\u036f]")


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


def link_value(href):
    """`href` as WeasyPrint reads it: whitespace around it and tabs and newlines in it removed."""
    value = (href or "").strip(URL_WHITESPACE)
    for ch in URL_REMOVED:
        value = value.replace(ch, "")
    return value


def is_kept_link(href):
    """True for an href the PDF may link to: http(s) with a host, mailto, or #fragment.

    `href` is an attribute value of the parsed tree (character references already resolved):
    it is never unescaped again, which would check another URL than the one WeasyPrint links.
    """
    value = link_value(href)
    if value.startswith("#"):
        return len(value) > 1
    if not _ABSOLUTE_RE.match(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme in LINK_SCHEMES:
        return bool(parts.hostname)
    return scheme == "mailto" and bool(parts.path)


def safe_links(root):
    """Remove every href of the tree `root` that is not a kept link; returns how many it removed.

    `root` is an ElementTree element (weasyprint.HTML(...).etree_element); tags and attribute
    names may carry a namespace ('{http://www.w3.org/1999/xhtml}a', '{…xlink}href'). A kept
    href is written back as WeasyPrint will read it (link_value), the element and its text stay.
    """
    removed = 0
    for element in root.iter():
        if not isinstance(element.tag, str) or _local(element.tag).lower() in FETCHED_HREF_TAGS:
            continue  # comments and processing instructions; <link> (fetched)
        for name in [name for name in element.attrib if _local(name).lower() == "href"]:
            value = element.attrib[name]
            if is_kept_link(value):
                element.set(name, link_value(value))
            else:
                del element.attrib[name]
                removed += 1
    return removed


def _local(name):
    """A tag or attribute name without its namespace."""
    return name.rsplit("}", 1)[-1]

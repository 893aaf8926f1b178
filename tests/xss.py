"""Reusable XSS checks for rendered HTML.

Import from any test (make sure the ``tests`` directory is importable, e.g.
``sys.path.insert(0, str(Path(__file__).resolve().parents[1]))``)::

    from xss import assert_no_executable, load_payloads

``assert_no_executable(html)`` parses the HTML with :mod:`html.parser` and
fails on anything that could execute script or load active content: tags
outside the allow-list, dangerous tags, event-handler (``on*``) attributes,
``style`` attributes, attributes outside the allow-list, and URL attributes
whose scheme is not http/https/mailto (relative URLs are fine).
"""

from __future__ import annotations

import html as _html
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

PAYLOADS_FILE = Path(__file__).resolve().parent / "xss_payloads.txt"

ALLOWED_TAGS = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "blockquote", "pre", "code",
        "em", "strong", "del", "s", "a",
        "table", "thead", "tbody", "tr", "th", "td",
        "hr", "br", "img", "sup", "sub", "section", "span", "div",
    }
)

FORBIDDEN_TAGS = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed",
        "applet", "svg", "math", "form", "input", "button", "select", "textarea",
        "meta", "base", "link", "template", "noscript", "video", "audio",
        "source", "track", "marquee", "details", "body", "html", "head",
        "isindex", "keygen", "xmp", "plaintext", "portal", "use", "image",
    }
)

ALLOWED_ATTRIBUTES = frozenset(
    {
        "href", "src", "alt", "title", "rel", "class", "id",
        "data-line-start", "data-line-end", "data-line", "align", "start",
    }
)

URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "action", "formaction", "xlink:href", "poster",
        "background", "data", "codebase", "cite", "longdesc", "srcset", "lowsrc",
        "dynsrc", "ping", "manifest", "icon",
    }
)

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "0": "\0", "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|[ntrfv0\\])")


def unescape_payload(line: str) -> str:
    r"""Expand ``\n \t \r \f \v \0 \\ \xHH \uHHHH`` in a payload line."""

    def expand(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "xu":
            return chr(int(code[1:], 16))
        return _ESCAPES[code]

    return _ESCAPE_RE.sub(expand, line)


def load_payloads(path: Path = PAYLOADS_FILE) -> list[str]:
    """One payload per non-empty line, with backslash escapes expanded."""
    text = path.read_text(encoding="utf-8")
    return [unescape_payload(line) for line in text.splitlines() if line.strip()]


def url_scheme(value: str) -> str | None:
    """The scheme a lenient browser could see in ``value``, or None if the
    URL is relative.  Unescapes entities (repeatedly), drops all whitespace,
    control and invisible formatting characters, and lower-cases."""
    previous = None
    for _ in range(4):
        if value == previous:
            break
        previous = value
        value = _html.unescape(value)
    value = "".join(
        ch
        for ch in value
        if not (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp"))
    ).lower()
    match = _SCHEME_RE.match(value)
    return match.group(1) if match else None


class _Checker(HTMLParser):
    def __init__(self, allowed_tags: frozenset[str]):
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.problems: list[str] = []

    def _check_tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"forbidden tag <{tag}>")
        elif tag not in self.allowed_tags:
            self.problems.append(f"tag outside the allow-list <{tag}>")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.problems.append(f"event attribute {name} on <{tag}>")
            elif name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            elif name not in ALLOWED_ATTRIBUTES:
                self.problems.append(f"attribute outside the allow-list {name} on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in ALLOWED_SCHEMES:
                    self.problems.append(f"{name}={value!r} with scheme {scheme!r} on <{tag}>")

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self._check_tag(tag, attrs)

    def handle_startendtag(self, tag, attrs):  # noqa: ANN001
        self._check_tag(tag, attrs)

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag in FORBIDDEN_TAGS or tag not in self.allowed_tags:
            self.problems.append(f"end tag outside the allow-list </{tag}>")

    def handle_comment(self, data):  # noqa: ANN001
        self.problems.append(f"comment <!--{data}-->")

    def handle_decl(self, decl):  # noqa: ANN001
        self.problems.append(f"declaration <!{decl}>")

    def handle_pi(self, data):  # noqa: ANN001
        self.problems.append(f"processing instruction <?{data}>")

    def unknown_decl(self, data):  # noqa: ANN001
        self.problems.append(f"unknown declaration <![{data}]>")


def executable_problems(html: str, *, allowed_tags: frozenset[str] = ALLOWED_TAGS) -> list[str]:
    """Everything :func:`assert_no_executable` would complain about."""
    checker = _Checker(allowed_tags)
    checker.feed(html)
    checker.close()
    # A raw "<" followed by a letter that the parser left as text would mean
    # the output is not well-formed; browsers might still see a tag.
    problems = list(checker.problems)
    if re.search(r"<(?:[A-Za-z!?/])", "".join(_text_chunks(html))):
        problems.append("unparsed markup in text")
    return problems


def _text_chunks(html: str) -> list[str]:
    chunks: list[str] = []

    class _Text(HTMLParser):
        def handle_data(self, data):  # noqa: ANN001
            chunks.append(data)

    parser = _Text(convert_charrefs=False)
    parser.feed(html)
    parser.close()
    return chunks


def assert_no_executable(html: str, *, allowed_tags: frozenset[str] = ALLOWED_TAGS) -> None:
    """Fail if ``html`` contains anything that could run script."""
    problems = executable_problems(html, allowed_tags=allowed_tags)
    assert not problems, f"unsafe HTML: {problems}\n---\n{html}"

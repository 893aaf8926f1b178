"""Tests for the Markdown modules of app.core (mdpolicy, mdcomment, mdinline, mdplain,
mdsanitize): block line ranges, rendering, sanitising, XSS."""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_TESTS_DIR = Path(__file__).resolve().parents[1]
_ROOT = _TESTS_DIR.parent
for _path in (str(_ROOT), str(_TESTS_DIR)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from app.core.mdcomment import render_comment  # noqa: E402
from app.core.mdinline import render_inline  # noqa: E402
from app.core.mdplain import plain_text  # noqa: E402
from app.core.mdpolicy import (  # noqa: E402
    BLOCK_KINDS,
    Block,
    render_blocks,
    render_document,
    render_markdown,
    wrap_block,
)
from app.core.mdsanitize import sanitize_html  # noqa: E402
from xss import (  # noqa: E402
    ALLOWED_TAGS,
    assert_no_executable,
    executable_problems,
    load_payloads,
    unescape_payload,
)

PAYLOADS = load_payloads()

SAMPLE = """\
# Title

First sentence.
Second sentence.
Third sentence.

## Section

- Item one.
  Continues.
- Item two.
  - Nested a.
  - Nested b.

3. First.
4. Second.

| A | B |
|:--|--:|
| 1 | 2 |
| 3 | *4* ~~x~~ |

```python
print("hi")
```

> Quoted one.
> Quoted two.

---

Last *para* with [link](https://example.org).
"""

SAMPLE_RANGES = [
    (1, 1, "heading"),
    (3, 5, "paragraph"),
    (7, 7, "heading"),
    (9, 13, "list"),
    (15, 16, "list"),
    (18, 21, "table"),
    (23, 25, "code"),
    (27, 28, "blockquote"),
    (30, 30, "hr"),
    (32, 32, "paragraph"),
]


class _LineAttrs(HTMLParser):
    """Collects (tag, data-line-start, data-line-end) in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, int, int]] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        attrs = dict(attrs)
        if "data-line-start" in attrs:
            self.found.append((tag, int(attrs["data-line-start"]), int(attrs["data-line-end"])))


def line_attrs(html: str, tags: set[str] | None = None) -> list[tuple[str, int, int]]:
    parser = _LineAttrs()
    parser.feed(html)
    parser.close()
    return [item for item in parser.found if tags is None or item[0] in tags]


def assert_lines_partitioned(source: str, blocks: list[Block]) -> None:
    """Every non-blank source line lies in exactly one block's range."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    owners: dict[int, int] = {}
    for index, block in enumerate(blocks):
        assert 1 <= block.line_start <= block.line_end <= len(lines), block
        assert block.kind in BLOCK_KINDS, block
        for number in range(block.line_start, block.line_end + 1):
            assert number not in owners, f"line {number} in blocks {owners[number]} and {index}"
            owners[number] = index
    for number, line in enumerate(lines, start=1):
        if line.strip(" \t"):
            assert number in owners, f"line {number} {line!r} is in no block"
    # Blocks come in source order, and start/end on non-blank lines.
    assert [b.line_start for b in blocks] == sorted(b.line_start for b in blocks)
    for block in blocks:
        assert lines[block.line_start - 1].strip(" \t"), block
        assert lines[block.line_end - 1].strip(" \t"), block


# ---------------------------------------------------------------------------
# Block line ranges
# ---------------------------------------------------------------------------


def test_sample_block_ranges_and_kinds():
    blocks = render_blocks(SAMPLE)
    assert [(b.line_start, b.line_end, b.kind) for b in blocks] == SAMPLE_RANGES
    assert_lines_partitioned(SAMPLE, blocks)


def test_block_is_frozen_dataclass():
    block = render_blocks("Hello.")[0]
    assert block == Block(line_start=1, line_end=1, html=block.html, kind="paragraph")
    with pytest.raises(AttributeError):
        block.line_start = 2  # type: ignore[misc]


def test_list_item_line_attributes():
    blocks = render_blocks(SAMPLE)
    lst = blocks[3]
    assert line_attrs(lst.html, {"li"}) == [("li", 9, 10), ("li", 11, 13), ("li", 12, 12), ("li", 13, 13)]
    assert line_attrs(lst.html, {"ul"}) == [("ul", 9, 13), ("ul", 12, 13)]
    ordered = blocks[4]
    assert line_attrs(ordered.html, {"li"}) == [("li", 15, 15), ("li", 16, 16)]
    assert 'start="3"' in ordered.html


def test_paragraph_heading_and_row_line_attributes():
    blocks = render_blocks(SAMPLE)
    assert line_attrs(blocks[0].html) == [("h1", 1, 1)]
    assert line_attrs(blocks[1].html) == [("p", 3, 5)]
    assert line_attrs(blocks[2].html) == [("h2", 7, 7)]
    assert line_attrs(blocks[5].html, {"tr"}) == [("tr", 18, 18), ("tr", 20, 20), ("tr", 21, 21)]
    assert line_attrs(blocks[7].html, {"p"}) == [("p", 27, 28)]
    assert line_attrs(blocks[9].html) == [("p", 32, 32)]


def test_line_attributes_point_at_matching_source_lines():
    lines = SAMPLE.split("\n")
    html = render_document(SAMPLE)
    expected_first_words = {
        ("li", 9): "Item one.",
        ("li", 11): "Item two.",
        ("li", 12): "Nested a.",
        ("li", 13): "Nested b.",
        ("tr", 20): "| 1 | 2 |",
        ("p", 3): "First sentence.",
        ("p", 27): "> Quoted one.",
    }
    found = {(tag, start): (start, end) for tag, start, end in line_attrs(html)}
    for (tag, start), text in expected_first_words.items():
        assert (tag, start) in found
        assert text in lines[start - 1]


def test_loose_list_trailing_blank_lines_are_stripped():
    source = "- one\n\n- two\n\n  more\n\n\n\nAfter.\n"
    blocks = render_blocks(source)
    assert [(b.line_start, b.line_end, b.kind) for b in blocks] == [(1, 5, "list"), (9, 9, "paragraph")]
    assert line_attrs(blocks[0].html, {"li"}) == [("li", 1, 1), ("li", 3, 5)]
    assert line_attrs(blocks[0].html, {"p"}) == [("p", 1, 1), ("p", 3, 3), ("p", 5, 5)]
    assert_lines_partitioned(source, blocks)


def test_setext_heading_indented_code_html_block_and_references():
    source = (
        "Title\n"  # 1
        "=====\n"  # 2
        "\n"
        "    indented code\n"  # 4
        "    more code\n"  # 5
        "\n"
        "<div>\n"  # 7
        "raw *html*\n"  # 8
        "</div>\n"  # 9
        "\n"
        "See [the site][site].\n"  # 11
        "\n"
        "[site]: https://example.org\n"  # 13
        "[other]: https://example.com\n"  # 14
    )
    blocks = render_blocks(source)
    assert [(b.line_start, b.line_end, b.kind) for b in blocks] == [
        (1, 2, "heading"),
        (4, 5, "code"),
        (7, 9, "html"),
        (11, 11, "paragraph"),
        (13, 14, "reference"),
    ]
    assert blocks[-1].html == ""
    assert 'href="https://example.org"' in blocks[3].html
    assert blocks[2].html == "<div>\nraw *html*\n</div>"
    assert_lines_partitioned(source, blocks)


def test_crlf_and_cr_line_endings_count_like_newlines():
    source = "# A\r\n\r\nOne.\r\nTwo.\r\n\r\n- x\r- y\r"
    blocks = render_blocks(source)
    assert [(b.line_start, b.line_end, b.kind) for b in blocks] == [
        (1, 1, "heading"),
        (3, 4, "paragraph"),
        (6, 7, "list"),
    ]


def test_empty_and_blank_sources():
    assert render_blocks("") == []
    assert render_blocks("\n  \n\t\n") == []
    assert render_document("") == ""


def test_real_policies_are_partitioned():
    policies = sorted((_ROOT / "policies").glob("*.md"))
    if not policies:
        pytest.skip("no policy documents in the tree")
    for path in policies:
        source = path.read_text(encoding="utf-8")
        blocks = render_blocks(source)
        assert blocks
        assert_lines_partitioned(source, blocks)
        assert_no_executable(render_document(source))


_md_line = st.one_of(
    st.sampled_from(
        [
            "", "", "  ", "# Heading", "Setext", "====", "---", "- item", "  - nested",
            "1. first", "10) tenth", "> quote", ">", "| a | b |", "|---|:-:|", "| 1 | 2 |",
            "```", "~~~py", "    code", "<div>", "</div>", "<!-- c -->", "[r]: /url",
            "[r]: /url 'title'", "text with *em* and [r]", "  continuation", "***", "\t- tab item",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(_md_line, max_size=25))
def test_property_lines_are_partitioned(lines):
    source = "\n".join(lines)
    blocks = render_blocks(source)
    assert_lines_partitioned(source, blocks)
    for block in blocks:
        for _tag, start, end in line_attrs(block.html):
            assert block.line_start <= start <= end <= block.line_end, block


# ---------------------------------------------------------------------------
# Document wrapper, determinism
# ---------------------------------------------------------------------------


def test_render_document_wraps_every_block():
    blocks = render_blocks(SAMPLE)
    html = render_document(SAMPLE)
    assert html == "\n".join(wrap_block(b) for b in blocks)
    assert render_markdown(SAMPLE) == html
    assert html.startswith(
        '<section class="md-block" data-line-start="1" data-line-end="1" id="L1">'
        '<h1 data-line-start="1" data-line-end="1">Title</h1></section>'
    )
    assert html.count('<section class="md-block"') == len(blocks)
    assert '<section class="md-block" data-line-start="9" data-line-end="13" id="L9">' in html
    assert_no_executable(html)


def test_output_is_deterministic():
    assert render_document(SAMPLE) == render_document(SAMPLE)
    assert render_blocks(SAMPLE) == render_blocks(SAMPLE)
    assert render_comment(SAMPLE) == render_comment(SAMPLE)
    assert plain_text(SAMPLE) == plain_text(SAMPLE)


def test_block_html_is_stable_under_resanitising():
    for block in render_blocks(SAMPLE):
        assert sanitize_html(block.html) == block.html


# ---------------------------------------------------------------------------
# Rendering features
# ---------------------------------------------------------------------------


def _one(source: str) -> str:
    blocks = render_blocks(source)
    assert len(blocks) == 1
    return blocks[0].html


def test_emphasis_strong_code_and_strikethrough():
    html = _one("*em* **strong** `code` ~~gone~~")
    assert "<em>em</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<code>code</code>" in html
    assert "<s>gone</s>" in html


def test_links_get_policy_rel():
    html = _one('[site](https://example.org/a?b=1&c=2 "Title") and [mail](mailto:a@example.org) and [rel](/policies/3)')
    assert '<a href="https://example.org/a?b=1&amp;c=2" title="Title" rel="noopener noreferrer nofollow">site</a>' in html
    assert 'href="mailto:a@example.org"' in html
    assert 'href="/policies/3"' in html


def test_images_allowed_in_policies_with_safe_src():
    html = _one("![Logo](https://example.org/logo.png)")
    assert '<img src="https://example.org/logo.png" alt="Logo">' in html


def test_table_alignment_without_style():
    html = render_blocks(SAMPLE)[5].html
    assert "<table" in html and "<thead>" in html and "<tbody>" in html
    assert '<th align="left">A</th>' in html
    assert '<td align="right"><em>4</em> <s>x</s></td>' in html
    assert "style" not in html


def test_fenced_code_is_escaped_and_keeps_language_class():
    html = _one('```python evil="x"\nprint("<b>")\n```')
    assert html == '<pre><code class="language-python">print("&lt;b&gt;")\n</code></pre>'


def test_raw_html_is_sanitised_but_kept():
    html = _one('<div class="x" style="color:red" onclick="x()"><span>ok</span> <sup>1</sup></div>')
    assert html == "<div><span>ok</span> <sup>1</sup></div>"


def test_forged_line_attributes_are_dropped():
    source = '<p data-line-start="99" data-line-end="100">x</p>\n\nPara.\n'
    blocks = render_blocks(source)
    assert line_attrs(blocks[0].html) == []
    assert line_attrs(blocks[1].html) == [("p", 3, 3)]
    # Attribute-quote injection across blocks cannot forge them either.
    source = "- <div title='\n\n  ' data-line-start='99' data-line-end='99' x='\n- y\n"
    html = render_document(source)
    assert all(start != 99 for _tag, start, _end in line_attrs(html))


def test_sanitize_html_policy():
    dirty = (
        '<p data-line-start="3" data-line-end="x" onclick="a()" style="x">t</p>'
        '<a href="javascript:alert(1)" target="_blank">j</a>'
        '<code class="language-py evil">c</code><img src="data:image/png;base64,AA" alt="a">'
        "<script>alert(1)</script><iframe src='https://example.org'></iframe>"
    )
    clean = sanitize_html(dirty)
    assert clean == (
        '<p data-line-start="3">t</p><a rel="noopener noreferrer nofollow">j</a>'
        '<code class="language-py">c</code><img alt="a">'
    )
    assert "<img" not in sanitize_html('<img src="https://example.org/a.png">', allow_images=False)


# ---------------------------------------------------------------------------
# Inline, comments, plain text
# ---------------------------------------------------------------------------


def test_render_inline():
    html = render_inline("*Draft* **two** of [the plan](https://example.org) ~~old~~ `x`")
    assert html == (
        "<em>Draft</em> <strong>two</strong> of "
        '<a href="https://example.org" rel="noopener noreferrer nofollow">the plan</a> <s>old</s> <code>x</code>'
    )
    assert render_inline("# Not a heading\n- not a list") == "# Not a heading - not a list"
    assert render_inline("<b>raw</b>") == "&lt;b&gt;raw&lt;/b&gt;"
    assert render_inline("![alt text](https://example.org/a.png)") == "alt text"
    assert render_inline("") == ""
    assert "<p>" not in render_inline("text")


def test_render_comment_has_no_images_and_ugc_links():
    html = render_comment(
        "Hello [site](https://example.org) and ![pic](https://example.org/p.png)\n\n"
        "<img src=https://example.org/q.png> <b>raw</b>\n\n- a\n- b\n"
    )
    assert "<img" not in html
    assert "&lt;img" in html and "&lt;b&gt;raw&lt;/b&gt;" in html
    assert "<ul>" in html
    rels = [value for name, value in _attrs(html, "a") if name == "rel"]
    assert len(rels) == 2
    for rel in rels:
        assert set(rel.split()) == {"nofollow", "noopener", "noreferrer", "ugc"}
    assert '<a href="https://example.org/p.png" rel="nofollow noopener noreferrer ugc">pic</a>' in html
    assert "data-line-start" not in html
    assert render_comment("  \n") == ""


def _attrs(html: str, tag: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    class _P(HTMLParser):
        def handle_starttag(self, t, attrs):  # noqa: ANN001
            if t == tag:
                found.extend(attrs)

    _P().feed(html)
    return found


def test_plain_text():
    text = plain_text(SAMPLE)
    assert text.splitlines()[:4] == [
        "Title",
        "First sentence. Second sentence. Third sentence.",
        "Section",
        "Item one. Continues.",
    ]
    assert "3 4 x" in text
    assert 'print("hi")' in text
    assert "Last para with link." in text
    assert "<" not in plain_text("<div>x <script>alert(1)</script></div>\n\n*a* &amp; b")
    assert plain_text("<div>x <script>alert(1)</script></div>\n\n*a* &amp; b") == "x\na & b"


# ---------------------------------------------------------------------------
# XSS
# ---------------------------------------------------------------------------


def test_payload_file_is_large_enough():
    assert len(PAYLOADS) >= 60
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    assert unescape_payload(r"a\nb\tc\\n\x01") == "a\nb\tc\\n\x01"


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" &#106;ava&#x09;script&colon;alert(1)">x</a>',
        '<a href="&amp;#106;avascript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<p style="color:red">x</p>',
        "<svg></svg>",
        "<iframe></iframe>",
        "<form></form>",
        "<blink>x</blink>",
        '<p id="x" foo="bar">x</p>',
        "<!-- x -->",
    ],
)
def test_checker_rejects_unsafe_html(html):
    assert executable_problems(html)
    with pytest.raises(AssertionError):
        assert_no_executable(html)


def test_checker_accepts_safe_html():
    assert_no_executable(render_document(SAMPLE))
    assert_no_executable('<a href="/x:y">a</a><a href="https://e.org">b</a><a href="#f">c</a><img src="a.png">')


_COMMENT_TAGS = ALLOWED_TAGS - {"img", "section"}
_INLINE_TAGS = frozenset({"a", "em", "strong", "del", "s", "code", "br", "sup", "sub", "span"})


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i:03d}" for i in range(len(PAYLOADS))])
def test_payload_is_neutralised(payload):
    document = render_document(payload)
    assert_no_executable(document)
    for block in render_blocks(payload):
        assert_no_executable(block.html)
    assert_no_executable(render_inline(payload), allowed_tags=_INLINE_TAGS)
    assert_no_executable(render_comment(payload), allowed_tags=_COMMENT_TAGS)
    assert_no_executable(sanitize_html(payload))
    assert_lines_partitioned(payload, render_blocks(payload))
    # plain_text is plain text (escaped by whoever outputs it): payload text
    # shown as text in the HTML may survive there too.
    assert isinstance(plain_text(payload), str)


_FRAGMENTS = [
    "<", ">", '"', "'", "`", "=", "/", ":", "(", ")", "[", "]", "!", "&", "#", ";",
    "\n", "\n\n", "\t", " ", "- ", "> ", "| ", "|---|", "```", "    ",
    "javascript:", "JaVaScRiPt:", "vbscript:", "data:text/html,", "&#58;", "&#x6A;", "&colon;",
    "&#106;", "java\tscript:", "alert(1)", "[x](", "](", "![x](", "[1]: ", "<a href=", "<img src=x ",
    "onerror=", "onload=", "onclick=", " on", "<script>", "</script>", "<svg", "<math>", "<iframe",
    "<style>", "style=", "href=", "src=", "<!--", "-->", "<![CDATA[", "data-line-start=",
]

_mixed = st.lists(
    st.one_of(
        st.sampled_from(PAYLOADS),
        st.sampled_from(_FRAGMENTS),
        st.text(max_size=8),
    ),
    max_size=20,
).map("".join)


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mixed)
def test_property_random_mixtures_are_neutralised(source):
    assert_no_executable(render_document(source))
    assert_no_executable(render_inline(source), allowed_tags=_INLINE_TAGS)
    assert_no_executable(render_comment(source), allowed_tags=_COMMENT_TAGS)
    assert_no_executable(sanitize_html(source))
    assert_lines_partitioned(source, render_blocks(source))

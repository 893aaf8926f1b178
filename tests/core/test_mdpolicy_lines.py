"""render_blocks(with_lines=True) (issue 16): every non-blank source line of a block of several
lines has exactly one line element (data-line), numbers in source order, none for blank lines;
inline markup over a line break is closed and reopened, so the spans nest; the work stays
bounded; the stored blocks (with_lines=False) are unchanged."""
import re
from html.parser import HTMLParser

import pytest

from app.core.mdpolicy import render_blocks

from .test_render_cost import CALL_BUDGET, PATHOLOGICAL, _count_calls

pytestmark = pytest.mark.no_db

SOURCE = (
    "# Title\n"  # 1
    "\n"
    "One *emphasis\n"  # 3
    "over two* lines and [a link\n"  # 4
    "over two](https://example.org) too.\n"  # 5
    "A `code span\n"  # 6
    "over two` lines.\n"  # 7
    "Hard break  \n"  # 8
    "after it.\n"  # 9
    "\n"
    "- item one\n"  # 11
    "  continued\n"  # 12
    "-\n"  # 13
    "- item three\n"  # 14
    "\n"
    "| a | b |\n"  # 16
    "|---|---|\n"  # 17
    "| 1 | 2 |\n"  # 18
    "\n"
    "```\n"  # 20
    "code one\n"  # 21
    "\n"
    "code three\n"  # 23
    "```\n"  # 24
    "\n"
    "> quote one\n"  # 26
    ">\n"  # 27
    "> quote three\n"  # 28
    "\n"
    "Setext\n"  # 30
    "======\n"  # 31
    "\n"
    "<div>\n"  # 33
    "raw\n"  # 34
    "</div>\n"  # 35
    "\n"
    "Single line.\n"  # 37
)


class _Lines(HTMLParser):
    """(tag, line) of every element with data-line, in document order; checks the nesting."""

    VOID = {"hr", "br", "img"}

    def __init__(self):
        super().__init__()
        self.found, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-line" in attrs:
            self.found.append((tag, int(attrs["data-line"])))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()


def lines_of(html):
    parser = _Lines()
    parser.feed(html)
    parser.close()
    assert parser.stack == []
    return parser.found


def non_blank_lines(source, block):
    lines = source.split("\n")
    return [n for n in range(block.line_start, block.line_end + 1) if lines[n - 1].strip()]


def test_every_non_blank_line_of_a_block_has_exactly_one_element_in_order():
    blocks = render_blocks(SOURCE, with_lines=True)
    for block in blocks:
        if block.line_start == block.line_end or not block.html:
            assert lines_of(block.html) == [], block  # a block of one line is its line's element
            continue
        numbers = [n for _tag, n in lines_of(block.html)]
        assert numbers == non_blank_lines(SOURCE, block), block.html


def test_lines_of_a_paragraph_are_spans_inside_it_and_markup_is_reopened():
    paragraph = render_blocks(SOURCE, with_lines=True)[1]
    assert paragraph.html.startswith('<p data-line-start="3" data-line-end="9"><span data-line="3">One <em>emphasis</em></span>')
    assert '<span data-line="4"><em>over two</em> lines and <a href="https://example.org"' in paragraph.html
    assert '<span data-line="5"><a href="https://example.org" rel="noopener noreferrer nofollow">over two</a> too.' in (
        paragraph.html)
    # a code span over a line break swallows it: line 7 keeps an (empty) element of its own,
    # and the next line's number is still right
    assert '<span data-line="6">A <code>code span over two</code> lines.</span>' in paragraph.html
    assert '<span data-line="7"></span><span data-line="8">Hard break<br></span>' in paragraph.html
    assert '<span data-line="9">after it.</span></p>' in paragraph.html


def test_rows_items_code_quotes_and_structural_lines():
    blocks = {b.line_start: b for b in render_blocks(SOURCE, with_lines=True)}
    assert lines_of(blocks[11].html) == [("span", 11), ("span", 12), ("span", 13), ("span", 14)]
    assert '<li data-line-start="13" data-line-end="13"><span data-line="13"></span></li>' in blocks[11].html
    assert lines_of(blocks[16].html) == [("tr", 16), ("tbody", 17), ("tr", 18)]  # the delimiter: tbody
    assert lines_of(blocks[20].html) == [("span", 20), ("span", 21), ("span", 23), ("span", 24)]
    assert '<span data-line="21">code one</span>\n\n<span data-line="23">code three</span>' in blocks[20].html
    assert lines_of(blocks[26].html) == [("span", 26), ("span", 27), ("span", 28)]
    assert lines_of(blocks[30].html) == [("span", 30), ("span", 31)]  # the underline: empty, after


def test_raw_html_cannot_forge_line_elements():
    source = 'One <span data-line="99">x</span>\nTwo <b data-line="98">y</b>\n'
    [block] = render_blocks(source, with_lines=True)
    assert [n for _tag, n in lines_of(block.html)] == [1, 2]


def test_stored_blocks_are_unchanged_without_lines():
    assert "data-line=" not in "".join(b.html for b in render_blocks(SOURCE))
    plain = render_blocks(SOURCE)
    numbered = render_blocks(SOURCE, with_lines=True)
    assert [(b.line_start, b.line_end, b.kind) for b in plain] == [(b.line_start, b.line_end, b.kind) for b in numbered]
    stripped = re.sub(r'<span data-line="\d+">|</span>| data-line="\d+"', "", numbered[1].html)
    assert "emphasis" in stripped and "data-line=" not in stripped


@pytest.mark.parametrize("name", ["one-letter lines", "emphasis runs", "backticks", "tall table", "bracket lines"])
def test_numbering_lines_stays_within_the_call_budget(name):
    assert _count_calls(lambda text: render_blocks(text, with_lines=True), PATHOLOGICAL[name]) < CALL_BUDGET

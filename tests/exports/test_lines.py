"""Margin line numbers for print: the same numbers as the app, one per source line."""
import re
from dataclasses import asdict

import pytest

from app.core.mdpolicy import render_blocks
from app.exports.lines import number_block

pytestmark = pytest.mark.no_db

SOURCE = """# Title

Sentence one.
Sentence *two
spans* here.
Three.

- item a
- item b
  continued
  - nested c
- item d

1. loose

   second para

| a | b |
|---|---|
| 1 | 2 |

```py
code1

code3
```

---

<div>raw</div>

> quote a
> quote b
"""


def numbered(source=SOURCE):
    lines = source.split("\n")
    return [number_block(asdict(block), lines) for block in render_blocks(source)]


def numbers(html):
    return [int(n) for n in re.findall(r'<span class="ln" aria-hidden="true">(\d+)</span>', html)]


def test_every_source_line_with_text_gets_its_number_once():
    found = [n for html in numbered() for n in numbers(html)]
    # Not numbered: blank lines, the table's delimiter row (19), the code fences (22, 26) and the
    # empty code line (24); everything else is, once.
    assert found == [1, 3, 4, 5, 6, 8, 9, 10, 11, 12, 14, 16, 18, 20, 23, 25, 28, 30, 32, 33]


def test_soft_breaks_start_a_printed_line_and_carry_the_next_number():
    paragraph = numbered()[1]
    assert paragraph.count('<br class="sl">') == 3
    assert '<br class="sl"><span class="ln" aria-hidden="true">5</span>spans</em>' in paragraph


def test_nested_and_loose_list_items_number_their_own_lines():
    tight, loose = numbered()[2], numbered()[3]
    assert numbers(tight) == [8, 9, 10, 11, 12]
    assert numbers(loose) == [14, 16]


def test_table_rows_and_code_lines_are_numbered():
    table, code = numbered()[4], numbered()[5]
    assert numbers(table) == [18, 20]
    assert numbers(code) == [23, 25]  # the fence line (22) and the empty line carry no number
    assert "<br" not in code


def test_blocks_without_numbered_elements_get_their_first_line():
    rule, raw = numbered()[6], numbered()[7]
    assert numbers(rule) == [28] and numbers(raw) == [30]


def test_hard_break_is_not_doubled():
    html = numbered("One  \ntwo\n")[0]
    assert html.count("<br") == 1 and numbers(html) == [1, 2]


def test_attribute_values_with_newlines_and_brackets_are_left_alone():
    source = 'See [the pact](http://example.org "a > b\nc") now.\n'
    html = numbered(source)[0]
    assert 'title="a &gt; b\nc"' in html or 'title="a > b\nc"' in html
    assert numbers(html) == [1]


def test_only_fixed_markup_is_added():
    source = "<script>alert(1)</script>\n\nText <b onclick=x>bold</b>\n"
    for html, block in zip(numbered(source), render_blocks(source)):
        stripped = re.sub(r'<br class="sl">|<span class="ln" aria-hidden="true">\d+</span>', "", html)
        assert stripped == block.html

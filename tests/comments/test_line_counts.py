"""Counts line by line (issue 16): a thread over a range counts once on each line it covers, the
reading view numbers every line of a paragraph as a link to its comments with that count, the
panel's answer carries the counts per line and the total, and none of it costs a query per line."""
import re

from app.comments.queries import Summary, count_by_block

from .conftest import BODY  # noqa: F401 - the text of world


def base(w):
    return f"/a/{w.assembly.slug}/p/{w.policy.slug}"


BLOCKS = [
    {"line_start": 1, "line_end": 1, "html": "<h1>T</h1>"},
    {"line_start": 3, "line_end": 5, "html": "<p>…</p>"},
    {"line_start": 7, "line_end": 7, "html": "<h2>M</h2>"},
    {"line_start": 9, "line_end": 10, "html": "<p>…</p>"},
]


def summary(root_id, start, end, count=1, resolved=False):
    return Summary(root_id, (start, end) if start else None, count, {"comment"}, resolved)


def test_a_range_thread_counts_once_per_line_and_once_per_block():
    counts = count_by_block([summary(1, 4, 9, count=3), summary(2, 9, 9), summary(3, None, None)], BLOCKS)
    assert counts.lines == {4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 2}
    assert {start: (c.threads, c.comments) for start, c in counts.items()} == {3: (1, 3), 7: (1, 3), 9: (2, 4)}
    assert counts.total == 2  # the outdated thread is not beside the text


def test_the_reading_view_links_every_line_with_its_thread_count(world, login, comment):
    comment(world, world.member, 4, 9)
    comment(world, world.other, 9, 9)
    page = login(world.other).get(base(world)).text
    links = re.findall(r'<a class="line-no" href="([^"]+)">(.*?)</a>(<span class="line-count"[^>]*>\d+</span>)?', page)
    numbers = [re.sub(r"<[^>]+>", "", label) for _href, label, _badge in links]
    assert numbers == ["Line 3", "Line 4: 1 comment thread", "Line 5: 1 comment thread",
                       "Line 9: 2 comment threads", "Line 10"]
    assert links[3][0].endswith("line_start=9&amp;line_end=9")
    assert links[3][2] == '<span class="line-count" aria-hidden="true">2</span>'
    assert '<span class="line" data-line="4" id="L4">' in page
    assert '<span class="line" data-line="3">' in page and 'id="L3" data-line-start="3"' in page  # one #L3
    assert "2 comment threads</span> beside the text" in page
    assert '<span class="visually-hidden" id="T9">2 comment threads on lines 9–10</span>' in page
    assert 'aria-describedby="T3"' in page


def test_the_panel_answer_carries_counts_per_line_and_the_total(world, login, comment):
    comment(world, world.member, 4, 9)
    answer = login(world.member).get(base(world) + "/comments?revision=1&line_start=9&line_end=10&partial=1").text
    assert 'data-block-threads="3:1,7:1,9:1"' in answer
    assert 'data-lines="4:1,5:1,6:1,7:1,8:1,9:1"' in answer and 'data-total="1"' in answer


def test_the_numbered_lines_are_rendered_once_per_revision(world, login, comment, monkeypatch):
    from app.policies import pagecache

    renders = []
    real = pagecache.render_blocks
    monkeypatch.setattr(pagecache, "render_blocks", lambda *a, **k: renders.append(k) or real(*a, **k))
    browser = login(world.member)
    browser.get(base(world))
    comment(world, world.other, 3, 3)  # a new page version: the article is rendered again…
    assert "Line 3: 1 comment thread" in re.sub(r"<[^>]+>", "", browser.get(base(world)).text)
    assert renders == [{"with_lines": True}]  # …from the lines rendered once

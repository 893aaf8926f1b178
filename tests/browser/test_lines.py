"""Line by line (issue 16): every source line of a paragraph has its own number in the margin, a
control that picks it (click, tap, or the keyboard with one tab stop for the whole gutter), Shift
extends to a range, and the counts beside the text (per block, per line, the total) follow the
comments posted in the side panel. Chromium with reader.js, CSRF on and the strict CSP."""
import re

import pytest
from playwright.sync_api import expect

from comments.conftest import world  # noqa: F401 - fixture

BODY = (
    "# Commons pact\n"  # 1
    "\n"
    "The city supports commons.\n"  # 3
    "It funds a Commons Office.\n"  # 4
    "It reviews the pact yearly.\n"  # 5
    "\n"
    "## Money\n"  # 7
    "\n"
    "A fund of one million,\n"  # 9
    "with **grants decided\n"  # 10
    "openly** by lot.\n"  # 11
    "Each grant is published.\n"  # 12
)


@pytest.fixture
def lines_world(build_world):
    return build_world(("member", "other"), body=BODY)


def path(w):
    return f"/a/{w.assembly.slug}/p/{w.policy.slug}"


TEXT_BOX = """line => {
  const el = document.querySelector('[data-line="' + line + '"]');
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walk.nextNode())) {
    if (node.textContent.trim() && !node.parentElement.closest('.line-no')) break;
  }
  const range = document.createRange();
  range.selectNodeContents(node);
  const r = range.getClientRects()[0];
  return {x: r.left, y: r.top, width: r.width, height: r.height};
}"""


def text_box(page, line):
    """The first row of a line's own text (not its number)."""
    return page.evaluate(TEXT_BOX, line)


def post_comment(panel, text):
    panel.get_by_label("Your comment (Markdown)").fill(text)
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.locator(".comment-body", has_text=text)).to_be_visible()


def test_one_click_on_line_10_comments_on_that_line_and_every_count_follows(lines_world, open_page):
    page = open_page(lines_world.member)
    page.goto(path(lines_world))
    expect(page.locator(".comment-summary")).to_contain_text("0 comment threads beside the text")
    number = page.get_by_role("button", name="Line 10", exact=True)
    # the number sits in the margin at the start of its own line, the line inside the paragraph
    line = page.locator("#L10")
    expect(line).to_have_attribute("data-line", "10")
    assert line.evaluate("el => el.closest('p') !== null && el.parentElement.tagName") == "P"
    box, text = number.bounding_box(), text_box(page, 10)
    assert box["x"] + box["width"] <= text["x"] + 2  # left of the text
    assert abs(box["y"] - text["y"]) < 8  # on the line's first row

    number.click()  # one click: the panel with the form for line 10
    panel = page.locator("#comment-panel")
    expect(panel.get_by_role("heading", name="Line 10", exact=True)).to_be_focused()
    expect(page.locator("[data-selection-label]")).to_have_text("Line 10 selected")
    expect(number).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Lines 9–12", exact=True)).to_have_attribute("aria-pressed", "false")
    expect(panel.locator("form input[name=line_start]").last).to_have_value("10")
    post_comment(panel, "Who draws the lots?")
    expect(page.locator("#comment-live")).to_contain_text("Comment added beside line 10.")
    expect(page.locator(".comment-summary")).to_contain_text("1 comment thread beside the text")
    expect(page.get_by_role("button", name="Line 10: 1 comment thread", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Line 11", exact=True)).to_be_visible()  # untouched
    gutter = page.get_by_role("button", name="Lines 9–12: 1 comment", exact=True)
    expect(gutter).to_have_accessible_description(re.compile("^1 comment thread on lines 9–12 Up and Down"))


def test_a_range_thread_counts_once_on_each_line_and_says_what_it_counts(lines_world, open_page):
    page = open_page(lines_world.member)
    page.goto(path(lines_world))
    page.get_by_role("button", name="Line 4", exact=True).click()
    page.get_by_role("button", name="Line 9", exact=True).click(modifiers=["Shift"])
    expect(page.locator("[data-selection-label]")).to_have_text("Lines 4–9 selected")
    panel = page.locator("#comment-panel")
    expect(panel.get_by_role("heading", name="Lines 4–9", exact=True)).to_be_focused()
    post_comment(panel, "From the office to the fund.")
    page.get_by_role("button", name="Line 9: 1 comment thread", exact=True).click()
    expect(page.locator("[data-selection-label]")).to_have_text("Line 9 selected")
    expect(panel.get_by_role("heading", name="Line 9", exact=True)).to_be_focused()  # the new form
    post_comment(panel, "One million is little.")
    # one thread on 4–9, one on 9: line 9 has two, lines 4, 5 and 7 one each, line 3 none
    for line, count in ((4, 1), (5, 1), (9, 2)):
        expect(page.get_by_role("button", name=f"Line {line}: {count} comment thread{'s' if count > 1 else ''}",
                                exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Line 3", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Line 7: 1 comment", exact=True)).to_be_visible()
    expect(page.locator("#T3")).to_have_text("1 comment thread on lines 3–5")
    expect(page.locator("#T9")).to_have_text("2 comment threads on lines 9–12")
    expect(page.locator(".comment-summary")).to_contain_text("2 comment threads beside the text")
    # and the same after a reload, from the server
    page.reload()
    expect(page.locator(".comment-summary")).to_contain_text("2 comment threads beside the text")
    expect(page.get_by_role("button", name="Line 9: 2 comment threads", exact=True)).to_be_visible()
    expect(page.locator("#L9 .comment-count")).to_have_attribute("title", "2 comments in 2 comment threads on lines 9–12")


def focused_name(page):
    return page.evaluate("document.activeElement.textContent.replace(/\\s+/g, ' ').trim()")


def test_keyboard_one_tab_stop_arrows_between_lines_and_shift_extends(lines_world, open_page):
    page = open_page(lines_world.member)
    page.goto(path(lines_world))
    controls = page.locator("#document button.gutter, #document button.line-no")
    assert controls.count() == 4 + 7  # four blocks, seven lines in blocks of several lines
    assert page.locator('#document [tabindex="0"]').count() == 1  # the gutter is one tab stop
    page.locator("#document button.gutter").first.focus()
    page.keyboard.press("ArrowDown")  # the next paragraph's range
    expect(page.get_by_role("button", name="Lines 3–5", exact=True)).to_be_focused()
    page.keyboard.press("ArrowRight")  # into its lines
    expect(page.get_by_role("button", name="Line 3", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("button", name="Line 4", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("[data-selection-label]")).to_have_text("Line 4 selected")
    expect(page.locator("#comment-panel").get_by_role("heading", name="Line 4", exact=True)).to_be_focused()
    page.keyboard.press("Escape")  # back to the line's number
    expect(page.get_by_role("button", name="Line 4", exact=True)).to_be_focused()
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")  # line 5, then the heading's line 7
    expect(page.get_by_role("button", name="Line 7", exact=True)).to_be_focused()
    expect(page.locator("[data-selection-label]")).to_have_text("Lines 4–7 selected")
    expect(page.locator("#L5")).to_have_class(re.compile(r"\bselected\b"))
    expect(page.locator("#L3")).not_to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("Shift+Enter")
    expect(page.locator("#comment-panel").get_by_role("heading", name="Lines 4–7", exact=True)).to_be_focused()
    page.keyboard.press("Escape")
    # Tab leaves the gutter at once (one stop), Shift+Tab comes back to the last control used
    page.keyboard.press("Tab")
    assert not page.evaluate("!!document.activeElement.closest('#document')")
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Line 7", exact=True)).to_be_focused()
    assert page.get_by_role("button", name="Line 7", exact=True).get_attribute("aria-describedby") == "gutter-keys"


def test_every_line_has_one_element_and_hash_links_land_on_their_line(lines_world, open_page):
    page = open_page(lines_world.member)
    page.goto(path(lines_world) + "#L11")
    expect(page.locator("#L11")).to_have_text(re.compile(r"^11\s*openly by lot\.$"))
    assert page.evaluate("location.hash") == "#L11"
    top = page.locator("#L11").bounding_box()["y"]
    assert 0 <= top < page.viewport_size["height"]
    found = page.evaluate("[...document.querySelectorAll('#document [data-line]')].map(e => +e.dataset.line)")
    assert found == [3, 4, 5, 9, 10, 11, 12]  # blocks of one line are their line's element
    assert page.locator("#L1").evaluate("el => el.classList.contains('line-block')")


def test_at_360_pixels_the_numbers_stay_in_the_margin_and_a_tap_picks_a_line(lines_world, open_page):
    page = open_page(lines_world.member, viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    page.goto(path(lines_world))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    text_left = min(text_box(page, n)["x"] for n in (9, 10, 11, 12))
    for line in (9, 10, 11, 12):
        box = page.get_by_role("button", name=f"Line {line}", exact=True).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= text_left + 1
        assert box["height"] >= 24 and box["width"] >= 24  # a target a finger can hit
    tops = [page.get_by_role("button", name=f"Line {n}", exact=True).bounding_box()["y"] for n in (9, 10, 11, 12)]
    assert tops == sorted(tops) and len(set(tops)) == 4
    page.get_by_role("button", name="Line 11", exact=True).tap()
    panel = page.locator("#comment-panel")
    expect(panel.get_by_role("heading", name="Line 11", exact=True)).to_be_visible()
    assert panel.evaluate("el => getComputedStyle(el).position") == "fixed"


def test_without_javascript_each_line_number_is_a_link_to_its_comments(lines_world, open_page):
    page = open_page(lines_world.member, java_script_enabled=False)
    page.goto(path(lines_world))
    link = page.get_by_role("link", name="Line 10", exact=True)
    expect(link).to_have_attribute("href", re.compile(r"line_start=10&line_end=10$"))
    link.click()
    expect(page.get_by_role("heading", name="Line 10", exact=True)).to_be_visible()
    page.get_by_label("Your comment (Markdown)").fill("Lots are fair.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Comment added beside line 10.")).to_be_visible()
    page.goto(path(lines_world))
    expect(page.get_by_role("link", name=re.compile(r"^Line 10 ?: 1 comment thread$"))).to_be_visible()
    expect(page.locator("#L10 .line-count")).to_have_text("1")
    expect(page.locator(".comment-summary")).to_contain_text("1 comment thread beside the text")

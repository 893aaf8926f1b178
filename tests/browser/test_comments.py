"""Comments in a real browser (reader.js; Chromium, CSRF on, strict CSP): choose lines by
keyboard, mouse and touch, comment, reply, edit and resolve in the side panel; the bottom sheet
on a narrow screen; and the same pages without JavaScript. The data fixtures are those of
tests/comments (conftest.py there)."""
import re

import pytest
from playwright.sync_api import expect

from comments.conftest import BODY, comment, edit, world  # noqa: F401 - fixtures


def path(w):
    return f"/a/{w.assembly.slug}/p/{w.policy.slug}"


def test_keyboard_selection_comment_reply_and_edit_in_the_panel(world, open_page):
    page = open_page(world.member)
    page.goto(path(world))
    gutter = page.get_by_role("button", name="Lines 3–5", exact=True)
    gutter.focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-selection-label]")).to_have_text("Lines 3–5 selected")
    panel = page.locator("#comment-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", name="Lines 3–5", exact=True)).to_be_focused()

    page.get_by_role("button", name="Lines 3–5", exact=True).focus()
    page.keyboard.press("Shift+ArrowDown")  # focus the next block's gutter and extend the range
    expect(page.locator("[data-selection-label]")).to_have_text("Lines 3–7 selected")
    expect(page.get_by_role("button", name="Line 7", exact=True)).to_have_attribute("aria-pressed", "true")

    page.get_by_role("button", name="Comment on lines 3–7").click()
    body = panel.get_by_label("Your comment (Markdown)")
    expect(body).to_be_focused()
    body.fill("Keep the **office** small.")
    panel.get_by_label("Objection").check()
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.locator(".comment-body strong", has_text="office")).to_be_visible()
    expect(page.locator("#comment-live")).to_contain_text("Comment added beside lines 3–7.")
    expect(page.get_by_role("button", name="Lines 3–5: 1 comment")).to_be_visible()
    expect(page.get_by_role("button", name="Line 7: 1 comment")).to_be_visible()

    panel.locator("summary", has_text="Reply").click()
    panel.get_by_label("Your reply (Markdown)").fill("And public.")
    panel.get_by_role("button", name="Post reply").click()
    expect(panel.get_by_text("And public.")).to_be_visible()
    expect(page.get_by_role("button", name="Lines 3–5: 2 comments")).to_be_visible()

    panel.get_by_role("link", name="Edit your comment").first.click()
    edit = panel.get_by_label("Your comment (Markdown)")
    expect(edit).to_be_focused()
    edit.fill("Keep the office *small*.")
    panel.get_by_role("button", name="Save").click()
    expect(panel.locator(".comment-body em", has_text="small")).to_be_visible()

    panel.get_by_role("button", name=re.compile("^Mark resolved")).click()
    expect(panel.get_by_text("Resolved by Mia Member")).to_be_visible()

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()


def test_mouse_shift_click_and_the_range_actions(world, open_page):
    page = open_page(world.member)
    page.goto(path(world))
    page.get_by_role("button", name="Line 1", exact=True).click()
    page.get_by_role("button", name="Lines 9–10", exact=True).click(modifiers=["Shift"])
    expect(page.locator("[data-selection-label]")).to_have_text("Lines 1–10 selected")
    for link in page.locator(".selection-toolbar a[data-href-template]").all():
        assert "{start}" not in link.get_attribute("href")
    page.get_by_role("button", name="Clear the selection").click()
    expect(page.locator(".selection-toolbar")).to_be_hidden()


def test_a_comment_that_cannot_be_sent_keeps_its_text(world, open_page):
    page = open_page(world.member)
    page.goto(path(world))
    page.get_by_role("button", name="Lines 9–10", exact=True).click()
    page.get_by_role("button", name="Comment on lines 9–10").click()
    panel = page.locator("#comment-panel")
    expect(panel.get_by_label("Your comment (Markdown)")).to_be_focused()
    panel.get_by_label("Your comment (Markdown)").fill("Written on a train.")
    page.context.set_offline(True)
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.get_by_role("alert")).to_contain_text("could not be reached")
    expect(panel.get_by_label("Your comment (Markdown)")).to_have_value("Written on a train.")
    page.context.set_offline(False)
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.locator(".comment-body", has_text="Written on a train.")).to_be_visible()


def test_touch_range_mode_and_the_bottom_sheet(world, open_page):
    page = open_page(world.member, viewport={"width": 390, "height": 800}, has_touch=True, is_mobile=True)
    page.goto(path(world))
    page.get_by_role("button", name="Lines 3–5", exact=True).tap()
    panel = page.locator("#comment-panel")
    expect(panel).to_be_visible()
    assert panel.evaluate("el => getComputedStyle(el).position") == "fixed"
    page.get_by_role("button", name="Close the comments panel").tap()
    expect(panel).to_be_hidden()
    page.get_by_role("button", name="Select a range").tap()
    page.get_by_role("button", name="Lines 9–10", exact=True).tap()
    expect(page.locator("[data-selection-label]")).to_have_text("Lines 3–10 selected")


def test_outdated_threads_open_in_the_panel(world, open_page, comment, edit):
    comment(world, world.other, 4, 4, "About the office.")
    edit(world, BODY.replace("Commons Office", "Commons Agency"))
    page = open_page(world.member)
    page.goto(path(world))
    section = page.locator("#earlier-wording")
    expect(section.locator("blockquote")).to_have_text("It funds a Commons Office.")
    section.get_by_role("link", name="Open the thread").click()
    expect(page.locator("#comment-panel").get_by_text("About the office.")).to_be_visible()
    section.get_by_role("link", name="Read it beside revision 1").click()
    expect(page.locator(".line-block.focused")).to_have_count(1)
    expect(page.locator(".inline-thread")).to_contain_text("About the office.")


def test_without_javascript_the_gutter_leads_to_a_form_page(world, open_page):
    page = open_page(world.member, java_script_enabled=False)
    page.goto(path(world))
    page.get_by_role("link", name="Lines 9–10", exact=True).click()
    expect(page.get_by_role("heading", name="Lines 9–10", exact=True)).to_be_visible()
    page.get_by_label("Your comment (Markdown)").fill("Who decides?")
    page.get_by_label("Question").check()
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Comment added beside lines 9–10.")).to_be_visible()
    expect(page.locator(".comment-body", has_text="Who decides?")).to_be_visible()

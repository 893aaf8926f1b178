"""Counts, the ballot receipt and the phone header (issue 16), in Chromium: the notification
badge is gone from every page right after the list was read; the receipt's Copy button copies
the receipt (the clipboard is read back) and the receipt wraps only between its groups on a
360 px screen; on phones the header and the sticky ballot bar take at most a fifth of the
screen's height."""
import re

import pytest
from playwright.sync_api import expect

from browser.conftest import ARTIFACTS
from browser.scenario import core_loop_world

PHONES = {"360x640": (360, 640), "390x844": (390, 844)}


def phone(width, height):
    return {"viewport": {"width": width, "height": height}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def world(app, make_user, make_assembly, make_policy):
    return core_loop_world(app, make_user, make_assembly, make_policy)


def notify(app, user, count):
    from app.accounts.notifying import notify_user
    from app.extensions import db

    with app.app_context():
        for n in range(count):
            notify_user(user.id, "reply", f"Ada replied ({n}).", "/assemblies")
        db.session.commit()


def badge(page):
    return page.locator(".site-header .badge")


def test_the_badge_is_gone_from_every_page_right_after_reading(app, world, open_page):
    notify(app, world.member, 2)
    page = open_page(world.member)
    pages = [world.pact_path, "/assemblies", world.pact_path + "/amendments", world.office_path + "/rounds"]
    page.goto(world.pact_path)
    count = int(badge(page).inner_text())
    assert count >= 2
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    page.wait_for_url("**/notifications")
    expect(page.locator(".notifications .badge", has_text="new")).to_have_count(count)
    expect(badge(page)).to_have_count(0)  # this page's own header already counts them read
    for path in pages:
        page.goto(path)
        expect(badge(page)).to_have_count(0)
    page.go_back()  # the back button shows the page as it is now, not a kept copy
    page.wait_for_load_state()
    expect(badge(page)).to_have_count(0)


def cast(page, world):
    page.goto(f"{world.office_path}/rounds/{world.voting_round}/ballot")
    page.get_by_label("Yes, accept it").check()
    page.get_by_role("button", name="Cast ballot").click()
    page.wait_for_url("**/ballot/receipt")
    return page.locator("#receipt-code")


def test_the_copy_button_copies_the_receipt(world, open_page, live_server):
    page = open_page(world.member)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    code = cast(page, world)
    receipt = code.inner_text()
    assert re.fullmatch(r"\d+-[0-9a-f]{16}-[0-9a-f]{32}", receipt), receipt  # the groups copy as the receipt
    button = page.locator("[data-copy-receipt]")
    expect(button).to_have_text("Copy receipt")
    button.click()
    expect(page.locator("[data-copy-status]")).to_have_text("The receipt is copied to the clipboard.")
    expect(button).to_have_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == receipt


def test_without_javascript_the_receipt_is_text_and_no_button(world, open_page):
    page = open_page(world.member, java_script_enabled=False)
    code = cast(page, world)
    expect(page.get_by_role("button", name="Copy receipt")).to_be_hidden()
    assert re.fullmatch(r"\d+-[0-9a-f]{16}-[0-9a-f]{32}", code.inner_text())


# Each group's line boxes: a group split over two lines has two rects (a mid-word wrap).
GROUP_LINES_JS = """code => Array.from(code.querySelectorAll('.receipt-group')).map(g => {
  const tops = new Set(Array.from(g.getClientRects()).map(r => Math.round(r.top)));
  return {text: g.textContent, lines: tops.size, top: Math.round(g.getBoundingClientRect().top),
          font: getComputedStyle(g).fontFamily};
})"""


def test_the_receipt_wraps_only_between_groups_on_a_phone(world, open_page):
    page = open_page(world.member, **phone(360, 640))
    code = cast(page, world)
    groups = code.evaluate(GROUP_LINES_JS)
    assert [g["lines"] for g in groups] == [1] * len(groups), groups  # no group is cut
    assert len({g["top"] for g in groups}) > 1, "the receipt should need more than one line at 360 px"
    assert "mono" in groups[0]["font"].lower(), groups[0]["font"]
    box = code.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mobile-receipt-360.png"))


# Heights of the site header and of the sticky ballot bar, and the viewport's.
CHROME_JS = """() => ({header: document.querySelector('.site-header').getBoundingClientRect().height,
  bar: document.querySelector('.cast').getBoundingClientRect().height, viewport: window.innerHeight})"""


@pytest.mark.parametrize("size", sorted(PHONES))
def test_header_and_ballot_bar_take_at_most_a_fifth(world, open_page, size):
    width, height = PHONES[size]
    page = open_page(world.member, **phone(width, height))
    page.goto(f"{world.office_path}/rounds/{world.voting_round}/ballot")
    page.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"mobile-ballot-{size}.png"))
    sizes = page.evaluate(CHROME_JS)
    print(size, sizes)
    assert sizes["header"] + sizes["bar"] <= 0.2 * sizes["viewport"], sizes
    page.locator(".question").first.scroll_into_view_if_needed()
    page.evaluate("() => window.scrollBy(0, 200)")
    bar = page.locator(".cast").bounding_box()
    assert abs(bar["y"] + bar["height"] - height) <= 1, bar  # within the form the bar sticks to the bottom
    nav = page.locator(".site-nav ul").evaluate("el => ({overflowX: getComputedStyle(el).overflowX})")
    assert nav["overflowX"] == "auto", nav  # links that do not fit scroll sideways, in the header's one row

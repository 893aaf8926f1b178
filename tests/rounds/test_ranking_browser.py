"""The ranking control in a real browser: keyboard buttons, ties, drag and drop, and the cast ballot."""
import pytest

from browser.conftest import browser_login, chromium, live_server, page  # noqa: F401 (fixtures)

LINE4 = (4, 4, "It funds two Commons Offices.\n")
LINE4B = (4, 5, "It funds a Commons Office of two.\n")
LINE3 = (3, 3, "The city loves its commons.\n")

pytestmark = pytest.mark.browser


def test_ranking_by_keyboard_and_ties_is_what_gets_cast(world, page, browser_login):  # noqa: F811
    w = world(amendments=[LINE3, LINE4, LINE4B], phase="voting")
    browser_login(page, w.users["member0"])
    page.goto(f"/a/{w.assembly_slug}/p/{w.policy_slug}/rounds/{w.round_id}/ballot")
    ranking = page.locator("[data-ranking]")
    assert "enhanced" in ranking.get_attribute("class")
    assert not ranking.locator("select").first.is_visible()
    a, b = (f"a{i}" for i in w.amendment_ids[1:])
    items = ranking.locator(".ranking-option")
    items.nth(0).get_by_role("button", name="Move down").click()  # keep goes below the first rival
    assert page.evaluate("document.activeElement.textContent") == "Move down"
    items.nth(2).get_by_label("Tied with the option above").check()  # the second rival ties with keep
    values = {key: ranking.locator(f"li[data-key='{key}'] select").input_value() for key in ("keep", a, b)}
    assert values == {a: "1", "keep": "2", b: "2"}
    assert "now rank 2" in ranking.locator("[role=status]").text_content()
    page.get_by_label("Yes, accept it").check()
    page.get_by_role("button", name="Cast ballot").click()
    page.wait_for_url("**/ballot/receipt")
    summary = page.locator(".ballot-summary").text_content()
    assert "Amendment #" in summary and "Keep the current text" in summary and " = " in summary


def test_drag_and_drop_reorders_and_an_unticked_question_stays_unanswered(world, page, browser_login):  # noqa: F811
    w = world(amendments=[LINE4, LINE4B], phase="voting")
    browser_login(page, w.users["member1"])
    page.goto(f"/a/{w.assembly_slug}/p/{w.policy_slug}/rounds/{w.round_id}/ballot")
    ranking = page.locator("[data-ranking]")
    include = ranking.get_by_label("Answer this question with the ranking below", exact=False)
    assert not include.is_checked()
    last = ranking.locator(".ranking-option").nth(2)
    key = last.get_attribute("data-key")
    last.drag_to(ranking.locator(".ranking-option").nth(0), target_position={"x": 20, "y": 5})
    assert ranking.locator(".ranking-option").nth(0).get_attribute("data-key") == key
    assert include.is_checked()
    assert ranking.locator(f"li[data-key='{key}'] select").input_value() == "1"
    include.uncheck()
    assert {s.input_value() for s in ranking.locator("select").all()} == {""}

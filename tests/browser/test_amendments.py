"""A real browser (Chromium, CSRF on, strict CSP): propose with the live preview, co-sign, withdraw."""
import re

import pytest
from playwright.sync_api import expect

from amendments.conftest import AMENDMENT_NAMES, BODY



@pytest.fixture
def world(build_world):
    """world() → an assembly with an author and a member, and a policy by the author with BODY."""
    return lambda: build_world(("author", "member"), names=AMENDMENT_NAMES, author="author", body=BODY)


def test_propose_with_live_preview_then_cosign(page, browser_login, world):
    w = world()
    browser_login(page, w.author)
    page.goto(f"/a/{w.assembly.slug}/p/{w.policy.slug}")
    page.get_by_role("link", name="Propose an amendment").first.click()
    expect(page.get_by_role("heading", name="Propose an amendment")).to_be_visible()

    page.get_by_label("From line").fill("4")
    page.get_by_label("To line").fill("4")
    page.get_by_role("button", name="Load these lines").click()
    editor = page.get_by_label("New text")
    expect(editor).to_have_value("It funds a Commons Office.")
    editor.fill("It funds a Commons Agency.")
    preview = page.locator("#preview")
    expect(preview.locator("ins", has_text="Agency")).to_be_visible()  # live, from amend.js
    expect(preview.locator("del", has_text="Office")).to_be_visible()

    page.get_by_label("Insert new lines before line 4").check()
    expect(page.get_by_label("To line")).to_be_hidden()
    page.get_by_label("Replace these lines").check()
    expect(page.get_by_label("To line")).to_be_visible()

    page.get_by_role("button", name="Submit amendment").click()
    expect(page.get_by_role("alert")).to_contain_text("rationale is required")
    expect(page.get_by_label("New text")).to_have_value("It funds a Commons Agency.")
    page.get_by_label(re.compile("^Why")).fill("An agency can hire staff.")
    page.get_by_role("button", name="Submit amendment").click()
    expect(page.get_by_role("heading", name=re.compile(r"^A\d+$"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Replace line 4 of revision \d+\.$"))).to_be_visible()
    expect(page.get_by_text("An agency can hire staff.")).to_be_visible()

    amendment_url = page.url
    page.context.clear_cookies()
    browser_login(page, w.member)
    page.goto(amendment_url)
    page.get_by_role("button", name="Co-sign this amendment").click()
    expect(page.get_by_text(re.compile(r"^You co-sign A\d+\.$")).first).to_be_visible()
    expect(page.get_by_role("heading", name="Co-signers (1)")).to_be_visible()


def test_needs_rebase_update_with_live_preview(page, browser_login, world, api):
    w = world()
    author = api(w.author)
    created = author.post(f"/api/v1/policies/{w.policy.id}/amendments", json={
        "revision": 1, "line_start": 5, "line_end": 5, "replacement": "It reviews the pact twice a year.",
        "rationale": "Faster feedback."}).json
    api(w.member).post(f"/api/v1/policies/{w.policy.id}/revisions",
                       json={"body": BODY.replace("yearly.", "every year."), "base": 1})
    browser_login(page, w.author)
    page.goto(created["url"])
    expect(page.get_by_text("Needs rebase").first).to_be_visible()
    editor = page.get_by_label("New text")
    expect(editor).to_have_value("It reviews the pact every year.")
    editor.fill("It reviews the pact twice a year.")
    expect(page.locator("#preview ins", has_text="twice")).to_be_visible()
    page.get_by_role("button", name="Save the update").click()
    expect(page.get_by_text("is updated against revision 2")).to_be_visible()
    expect(page.get_by_text("Awaiting a decision.")).to_be_visible()

    page.get_by_text("Withdraw this amendment…").click()
    page.get_by_role("button", name=re.compile("^Withdraw amendment")).click()
    expect(page.get_by_text("Withdrawn by its author.")).to_be_visible()


def test_a_range_chosen_in_the_reading_view_opens_the_proposal(page, browser_login, world):
    w = world()
    browser_login(page, w.member)
    page.goto(f"/a/{w.assembly.slug}/p/{w.policy.slug}")
    page.locator("#L3 .gutter").click()
    page.get_by_role("toolbar").get_by_role("link", name="Propose an amendment").click()
    expect(page).to_have_url(re.compile(r"/amendments/new\?revision=1&line_start=3&line_end=5$"))
    expect(page.get_by_label("New text")).to_have_value(
        "The city supports commons.\nIt funds a Commons Office.\nIt reviews the pact yearly.")

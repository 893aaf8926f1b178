"""With JavaScript off the core loop still works, because every form posts normally: read a
policy with its line numbers, comment through the gutter link's page, propose an amendment
(with the server-rendered preview), cast a yes/no and a ranked ballot (the ranking is a set of
rank selects) and read the receipt and the results."""
import re

import pytest
from playwright.sync_api import expect

from browser.scenario import core_loop_world, log_in


def test_read_comment_propose_vote_and_read_results_without_javascript(app, make_user, make_assembly, make_policy,
                                                                       open_page):
    page = open_page(java_script_enabled=False)
    w = core_loop_world(app, make_user, make_assembly, make_policy)
    log_in(page, w.member)

    # Reading: the blocks keep their line numbers as links to a comments page.
    page.goto(w.pact_path)
    gutters = page.locator("#document a.gutter")
    expect(gutters.first).to_have_text("1")
    expect(page.locator("#document a.gutter .line-no")).to_have_text(["1", "3–6"])
    expect(page.locator("#comment-panel")).to_be_hidden()
    expect(page.locator(".selection-toolbar")).to_be_hidden()

    # Comment through the gutter link and the plain form.
    gutters.nth(1).click()
    expect(page.get_by_role("heading", name="Lines 3–6", exact=True)).to_be_visible()
    page.get_by_label("Your comment (Markdown)").fill("Name the **staff**.")
    page.get_by_label("Objection").check()
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Comment added beside lines 3–6.")).to_be_visible()
    expect(page.locator(".comment-body strong", has_text="staff")).to_be_visible()

    # Propose an amendment on those lines: Preview posts the form, the server shows the diff.
    page.get_by_role("link", name="Propose an amendment").first.click()
    expect(page).to_have_url(re.compile(r"/amendments/new\?revision=2&line_start=3&line_end=6$"))
    editor = page.get_by_label("New text")
    expect(editor).to_have_value(re.compile("^The city loves its commons.\nIt funds a Commons Office."))
    editor.fill(editor.input_value().replace("two staff", "three staff"))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview ins", has_text="three")).to_be_visible()
    page.get_by_label(re.compile("^Why")).fill("Three can cover the week.")
    page.get_by_role("button", name="Submit amendment").click()
    expect(page.get_by_role("heading", name=re.compile(r"^A\d+$"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Replace lines 3–6 of revision \d+\.$"))).to_be_visible()
    expect(page.locator(".amend-rationale")).to_have_text("Three can cover the week.")

    # The ballot: radios for yes/no, rank selects for the rivals (a tie is the same number).
    page.goto(f"{w.office_path}/rounds/{w.voting_round}/ballot")
    ranking = page.locator("[data-ranking]")
    expect(ranking.get_by_label("Tied with the option above")).to_have_count(0)  # no JS widgets
    page.get_by_label("Yes, accept it").check()
    first, second = (f"a{i}" for i in w.rival_amendments[1:])
    ranking.locator(f"li[data-key='{second}'] select").select_option("1")
    ranking.locator(f"li[data-key='{first}'] select").select_option("2")
    ranking.locator("li[data-key='keep'] select").select_option("2")
    page.get_by_role("button", name="Cast ballot").click()
    page.wait_for_url("**/ballot/receipt")
    expect(page.get_by_role("heading", name="Your ballot is recorded")).to_be_visible()
    expect(page.locator(".receipt code")).not_to_be_empty()
    summary = page.locator(".ballot-summary").text_content()
    assert "Accept" in summary or "yes" in summary.lower()
    assert "Keep the current text" in summary and " = " in summary

    # Casting again shows the current ballot in the selects.
    page.get_by_role("link", name="Change your ballot").click()
    expect(ranking.locator(f"li[data-key='{second}'] select")).to_have_value("1")
    expect(page.get_by_label("Yes, accept it")).to_be_checked()

    # The results of the closed round, with the accepted amendment.
    page.goto(f"{w.pact_path}/rounds/{w.closed_round}")
    page.get_by_role("link", name="Results", exact=True).click()
    expect(page.get_by_role("heading", name="Results of Round 1", exact=True)).to_be_visible()  # its number, not its id
    expect(page.locator(".result .decision-accepted").first).to_be_visible()
    page.get_by_role("link", name="revision 2").first.click()
    expect(page.locator("#document")).to_contain_text("The city loves its commons.")

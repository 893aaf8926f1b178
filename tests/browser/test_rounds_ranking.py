"""The ballot's ranking control in a real browser: keyboard buttons, ties, drag and drop, casting."""
from datetime import timedelta
from types import SimpleNamespace

from playwright.sync_api import expect

BODY = "# Pact\n\nThe city supports commons.\nIt funds a Commons Office.\nThe office has two staff.\nIt reviews it.\n"
AMENDMENTS = [(3, 3, "The city loves its commons.\n"), (4, 4, "It funds two offices.\n"), (4, 5, "It funds one office.\n")]


def voting_round(app, make_user, make_assembly, make_policy, amendments, body=BODY, titles=(), **rules):
    """A round in voting on a new policy (with `rules` for create_round, `titles` for the amendments);
    returns the voter, the admin, the round's id and path, and the ballot path."""
    from app.accounts.models import User
    from app.amendments.services import propose_amendment
    from app.core.timeutil import utcnow
    from app.extensions import db
    from app.policies.models import Policy
    from app.rounds import phases, services

    voter = make_user()
    assembly = make_assembly(members=[(voter, "member")], public=True)
    created = make_policy(assembly, assembly.admin, body=body)
    with app.app_context():
        admin, policy = db.session.get(User, assembly.admin.id), db.session.get(Policy, created.id)
        now = utcnow()
        round_ = services.create_round(admin, policy, now + timedelta(days=1), now + timedelta(days=2),
                                       now + timedelta(days=3), **rules)
        titles = list(titles) + [""] * (len(amendments) - len(titles))
        ids = [propose_amendment(admin, policy, 1, s, e, text, "Why not.", title=title).id
               for (s, e, text), title in zip(amendments, titles)]
        round_ = phases.advance_round(admin, phases.advance_round(admin, round_))
        db.session.commit()
        round_path = f"/a/{assembly.slug}/p/{created.slug}/rounds/{round_.id}"
    return SimpleNamespace(voter=voter, admin=assembly.admin, path=round_path + "/ballot", round_path=round_path,
                           round_id=round_.id, ids=ids)


def test_ranking_by_keyboard_and_ties_is_what_gets_cast(app, page, browser_login, make_user, make_assembly, make_policy):
    setup = voting_round(app, make_user, make_assembly, make_policy, AMENDMENTS)
    browser_login(page, setup.voter)
    page.goto(setup.path)
    ranking = page.locator("[data-ranking]")
    assert "enhanced" in ranking.get_attribute("class")
    assert not ranking.locator("select").first.is_visible()
    a, b = (f"a{i}" for i in setup.ids[1:])
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
    assert "Keep the current text" in summary and " = " in summary


def test_drag_and_drop_ranks_the_question_and_clear_my_ranking_leaves_it_unanswered(
        app, page, browser_login, make_user, make_assembly, make_policy):
    setup = voting_round(app, make_user, make_assembly, make_policy, AMENDMENTS)
    browser_login(page, setup.voter)
    page.goto(setup.path)
    ranking = page.locator("[data-ranking]")
    expect(ranking.get_by_text("Answer this question with the ranking below")).to_have_count(0)
    assert {s.input_value() for s in ranking.locator("select").all()} == {""}  # not answered yet
    last = ranking.locator(".ranking-option").nth(2)
    key = last.get_attribute("data-key")
    last.drag_to(ranking.locator(".ranking-option").nth(0), target_position={"x": 20, "y": 5})
    assert ranking.locator(".ranking-option").nth(0).get_attribute("data-key") == key
    assert [s.input_value() for s in ranking.locator("select").all()] == ["1", "2", "3"]  # ranking one ranks all
    clear = ranking.get_by_role("button", name="Clear my ranking")
    clear.focus()
    page.keyboard.press("Enter")  # the JavaScript clears it in place: no round trip
    assert {s.input_value() for s in ranking.locator("select").all()} == {""}
    expect(ranking.locator("[role=status]")).to_contain_text("Your ranking is cleared")
    assert page.evaluate("document.activeElement.textContent") == "Clear my ranking"
    assert page.url.endswith("/ballot")
    ranking.get_by_role("button", name="Rank in this order").click()  # the order shown, without moving
    assert [s.input_value() for s in ranking.locator("select").all()] == ["1", "2", "3"]
    expect(ranking.get_by_role("button", name="Rank in this order")).to_be_hidden()
    clear.click()
    page.get_by_label("Yes, accept it").check()
    page.get_by_role("button", name="Cast ballot").click()
    page.wait_for_url("**/ballot/receipt")
    summary = page.locator(".ballot-summary").text_content()
    assert "Yes" in summary and "Ranking" not in summary  # the cleared question stayed unanswered


def test_clear_my_ranking_without_javascript_is_a_round_trip_that_keeps_the_form(
        app, open_page, make_user, make_assembly, make_policy):
    setup = voting_round(app, make_user, make_assembly, make_policy, AMENDMENTS)
    page = open_page(setup.voter, java_script_enabled=False)
    page.goto(setup.path)
    ranking = page.locator("[data-ranking]")
    keys = [li.get_attribute("data-key") for li in ranking.locator(".ranking-option").all()]
    ranking.locator(f"li[data-key='{keys[1]}'] select").select_option("1")
    page.get_by_label("No, reject it").check()
    ranking.get_by_role("button", name="Clear my ranking").click()
    expect(page.get_by_text("is cleared: that question will be left unanswered")).to_be_visible()
    assert {s.input_value() for s in ranking.locator("select").all()} == {""}
    expect(page.get_by_label("No, reject it")).to_be_checked()
    page.get_by_label("No, reject it").press("Enter")  # Enter in the form casts, never clears
    page.wait_for_url("**/ballot/receipt")
    assert "Ranking" not in page.locator(".ballot-summary").text_content()

"""The ballot's ranking control in a real browser: keyboard buttons, ties, drag and drop, casting."""
from datetime import timedelta
from types import SimpleNamespace

BODY = "# Pact\n\nThe city supports commons.\nIt funds a Commons Office.\nThe office has two staff.\nIt reviews it.\n"
AMENDMENTS = [(3, 3, "The city loves its commons.\n"), (4, 4, "It funds two offices.\n"), (4, 5, "It funds one office.\n")]


def voting_round(app, make_user, make_assembly, make_policy, amendments):
    """A round in voting on a new policy; returns the voter and the ballot path."""
    from app.accounts.models import User
    from app.amendments.services import propose_amendment
    from app.core.timeutil import utcnow
    from app.extensions import db
    from app.policies.models import Policy
    from app.rounds import phases, services

    voter = make_user()
    assembly = make_assembly(members=[(voter, "member")], public=True)
    created = make_policy(assembly, assembly.admin, body=BODY)
    with app.app_context():
        admin, policy = db.session.get(User, assembly.admin.id), db.session.get(Policy, created.id)
        now = utcnow()
        round_ = services.create_round(admin, policy, now + timedelta(days=1), now + timedelta(days=2), now + timedelta(days=3))
        ids = [propose_amendment(admin, policy, 1, s, e, text, "Why not.").id for s, e, text in amendments]
        round_ = phases.advance_round(admin, phases.advance_round(admin, round_))
        db.session.commit()
        path = f"/a/{assembly.slug}/p/{created.slug}/rounds/{round_.id}/ballot"
    return SimpleNamespace(voter=voter, path=path, ids=ids)


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


def test_drag_and_drop_reorders_and_an_unticked_question_stays_unanswered(app, page, browser_login, make_user,
                                                                          make_assembly, make_policy):
    setup = voting_round(app, make_user, make_assembly, make_policy, AMENDMENTS[1:])
    browser_login(page, setup.voter)
    page.goto(setup.path)
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

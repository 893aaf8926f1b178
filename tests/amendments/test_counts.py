"""The Amendments tab and the amendment list say what their counts count (pending, in the vote),
and change when the amendments do: a vote opening, by a facilitator or by its deadline passing,
shows at once on every policy page, the cached reading view included (issue 16)."""
import re

import pytest

from app.extensions import db
from rounds.helpers import set_deadlines

THREE = [(1, 1, "Line one, amended.\n"), (3, 3, "Line three, amended.\n"), (5, 5, "Line five, amended.\n")]


def tab_label(text):
    """The Amendments tab's label on a page."""
    return re.search(r">(Amendments \([^)]*\))<", text).group(1)


def policy_pages(world):
    base = f"/a/{world.policy.assembly_slug}/p/{world.policy.slug}"
    return {"read": base, "amendments": base + "/amendments", "history": base + "/history",
            "rounds": base + "/rounds", "round": f"{base}/rounds/{world.round.id}" if world.round else None}


def test_the_tab_counts_amendments_on_the_ballot(build_world, login):
    world = build_world(round="voting", amendments=THREE)
    browser = login(world.member)
    for name, path in policy_pages(world).items():
        assert tab_label(browser.get(path).text) == "Amendments (3 in vote)", name
    listing = browser.get(policy_pages(world)["amendments"]).text
    assert "3 in vote, 3 in all." in listing and "0 pending" not in listing


def test_the_tab_says_pending_and_in_vote_and_none(build_world, login, app):
    from app.amendments.models import Amendment

    world = build_world(round="amending", amendments=THREE)
    browser = login(world.member)
    read = policy_pages(world)["read"]
    assert tab_label(browser.get(read).text) == "Amendments (3 pending)"
    with app.app_context():
        first = db.session.get(Amendment, world.amendment_ids[0])
        first.state = "in_vote"
        db.session.commit()
    assert tab_label(browser.get(read).text) == "Amendments (2 pending, 1 in vote)"  # the member's cached page too
    empty = build_world(round=None)
    assert tab_label(login(empty.member).get(policy_pages(empty)["read"]).text) == "Amendments (none yet)"


@pytest.mark.parametrize("page", ["read", "amendments", "history", "round"])
def test_a_vote_opened_by_its_deadline_shows_at_once(build_world, login, app, page):
    """Before: 3 pending on a page seen (and cached) during deliberation; the deadline passes with
    no write: the next view of any policy page says 3 in vote, the tab and the list alike."""
    world = build_world(round="deliberating", amendments=THREE)
    browser = login(world.member)
    path = policy_pages(world)[page]
    assert tab_label(browser.get(path).text) == "Amendments (3 pending)"
    with app.app_context():
        set_deadlines(world.round.id, deliberating_until=-1, voting_until=24)
    text = browser.get(path).text
    assert tab_label(text) == "Amendments (3 in vote)" and "Rounds (voting)" in text
    if page == "amendments":
        assert "3 in vote, 3 in all." in text and "In the vote (3)" in text


def test_the_tab_says_none_open_once_all_are_decided(build_world, login):
    world = build_world(round="closed", amendments=THREE)
    label = tab_label(login(world.member).get(policy_pages(world)["read"]).text)
    assert label == "Amendments (none open)"

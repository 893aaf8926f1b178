"""A round's deadline passes without a write: the next policy page shows its outcome everywhere
at once — the header's status, the tabs and the lists — never one part before and one after
(the tabs apply due transitions while rendering, so the page must apply them first; issue 16)."""
import re

import pytest

from app.extensions import db
from rounds.helpers import set_deadlines

AMENDMENT = [(3, 3, "The city loves commons.\n")]


@pytest.fixture
def voted(app, build_world):
    """A round in voting with one amendment that every member accepted."""
    from app.accounts.models import User
    from app.rounds import ballots
    from app.rounds.models import Round

    world = build_world(round="voting", amendments=AMENDMENT)
    with app.app_context():
        round_ = db.session.get(Round, world.round.id)
        for person in (world.admin, world.member):
            answers = [{"question": q.id, "choice": "yes"} for q in round_.questions]
            ballots.cast_ballot(db.session.get(User, person.id), round_, answers)
        db.session.commit()
    return world


def header_status(html):
    return re.search(r'<span class="status status-[a-z_]+">([^<]+)</span>', html).group(1)


@pytest.mark.parametrize("page", ["history", "diff"])
def test_a_close_by_deadline_shows_on_the_header_tabs_and_list(app, voted, login, page):
    browser = login(voted.member)
    base = f"/a/{voted.policy.assembly_slug}/p/{voted.policy.slug}"
    path = f"{base}/{page}"
    before = browser.get(path).text
    assert header_status(before) == "in round" and "Rounds (voting)" in before
    assert "Amendments (1 in vote)" in before
    with app.app_context():
        set_deadlines(voted.round.id, voting_until=-1)
    after = browser.get(path).text
    assert header_status(after) == "draft" and "Rounds (voting)" not in after
    assert "Amendments (none open)" in after
    if page == "history":
        assert "2 revisions, newest first" in after  # the accepted amendment's revision is listed
    else:
        assert "loves" in after and "from=1" in after  # the diff is of the new head (revision 2)

"""Fixtures for the amendment tests: a policy in an assembly with an author, a member, an outsider."""
from datetime import timedelta

import pytest

from app.extensions import db

# Seven lines, every one distinct, so that line maps are unambiguous.
BODY = (
    "# Commons pact\n"
    "\n"
    "The city supports commons.\n"
    "It funds a Commons Office.\n"
    "It reviews the pact yearly.\n"
    "\n"
    "Members meet each month.\n"
)


AMENDMENT_NAMES = {"member": "Mo Member", "other": "Oz Other", "admin": "Admin 1"}


@pytest.fixture
def world(build_world):
    """world(body=BODY, public=False) → World: author, member, other, outsider, assembly, policy (by the author)."""
    return lambda body=BODY, public=False: build_world(("author", "member", "other", "outsider"), names=AMENDMENT_NAMES,
                                                       author="author", body=body, public=public)


@pytest.fixture
def ctx(app):
    """An app context for service tests (they never use a test client)."""
    with app.app_context():
        yield
        db.session.rollback()


def user(ns):
    """The User row of a fixture namespace."""
    from app.accounts.models import User

    return db.session.get(User, ns.id)


def policy_of(ns):
    """The Policy row of a fixture namespace."""
    from app.policies.models import Policy

    return db.session.get(Policy, ns.id)


def amendment(amendment_id):
    """A fresh Amendment row."""
    from app.amendments.models import Amendment

    db.session.expire_all()
    return db.session.get(Amendment, amendment_id)


def count_amendments():
    from app.amendments.models import Amendment

    return db.session.execute(db.select(db.func.count(Amendment.id))).scalar_one()


def start_round(policy_id, phase):
    """Create a round of the policy that is in `phase` now (deadlines around the present)."""
    from app.core.timeutil import utcnow
    from app.rounds.models import Round

    now, hour = utcnow(), timedelta(hours=1)
    offsets = {"amending": (1, 2, 3), "deliberating": (-1, 1, 2), "voting": (-2, -1, 1), "closed": (-3, -2, -1)}[phase]
    round_ = Round(
        policy_id=policy_id,
        phase="closed" if phase == "closed" else phase,
        amending_until=now + offsets[0] * hour,
        deliberating_until=now + offsets[1] * hour,
        voting_until=now + offsets[2] * hour,
    )
    db.session.add(round_)
    db.session.commit()
    return round_.id


def set_state(amendment_id, state, **values):
    """Put an amendment in a state as the rounds feature would (in_vote, accepted …)."""
    from app.amendments.models import Amendment

    row = db.session.get(Amendment, amendment_id)
    row.state = state
    for name, value in values.items():
        setattr(row, name, value)
    db.session.commit()


def notifications_of(ns, kind=None):
    from app.accounts.models import Notification

    query = db.select(Notification).filter_by(user_id=ns.id)
    if kind:
        query = query.filter_by(kind=kind)
    return db.session.execute(query).scalars().all()

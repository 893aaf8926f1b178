"""Fixtures for rounds: a whole assembly with a policy, amendments and a round in any phase.

`world(...)` builds everything through the services in one app context (users are inserted
with one precomputed password hash, so building is fast) and returns a namespace with ids,
users by role and `api(role)` clients.
"""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.extensions import db

BODY = (
    "# Commons pact\n"
    "\n"
    "The city supports commons.\n"
    "It funds a Commons Office.\n"
    "The office has two staff.\n"
    "It reviews the pact yearly.\n"
    "Reviews are public.\n"
    "Members may propose changes.\n"
)
ROLES = ("admin", "facilitator", "member")
STEPS = {"amending": [], "deliberating": ["advance"], "voting": ["advance"] * 2,
         "closed": ["advance"] * 3, "cancelled": ["cancel"]}


@pytest.fixture(scope="session")
def password_hash(app):
    from app.accounts.services import _hasher
    from conftest import PASSWORD

    with app.app_context():
        return _hasher().hash(PASSWORD)


@pytest.fixture
def fast_user(app, password_hash):
    """fast_user(name) → namespace (id, email, name, password); no per-user hashing."""
    from app.accounts.models import User
    from conftest import PASSWORD

    counter = {"n": 0}

    def make(name=None):
        counter["n"] += 1
        n = counter["n"]
        with app.app_context():
            user = User(email=f"voter{n}@example.org", name=name or f"Voter {n:03d}", password_hash=password_hash)
            db.session.add(user)
            db.session.commit()
            return SimpleNamespace(id=user.id, email=user.email, name=user.name, password=PASSWORD)

    return make


def when(**delta):
    from app.core.timeutil import utcnow

    return utcnow() + timedelta(**delta)


@pytest.fixture
def world(app, fast_user):
    """world(members=2, amendments=[(start, end, replacement)], phase='amending', public=True, **rules)."""
    from conftest import ApiClient

    built = []

    def build(members=2, amendments=(), phase="amending", public=True, extra_voters=0, **rules):
        built.append(1)
        rules["assembly_name"] = "Veldmar Commons" + ("" if len(built) == 1 else f" {len(built)}")
        users = {"admin": fast_user("Ada Admin"), "facilitator": fast_user("Fay Facilitator")}
        for i in range(members):
            users[f"member{i}"] = fast_user(f"Member {i}")
        users["late"] = fast_user("Late Joiner")
        users["outsider"] = fast_user("Otto Outsider")
        voters = [fast_user() for _ in range(extra_voters)]
        with app.app_context():
            ids = _build(users, voters, members, amendments, phase, public, rules)
            tokens = {role: _token(user.id) for role, user in users.items()}
            tokens.update({f"voter{i}": _token(v.id) for i, v in enumerate(voters)})
            db.session.commit()
        users.update({f"voter{i}": v for i, v in enumerate(voters)})
        return SimpleNamespace(
            users=users, tokens=tokens, voters=[f"voter{i}" for i in range(len(voters))], **ids,
            api=lambda role: ApiClient(app.test_client(), tokens[role]),
        )

    return build


def _token(user_id):
    from app.accounts.models import User
    from app.accounts.services import create_token

    raw, _ = create_token(db.session.get(User, user_id))
    return raw


def _build(users, voters, members, amendments, phase, public, rules):
    assembly_name = rules.pop("assembly_name")
    from app.accounts.models import User
    from app.amendments.services import propose_amendment
    from app.assemblies.models import Membership
    from app.assemblies.services import create_assembly
    from app.policies.services import create_policy
    from app.rounds import phases, services

    get = lambda role: db.session.get(User, users[role].id)  # noqa: E731
    assembly = create_assembly(get("admin"), assembly_name, is_public=public)
    roles = [("facilitator", "facilitator")] + [(f"member{i}", "member") for i in range(members)]
    for role, assembly_role in roles:
        db.session.add(Membership(assembly_id=assembly.id, user_id=users[role].id, role=assembly_role))
    for voter in voters:
        db.session.add(Membership(assembly_id=assembly.id, user_id=voter.id, role="member"))
    db.session.flush()
    db.session.refresh(assembly)
    policy = create_policy(get("admin"), assembly, "Commons pact", BODY)
    round_ = services.create_round(get("facilitator"), policy, when(days=1), when(days=2), when(days=3), **rules)
    amendment_ids = []
    for index, (start, end, replacement) in enumerate(amendments):
        author = get(f"member{index % members}" if members else "admin")
        amendment = propose_amendment(author, policy, policy.head_number, start, end, replacement, f"Reason {index}.")
        amendment_ids.append(amendment.id)
    db.session.add(Membership(assembly_id=assembly.id, user_id=users["late"].id, role="member"))
    for step in STEPS[phase]:
        action = phases.advance_round if step == "advance" else phases.cancel_round
        round_ = action(get("facilitator"), round_)
    db.session.flush()
    return {"assembly_slug": assembly.slug, "assembly_id": assembly.id, "policy_id": policy.id,
            "policy_slug": policy.slug, "round_id": round_.id, "amendment_ids": amendment_ids}

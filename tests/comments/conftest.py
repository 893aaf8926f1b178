"""Fixtures for the comments tests: an assembly with every role, a policy, and helpers that
edit the policy through the real services (so revisions and anchors are made as in use)."""
from types import SimpleNamespace

import pytest

from app.extensions import db
from conftest import PASSWORD

BODY = (
    "# Commons pact\n"          # 1
    "\n"                        # 2
    "The city supports commons.\n"  # 3
    "It funds a Commons Office.\n"  # 4
    "It reviews the pact yearly.\n"  # 5
    "\n"                        # 6
    "## Money\n"                # 7
    "\n"                        # 8
    "A fund of one million.\n"  # 9
    "Grants are decided openly.\n"  # 10
)


@pytest.fixture(scope="session")
def password_hash():
    """One hash of the fixtures' password: hashing is slow on purpose, so do it once."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(PASSWORD)


@pytest.fixture
def world(app, password_hash, make_policy):
    """Users in every role, a private assembly and a policy whose body is BODY."""
    from app.accounts.models import User
    from app.assemblies.models import Membership
    from app.assemblies.services import create_assembly

    names = {"member": "Mia Member", "other": "Otto Other", "facilitator": "Fay Facilitator",
             "outsider": "Olga Outsider", "admin": "Ada Admin"}
    with app.app_context():
        users = {key: User(email=f"{key}@example.org", name=name, password_hash=password_hash) for key, name in names.items()}
        db.session.add_all(users.values())
        db.session.flush()
        assembly = create_assembly(users["admin"], "Commons Assembly")
        for key, role in (("member", "member"), ("other", "member"), ("facilitator", "facilitator")):
            db.session.add(Membership(assembly_id=assembly.id, user_id=users[key].id, role=role))
        db.session.commit()
        people = {key: SimpleNamespace(id=u.id, email=u.email, name=u.name, password=PASSWORD) for key, u in users.items()}
        assembly_ns = SimpleNamespace(id=assembly.id, slug=assembly.slug, admin=people["admin"])
    policy = make_policy(assembly_ns, people["member"], body=BODY)
    return SimpleNamespace(**people, assembly=assembly_ns, policy=policy)


@pytest.fixture
def edit(app):
    """edit(world, new_body, author=None) saves a revision on the head; returns its number."""
    from app.accounts.models import User
    from app.policies.models import Policy
    from app.policies.services import save_revision

    def run(w, body, author=None):
        with app.app_context():
            policy = db.session.get(Policy, w.policy.id)
            user = db.session.get(User, (author or w.member).id)
            revision, _ = save_revision(user, policy, body, policy.head_number, "edit")
            db.session.commit()
            return revision.number

    return run


@pytest.fixture
def comment(app):
    """comment(world, user, line_start, line_end, body=…, revision=None, stance=…, parent_id=None) → id."""
    from app.accounts.models import User
    from app.comments.services import create_comment
    from app.policies.models import Policy

    def run(w, user, line_start=None, line_end=None, body="A comment.", revision=None, stance="comment", parent_id=None):
        with app.app_context():
            policy = db.session.get(Policy, w.policy.id)
            number = revision or policy.head_number
            created = create_comment(
                db.session.get(User, user.id), policy, number, line_start, line_end, body, stance, parent_id
            )
            db.session.commit()
            return created.id

    return run


@pytest.fixture
def placed(app):
    """placed(world, comment_id, revision=None) → (line_start, line_end) in that revision, or None."""
    from app.comments.models import Comment
    from app.comments.queries import get_thread

    def run(w, comment_id, revision=None):
        with app.app_context():
            thread = get_thread(db.session.get(Comment, comment_id), revision)
            db.session.commit()
            return thread.anchor

    return run


def lines_of(body, position):
    """The text of a position in a body."""
    lines = body.split("\n")
    return "\n".join(lines[position[0] - 1 : position[1]])

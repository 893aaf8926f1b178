"""Fixtures for the comments tests: an assembly with every role, a policy, and helpers that
edit the policy through the real services (so revisions and anchors are made as in use)."""
import pytest

from app.extensions import db

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


@pytest.fixture
def world(build_world):
    """Users in every role, a private assembly and a policy by the member whose body is BODY."""
    return build_world(("member", "other", "facilitator", "outsider", "admin"), body=BODY)


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

"""Comments follow the text across real revisions (service level; the text operations of app/core are tested themselves).

Every scenario edits the policy through save_revision, so anchors are computed by the
revision_created handler exactly as in use.
"""
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.comments import anchors
from app.comments.models import Comment, CommentAnchor
from app.comments.queries import get_thread, summarise_threads
from app.comments.services import create_comment
from app.core import textlines
from app.core.errors import ValidationError
from app.extensions import db
from app.policies.models import Policy

from .conftest import BODY, lines_of

OFFICE = "It funds a Commons Office.\nIt reviews the pact yearly."  # lines 4–5 of BODY


def replace_lines(body, start, end, new_lines):
    lines = body.split("\n")
    lines[start - 1 : end] = new_lines
    return "\n".join(lines)


@pytest.fixture
def office(world, comment):
    """A comment on lines 4–5 of revision 1."""
    return comment(world, world.other, 4, 5, "About the office.")


def test_insert_above_moves_the_comment_down(world, office, edit, placed):
    body = replace_lines(BODY, 2, 2, ["", "A preamble.", ""])
    edit(world, body)
    assert placed(world, office) == (6, 7)
    assert lines_of(body, (6, 7)) == OFFICE


def test_insert_inside_makes_the_comment_outdated(world, office, edit, placed):
    edit(world, replace_lines(BODY, 5, 4, ["It hires two people."]))
    assert placed(world, office) is None


def test_delete_above_moves_the_comment_up(world, office, edit, placed):
    body = replace_lines(BODY, 3, 3, [])
    edit(world, body)
    assert placed(world, office) == (3, 4)
    assert lines_of(body, (3, 4)) == OFFICE


def test_delete_inside_makes_the_comment_outdated(world, office, edit, placed):
    edit(world, replace_lines(BODY, 5, 5, []))
    assert placed(world, office) is None


def test_edit_inside_makes_the_comment_outdated(world, office, edit, placed):
    edit(world, replace_lines(BODY, 4, 4, ["It funds a Commons Agency."]))
    assert placed(world, office) is None


def test_edit_elsewhere_keeps_the_comment_in_place(world, office, edit, placed):
    edit(world, replace_lines(BODY, 10, 10, ["Grants are decided in public."]))
    assert placed(world, office) == (4, 5)


def test_move_of_a_block_follows_the_unchanged_run_and_outdates_the_moved_one(world, comment, edit, placed):
    first = comment(world, world.other, 3, 5, "First paragraph.")
    money = comment(world, world.other, 9, 10, "Money paragraph.")
    lines = BODY.split("\n")
    moved = "\n".join(lines[0:1] + [""] + lines[6:10] + [""] + lines[2:5]) + "\n"
    edit(world, moved)
    # The diff keeps the longer run (blank line + money section) as unchanged text and sees
    # the first paragraph as deleted and inserted below: one comment follows, the other is
    # outdated; neither lands on other text.
    assert placed(world, money) == (5, 6)
    assert lines_of(moved, (5, 6)) == lines_of(BODY, (9, 10))
    assert placed(world, first) is None


def test_a_revision_that_changes_everything_outdates_every_comment(world, comment, edit, placed):
    ids = [comment(world, world.other, s, e) for s, e in ((1, 1), (3, 5), (9, 10))]
    edit(world, "# Something else\n\nEntirely new text.\n")
    assert [placed(world, i) for i in ids] == [None, None, None]


def test_anchors_chain_through_revisions(world, office, edit, placed):
    edit(world, replace_lines(BODY, 2, 2, ["", "Preamble one.", ""]))
    body = replace_lines(BODY, 2, 2, ["", "Preamble one.", "", "Preamble two.", ""])
    edit(world, body)
    assert placed(world, office) == (8, 9)
    assert placed(world, office, revision=2) == (6, 7)
    assert placed(world, office, revision=1) == (4, 5)
    assert lines_of(body, (8, 9)) == OFFICE


def test_outdated_once_stays_outdated_even_if_the_text_comes_back(world, office, edit, placed):
    edit(world, replace_lines(BODY, 4, 4, ["It funds nothing."]))
    edit(world, BODY)
    assert placed(world, office, revision=2) is None
    assert placed(world, office) is None


def test_a_reply_shares_its_threads_position(world, office, comment, edit, placed):
    reply = comment(world, world.member, body="Agreed.", parent_id=office)
    edit(world, replace_lines(BODY, 3, 3, []))
    assert placed(world, reply) == placed(world, office) == (3, 4)


def test_a_comment_on_an_earlier_revision_is_followed_to_the_head_at_once(app, world, comment, edit, placed):
    edit(world, replace_lines(BODY, 2, 2, ["", "Preamble.", ""]))
    edit(world, replace_lines(BODY, 2, 2, ["", "Preamble, longer.", ""]))
    old = comment(world, world.other, 4, 5, revision=1)
    with app.app_context():
        rows = db.session.execute(db.select(CommentAnchor.revision_number, CommentAnchor.line_start).filter_by(comment_id=old)).all()
    assert sorted(rows) == [(2, 6), (3, 6)]
    assert placed(world, old) == (6, 7)


def test_a_thread_is_not_placed_in_a_revision_older_than_itself(world, comment, edit, placed):
    edit(world, replace_lines(BODY, 2, 2, ["", "Preamble.", ""]))
    new = comment(world, world.other, 6, 7)
    assert placed(world, new, revision=1) is None
    assert placed(world, new, revision=2) == (6, 7)


def test_missing_anchors_are_computed_by_chaining_without_a_write_and_stored_by_the_next_revision(
        app, world, office, edit, statements):
    edit(world, replace_lines(BODY, 2, 2, ["", "Preamble.", ""]))
    edit(world, replace_lines(BODY, 2, 2, ["", "Preamble.", "", "More.", ""]))
    with app.app_context():
        db.session.execute(db.delete(CommentAnchor))
        db.session.commit()
    with app.app_context():
        policy = db.session.get(Policy, world.policy.id)
        [summary], seen = statements(lambda: summarise_threads(policy, 3))
        db.session.rollback()
    assert summary.anchor == (8, 9)
    assert not [sql for sql in seen if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    edit(world, replace_lines(BODY, 2, 2, ["", "Preamble.", "", "More.", "", "Still more.", ""]))
    with app.app_context():
        stored = db.session.execute(db.select(CommentAnchor.revision_number).order_by("revision_number")).scalars().all()
    assert stored == [2, 3, 4]  # the new revision chained through 2 and 3 and kept every step


def test_reanchoring_uses_the_stored_anchors_of_the_previous_head(app, world, office, edit, placed):
    """A wrong stored anchor would be followed: proof that old positions come from storage."""
    edit(world, replace_lines(BODY, 10, 10, ["Changed."]))
    with app.app_context():
        row = db.session.execute(db.select(CommentAnchor).filter_by(comment_id=office, revision_number=2)).scalar_one()
        row.line_start = row.line_end = None  # as if outdated in revision 2
        db.session.commit()
    edit(world, replace_lines(BODY, 9, 10, ["Changed again."]))
    assert placed(world, office) is None


# ---------------------------------------------------------------------------
# Property: for random edits, an anchor points at text equal to its quote, or is outdated.
# ---------------------------------------------------------------------------

WORDS = st.sampled_from(["Alpha.", "Beta.", "Gamma.", "Delta.", "", "Alpha."])
LINES = st.lists(WORDS, min_size=1, max_size=10)
EDIT = st.tuples(st.sampled_from(["insert", "delete", "replace"]), st.integers(0, 12), st.lists(WORDS, min_size=1, max_size=3))


def apply_edit(lines, edit):
    op, at, new = edit
    at = at % (len(lines) + 1)
    if op == "insert":
        return lines[:at] + new + lines[at:]
    if op == "delete":
        return lines[:at] + lines[at + 1 :]
    return lines[:at] + new + lines[at + 1 :]


def as_body(lines):
    return textlines.normalize_body("\n".join(lines))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(initial=LINES, edits=st.lists(EDIT, min_size=1, max_size=5), data=st.data())
def test_property_an_anchor_shows_its_quote_or_is_outdated(app, world, initial, edits, data):
    from app.accounts.models import User
    from app.policies.services import create_policy, save_revision

    assume(as_body(initial).strip())
    with app.app_context():
        author = db.session.get(User, world.member.id)
        policy = create_policy(author, world_assembly(world), "Property", as_body(initial))
        comments, was_outdated = [], set()
        lines = initial
        for step in [None, *edits]:
            if step is not None:
                lines = apply_edit(lines, step)
                body = as_body(lines)
                if not body.strip() or body == policy.head.body:
                    continue
                save_revision(author, policy, body, policy.head_number, "random edit")
            comments += add_random_comments(author, policy, data)
            check_anchors(policy, comments, was_outdated)
        db.session.rollback()


def world_assembly(world):
    from app.assemblies.models import Assembly

    return db.session.get(Assembly, world.assembly.id)


def add_random_comments(author, policy, data):
    head = policy.head
    count = textlines.count_lines(head.body)
    start = data.draw(st.integers(1, count), label="line_start")
    end = data.draw(st.integers(start, min(count, start + 3)), label="line_end")
    try:
        return [create_comment(author, policy, head.number, start, end, "Random comment.")]
    except ValidationError:
        return []  # blank lines only


def check_anchors(policy, comments, was_outdated):
    head = policy.head
    for comment in comments:
        position = get_thread(comment).anchor
        if position is None:
            was_outdated.add(comment.id)
            continue
        assert comment.id not in was_outdated, "an outdated comment came back"
        assert textlines.quote_of(head.body, *position) == comment.quote


def test_stored_anchor_rows_are_unique_per_comment_and_revision(app, world, office, edit):
    edit(world, replace_lines(BODY, 10, 10, ["Changed."]))
    with app.app_context():
        policy = db.session.get(Policy, world.policy.id)
        root = anchors.RootRow(office, 1, 4, 5)
        anchors.chain_anchors(policy.id, [root], 2)  # computing again stores nothing twice
        db.session.commit()
        count = db.session.execute(db.select(db.func.count()).select_from(CommentAnchor).filter_by(comment_id=office)).scalar_one()
        assert db.session.get(Comment, office).quote == OFFICE
    assert count == 1

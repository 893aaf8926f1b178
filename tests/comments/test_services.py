"""Comment services: writing, replying, editing, deleting, resolving, listing; validation and
permissions. Every refusal stores nothing."""
import pytest

from app.accounts.models import User
from app.amendments.models import Amendment
from app.comments import queries, services
from app.comments.models import Comment
from app.core.errors import Conflict, Forbidden, NotFound, ValidationError
from app.core.events import Event
from app.extensions import db
from app.policies.models import Policy

from .conftest import BODY


@pytest.fixture
def run(app):
    """run(fn) inside an app context, committing; returns fn's result."""

    def call(fn):
        with app.app_context():
            result = fn()
            db.session.commit()
            return result

    return call


def user(ns):
    return db.session.get(User, ns.id)


def policy_of(w):
    return db.session.get(Policy, w.policy.id)


def count_comments():
    return db.session.execute(db.select(db.func.count(Comment.id))).scalar_one()


def test_create_comment_keeps_revision_lines_quote_and_stance(world, run):
    def create():
        c = services.create_comment(user(world.member), policy_of(world), 1, 3, 4, "Good **start**.", "support")
        event = db.session.execute(db.select(Event).filter_by(verb="comment.created")).scalar_one()
        return c.revision_number, c.line_start, c.line_end, c.quote, c.stance, c.body, event.object_id == c.id

    assert run(create) == (1, 3, 4, "The city supports commons.\nIt funds a Commons Office.", "support", "Good **start**.", True)


def test_stance_defaults_to_comment(world, comment, run):
    cid = comment(world, world.member, 3, 3, stance=None)
    assert run(lambda: db.session.get(Comment, cid).stance) == "comment"


def test_a_reply_takes_its_anchor_from_its_parent_and_joins_the_root(world, comment, run):
    root = comment(world, world.member, 4, 5, "Root.")
    first = comment(world, world.other, body="Reply.", parent_id=root)
    second = comment(world, world.member, body="Reply to the reply.", parent_id=first)

    def check():
        a, b = db.session.get(Comment, first), db.session.get(Comment, second)
        return (a.parent_id, b.parent_id, (b.revision_number, b.line_start, b.line_end, b.quote))

    parent_id, nested_parent, anchor = run(check)
    assert parent_id == nested_parent == root
    assert anchor == (1, 4, 5, "It funds a Commons Office.\nIt reviews the pact yearly.")


def test_reply_fields_for_a_range_are_ignored(world, comment, run):
    root = comment(world, world.member, 4, 5)
    reply = comment(world, world.other, 1, 1, body="Reply.", parent_id=root)
    assert run(lambda: (db.session.get(Comment, reply).line_start, db.session.get(Comment, reply).line_end)) == (4, 5)


def test_edit_changes_the_body_for_the_author_only(world, comment, run):
    cid = comment(world, world.member, 3, 3, "Frist.")
    assert run(lambda: services.edit_comment(user(world.member), db.session.get(Comment, cid), "First.").body) == "First."
    for intruder in (world.other, world.admin, world.facilitator):
        with pytest.raises(Forbidden):
            run(lambda: services.edit_comment(user(intruder), db.session.get(Comment, cid), "Mine now."))
    assert run(lambda: db.session.get(Comment, cid).body) == "First."


def test_an_edit_is_marked_edited(world, comment, run):
    cid = comment(world, world.member, 3, 3, "Before.")
    assert run(lambda: db.session.get(Comment, cid).edited) is False
    run(lambda: services.edit_comment(user(world.member), db.session.get(Comment, cid), "After."))
    assert run(lambda: db.session.get(Comment, cid).edited) is True


def test_delete_leaves_a_tombstone_and_the_replies(world, comment, run):
    root = comment(world, world.member, 3, 3, "Root.")
    reply = comment(world, world.other, body="Reply.", parent_id=root)
    run(lambda: services.delete_comment(user(world.member), db.session.get(Comment, root)))

    def check():
        thread = queries.get_thread(db.session.get(Comment, root))
        return thread.root.deleted, thread.root.body, [c.id for c in thread.replies], thread.count

    assert run(check) == (True, "", [reply], 1)


def test_an_assembly_admin_deletes_any_comment_but_a_member_cannot(world, comment, run):
    cid = comment(world, world.member, 3, 3)
    for intruder in (world.other, world.facilitator):
        with pytest.raises(Forbidden):
            run(lambda: services.delete_comment(user(intruder), db.session.get(Comment, cid)))
    assert run(lambda: services.delete_comment(user(world.admin), db.session.get(Comment, cid)).deleted) is True


def test_a_deleted_comment_cannot_be_edited(world, comment, run):
    cid = comment(world, world.member, 3, 3)
    run(lambda: services.delete_comment(user(world.member), db.session.get(Comment, cid)))
    with pytest.raises(Conflict):
        run(lambda: services.edit_comment(user(world.member), db.session.get(Comment, cid), "Back."))


def test_deleting_twice_changes_nothing(world, comment, run):
    cid = comment(world, world.member, 3, 3)
    run(lambda: services.delete_comment(user(world.member), db.session.get(Comment, cid)))
    run(lambda: services.delete_comment(user(world.member), db.session.get(Comment, cid)))
    assert run(lambda: db.session.execute(db.select(db.func.count(Event.id)).filter_by(verb="comment.deleted")).scalar_one()) == 1


def test_the_threads_author_or_a_facilitator_resolves_a_member_cannot(world, comment, run):
    root = comment(world, world.member, 3, 3)
    reply = comment(world, world.other, body="Reply.", parent_id=root)
    with pytest.raises(Forbidden):  # the author of a reply is not the thread's author
        run(lambda: services.resolve_thread(user(world.other), db.session.get(Comment, reply)))
    assert run(lambda: services.resolve_thread(user(world.member), db.session.get(Comment, reply)).id) == root
    assert run(lambda: services.resolve_thread(user(world.facilitator), db.session.get(Comment, root), False).resolved) is False
    assert run(lambda: services.resolve_thread(user(world.admin), db.session.get(Comment, root)).resolved) is True


def test_resolving_marks_the_whole_thread_and_later_replies(world, comment, run):
    root = comment(world, world.member, 3, 3)
    early = comment(world, world.other, body="Early.", parent_id=root)
    run(lambda: services.resolve_thread(user(world.member), db.session.get(Comment, root)))
    late = comment(world, world.other, body="Late.", parent_id=root)

    def check():
        r = db.session.get(Comment, root)
        return [db.session.get(Comment, i).resolved for i in (root, early, late)], r.resolved_by_id

    assert run(check) == ([True, True, True], world.member.id)


@pytest.mark.parametrize(
    "fields, bad",
    [
        ({"line_start": 0, "line_end": 1}, "line_start"),
        ({"line_start": 10, "line_end": 11}, "line_end"),
        ({"line_start": 11, "line_end": 11}, "line_start"),
        ({"line_start": 5, "line_end": 4}, "line_end"),
        ({"line_start": 2, "line_end": 2}, "line_start"),  # a blank line
        ({"revision": 2}, "revision"),
        ({"revision": "1"}, "revision"),
        ({"line_start": "3"}, "line_start"),
        ({"body": ""}, "body"),
        ({"body": "   \n  "}, "body"),
        ({"body": "x" * 100 * 1024}, "body"),
        ({"body": "é" * (10 * 1024 + 1)}, "body"),  # 20 KB + 2 bytes in UTF-8
        ({"stance": "veto"}, "stance"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_stored(world, run, fields, bad):
    args = {"revision": 1, "line_start": 3, "line_end": 4, "body": "Fine.", "stance": "comment", **fields}
    with pytest.raises(ValidationError) as error:
        run(lambda: services.create_comment(user(world.member), policy_of(world), args["revision"], args["line_start"],
                                            args["line_end"], args["body"], args["stance"]))
    assert bad in error.value.fields
    assert run(count_comments) == 0


def test_a_body_at_the_limit_is_accepted(world, run):
    body = "x" * (20 * 1024)
    assert run(lambda: len(services.create_comment(user(world.member), policy_of(world), 1, 3, 3, body).body)) == 20 * 1024


def test_several_errors_are_reported_together(world, run):
    with pytest.raises(ValidationError) as error:
        run(lambda: services.create_comment(user(world.member), policy_of(world), 1, 0, 99, "", "veto"))
    assert set(error.value.fields) == {"line_start", "line_end", "body", "stance"}


def test_a_reply_to_a_comment_of_another_policy_is_refused(world, make_policy, comment, run):
    elsewhere = make_policy(world.assembly, world.member, title="Another")
    foreign = comment(type("W", (), {"policy": elsewhere})(), world.member, 1, 1)
    with pytest.raises(ValidationError) as error:
        run(lambda: services.create_comment(user(world.member), policy_of(world), None, None, None, "Hi.", parent_id=foreign))
    assert "parent_id" in error.value.fields
    with pytest.raises(ValidationError):
        run(lambda: services.create_comment(user(world.member), policy_of(world), None, None, None, "Hi.", parent_id=999999))
    assert run(count_comments) == 1


def test_outsiders_are_refused_403_on_a_public_assembly_and_404_on_a_private_one(make_user, make_assembly, make_policy, run):
    outsider = make_user()
    public = make_assembly(public=True)
    private = make_assembly()
    for assembly, error in ((public, Forbidden), (private, NotFound)):
        policy = make_policy(assembly, assembly.admin)
        with pytest.raises(error):
            run(lambda: services.create_comment(user(outsider), db.session.get(Policy, policy.id), 1, 3, 3, "Hi."))
    assert run(count_comments) == 0


def test_get_comment_hides_comments_of_policies_the_user_cannot_see(world, comment, run):
    cid = comment(world, world.member, 3, 3)
    with pytest.raises(NotFound):
        run(lambda: queries.get_comment(cid, user(world.outsider)))
    assert run(lambda: queries.get_comment(cid, user(world.other)).id) == cid


def make_amendment(w, run, line_start=4, line_end=4):
    def create():
        amendment = Amendment(policy_id=w.policy.id, base_number=1, line_start=line_start, line_end=line_end,
                              original="It funds a Commons Office.", replacement="It funds a Commons Agency.",
                              rationale="Clearer.", author_id=w.member.id)
        db.session.add(amendment)
        db.session.flush()
        return amendment.id

    return run(create)


def test_amendment_comments_take_the_amendments_range_and_stay_off_the_text(world, run):
    aid = make_amendment(world, run)

    def create():
        amendment = db.session.get(Amendment, aid)
        root = services.create_amendment_comment(user(world.other), amendment, "Why?", "question")
        services.create_amendment_comment(user(world.member), amendment, "Because.", parent_id=root.id)
        threads = queries.list_amendment_comments(amendment)
        summaries = queries.summarise_threads(policy_of(world), 1)
        return [(t.root.line_start, t.root.quote, t.anchor, len(t.replies)) for t in threads], summaries

    threads, summaries = run(create)
    assert threads == [(4, "It funds a Commons Office.", (4, 4), 1)]
    assert summaries == []


def test_an_amendment_reply_must_be_in_the_same_amendment(world, comment, run):
    aid = make_amendment(world, run)
    line_comment = comment(world, world.member, 3, 3)
    with pytest.raises(ValidationError):
        run(lambda: services.create_amendment_comment(user(world.member), db.session.get(Amendment, aid), "Hi.", parent_id=line_comment))
    with pytest.raises(ValidationError):  # and a line-comment reply cannot join an amendment thread
        amendment_root = run(lambda: services.create_amendment_comment(user(world.member), db.session.get(Amendment, aid), "Root.").id)
        run(lambda: services.create_comment(user(world.member), policy_of(world), None, None, None, "Hi.", parent_id=amendment_root))


def test_list_threads_by_range_in_text_order(world, comment, run):
    late = comment(world, world.member, 9, 10)
    early = comment(world, world.member, 3, 4)
    middle = comment(world, world.member, 5, 5)

    def listing(start=None, end=None):
        policy = policy_of(world)
        threads, total = queries.list_threads(policy, policy.head, start, end)
        return [t.root.id for t in threads], total

    assert run(listing) == ([early, middle, late], 3)
    assert run(lambda: listing(4, 5)) == ([early, middle], 2)
    assert run(lambda: listing(6, 8)) == ([], 0)


def test_filters_by_stance_of_any_live_comment_and_by_state(world, comment, run):
    support = comment(world, world.member, 3, 3, stance="support")
    question = comment(world, world.member, 4, 4)
    objection_reply = comment(world, world.other, body="No.", stance="objection", parent_id=question)
    run(lambda: services.resolve_thread(user(world.member), db.session.get(Comment, support)))

    def listing(**filters):
        policy = policy_of(world)
        threads, _ = queries.list_threads(policy, policy.head, filters=queries.Filters(**filters))
        return [t.root.id for t in threads]

    assert run(lambda: listing(stance="objection")) == [question]
    assert run(lambda: listing(stance="support")) == [support]
    assert run(lambda: listing(state="resolved")) == [support]
    assert run(lambda: listing(state="open")) == [question]
    run(lambda: services.delete_comment(user(world.other), db.session.get(Comment, objection_reply)))
    assert run(lambda: listing(stance="objection")) == []


def test_parse_filters_is_lenient_for_pages_and_strict_for_the_api():
    assert queries.parse_filters("veto", "maybe") == queries.Filters()
    with pytest.raises(ValidationError):
        queries.parse_filters("veto", strict=True)
    with pytest.raises(ValidationError):
        queries.parse_filters("", "maybe", strict=True)
    assert queries.parse_filters("oppose", "open", strict=True) == queries.Filters("oppose", "open")


def test_count_by_block_counts_live_comments_beside_every_block_they_touch(world, comment, run):
    wide = comment(world, world.member, 3, 9)
    comment(world, world.other, body="Reply.", parent_id=wide)
    deleted = comment(world, world.member, 9, 9)
    run(lambda: services.delete_comment(user(world.member), db.session.get(Comment, deleted)))

    def counts():
        policy = policy_of(world)
        result = queries.count_by_block(queries.summarise_threads(policy, 1), policy.head.blocks)
        return {start: (c.comments, c.threads) for start, c in result.items()}

    # blocks of BODY: 1 (heading), 3–5 (paragraph), 7 (heading), 9–10 (paragraph)
    assert run(counts) == {3: (2, 1), 7: (2, 1), 9: (2, 2)}


def test_reading_view_lists_outdated_threads_newest_first(world, comment, edit, run):
    first = comment(world, world.member, 3, 3)
    second = comment(world, world.member, 4, 4)
    kept = comment(world, world.member, 9, 9)
    edit(world, BODY.replace("The city supports commons.\nIt funds", "The town supports commons.\nIt pays"))

    def reading():
        policy = policy_of(world)
        result = queries.reading_view_comments(policy, policy.head)
        return [t.root.id for t in result.outdated], result.outdated_total, result.current_total

    assert run(reading) == ([second, first], 2, 1)
    assert kept


def test_list_comments_pages_and_filters(world, comment, run):
    ids = [comment(world, world.member, 3, 3, stance="support") for _ in range(3)]
    reply = comment(world, world.other, body="Hm.", stance="question", parent_id=ids[0])

    def listing(**kwargs):
        policy = policy_of(world)
        items, total = queries.list_comments(policy, policy.head_number, **kwargs)
        return [c.id for c, _ in items], total

    assert run(lambda: listing(page=1, per_page=2)) == (ids[:2], 4)
    assert run(lambda: listing(page=2, per_page=2)) == ([ids[2], reply], 4)
    assert run(lambda: listing(stance="question")) == ([reply], 1)
    run(lambda: services.resolve_thread(user(world.member), db.session.get(Comment, ids[0])))
    assert run(lambda: listing(resolved=True)) == ([ids[0], reply], 2)
    assert run(lambda: listing(resolved=False)) == (ids[1:], 2)

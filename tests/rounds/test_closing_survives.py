"""Closing never sticks: whatever happened to the text after voting opened, the round closes.

The phase guards stop plain edits while voting (and apply a due close before any edit), so
the text can move past the voted revision only by a path around them: data written before
the guards existed, a restore, a bug. These tests move the head behind the guards' back and
check that closing still records every result, merges what still applies three ways, marks
the rest `accepted_not_merged` with a note, and tells the facilitators.
"""
from app.extensions import db
from app.rounds.models import Result

from .conftest import BODY
from .helpers import rows, set_deadlines
from .test_close import LINE3, close, setup, vote, yes

LINE7 = (7, 7, "Reviews are published online.\n")


def move_head_behind_the_guards(app, w, body):
    """Add a revision directly, as data from before the guards would have it."""
    from app.policies.models import Policy
    from app.policies.services import _add_revision, get_revision

    with app.app_context():
        policy = db.session.get(Policy, w.policy_id)
        head = get_revision(policy, policy.head_number)
        _add_revision(policy, body, None, "Edited while voting", "edit", parent=head)
        db.session.commit()


def accept_everything(w):
    for role in ("admin", "member0", "member1"):
        vote(w, role, *(yes(q) for q in w.questions))


def notes_of(app, user_id, kind="round"):
    from app.accounts.models import Notification

    with app.app_context():
        return [n.message for n in rows(Notification, user_id=user_id, kind=kind)]


def test_an_amendment_whose_lines_changed_is_accepted_not_merged_and_the_rest_merges(app, world):
    w = setup(world, [LINE3, LINE7])
    accept_everything(w)
    edited = BODY.replace("The city supports commons.\n", "The city supports the commons.\n")
    move_head_behind_the_guards(app, w, edited)
    body = close(w)
    assert body["phase"] == "closed" and body["new_revision"] == 3
    first = w.api("admin").get(f"/api/v1/amendments/{w.amendment_ids[0]}").json
    second = w.api("admin").get(f"/api/v1/amendments/{w.amendment_ids[1]}").json
    assert first["state"] == "accepted_not_merged" and first["merged_into"] is None
    assert "not merged" in first["outcome"] and "revision 1" in first["outcome"]
    assert second["state"] == "merged" and second["merged_into"] == 3
    head = w.api("admin").get(f"/api/v1/policies/{w.policy_id}/revisions/3").json["body"]
    assert "The city supports the commons.\n" in head  # the edit made behind the guards is kept
    assert "Reviews are published online.\n" in head
    results = w.api("outsider").get(f"/api/v1/rounds/{w.round_id}/results").json
    assert all(q["accepted"] for q in results["questions"])  # the vote's result stands
    assert any("could not be applied" in m for m in notes_of(app, w.users["facilitator"].id))
    assert any("could not be applied" in m for m in notes_of(app, w.users["admin"].id))
    assert not any("could not be applied" in m for m in notes_of(app, w.users["member0"].id))


def test_a_deadline_close_after_the_text_moved_succeeds_on_read_and_tick(app, world, in_app):
    w = setup(world, [LINE3])
    accept_everything(w)
    move_head_behind_the_guards(app, w, BODY.replace("The city supports commons.\n", "The city likes commons.\n"))
    in_app(set_deadlines, w.round_id, voting_until=-0.1)
    response = w.api("member0").get(f"/api/v1/rounds/{w.round_id}")
    assert response.status_code == 200 and response.json["phase"] == "closed"
    assert app.test_cli_runner().invoke(args=["rounds", "tick"]).exit_code == 0
    with app.app_context():
        assert len(rows(Result, round_id=w.round_id)) == 1
    amendment = w.api("admin").get(f"/api/v1/amendments/{w.amendment_ids[0]}").json
    assert amendment["state"] == "accepted_not_merged"


def test_an_edit_after_the_voting_deadline_applies_the_close_first(app, world, in_app):
    w = setup(world, [LINE3])
    accept_everything(w)
    in_app(set_deadlines, w.round_id, voting_until=-0.1)
    late = BODY.replace("Reviews are public.\n", "Reviews are open.\n")  # written on revision 1, the voted text
    edit = {"base": 1, "body": late, "message": "late"}
    response = w.api("member0").post(f"/api/v1/policies/{w.policy_id}/revisions", json=edit)
    assert response.status_code == 201, response.json
    assert response.json["number"] == 3  # revision 2 is the round's; the edit merged onto it
    text = w.api("member0").get(f"/api/v1/policies/{w.policy_id}/revisions/3").json["body"]
    assert "The city loves its commons.\n" in text and "Reviews are open.\n" in text
    assert w.api("member0").get(f"/api/v1/rounds/{w.round_id}").json["phase"] == "closed"
    amendment = w.api("admin").get(f"/api/v1/amendments/{w.amendment_ids[0]}").json
    assert amendment["state"] == "merged" and amendment["merged_into"] == 2


def test_proposing_after_the_amending_deadline_is_refused_even_unread(world, in_app):
    w = world(members=2, amendments=[LINE3])
    in_app(set_deadlines, w.round_id, amending_until=-0.1)
    proposal = {"revision": 1, "line_start": 4, "line_end": 4, "replacement": "It funds an office.\n",
                "rationale": "Shorter."}
    response = w.api("member0").post(f"/api/v1/policies/{w.policy_id}/amendments", json=proposal)
    assert response.status_code == 409 and response.json["error"]["code"] == "wrong_phase"
    assert "deliberating" in response.json["error"]["message"]


def test_an_export_after_the_voting_deadline_closes_the_round_first(world, in_app):
    w = setup(world, [LINE3])
    accept_everything(w)
    in_app(set_deadlines, w.round_id, voting_until=-0.1)
    exported = w.api("member0").get(f"/api/v1/policies/{w.policy_id}/export.md")
    assert exported.status_code == 200
    assert "The city loves its commons." in exported.get_data(as_text=True)  # the round's revision

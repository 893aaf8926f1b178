"""Details that leaked (issue 12, finding 10): the key order of API ballots, and renaming a
policy while it is being voted on."""
import html

import pytest
from sqlalchemy import text

from app.extensions import db
from app.policies.models import Policy

LINE3 = (3, 3, "The city loves its commons.\n")
LINE4 = (4, 4, "It funds two Commons Offices.\n")
LINE4B = (4, 5, "It funds a Commons Office of two.\n")
LINE7 = (7, 7, "Reviews are published.\n")


# ---------------------------------------------------------------------------
# Ballots are stored in one canonical order
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [False, True])
def test_ballots_sent_in_different_key_orders_are_stored_as_the_same_text(world, in_app, secret):
    w = world(members=2, amendments=[LINE3, LINE4, LINE4B, LINE7], phase="voting", secret=secret)
    questions = w.api("admin").get(f"/api/v1/rounds/{w.round_id}").json["questions"]
    assert [q["kind"] for q in questions] == ["yes_no", "ranked", "yes_no"]
    yes_no, ranked, last = (q["id"] for q in questions)
    keys = [o["key"] for o in questions[1]["options"]]
    answers = [{"question": yes_no, "choice": "yes"},
               {"question": ranked, "ranking": [[keys[2]], [keys[0], keys[1]]]},  # a tie, listed out of order
               {"question": last, "choice": "no"}]
    orders = {"member0": answers, "member1": [answers[2], answers[0], answers[1]],
              "admin": [answers[1], answers[2], answers[0]]}
    for role, body in orders.items():
        assert w.api(role).put(f"/api/v1/rounds/{w.round_id}/ballot", json={"answers": body}).status_code == 200

    stored = in_app(lambda: [t for (t,) in db.session.execute(
        text("SELECT CAST(answers AS TEXT) FROM ballots WHERE round_id = :r"), {"r": w.round_id})])
    assert len(stored) == 3 and len(set(stored)) == 1, stored
    ranking = [[keys[2]], sorted([keys[0], keys[1]], key=keys.index)]  # rank levels kept, ties in option order
    assert stored[0] == (f'{{"{yes_no}": "yes", "{ranked}": {_json(ranking)}, "{last}": "no"}}')
    mine = w.api("member1").get(f"/api/v1/rounds/{w.round_id}/ballot").json["answers"]
    assert [item["question"] for item in mine] == [yes_no, ranked, last]


def _json(value):
    import json

    return json.dumps(value)


# ---------------------------------------------------------------------------
# Title and summary are frozen while voting
# ---------------------------------------------------------------------------


def _details_path(w):
    return f"/a/{w.assembly_slug}/p/{w.policy_slug}/details"


def _policy(in_app, w):
    return in_app(lambda: (lambda p: (p.title, p.summary, list(p.tags)))(db.session.get(Policy, w.policy_id)))


def test_the_api_refuses_a_new_title_or_summary_while_voting(world, in_app):
    w = world(members=1, amendments=[LINE3], phase="voting")
    before = _policy(in_app, w)
    client = w.api("member0")
    for change, fields in (({"title": "Renamed during the vote"}, ["title"]),
                           ({"summary": "A new summary."}, ["summary"]),
                           ({"title": "Both", "summary": "Both.", "tags": ["x"]}, ["summary", "title"])):
        response = client.patch(f"/api/v1/policies/{w.policy_id}", json=change)
        assert response.status_code == 409, response.json
        assert response.json["error"]["code"] == "text_frozen"
        assert sorted(response.json["error"]["fields"]) == fields
        assert _policy(in_app, w) == before
    # the same title (spaces aside) and new tags are fine: only what members vote on is frozen
    response = client.patch(f"/api/v1/policies/{w.policy_id}", json={"title": f"  {before[0]} ", "tags": ["energy"]})
    assert response.status_code == 200, response.json
    assert _policy(in_app, w) == (before[0], before[1], ["energy"])


def test_the_details_form_keeps_what_was_typed_and_says_why_while_voting(world, in_app, login):
    w = world(members=1, amendments=[LINE3], phase="voting")
    before = _policy(in_app, w)
    browser = login(w.users["member0"])
    page = browser.get(_details_path(w))
    assert page.status_code == 200
    typed = {"title": "Renamed during the vote", "summary": "A summary typed <during> the vote.", "tags": "commons, care"}
    response = browser.post(_details_path(w), data=typed)
    assert response.status_code == 409
    body = response.text
    assert "The title and summary are frozen while the policy&#39;s round is voting." in body or \
        "The title and summary are frozen while the policy's round is voting." in html.unescape(body)
    assert 'role="alert"' in body
    for value in typed.values():
        assert html.escape(value, quote=True) in body or html.escape(value, quote=False) in body, value
    assert _policy(in_app, w) == before


def test_details_change_again_once_the_round_has_closed(world, in_app, login):
    w = world(members=1, amendments=[LINE3], phase="voting")
    assert w.api("facilitator").post(f"/api/v1/rounds/{w.round_id}/advance").json["phase"] == "closed"
    response = login(w.users["member0"]).post(_details_path(w), data={"title": "Renamed after", "summary": "", "tags": ""})
    assert response.status_code == 302
    assert w.api("member0").patch(f"/api/v1/policies/{w.policy_id}", json={"summary": "Later."}).status_code == 200
    assert _policy(in_app, w) == ("Renamed after", "Later.", [])


@pytest.mark.parametrize("phase", ["amending", "deliberating"])
def test_details_can_change_before_voting(world, in_app, phase):
    w = world(members=1, amendments=[LINE3], phase=phase)
    response = w.api("member0").patch(f"/api/v1/policies/{w.policy_id}", json={"title": "Better title"})
    assert response.status_code == 200 and response.json["title"] == "Better title"

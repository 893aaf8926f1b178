"""Kinds of round and the rules chosen when one opens: adoption rounds (the final vote on the
whole text), majority of the electorate, a minimum of yes votes, consent, and round numbers."""
import re

from app.extensions import db

from .conftest import BODY
from .helpers import set_deadlines
from .test_views import form_for_new_round, pages


def later(days):
    return f"2099-05-{days:02d}T18:00:00+00:00"


def open_round(w, role="facilitator", **body):
    payload = {"amending_until": later(1), "deliberating_until": later(8), "voting_until": later(15)}
    payload.update(body)
    payload = {k: v for k, v in payload.items() if v is not None}
    return w.api(role).post(f"/api/v1/policies/{w.policy_id}/rounds", json=payload)


def adoption(w, **rules):
    response = open_round(w, kind="adoption", amending_until=None, **rules)
    assert response.status_code == 201, response.json
    return response.json


def advance(w, round_id, role="facilitator"):
    response = w.api(role).post(f"/api/v1/rounds/{round_id}/advance")
    assert response.status_code == 200, response.json
    return response.json


def vote_all(w, round_json, choice, roles=("admin", "facilitator", "member0", "member1")):
    for role in roles:
        answers = [{"question": q["id"], "choice": choice} for q in round_json["questions"]]
        response = w.api(role).put(f"/api/v1/rounds/{round_json['id']}/ballot", json={"answers": answers})
        assert response.status_code == 200, response.json


def policy_of(w):
    return w.api("admin").get(f"/api/v1/policies/{w.policy_id}").json


def test_an_adoption_round_is_one_question_on_the_whole_text_and_adopts_it(world):
    w = world(members=2, phase="closed")
    round_ = adoption(w)
    assert round_["kind"] == "adoption" and round_["phase"] == "deliberating" and round_["number"] == 2
    assert round_["amending_until"] == round_["created_at"]
    proposal = {"revision": 1, "line_start": 3, "line_end": 3, "replacement": "New.\n", "rationale": "Because."}
    refused = w.api("member0").post(f"/api/v1/policies/{w.policy_id}/amendments", json=proposal)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "wrong_phase"
    voting = advance(w, round_["id"])
    head = policy_of(w)["head_number"]
    assert voting["phase"] == "voting" and voting["base_revision"] == head
    assert [q["kind"] for q in voting["questions"]] == ["adoption"]
    vote_all(w, voting, "yes")
    closed = advance(w, round_["id"])
    assert closed["phase"] == "closed" and closed["new_revision"] is None
    assert policy_of(w)["status"] == "adopted"
    results = w.api("outsider").get(f"/api/v1/rounds/{round_['id']}/results").json
    assert results["questions"][0]["accepted"] is True
    edit = {"base": head, "body": BODY + "More.\n", "message": "after"}
    response = w.api("member0").post(f"/api/v1/policies/{w.policy_id}/revisions", json=edit)
    assert response.status_code == 409 and response.json["error"]["code"] == "text_adopted"
    again = open_round(w, kind="adoption", amending_until=None)
    assert again.status_code == 409 and again.json["error"]["code"] == "text_adopted"


def test_a_rejected_final_vote_leaves_the_policy_a_draft(world):
    w = world(members=2, phase="cancelled")
    voting = advance(w, adoption(w)["id"])
    vote_all(w, voting, "no")
    advance(w, voting["id"])
    assert policy_of(w)["status"] == "draft"


def test_the_final_vote_is_in_the_history(world, login):
    w = world(members=2, phase="cancelled")
    voting = advance(w, adoption(w)["id"])
    vote_all(w, voting, "yes")
    advance(w, voting["id"])
    page = login(w.users["member0"]).get(f"/a/{w.assembly_slug}/p/{w.policy_slug}/history")
    assert "adopted by the final vote of round 2" in page.text


def test_an_adoption_round_refuses_an_amending_deadline_and_checks_its_own(world):
    w = world(members=2, phase="cancelled")
    response = open_round(w, kind="adoption")
    assert response.status_code == 422 and "no amending phase" in response.json["error"]["fields"]["amending_until"]
    response = open_round(w, kind="adoption", amending_until=None, deliberating_until=later(20))
    assert response.status_code == 422 and "voting_until" in response.json["error"]["fields"]
    response = open_round(w, kind="vote")
    assert response.status_code == 422 and "kind" in response.json["error"]["fields"]


def test_rules_are_validated_by_name(world):
    w = world(members=2, phase="cancelled")
    cases = [
        ({"decision": "unanimity"}, "decision"),
        ({"majority_of": "members"}, "majority_of"),
        ({"decision": "consent", "majority_of": "electorate"}, "majority_of"),
        ({"min_yes": -1}, "min_yes"),
        ({"min_yes": "3"}, "min_yes"),
        ({"min_yes": 2.5}, "min_yes"),
    ]
    for body, name in cases:
        response = open_round(w, **body)
        assert response.status_code == 422 and name in response.json["error"]["fields"], (body, response.json)


def test_the_rules_are_stored_returned_and_frozen(world, app):
    w = world(members=2, phase="cancelled")
    response = open_round(w, decision="majority", majority_of="electorate", min_yes=3, quorum=0.5)
    assert response.status_code == 201
    body = response.json
    assert (body["decision"], body["majority_of"], body["min_yes"], body["number"]) == ("majority", "electorate", 3, 2)
    assert "electorate" in body["rules"]


def test_majority_of_the_electorate_and_min_yes_decide_at_the_close(world, in_app):
    # 6 electors (admin, facilitator, 4 members): 3 yes, 0 no is a majority of the votes but not
    # more than half of the electorate; min_yes 4 refuses it too.
    for rules, accepted in (({}, True), ({"majority_of": "electorate"}, False), ({"min_yes": 4}, False),
                            ({"min_yes": 3}, True)):
        w = world(members=4, phase="cancelled")
        round_ = open_round(w, **rules).json
        proposal = {"revision": 1, "line_start": 3, "line_end": 3, "replacement": "The city loves commons.\n",
                    "rationale": "Warmer."}
        assert w.api("member0").post(f"/api/v1/policies/{w.policy_id}/amendments", json=proposal).status_code == 201
        advance(w, round_["id"])
        voting = advance(w, round_["id"])
        vote_all(w, voting, "yes", roles=("admin", "member0", "member1"))
        advance(w, round_["id"])
        result = w.api("outsider").get(f"/api/v1/rounds/{round_['id']}/results").json["questions"][0]
        assert result["accepted"] is accepted, (rules, result)


def test_rounds_and_their_pages_are_numbered_within_the_policy(world, login):
    first = world(members=1, phase="cancelled")
    other = world(members=1, phase="cancelled")
    assert open_round(other).json["number"] == 2
    w = first
    browser = login(w.users["facilitator"])
    response = browser.post(pages(w) + "/new", data=form_for_new_round())
    assert response.status_code == 302
    page = browser.get(pages(w))
    assert "Round 2" in page.text and "Round 1" in page.text


def test_the_browser_opens_a_final_vote_without_an_amending_deadline(world, login, app):
    from app.rounds.models import Round

    w = world(members=1, phase="closed")
    browser = login(w.users["facilitator"])
    index = browser.get(pages(w))
    assert "Hold the final vote" in index.text
    form = browser.get(pages(w) + "/new?kind=adoption")
    assert form.status_code == 200 and "End of amending" not in form.text and "final vote" in form.text
    data = form_for_new_round(amending_until=None, kind="adoption", decision="consent", min_yes="2")
    response = browser.post(pages(w) + "/new", data=data)
    assert response.status_code == 302, response.text
    with app.app_context():
        round_ = db.session.execute(db.select(Round).order_by(Round.id.desc())).scalars().first()
        assert (round_.kind, round_.phase, round_.decision, round_.min_yes) == ("adoption", "deliberating", "consent", 2)


def test_the_browser_form_keeps_what_was_typed_when_a_rule_is_wrong(world, login):
    w = world(members=1, phase="cancelled")
    browser = login(w.users["facilitator"])
    data = form_for_new_round(decision="consent", majority_of="electorate", min_yes="7", quorum="20")
    response = browser.post(pages(w) + "/new", data=data)
    assert response.status_code == 422 and "Consent has no majority" in response.text
    assert 'value="7"' in response.text and 'value="20"' in response.text
    assert re.search(r'<input checked[^>]*value="consent"', response.text)


def test_after_an_amendments_round_the_facilitator_is_invited_to_hold_the_final_vote(world, login):
    w = world(members=1, phase="closed")
    page = login(w.users["facilitator"]).get(f"{pages(w)}/{w.round_id}")
    assert "Hold the final vote" in page.text and "kind=adoption" in page.text
    member = login(w.users["member0"]).get(f"{pages(w)}/{w.round_id}")
    assert "kind=adoption" not in member.text


def test_an_adoption_deadline_passing_unread_still_adopts(world, in_app):
    w = world(members=2, phase="cancelled")
    round_ = adoption(w)
    voting = advance(w, round_["id"])
    vote_all(w, voting, "yes")
    in_app(set_deadlines, round_["id"], voting_until=-0.1)
    assert policy_of(w)["status"] in ("in_round", "adopted")
    assert w.api("member0").get(f"/api/v1/rounds/{round_['id']}").json["phase"] == "closed"
    assert policy_of(w)["status"] == "adopted"

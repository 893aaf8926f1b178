"""Ballots: cast, replace, refusals that change nothing, and secret-ballot unlinkability."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.assemblies.models import Membership
from app.core.events import Event
from app.extensions import db
from app.rounds import ballots
from app.rounds.models import Ballot, Participation, Question

from .helpers import rows

LINE3 = (3, 3, "The city loves its commons.\n")
LINE4 = (4, 4, "It funds two Commons Offices.\n")
LINE4B = (4, 5, "It funds a Commons Office of two.\n")
LINE7 = (7, 7, "Reviews are published.\n")


def voting_world(world, **kwargs):
    w = world(amendments=[LINE3, LINE4, LINE4B], phase="voting", **kwargs)
    questions = w.api("admin").get(f"/api/v1/rounds/{w.round_id}").json["questions"]
    w.yes_no = questions[0]["id"]
    w.ranked = questions[1]["id"]
    w.keys = [o["key"] for o in questions[1]["options"]]
    return w


def cast(w, role, answers):
    return w.api(role).put(f"/api/v1/rounds/{w.round_id}/ballot", json={"answers": answers})


def test_cast_then_replace_keeps_one_ballot(world, in_app):
    w = voting_world(world)
    first = cast(w, "member0", [{"question": w.yes_no, "choice": "yes"}])
    assert first.status_code == 200 and first.json["receipt"]
    second = cast(w, "member0", [{"question": w.yes_no, "choice": "no"},
                                 {"question": w.ranked, "ranking": [[w.keys[2], w.keys[1]], ["keep"]]}])
    assert second.status_code == 200 and second.json["receipt"] != first.json["receipt"]
    ballots = in_app(lambda: [b.answers for b in rows(Ballot)])
    assert ballots == [{str(w.yes_no): "no", str(w.ranked): [[w.keys[1], w.keys[2]], ["keep"]]}]
    assert in_app(lambda: len(rows(Participation))) == 1
    mine = w.api("member0").get(f"/api/v1/rounds/{w.round_id}/ballot").json
    assert mine["voted"] is True and mine["sealed"] is False
    assert mine["answers"] == [{"question": w.yes_no, "choice": "no"},
                               {"question": w.ranked, "ranking": [[w.keys[1], w.keys[2]], ["keep"]]}]
    assert w.api("member1").get(f"/api/v1/rounds/{w.round_id}/ballot").json == {
        "round_id": w.round_id, "voted": False, "sealed": False, "answers": []}


def test_open_ballot_records_the_voter(world, in_app):
    w = voting_world(world)
    cast(w, "member1", [{"question": w.yes_no, "choice": "abstain"}])
    assert in_app(lambda: [b.voter_id for b in rows(Ballot)]) == [w.users["member1"].id]
    assert in_app(lambda: len(rows(Event, verb="ballot.cast"))) == 1


def test_user_id_in_the_body_is_ignored(world, in_app):
    w = voting_world(world)
    victim = w.users["member1"].id
    response = w.api("member0").put(
        f"/api/v1/rounds/{w.round_id}/ballot",
        json={"user_id": victim, "voter_id": victim, "answers": [{"question": w.yes_no, "choice": "no", "user_id": victim}]},
    )
    assert response.status_code == 200
    assert in_app(lambda: [p.user_id for p in rows(Participation)]) == [w.users["member0"].id]
    assert w.api("member1").get(f"/api/v1/rounds/{w.round_id}/ballot").json["voted"] is False


BAD_ANSWERS = [
    ("missing", None),
    ("empty", []),
    ("not a list", {"question": 1}),
    ("item not an object", ["yes"]),
    ("unknown question", [{"question": 999999, "choice": "yes"}]),
    ("question as text", [{"question": "1", "choice": "yes"}]),
    ("bad choice", [{"question": "Y", "choice": "maybe"}]),
    ("ranking on yes/no", [{"question": "Y", "ranking": [["keep"]]}]),
    ("choice on ranked", [{"question": "R", "choice": "yes"}]),
    ("unknown option", [{"question": "R", "ranking": [["a999999"]]}]),
    ("option twice", [{"question": "R", "ranking": [["keep"], ["keep"]]}]),
    ("ranking not a list", [{"question": "R", "ranking": "keep"}]),
    ("level not a list", [{"question": "R", "ranking": ["keep"]}]),
    ("empty level", [{"question": "R", "ranking": [[], ["keep"]]}]),
    ("key not a string", [{"question": "R", "ranking": [[1]]}]),
    ("question twice", [{"question": "Y", "choice": "yes"}, {"question": "Y", "choice": "no"}]),
]


@pytest.mark.parametrize("name, answers", BAD_ANSWERS, ids=[name for name, _ in BAD_ANSWERS])
def test_malformed_ballots_are_422_and_change_nothing(world, in_app, name, answers):
    w = voting_world(world)
    cast(w, "member0", [{"question": w.yes_no, "choice": "yes"}])
    if isinstance(answers, list):
        answers = [_resolve(item, w) for item in answers]
    response = w.api("member0").put(f"/api/v1/rounds/{w.round_id}/ballot", json={"answers": answers})
    assert response.status_code == 422, response.json
    assert response.json["error"]["fields"]
    assert in_app(lambda: [b.answers for b in rows(Ballot)]) == [{str(w.yes_no): "yes"}]


def _resolve(item, w):
    if isinstance(item, dict) and item.get("question") in ("Y", "R"):
        return {**item, "question": w.yes_no if item["question"] == "Y" else w.ranked}
    return item


def test_malformed_json_is_400(world):
    w = voting_world(world)
    response = w.api("member0").put(f"/api/v1/rounds/{w.round_id}/ballot", data="{not json",
                                    headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_outsiders_and_late_members_get_403(world, in_app):
    w = voting_world(world)
    for role in ("late", "outsider"):
        response = cast(w, role, [{"question": w.yes_no, "choice": "yes"}])
        assert response.status_code == 403
    assert in_app(lambda: rows(Ballot)) == []


def test_a_private_assemblys_round_is_not_found_for_ballots_of_outsiders(world, in_app):
    w = voting_world(world, public=False)
    yes = [{"question": w.yes_no, "choice": "yes"}]
    assert cast(w, "outsider", yes).status_code == 404
    assert w.api("member0").put("/api/v1/rounds/999999/ballot", json={"answers": yes}).status_code == 404
    in_app(lambda: db.session.execute(db.delete(Membership).filter_by(user_id=w.users["member1"].id)))
    assert cast(w, "member1", yes).status_code == 404  # an elector who left sees the round no more
    assert cast(w, "member0", yes).status_code == 200
    assert in_app(lambda: [p.user_id for p in rows(Participation)]) == [w.users["member0"].id]


def test_an_open_ballot_is_logged_against_its_round(world, in_app):
    w = voting_world(world)
    cast(w, "member0", [{"question": w.yes_no, "choice": "yes"}])
    logged = in_app(lambda: [(e.object_type, e.object_id, e.actor_id, e.assembly_id)
                             for e in rows(Event, verb="ballot.cast")])
    assert logged == [("round", w.round_id, w.users["member0"].id, w.assembly.id)]


def test_a_rounds_questions_are_read_once_per_voting_opening(world, in_app):
    """frozen_round keeps what voting froze, keyed by the round's id, creation and voting-opening
    times: another opening (or a recreated database reusing the id) reads the questions again."""
    w = voting_world(world)
    state = in_app(lambda: ballots._round_state(w.round_id, SimpleNamespace(id=w.users["member0"].id)))
    first = in_app(lambda: ballots.frozen_round(w.round_id, state))
    assert [q.id for q in first.questions] == [w.yes_no, w.ranked] and first.secret is False
    in_app(lambda: db.session.execute(db.delete(Question).filter_by(id=w.ranked)))  # never happens while voting
    assert in_app(lambda: ballots.frozen_round(w.round_id, state)) is first
    reopened = state._replace(voting_opened_at=state.voting_opened_at + timedelta(microseconds=1))
    assert [q.id for q in in_app(lambda: ballots.frozen_round(w.round_id, reopened)).questions] == [w.yes_no]


@pytest.mark.parametrize("phase", ["amending", "deliberating", "closed", "cancelled"])
def test_ballots_outside_voting_are_409(world, in_app, phase):
    w = world(amendments=[LINE3], phase=phase)
    response = cast(w, "member0", [{"question": 1, "choice": "yes"}])
    assert response.status_code == 409 and response.json["error"]["code"] == "wrong_phase"
    assert in_app(lambda: rows(Participation)) == []


def test_a_partial_ballot_counts_only_for_its_questions(world):
    w = voting_world(world)
    cast(w, "member0", [{"question": w.ranked, "ranking": [[w.keys[1]]]}])
    cast(w, "member1", [{"question": w.yes_no, "choice": "yes"}])
    w.api("facilitator").post(f"/api/v1/rounds/{w.round_id}/advance")
    results = w.api("member0").get(f"/api/v1/rounds/{w.round_id}/results").json
    yes_no, ranked = results["questions"]
    assert results["voters"] == 2
    assert (yes_no["voters"], yes_no["yes"]) == (1, 1)
    assert ranked["voters"] == 1
    assert ranked["pairwise"][w.keys[1]] == {"keep": 1, w.keys[1]: 0, w.keys[2]: 1}


# ---------------------------------------------------------------------------
# Secret ballots
# ---------------------------------------------------------------------------


def test_secret_round_cannot_link_ballots_to_voters_after_close(world, in_app):
    w = world(members=8, amendments=[LINE3, LINE7], phase="voting", secret=True)
    questions = w.api("admin").get(f"/api/v1/rounds/{w.round_id}").json["questions"]
    distinct = [(a, b) for a in ("yes", "no") for b in ("yes", "no", "abstain")] + [("abstain", "yes"), ("abstain", "no")]
    receipts = []
    for i, (first, second) in enumerate(distinct):
        answers = [{"question": questions[0]["id"], "choice": first}, {"question": questions[1]["id"], "choice": second}]
        role = ("admin", "facilitator")[i] if i < 2 else f"member{i - 2}"
        receipts.append(cast(w, role, answers).json["receipt"])
    during = in_app(lambda: [(b.id, b.key, b.voter_id, dict(b.answers)) for b in rows(Ballot)])
    links = in_app(lambda: [p.ballot_key for p in rows(Participation)])
    assert all(voter_id is None for _, _, voter_id, _ in during)
    assert sorted(links) == sorted(key for _, key, _, _ in during)
    vote_order = [answers for _, _, _, answers in during]

    assert w.api("facilitator").post(f"/api/v1/rounds/{w.round_id}/advance").json["phase"] == "closed"

    after = in_app(lambda: [(b.id, b.key, b.voter_id, dict(b.answers)) for b in rows(Ballot)])
    participations = in_app(lambda: [(p.id, p.user_id, p.ballot_key) for p in rows(Participation)])
    assert all(voter_id is None for _, _, voter_id, _ in after)
    assert all(key is None for _, _, key in participations)
    assert not {key for _, key, _, _ in after} & {key for _, key, _, _ in during}
    assert [answers for *_, answers in after] != vote_order  # in id order, shuffled (1 chance in 40,320 not to be)
    assert sorted(map(repr, (a for *_, a in after))) == sorted(map(repr, vote_order))
    user_ids = [user_id for _, user_id, _ in participations]
    assert user_ids == sorted(user_ids) and len(user_ids) == len(distinct)
    assert in_app(lambda: rows(Event, verb="ballot.cast")) == []
    mine = w.api("member0").get(f"/api/v1/rounds/{w.round_id}/ballot").json
    assert mine == {"round_id": w.round_id, "voted": True, "sealed": True, "answers": None}
    results = w.api("outsider").get(f"/api/v1/rounds/{w.round_id}/results").json
    assert "ballots" not in results
    assert [p["name"] for p in results["participants"]] == sorted(p["name"] for p in results["participants"])


def test_receipts_check_the_counted_ballot(world, in_app):
    from app.rounds.models import Round
    from app.rounds.ballots import verify_receipt

    w = voting_world(world, secret=True)
    old = cast(w, "member0", [{"question": w.yes_no, "choice": "yes"}]).json["receipt"]
    new = cast(w, "member0", [{"question": w.yes_no, "choice": "no"}]).json["receipt"]
    w.api("facilitator").post(f"/api/v1/rounds/{w.round_id}/advance")
    check = lambda receipt: in_app(lambda: verify_receipt(db.session.get(Round, w.round_id), receipt))  # noqa: E731
    assert check(new) is True
    assert check(old) is False
    assert check("1-0000000000000000-00000000000000000000000000000000") is False
    assert check("garbage") is False


def test_cancelling_a_secret_round_also_unlinks_its_ballots(world, in_app):
    w = voting_world(world, secret=True)
    cast(w, "member0", [{"question": w.yes_no, "choice": "yes"}])
    w.api("facilitator").post(f"/api/v1/rounds/{w.round_id}/cancel")
    assert in_app(lambda: [p.ballot_key for p in rows(Participation)]) == [None]

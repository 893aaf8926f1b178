"""Closing a round: counting, outcomes, merging into one revision, results API, atomicity."""
import pytest

from app.extensions import db
from app.rounds.models import Elector, Result, Round

from .conftest import BODY
from .helpers import rows, set_deadlines

LINE3 = (3, 3, "The city loves its commons.\n")
INSERT5 = (5, 4, "Its budget is public.\n")
DELETE7 = (7, 7, "")
LINE4 = (4, 4, "It funds two Commons Offices.\n")
LINE4B = (4, 5, "It funds a Commons Office of two.\n")


def setup(world, amendments, members=4, **rules):
    w = world(members=members, amendments=amendments, phase="voting", **rules)
    w.questions = w.api("admin").get(f"/api/v1/rounds/{w.round_id}").json["questions"]
    return w


def vote(w, role, *answers):
    response = w.api(role).put(f"/api/v1/rounds/{w.round_id}/ballot", json={"answers": list(answers)})
    assert response.status_code == 200, response.json
    return response


def close(w):
    response = w.api("facilitator").post(f"/api/v1/rounds/{w.round_id}/advance")
    assert response.status_code == 200 and response.json["phase"] == "closed", response.json
    return response.json


def amendment(w, index):
    return w.api("admin").get(f"/api/v1/amendments/{w.amendment_ids[index]}").json


def results(w):
    response = w.api("outsider").get(f"/api/v1/rounds/{w.round_id}/results")
    assert response.status_code == 200
    return response.json


def yes(question, choice="yes"):
    return {"question": question["id"], "choice": choice}


def test_accepted_amendments_are_merged_bottom_up_into_one_revision(world):
    w = setup(world, [LINE3, INSERT5, DELETE7])
    for role in ("admin", "member0", "member1"):
        vote(w, role, *(yes(q) for q in w.questions))
    body = close(w)
    assert body["new_revision"] == 2
    revision = w.api("admin").get(f"/api/v1/policies/{w.policy_id}/revisions/2").json
    assert revision["source"] == "round" and revision["round_id"] == w.round_id
    assert revision["message"] == "Amendments A1, A2, A3 accepted in round 1"  # numbered within the policy
    expected = BODY.replace("The city supports commons.\n", "The city loves its commons.\n")
    expected = expected.replace("The office has two staff.\n", "Its budget is public.\nThe office has two staff.\n")
    expected = expected.replace("Reviews are public.\n", "")
    assert revision["body"] == expected
    for index in range(3):
        data = amendment(w, index)
        assert data["state"] == "merged" and data["merged_into"] == 2
        assert data["outcome"] == "Accepted (3 yes, 0 no, 0 abstain; turnout 50%) and merged into revision 2."


def test_rejected_amendment_gets_its_tally_and_no_revision_is_made(world):
    w = setup(world, [LINE3])
    vote(w, "admin", yes(w.questions[0], "no"))
    vote(w, "member0", yes(w.questions[0], "no"))
    vote(w, "member1", yes(w.questions[0], "yes"))
    vote(w, "member2", yes(w.questions[0], "abstain"))
    body = close(w)
    assert body["new_revision"] is None
    assert w.api("admin").get(f"/api/v1/policies/{w.policy_id}").json["head"]["number"] == 1
    data = amendment(w, 0)
    assert data["state"] == "rejected" and data["merged_into"] is None
    assert data["outcome"] == "Rejected (1 yes, 2 no, 1 abstain; turnout 66.7%): 1 yes to 2 no (33.3% not > 50%)."


def test_quorum_not_met_rejects_even_a_unanimous_yes(world):
    w = setup(world, [LINE3], quorum=0.5)  # 6 electors: 3 needed
    vote(w, "admin", yes(w.questions[0]))
    vote(w, "member0", yes(w.questions[0]))
    close(w)
    question = results(w)["questions"][0]
    assert (question["quorum_met"], question["accepted"], question["quorum_needed"]) == (False, False, 3)
    assert "quorum not met: 2 of 6 voted, 3 needed" in amendment(w, 0)["outcome"]


def test_tie_and_at_least_two_thirds(world):
    w = setup(world, [LINE3, DELETE7], threshold=2 / 3, strict=False)
    first, second = w.questions
    for role, a, b in (("admin", "yes", "yes"), ("member0", "yes", "no"), ("member1", "no", "yes"), ("member2", "abstain", "no")):
        vote(w, role, yes(first, a), yes(second, b))
    close(w)
    q1, q2 = results(w)["questions"]
    assert (q1["yes"], q1["no"], q1["accepted"]) == (2, 1, True)  # exactly two thirds, "at least"
    assert (q2["yes"], q2["no"], q2["accepted"]) == (2, 2, False)  # a tie never passes


def test_ranked_winner_is_merged_and_rivals_superseded(world):
    w = setup(world, [LINE4, LINE4B])
    question = w.questions[0]
    assert question["kind"] == "ranked"
    a, b = f"a{w.amendment_ids[0]}", f"a{w.amendment_ids[1]}"
    vote(w, "admin", {"question": question["id"], "ranking": [[b], [a], ["keep"]]})
    vote(w, "member0", {"question": question["id"], "ranking": [[b], ["keep"]]})
    vote(w, "member1", {"question": question["id"], "ranking": [[a], [b], ["keep"]]})
    close(w)
    result = results(w)["questions"][0]
    assert result["winner"] == b and result["accepted_amendment_id"] == w.amendment_ids[1]
    assert result["ranking"] == [[b], [a], ["keep"]]
    assert result["pairwise"][b]["keep"] == 3 and result["pairwise"][a][b] == 1
    assert amendment(w, 1)["state"] == "merged"
    loser = amendment(w, 0)
    assert loser["state"] == "rejected" and loser["outcome"] == "Superseded by rival A2."
    body = w.api("admin").get(f"/api/v1/policies/{w.policy_id}/revisions/2").json["body"]
    assert "It funds a Commons Office of two.\nIt reviews the pact yearly.\n" in body


def test_ranked_keep_wins_and_the_text_stays(world):
    w = setup(world, [LINE4, LINE4B])
    question = w.questions[0]
    a, b = f"a{w.amendment_ids[0]}", f"a{w.amendment_ids[1]}"
    vote(w, "admin", {"question": question["id"], "ranking": [["keep"], [a, b]]})
    vote(w, "member0", {"question": question["id"], "ranking": [["keep"], [a]]})
    vote(w, "member1", {"question": question["id"], "ranking": [[a], ["keep"]]})
    assert close(w)["new_revision"] is None
    result = results(w)["questions"][0]
    assert result["winner"] == "keep" and result["accepted_amendment_id"] is None
    for index in range(2):
        data = amendment(w, index)
        assert data["state"] == "rejected"
        assert data["outcome"].startswith("The current text was preferred (current text is the Schulze winner")


def test_results_api_fields(world):
    w = setup(world, [LINE3, LINE4, LINE4B])
    vote(w, "member0", yes(w.questions[0]), {"question": w.questions[1]["id"], "ranking": [["keep"]]})
    close(w)
    body = results(w)
    assert set(body) >= {"round_id", "electorate_size", "voters", "new_revision", "questions", "participants", "ballots"}
    assert (body["round_id"], body["electorate_size"], body["voters"], body["new_revision"]) == (w.round_id, 6, 1, 2)
    yes_no, ranked = body["questions"]
    assert set(yes_no) >= {"id", "kind", "amendment_id", "yes", "no", "abstain", "turnout", "quorum_met", "accepted"}
    assert set(ranked) >= {"id", "kind", "options", "pairwise", "ranking", "winner", "accepted_amendment_id"}
    assert yes_no["turnout"] == pytest.approx(1 / 6)
    assert body["ballots"] == [{"voter": {"id": w.users["member0"].id, "name": "Member 0"},
                                "answers": [yes(w.questions[0]), {"question": w.questions[1]["id"], "ranking": [["keep"]]}]}]


def test_results_are_hidden_before_close(world):
    w = setup(world, [LINE3])
    response = w.api("admin").get(f"/api/v1/rounds/{w.round_id}/results")
    assert response.status_code == 409 and response.json["error"]["code"] == "wrong_phase"


def test_a_failure_inside_close_round_leaves_nothing_behind(app, world, in_app, monkeypatch):
    from app.policies import services as policy_services

    w = setup(world, [LINE3])
    vote(w, "member0", yes(w.questions[0]))

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(policy_services, "create_round_revision", explode)
    in_app(set_deadlines, w.round_id, voting_until=-0.1)
    result = app.test_cli_runner().invoke(args=["rounds", "tick"])
    assert result.exit_code == 1 and "failed, nothing changed (disk full)" in result.output
    with app.app_context():
        round_ = db.session.get(Round, w.round_id)
        assert round_.phase == "voting" and round_.closed_at is None and round_.new_revision_number is None
        assert rows(Result) == []
    assert amendment(w, 0)["state"] == "in_vote"
    monkeypatch.undo()
    assert app.test_cli_runner().invoke(args=["rounds", "tick"]).exit_code == 0
    assert amendment(w, 0)["state"] == "merged"


def test_verify_command_recounts_from_the_ballots(app, world):
    w = setup(world, [LINE3, LINE4, LINE4B])
    vote(w, "member0", yes(w.questions[0]), {"question": w.questions[1]["id"], "ranking": [[f"a{w.amendment_ids[2]}"]]})
    close(w)
    result = app.test_cli_runner().invoke(args=["rounds", "verify", str(w.round_id)])
    assert result.exit_code == 0 and "results match" in result.output
    with app.app_context():
        stored = rows(Result)[0]
        stored.data = {**stored.data, "yes": 99}
        db.session.commit()
    tampered = app.test_cli_runner().invoke(args=["rounds", "verify", str(w.round_id)])
    assert tampered.exit_code != 0 and "differ" in tampered.output


def test_two_ticks_at_the_same_moment_close_a_round_once(app, world, in_app):
    """Two workers (each runs its own scheduler) or a page view and a tick racing: one close, one
    results mail per elector. On SQLite this needs the write lock taken before the read."""
    import threading

    from app.core.outbox import OutboxMail
    from app.rounds.schedule import tick_open_rounds

    w = setup(world, [LINE3])
    vote(w, "member0", yes(w.questions[0]))
    in_app(set_deadlines, w.round_id, voting_until=-0.1)
    barrier, outcomes = threading.Barrier(2), []

    def tick():
        with app.app_context():
            barrier.wait()
            outcomes.extend(tick_open_rounds())

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [t.error for t in outcomes if t.error] == []
    assert sorted(t.after for t in outcomes) == ["closed"] * len(outcomes) and len(outcomes) >= 1
    with app.app_context():
        assert len(rows(Result)) == len(w.questions)
        results_mail = db.session.execute(db.select(db.func.count(OutboxMail.id))
                                          .filter(OutboxMail.subject.like("%has closed%"))).scalar_one()
        electors = db.session.execute(db.select(db.func.count()).select_from(Elector)
                                      .filter_by(round_id=w.round_id)).scalar_one()
    assert results_mail == electors

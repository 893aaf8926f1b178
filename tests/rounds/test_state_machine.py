"""The round state machine: deadlines applied on read, the tick command, advance, cancel, and
every action against every phase and role."""
import pytest

from app.extensions import db

from .conftest import BODY
from .helpers import ballot_for, rows, set_deadlines

LINE3 = (3, 3, "The city loves its commons.\n")
LINE4 = (4, 4, "It funds two Commons Offices.\n")
LINE4B = (4, 5, "It funds a Commons Office of two.\n")


def get_round(w, role="member0"):
    response = w.api(role).get(f"/api/v1/rounds/{w.round_id}")
    assert response.status_code == 200, response.json
    return response.json


def test_create_round_returns_round_in_amending_with_snapshot(world):
    w = world(members=3)
    body = get_round(w)
    assert body["phase"] == "amending"
    assert body["electorate_size"] == 5  # admin, facilitator, three members; not the late joiner
    assert body["questions"] == []
    assert body["url"] == f"/a/{w.assembly_slug}/p/{w.policy_slug}/rounds/{w.round_id}"
    assert "Open ballot" in body["rules"] and "more than 50%" in body["rules"]
    assert body["next_deadline"] == body["amending_until"]
    assert w.api("late").get(f"/api/v1/rounds/{w.round_id}").json["viewer"]["elector"] is False


def test_deadlines_are_applied_on_read_one_phase_at_a_time(world, in_app):
    w = world(amendments=[LINE3, LINE4, LINE4B])
    in_app(set_deadlines, w.round_id, amending_until=-2, deliberating_until=-1)
    body = get_round(w)
    assert body["phase"] == "voting"
    assert [q["kind"] for q in body["questions"]] == ["yes_no", "ranked"]
    ranked = body["questions"][1]
    assert ranked["options"] == [
        {"key": "keep", "amendment_id": None},
        {"key": f"a{w.amendment_ids[1]}", "amendment_id": w.amendment_ids[1]},
        {"key": f"a{w.amendment_ids[2]}", "amendment_id": w.amendment_ids[2]},
    ]
    amendment = w.api("member0").get(f"/api/v1/amendments/{w.amendment_ids[0]}").json
    assert amendment["state"] == "in_vote" and amendment["round_id"] == w.round_id
    in_app(set_deadlines, w.round_id, voting_until=-0.5)
    assert get_round(w)["phase"] == "closed"


def test_a_round_nobody_looked_at_runs_every_transition_on_first_read(world, in_app):
    w = world(amendments=[LINE3])
    in_app(set_deadlines, w.round_id, amending_until=-3, deliberating_until=-2, voting_until=-1)
    body = get_round(w)
    assert body["phase"] == "closed"
    assert len(body["questions"]) == 1
    results = w.api("member0").get(f"/api/v1/rounds/{w.round_id}/results").json
    assert results["voters"] == 0 and results["questions"][0]["accepted"] is False


def test_expired_voting_phase_refuses_ballots_even_unread(world, in_app):
    w = world(amendments=[LINE3], phase="voting")
    answers = ballot_for(get_round(w))
    in_app(set_deadlines, w.round_id, voting_until=-0.01)
    response = w.api("member0").put(f"/api/v1/rounds/{w.round_id}/ballot", json={"answers": answers})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "wrong_phase"


def test_tick_command_applies_deadlines_to_every_open_round(app, world, in_app):
    first = world(amendments=[LINE3])
    in_app(set_deadlines, first.round_id, amending_until=-2, deliberating_until=-1)
    result = app.test_cli_runner().invoke(args=["rounds", "tick"])
    assert result.exit_code == 0, result.output
    assert f"round {first.round_id}: amending -> voting" in result.output
    assert get_round(first)["phase"] == "voting"
    quiet = app.test_cli_runner().invoke(args=["rounds", "tick"])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_advance_moves_one_phase_and_keeps_the_deadlines(world):
    w = world()
    before = get_round(w)
    response = w.api("facilitator").post(f"/api/v1/rounds/{w.round_id}/advance")
    assert response.status_code == 200
    after = response.json
    assert after["phase"] == "deliberating"
    for name in ("amending_until", "deliberating_until", "voting_until"):
        assert after[name] == before[name]


def test_manually_advanced_round_closes_when_its_own_deadline_passes(world, in_app):
    w = world(amendments=[LINE3], phase="voting")
    w.api("member0").put(f"/api/v1/rounds/{w.round_id}/ballot", json={"answers": ballot_for(get_round(w))})
    in_app(set_deadlines, w.round_id, voting_until=-0.1)
    body = get_round(w, "outsider")
    assert body["phase"] == "closed"
    assert body["new_revision"] == 2


def test_cancel_during_voting_unfreezes_text_and_returns_amendments(world):
    w = world(amendments=[LINE3], phase="voting")
    member = w.api("member0")
    frozen = member.post(f"/api/v1/policies/{w.policy_id}/revisions", json={"body": BODY + "More.\n", "base": 1})
    assert frozen.status_code == 409 and frozen.json["error"]["code"] == "text_frozen"
    response = w.api("facilitator").post(f"/api/v1/rounds/{w.round_id}/cancel")
    assert response.status_code == 200 and response.json["phase"] == "cancelled"
    amendment = member.get(f"/api/v1/amendments/{w.amendment_ids[0]}").json
    assert amendment["state"] == "submitted" and amendment["round_id"] is None
    assert member.get(f"/api/v1/policies/{w.policy_id}").json["status"] == "draft"
    saved = member.post(f"/api/v1/policies/{w.policy_id}/revisions", json={"body": BODY + "More.\n", "base": 1})
    assert saved.status_code == 201


def test_policy_status_follows_the_round(world):
    w = world(amendments=[LINE3])
    member = w.api("member0")
    assert member.get(f"/api/v1/policies/{w.policy_id}").json["status"] == "in_round"
    for _ in range(3):
        w.api("admin").post(f"/api/v1/rounds/{w.round_id}/advance")
    assert member.get(f"/api/v1/policies/{w.policy_id}").json["status"] == "draft"


def test_amendments_needing_a_rebase_are_left_out_with_a_note(app, world):
    w = world(amendments=[LINE3, LINE4])
    member = w.api("member0")
    edited = BODY.replace("It funds a Commons Office.", "It funds a Commons Office well.")
    assert member.post(f"/api/v1/policies/{w.policy_id}/revisions", json={"body": edited, "base": 1}).status_code == 201
    w.api("facilitator").post(f"/api/v1/rounds/{w.round_id}/advance")
    body = w.api("facilitator").post(f"/api/v1/rounds/{w.round_id}/advance").json
    assert body["phase"] == "voting" and body["base_revision"] == 2
    assert [q["amendment_id"] for q in body["questions"]] == [w.amendment_ids[0]]
    left = member.get(f"/api/v1/amendments/{w.amendment_ids[1]}").json
    assert left["state"] == "needs_rebase"
    assert left["outcome"] == (
        f"Not rebased onto revision 2 before voting opened; not voted on in round {w.round_id}."
    )


def test_voting_with_no_amendments_closes_without_a_revision(world):
    w = world(phase="voting")
    assert get_round(w)["questions"] == []
    body = w.api("facilitator").post(f"/api/v1/rounds/{w.round_id}/advance").json
    assert body["phase"] == "closed" and body["new_revision"] is None


def test_list_rounds_is_paginated_newest_first(world):
    w = world(phase="cancelled")
    facilitator = w.api("facilitator")
    second = facilitator.post(f"/api/v1/policies/{w.policy_id}/rounds", json=deadlines())
    assert second.status_code == 201
    page = w.api("outsider").get(f"/api/v1/policies/{w.policy_id}/rounds?per_page=1")
    assert page.status_code == 200
    assert page.json["total"] == 2 and page.json["per_page"] == 1
    assert [r["id"] for r in page.json["items"]] == [second.json["id"]]


def deadlines(start=1, **extra):
    from datetime import timedelta

    from app.core.timeutil import utcnow

    now = utcnow()
    values = {name: (now + timedelta(days=start + i)).isoformat()
              for i, name in enumerate(("amending_until", "deliberating_until", "voting_until"))}
    return {**values, **extra}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"amending_until": "2001-01-01T00:00:00+00:00"}, "amending_until"),
        ({"deliberating_until": "not a date"}, "deliberating_until"),
        ({"voting_until": None}, "voting_until"),
        ({"voting_until": "2001-01-01T00:00:00Z"}, "voting_until"),
        ({"quorum": 1.5}, "quorum"),
        ({"quorum": -0.1}, "quorum"),
        ({"threshold": 0.4}, "threshold"),
        ({"threshold": 1}, "threshold"),
        ({"strict": "yes"}, "strict"),
        ({"secret": 1}, "secret"),
    ],
)
def test_create_round_rejects_bad_input_with_fields(world, changes, field):
    w = world(phase="cancelled")
    response = w.api("facilitator").post(f"/api/v1/policies/{w.policy_id}/rounds", json={**deadlines(), **changes})
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]


def test_create_round_requires_deadlines_in_order(world):
    w = world(phase="cancelled")
    data = deadlines()
    data["deliberating_until"], data["amending_until"] = data["amending_until"], data["deliberating_until"]
    response = w.api("facilitator").post(f"/api/v1/policies/{w.policy_id}/rounds", json=data)
    assert response.status_code == 422
    assert "deliberating_until" in response.json["error"]["fields"]


def test_create_round_reads_offsets_and_naive_times_as_utc(world):
    w = world(phase="cancelled")
    data = {"amending_until": "2099-01-01T12:00:00+02:00", "deliberating_until": "2099-01-02T12:00:00",
            "voting_until": "2099-01-03T12:00:00Z", "threshold": 2 / 3, "strict": False, "quorum": 0.25, "secret": True}
    response = w.api("admin").post(f"/api/v1/policies/{w.policy_id}/rounds", json=data)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["amending_until"] == "2099-01-01T10:00:00+00:00"
    assert body["deliberating_until"] == "2099-01-02T12:00:00+00:00"
    assert body["voting_until"] == "2099-01-03T12:00:00+00:00"
    assert (body["quorum"], body["strict"], body["secret"]) == (0.25, False, True)
    assert "at least 66.7%" in body["rules"] and "Secret ballot" in body["rules"]


def test_private_policy_rounds_are_not_found_for_outsiders(world):
    w = world(public=False)
    outsider = w.api("outsider")
    assert outsider.get(f"/api/v1/rounds/{w.round_id}").status_code == 404
    assert outsider.post(f"/api/v1/rounds/{w.round_id}/advance").status_code == 404
    assert outsider.get(f"/api/v1/policies/{w.policy_id}/rounds").status_code == 404


# ---------------------------------------------------------------------------
# Every action × every phase × every role
# ---------------------------------------------------------------------------

PHASES = ("amending", "deliberating", "voting", "closed", "cancelled")
ROLES = ("admin", "facilitator", "member0", "late", "outsider")
RUNNING = ("amending", "deliberating", "voting")
FACILITATORS = ("admin", "facilitator")
ELECTORS = ("admin", "facilitator", "member0")


def expected(action, phase, role):
    """The status the contract promises for `action` by `role` on a round in `phase`."""
    if action == "read":
        return 200
    if action in ("advance", "cancel"):
        if role not in FACILITATORS:
            return 403
        return 200 if phase in RUNNING else 409
    if action == "open":
        if role not in FACILITATORS:
            return 403
        return 409 if phase in RUNNING else 201
    if action == "vote":
        if role not in ELECTORS:
            return 403
        return 200 if phase == "voting" else 409
    if action == "my_ballot":
        return 200 if role in ELECTORS else 403
    if action == "results":
        return 200 if phase == "closed" else 409
    raise AssertionError(action)


def perform(w, action, role, answers):
    client, base = w.api(role), f"/api/v1/rounds/{w.round_id}"
    if action == "read":
        return client.get(base)
    if action in ("advance", "cancel"):
        return client.post(f"{base}/{action}")
    if action == "open":
        return client.post(f"/api/v1/policies/{w.policy_id}/rounds", json=deadlines(start=5))
    if action == "vote":
        return client.put(f"{base}/ballot", json={"answers": answers})
    if action == "my_ballot":
        return client.get(f"{base}/ballot")
    if action == "results":
        return client.get(f"{base}/results")
    raise AssertionError(action)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("action", ("read", "advance", "cancel", "open", "vote", "my_ballot", "results"))
def test_action_phase_role_matrix(world, in_app, action, phase, role):
    from app.rounds.models import Ballot, Round

    w = world(members=1, amendments=[LINE3], phase=phase)
    answers = [{"question": q_id, "choice": "yes"} for q_id in in_app(question_ids, w.round_id)] or [
        {"question": 1, "choice": "yes"}
    ]
    ballots_before = in_app(lambda: len(rows(Ballot)))
    response = perform(w, action, role, answers)
    assert response.status_code == expected(action, phase, role), response.json
    if response.status_code >= 400:
        assert response.json["error"]["code"]
        assert in_app(lambda: len(rows(Ballot))) == ballots_before
        assert in_app(lambda: db.session.get(Round, w.round_id).phase) == phase


def question_ids(round_id):
    from app.rounds.models import Question

    return [q.id for q in rows(Question, round_id=round_id)]


def test_openapi_describes_every_rounds_route(world):
    w = world()
    paths = w.api("member0").get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/api/v1/policies/{policy_id}/rounds"]) == {"get", "post"}
    assert set(paths["/api/v1/rounds/{round_id}/ballot"]) == {"get", "put"}
    for suffix in ("", "/advance", "/cancel", "/results"):
        assert f"/api/v1/rounds/{{round_id}}{suffix}" in paths

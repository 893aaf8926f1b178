"""A process killed (SIGKILL) while closing a round leaves it all-or-nothing.

The close runs in a child Python process (closer.py) with its own app. In the deterministic
tests the child stops right before its commit (after a flush, so the database holds the
uncommitted Results, revision and amendment states) and is killed there: the round must still
be voting with nothing of the close visible. Then the close runs again normally. The random
test kills at a random moment and checks the round is wholly voting or wholly closed.
"""
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.amendments.models import Amendment
from app.extensions import db
from app.policies.models import Policy, Revision
from app.rounds import phases
from app.rounds.models import Ballot, Participation, Question, Result, Round
from rounds.helpers import rows, set_deadlines
from rounds.test_concurrency import LINE3, LINE4

from .helpers import app_env, line_reader

CLOSER = Path(__file__).with_name("closer.py")
VOTERS = 12


def _voting_round(world, secret=False):
    """A voting round on revision 1 with two yes/no questions: LINE3 gets yes (accepted), LINE4 no."""
    w = world(members=2, amendments=[LINE3, LINE4], phase="voting", extra_voters=VOTERS, secret=secret)
    round_json = w.api("admin").get(f"/api/v1/rounds/{w.round_id}").json
    first, second = (q["id"] for q in round_json["questions"])
    for role in w.voters:
        answers = [{"question": first, "choice": "yes"}, {"question": second, "choice": "no"}]
        assert w.api(role).put(f"/api/v1/rounds/{w.round_id}/ballot", json={"answers": answers}).status_code == 200
    return w


def _start_closer(app, w, mode, pause):
    return subprocess.Popen(
        [sys.executable, str(CLOSER), app.config["SQLALCHEMY_DATABASE_URI"], str(w.round_id),
         str(w.users["facilitator"].id), mode, pause],
        env=app_env(app), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def _kill(process):
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def _state(app, w):
    """'voting' or 'closed' after checking every part of the round agrees; fails on any mixture."""
    with app.app_context():
        round_ = db.session.get(Round, w.round_id)
        policy = db.session.get(Policy, w.policy_id)
        questions = rows(Question, round_id=w.round_id)
        results = rows(Result, round_id=w.round_id)
        round_revisions = rows(Revision, policy_id=w.policy_id, round_id=w.round_id)
        amendments = {a.id: a.state for a in rows(Amendment, round_id=w.round_id)}
        assert len(rows(Ballot, round_id=w.round_id)) == VOTERS
        assert len(rows(Participation, round_id=w.round_id)) == VOTERS
        assert len(questions) == 2 and set(amendments) == set(w.amendment_ids)
        if round_.phase == "voting":
            assert results == [] and round_revisions == []
            assert policy.head_number == round_.base_number == 1
            assert round_.closed_at is None and round_.new_revision_number is None
            assert set(amendments.values()) == {"in_vote"}
            return "voting"
        assert round_.phase == "closed", round_.phase
        assert len(results) == 2 and round_.closed_at is not None
        assert [r.number for r in round_revisions] == [2] and policy.head_number == 2
        assert round_.new_revision_number == 2
        accepted, rejected = w.amendment_ids
        assert amendments == {accepted: "merged", rejected: "rejected"}
        head = db.session.execute(db.select(Revision).filter_by(policy_id=w.policy_id, number=2)).scalar_one()
        assert head.body.split("\n")[2] == LINE3[2].rstrip("\n")
        return "closed"


def _close_normally(app, w, mode):
    from app.accounts.models import User

    with app.app_context():
        round_ = db.session.get(Round, w.round_id)
        if mode == "advance":
            phases.advance_round(db.session.get(User, w.users["facilitator"].id), round_)
        else:
            phases.refresh_round(round_)
        db.session.commit()


@pytest.mark.postgres
@pytest.mark.parametrize("mode", ["advance", "deadline"])
def test_kill_right_before_the_commit_leaves_the_round_voting(app, postgres_only, world, mode):
    w = _voting_round(world)
    if mode == "deadline":
        with app.app_context():
            set_deadlines(w.round_id, voting_until=-1)
    process = _start_closer(app, w, mode, "hold")
    try:
        next_line = line_reader(process)
        assert next_line(60) == "go"
        assert next_line(60) == "ready"  # flushed, waiting just before COMMIT
        _kill(process)
    finally:
        _kill(process)
    assert process.returncode == -9
    assert _state(app, w) == "voting"
    _close_normally(app, w, mode)  # waits for PostgreSQL to drop the dead session's locks, if need be
    assert _state(app, w) == "closed"


@pytest.mark.postgres
def test_kill_at_a_random_moment_is_all_or_nothing(app, postgres_only, world):
    rng = random.Random()
    seed = rng.randrange(10**6)
    rng.seed(seed)
    landed = []
    for attempt in range(6):
        w = _voting_round(world, secret=attempt % 2 == 1)  # secret rounds also reshuffle ballots at close
        mode = ("advance", "deadline")[attempt % 2]
        if mode == "deadline":
            with app.app_context():
                set_deadlines(w.round_id, voting_until=-1)
        process = _start_closer(app, w, mode, "none")
        try:
            next_line = line_reader(process)
            assert next_line(60) == "go"
            time.sleep(rng.uniform(0, 0.1))
            _kill(process)
        finally:
            _kill(process)
        assert process.returncode in (0, -9), process.stderr.read()  # finished, or killed by us
        state = _state(app, w)
        landed.append(state)
        if state == "voting":
            _close_normally(app, w, mode)
            assert _state(app, w) == "closed"
    print(f"random kills (seed {seed}): {landed}")

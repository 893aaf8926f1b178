"""Two gunicorn processes, one PostgreSQL database: concurrent ballots and concurrent edits.

Load is bounded (200 voters, 23 editors, a pool of 32 threads), everything talks to 127.0.0.1
and the servers are stopped in `finally` blocks.
"""
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.extensions import db
from app.policies.models import Policy, Revision
from app.rounds.models import Ballot, Participation
from rounds.helpers import rows
from rounds.test_concurrency import LINE3, request as http, run_together

from .helpers import two_servers

VOTERS = 200
LINES = 40
DISTINCT = list(range(1, 38, 2))  # 19 editors, each on its own odd line (an untouched line between)
CONTESTED = 40  # 4 editors on this same line
CONTENDERS = 4


@pytest.mark.postgres
def test_200_voters_through_two_processes_are_all_counted(app, postgres_only, world):
    w = world(members=0, amendments=[LINE3], phase="voting", extra_voters=VOTERS)
    question = w.api("admin").get(f"/api/v1/rounds/{w.round_id}").json["questions"][0]["id"]
    path = f"/api/v1/rounds/{w.round_id}/ballot"
    cast = {role: ("yes", "no", "abstain")[i % 3] for i, role in enumerate(w.voters)}
    with two_servers(app) as servers:
        def vote(i, role):
            body = {"answers": [{"question": question, "choice": cast[role]}]}
            return http(servers[i % 2], "PUT", path, w.tokens[role], body)

        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = list(pool.map(vote, range(VOTERS), w.voters))
        assert Counter(status for status, _ in answers) == {200: VOTERS}, [a for a in answers if a[0] != 200][:3]
        with app.app_context():
            assert len(rows(Participation)) == VOTERS and len(rows(Ballot)) == VOTERS
        status, closed = http(servers[0], "POST", f"/api/v1/rounds/{w.round_id}/advance", w.tokens["facilitator"])
        assert status == 200 and closed["phase"] == "closed"
        status, results = http(servers[1], "GET", f"/api/v1/rounds/{w.round_id}/results", w.tokens["admin"])
    assert status == 200 and results["voters"] == VOTERS
    first = results["questions"][0]
    counts = Counter(cast.values())
    assert first["yes"] + first["no"] + first["abstain"] == VOTERS
    assert (first["yes"], first["no"], first["abstain"]) == (counts["yes"], counts["no"], counts["abstain"])


def _body(changes=None):
    lines = [f"Clause {n} of the commons pact." for n in range(1, LINES + 1)]
    for number, text in (changes or {}).items():
        lines[number - 1] = text
    return "\n".join(lines) + "\n"


@pytest.mark.postgres
def test_concurrent_edits_of_one_policy_lose_nothing(app, postgres_only, world):
    w = world(members=0, extra_voters=len(DISTINCT) + CONTENDERS)
    with app.app_context():  # the world's round is amending (text not frozen); give it a 40-line head
        policy = db.session.get(Policy, w.policy_id)
        db.session.execute(db.update(Revision).filter_by(policy_id=policy.id, number=1).values(body=_body()))
        db.session.commit()
        assert policy.head_number == 1
    edits = [(line, f"Editor {i} rewrote clause {line}.") for i, line in enumerate(DISTINCT)]
    edits += [(CONTESTED, f"Contender {i} claims the last clause.") for i in range(CONTENDERS)]
    path = f"/api/v1/policies/{w.policy_id}/revisions"
    with two_servers(app) as servers:
        tasks = [
            lambda i=i, line=line, text=text: http(
                servers[i % 2], "POST", path, w.tokens[w.voters[i]],
                {"body": _body({line: text}), "base": 1, "message": f"edit {i}"})
            for i, (line, text) in enumerate(edits)
        ]
        answers = run_together(tasks)
    statuses = [status for status, _ in answers]
    assert set(statuses) <= {201, 409}, [a for a in answers if a[0] not in (201, 409)][:3]
    assert all(answer["error"]["code"] == "edit_conflict" for status, answer in answers if status == 409)
    # every editor of a line of their own merges cleanly; of the contenders exactly one wins
    assert statuses[:len(DISTINCT)] == [201] * len(DISTINCT)
    assert sorted(statuses[len(DISTINCT):]) == [201] + [409] * (CONTENDERS - 1)
    numbers = sorted(answer["number"] for status, answer in answers if status == 201)
    saved = len(numbers)
    assert numbers == list(range(2, saved + 2))  # no gap, no duplicate
    with app.app_context():
        policy = db.session.get(Policy, w.policy_id)
        revisions = rows(Revision, policy_id=w.policy_id)
        assert [r.number for r in revisions] == list(range(1, saved + 2)) and policy.head_number == saved + 1
        head = revisions[-1].body.split("\n")
    for (line, text), (status, _) in zip(edits, answers):
        if status == 201:
            assert head[line - 1] == text, f"lost update on line {line}"
    untouched = set(range(1, LINES + 1)) - {line for line, _ in edits}
    assert all(head[n - 1] == f"Clause {n} of the commons pact." for n in untouched)

"""Concurrent ballots over real HTTP against PostgreSQL (real threads, a threaded server).

On SQLite these are skipped: SQLite serialises every writer, so it cannot show what the unique
constraint and the row locks do under real concurrency.
"""
import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.serving import make_server

from app.rounds.models import Ballot, Participation

from conftest import is_postgres

from .helpers import rows

LINE3 = (3, 3, "The city loves its commons.\n")
LINE4 = (4, 4, "It funds two Commons Offices.\n")
LINE4B = (4, 5, "It funds a Commons Office of two.\n")


@pytest.fixture
def server(app):
    if not is_postgres(app):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): SQLite serialises writers, so there is no real concurrency")
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()


def request(base, method, path, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def run_together(tasks):
    """Run callables in real threads released at the same moment; their results in order."""
    barrier = threading.Barrier(len(tasks))

    def run(task):
        barrier.wait()
        return task()

    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        return list(pool.map(run, tasks))


@pytest.mark.postgres
def test_twenty_concurrent_first_ballots_of_one_voter_make_one_ballot(app, world, server):
    w = world(members=1, amendments=[LINE3], phase="voting")
    question = w.api("member0").get(f"/api/v1/rounds/{w.round_id}").json["questions"][0]["id"]
    token, path = w.tokens["member0"], f"/api/v1/rounds/{w.round_id}/ballot"
    choices = ["yes", "no", "abstain", "yes"] * 5
    tasks = [lambda c=c: request(server, "PUT", path, token, {"answers": [{"question": question, "choice": c}]})
             for c in choices]
    statuses = [status for status, _ in run_together(tasks)]
    assert statuses == [200] * 20
    with app.app_context():
        assert len(rows(Participation)) == 1
        ballots = rows(Ballot)
        assert len(ballots) == 1 and ballots[0].voter_id == w.users["member0"].id
        assert ballots[0].answers[str(question)] in choices


@pytest.mark.postgres
def test_a_hundred_voters_at_once_are_all_counted(app, world, server):
    w = world(members=0, amendments=[LINE3, LINE4, LINE4B], phase="voting", extra_voters=100, secret=True)
    questions = w.api("admin").get(f"/api/v1/rounds/{w.round_id}").json["questions"]
    yes_no, ranked = questions[0]["id"], questions[1]["id"]
    keys = [o["key"] for o in questions[1]["options"]]
    cast = {}
    tasks = []
    for index, role in enumerate(w.voters):
        choice = ("yes", "no", "abstain")[index % 3]
        ranking = [[keys[index % 3]], [keys[(index + 1) % 3]]]
        cast[role] = (choice, ranking)
        body = {"answers": [{"question": yes_no, "choice": choice}, {"question": ranked, "ranking": ranking}]}
        tasks.append(lambda t=w.tokens[role], b=body: request(server, "PUT", f"/api/v1/rounds/{w.round_id}/ballot", t, b))
    assert [status for status, _ in run_together(tasks)] == [200] * 100
    with app.app_context():
        assert len(rows(Participation)) == 100 and len(rows(Ballot)) == 100
    status, closed = request(server, "POST", f"/api/v1/rounds/{w.round_id}/advance", w.tokens["facilitator"])
    assert status == 200 and closed["phase"] == "closed"
    status, results = request(server, "GET", f"/api/v1/rounds/{w.round_id}/results", w.tokens["admin"])
    assert status == 200 and results["voters"] == 100
    counts = Counter(choice for choice, _ in cast.values())
    first = results["questions"][0]
    assert (first["yes"], first["no"], first["abstain"]) == (counts["yes"], counts["no"], counts["abstain"])
    second = results["questions"][1]
    assert second["voters"] == 100
    for x in keys:
        for y in keys:
            if x != y:
                expected = sum(1 for _, r in cast.values() if _above(r, x, y))
                assert second["pairwise"][x][y] == expected


def _above(ranking, x, y):
    levels = {key: i for i, level in enumerate(ranking) for key in level}
    return levels.get(x, len(ranking)) < levels.get(y, len(ranking))

"""One commit per request: a round form's POST writes its change and any passed deadline in a
single transaction; a page commits at most once (the deadlines it applied)."""
import pytest
from sqlalchemy import event

from app.extensions import db

from .test_views import LINE3, pages


@pytest.fixture
def commits(app):
    """commits(func) → (func's result, how many COMMITs the database got while it ran; a
    savepoint's release is not one)."""
    with app.app_context():
        engine = db.engine

    def run(func):
        seen = []
        record = lambda connection: seen.append(1)  # noqa: E731
        event.listen(engine, "commit", record)
        try:
            result = func()
        finally:
            event.remove(engine, "commit", record)
        return result, len(seen)

    return run


def test_casting_a_ballot_from_the_form_commits_once(world, login, commits):
    w = world(amendments=[LINE3], phase="voting")
    qid = w.api("member0").get(f"/api/v1/rounds/{w.round_id}").json["questions"][0]["id"]
    browser = login(w.users["member0"])
    response, count = commits(lambda: browser.post(f"{pages(w)}/{w.round_id}/ballot", data={f"q{qid}": "yes"}))
    assert response.status_code == 302 and count == 1


def test_advancing_from_the_form_commits_once(world, login, commits):
    w = world(amendments=[LINE3], phase="amending")
    browser = login(w.users["facilitator"])
    response, count = commits(lambda: browser.post(f"{pages(w)}/{w.round_id}/advance"))
    assert response.status_code == 302 and count == 1
    assert "deliberating" in browser.get(f"{pages(w)}/{w.round_id}").text


def test_a_refused_ballot_commits_nothing(world, login, commits):
    w = world(amendments=[LINE3], phase="deliberating")
    browser = login(w.users["member0"])
    response, count = commits(lambda: browser.post(f"{pages(w)}/{w.round_id}/ballot", data={}))
    assert response.status_code == 409 and count == 0


def test_a_round_page_commits_at_most_once(world, login, commits):
    w = world(amendments=[LINE3], phase="voting")
    browser = login(w.users["member0"])
    response, count = commits(lambda: browser.get(f"{pages(w)}/{w.round_id}"))
    assert response.status_code == 200 and count <= 1

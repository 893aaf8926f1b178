"""Notifications: voting opened, and the reminder a day before voting closes."""
from datetime import timedelta

from app.accounts.models import Notification
from app.core.timeutil import utcnow
from app.extensions import db
from app.rounds.models import Round

from .helpers import rows

LINE3 = (3, 3, "The city loves its commons.\n")


def notes(app, kind):
    with app.app_context():
        return sorted((n.user_id, n.message, n.url) for n in rows(Notification, kind=kind))


def long_voting(app, round_id, hours_left):
    """Pretend voting opened two days ago and closes in `hours_left` hours."""
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        round_.voting_opened_at = utcnow() - timedelta(days=2)
        round_.voting_until = utcnow() + timedelta(hours=hours_left)
        db.session.commit()


def test_electors_are_told_when_voting_opens(app, world):
    w = world(members=2, amendments=[LINE3], phase="voting")
    opened = [n for n in notes(app, "round") if "Voting is open" in n[1]]
    electors = {w.users[r].id for r in ("admin", "facilitator", "member0", "member1")}
    assert {user_id for user_id, _, _ in opened} == electors
    assert all(url.endswith(f"/rounds/{w.round_id}/ballot") for _, _, url in opened)


def test_tick_reminds_electors_who_have_not_voted_once(app, world):
    w = world(members=2, amendments=[LINE3], phase="voting")
    question = w.api("admin").get(f"/api/v1/rounds/{w.round_id}").json["questions"][0]
    w.api("member0").put(f"/api/v1/rounds/{w.round_id}/ballot",
                         json={"answers": [{"question": question["id"], "choice": "yes"}]})
    long_voting(app, w.round_id, hours_left=20)
    result = app.test_cli_runner().invoke(args=["rounds", "tick"])
    assert result.exit_code == 0 and f"round {w.round_id}: voting -> voting, reminded 3 electors" in result.output
    reminded = notes(app, "reminder")
    assert {user_id for user_id, _, _ in reminded} == {w.users[r].id for r in ("admin", "facilitator", "member1")}
    assert all("you have not voted yet" in message and "closes in 19 hours" in message for _, message, _ in reminded)
    app.test_cli_runner().invoke(args=["rounds", "tick"])
    w.api("member1").get(f"/api/v1/rounds/{w.round_id}")
    assert len(notes(app, "reminder")) == 3


def test_no_reminder_before_the_last_day(app, world):
    w = world(members=1, amendments=[LINE3], phase="voting")
    long_voting(app, w.round_id, hours_left=30)
    app.test_cli_runner().invoke(args=["rounds", "tick"])
    assert notes(app, "reminder") == []
    with app.app_context():
        assert db.session.get(Round, w.round_id).reminder_sent_at is None


def test_reading_the_round_never_sends_reminders_the_tick_does(app, world):
    w = world(members=1, amendments=[LINE3], phase="voting")
    long_voting(app, w.round_id, hours_left=2)
    assert w.api("outsider").get(f"/api/v1/rounds/{w.round_id}").status_code == 200
    assert w.api("member0").get(f"/api/v1/rounds/{w.round_id}/ballot").status_code == 200
    assert notes(app, "reminder") == []
    assert app.test_cli_runner().invoke(args=["rounds", "tick"]).exit_code == 0
    assert len(notes(app, "reminder")) == 3


def test_no_separate_reminder_when_voting_opened_within_the_last_day(app, world):
    w = world(members=1, amendments=[LINE3], phase="voting")
    with app.app_context():
        round_ = db.session.get(Round, w.round_id)
        round_.voting_until = utcnow() + timedelta(hours=5)
        db.session.commit()
    app.test_cli_runner().invoke(args=["rounds", "tick"])
    assert notes(app, "reminder") == []
    with app.app_context():
        assert db.session.get(Round, w.round_id).reminder_sent_at is not None

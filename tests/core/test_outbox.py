"""The mail outbox and the job queue, in process: rows written with their transaction, claimed once,
retried with backoff under the same Message-ID, put back after a dead worker, given up after three
days, and the site admins' outbox page and API. Real worker processes are in tests/jobs."""
import smtplib
from datetime import timedelta

import pytest
from huey import RedisHuey, SqliteHuey

from app import create_app
from app.accounts.models import User
from app.core import jobs, mail
from app.core.outbox import FAILED, PENDING, SENDING, SENT, OutboxMail, retry_delay
from app.core.testing import RecordingTransport
from app.core.timeutil import utcnow
from app.extensions import db


def _rows(app):
    with app.app_context():
        return [(r.to_address, r.status, r.attempts) for r in
                db.session.execute(db.select(OutboxMail).order_by(OutboxMail.id)).scalars()]


class FlakyTransport(RecordingTransport):
    """Refuses (451, try later) the first `failures` messages, then records."""

    def __init__(self, record, failures, error=None):
        super().__init__(record)
        self.failures, self.error = failures, error

    def send(self, message):
        if self.failures:
            self.failures -= 1
            raise self.error or smtplib.SMTPDataError(451, b"try again later")
        super().send(message)


def test_mail_is_a_row_of_its_transaction_and_leaves_after_the_commit(app, outbox):
    with app.app_context():
        mail.queue_mail("a@example.org", "Dropped", "x")
        db.session.rollback()
        assert _rows(app) == [] and outbox == []
        mail.queue_mail("b@example.org", "Kept", "x")
        db.session.commit()
    assert [to for to, _, _ in outbox] == ["b@example.org"]
    assert _rows(app) == [("b@example.org", SENT, 1)]


def test_a_row_is_claimed_by_one_worker_only(app):
    with app.app_context():
        for n in range(3):
            db.session.add(OutboxMail(message_id=f"<m{n}@x>", to_address=f"{n}@x.org", subject="s", body="b"))
        db.session.commit()
        first_token, first = mail.claim_batch(limit=2)
        second_token, second = mail.claim_batch(limit=2)
        third_token, third = mail.claim_batch(limit=2)
        assert [r.to_address for r in first] == ["0@x.org", "1@x.org"]
        assert [r.to_address for r in second] == ["2@x.org"] and third == []
        assert {r.claim for r in first} == {first_token} and first_token != second_token
        assert {r.status for r in first + second} == {SENDING}


def test_a_refused_message_is_retried_later_with_the_same_message_id(app, monkeypatch):
    seen = []
    transport = FlakyTransport(seen.append, failures=1)
    monkeypatch.setattr(mail, "open_transport", lambda: transport)
    with app.app_context():
        row = mail.queue_mail("a@example.org", "Hello", "x")
        message_id = row.message_id
        db.session.commit()
        row = db.session.execute(db.select(OutboxMail)).scalar_one()
        assert (row.status, row.attempts, row.last_error) == (PENDING, 1, "(451, b'try again later')")
        assert timedelta(0) <= row.next_attempt_at - row.claimed_at - timedelta(minutes=1) < timedelta(seconds=5)
        assert mail.deliver_mail() == 0  # not due yet
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert mail.deliver_mail() == 1
    assert [m["Message-ID"] for m in seen] == [message_id]
    assert _rows(app) == [("a@example.org", SENT, 2)]


def test_backoff_doubles_up_to_half_an_hour():
    assert [retry_delay(n).total_seconds() // 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_server_down_for_an_hour_delays_mail_and_loses_none(app, monkeypatch):
    def down():
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(mail, "open_transport", down)
    with app.app_context():
        mail.queue_mail("a@example.org", "Hello", "x")
        db.session.commit()
        start = utcnow()
        for minute in range(0, 61):  # the sweep runs every minute for an hour
            monkeypatch.setattr(mail, "utcnow", lambda m=minute: start + timedelta(minutes=m))
            mail.sweep_outbox()
        row = db.session.execute(db.select(OutboxMail)).scalar_one()
        assert row.status == PENDING and row.attempts == 6  # after 0, 1, 3, 7, 15 and 31 minutes
        sent = []
        monkeypatch.setattr(mail, "open_transport", lambda: RecordingTransport(sent.append))
        monkeypatch.setattr(mail, "utcnow", lambda: start + timedelta(minutes=62))
        mail.sweep_outbox()
        assert [m["To"] for m in sent] == ["a@example.org"]


def test_a_permanent_refusal_fails_at_once_and_an_old_message_is_given_up(app, monkeypatch):
    refused = smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")})
    monkeypatch.setattr(mail, "open_transport", lambda: FlakyTransport(None, 1, refused))
    with app.app_context():
        mail.queue_mail("a@example.org", "Hello", "x")
        db.session.commit()
        assert _rows(app) == [("a@example.org", FAILED, 1)]
        monkeypatch.setattr(mail, "open_transport", lambda: FlakyTransport(None, 1))
        old = mail.queue_mail("b@example.org", "Old", "x")
        old.created_at = utcnow() - timedelta(days=3, minutes=1)
        db.session.commit()
        assert _rows(app)[1] == ("b@example.org", FAILED, 1)


def test_rows_a_dead_worker_left_claimed_are_put_back_and_sent_once(app, monkeypatch, outbox):
    monkeypatch.setitem(app.config, "MAIL_CLAIM_TIMEOUT", 600)
    with app.app_context():
        db.session.add(OutboxMail(message_id="<m@x>", to_address="a@x.org", subject="s", body="b"))
        db.session.commit()
        mail.claim_batch()  # ... and the worker was killed before sending
        assert mail.release_stale_claims() == 0  # a live worker may still be on it
        assert mail.release_stale_claims(now=utcnow() + timedelta(minutes=11)) == 1
        assert mail.deliver_mail() == 1
    assert [to for to, _, _ in outbox] == ["a@x.org"]


def test_a_worker_that_lost_its_claim_does_not_mark_the_row(app):
    with app.app_context():
        db.session.add(OutboxMail(message_id="<m@x>", to_address="a@x.org", subject="s", body="b"))
        db.session.commit()
        token, rows = mail.claim_batch()
        mail.release_stale_claims(now=utcnow() + timedelta(hours=1))
        mail._settle(rows[0], token, status=FAILED)
        assert db.session.execute(db.select(OutboxMail.status)).scalar_one() == PENDING


def test_many_mails_are_one_insert_each_with_its_own_message_id(app, outbox):
    with app.app_context():
        mail.queue_mails([{"to": f"{n}@x.org", "subject": "Results", "text": "t"} for n in range(120)])
        db.session.commit()
        ids = db.session.execute(db.select(OutboxMail.message_id)).scalars().all()
    assert len(set(ids)) == 120 and all(i.endswith("@127.0.0.1>") for i in ids)
    assert len(outbox) == 120  # three batches of 50, 50 and 20


def test_the_message_carries_its_headers(app):
    with app.app_context():
        row = mail.queue_mail("a@x.org", "Digest\nBcc: evil@x.org", "text",
                              headers={"List-Unsubscribe": "<http://127.0.0.1:5000/unsubscribe/t>"})
        message = mail.build_message(row, "site@x.org")
        db.session.rollback()
    assert message["Subject"] == "Digest Bcc: evil@x.org" and message["Bcc"] is None
    assert message["List-Unsubscribe"] == "<http://127.0.0.1:5000/unsubscribe/t>"
    assert message["Message-ID"] == row.message_id


def test_without_a_mail_server_mail_is_printed(app, capsys):
    with app.app_context():
        mail.queue_mail("a@x.org", "Reset your password", "Your link: http://127.0.0.1:5000/reset/abc")
        db.session.commit()
    printed = capsys.readouterr().out
    assert "MAIL_SERVER unset" in printed and "Your link: http://127.0.0.1:5000/reset/abc" in printed


def test_the_queue_is_named_after_the_database(app, tmp_path):
    one = jobs.queue_name("postgresql+psycopg://postgres@127.0.0.1/one")
    assert one.startswith("commonwright-one-") and one != jobs.queue_name("postgresql+psycopg://postgres@127.0.0.1/two")
    sqlite_app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/cw.sqlite", JOBS_IMMEDIATE=False)
    huey = sqlite_app.extensions["huey"]
    assert isinstance(huey, SqliteHuey) and huey.storage.filename == f"{tmp_path}/cw-queue.sqlite"
    redis_app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/cw.sqlite",
                           JOBS_IMMEDIATE=False, REDIS_URL="redis://127.0.0.1:6379/15")
    assert isinstance(redis_app.extensions["huey"], RedisHuey)
    assert set(sqlite_app.extensions["jobs"]) >= {"mail.deliver", "mail.sweep", "rounds.tick"}


def test_a_queued_job_waits_for_the_worker_when_not_immediate(app, tmp_path):
    queued = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        JOBS_IMMEDIATE=False, QUEUE_FILE=str(tmp_path / "queue.sqlite"))
    huey = queued.extensions["huey"]
    with queued.app_context():
        mail.queue_mail("a@x.org", "Later", "x")
        db.session.commit()
        assert huey.pending_count() == 1 and _rows(app) == [("a@x.org", PENDING, 0)]
        task = huey.dequeue()
        huey.execute(task)  # what the worker does
    assert _rows(app) == [("a@x.org", SENT, 1)]


def test_an_unreachable_queue_never_breaks_the_request(app, make_user, caplog):
    broken = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        JOBS_IMMEDIATE=False, REDIS_URL="redis://127.0.0.1:1/0")
    user = make_user()
    response = broken.test_client().post("/api/v1/password-resets", json={"email": user.email})
    assert response.status_code == 202
    assert _rows(app) == [(user.email, PENDING, 0)]  # the minute sweep sends it once the queue is back
    assert any("could not queue the job mail.deliver" in r.getMessage() for r in caplog.records)


@pytest.fixture
def site_admin(app, make_user):
    user = make_user()
    with app.app_context():
        db.session.get(User, user.id).is_site_admin = True
        db.session.commit()
    return user


def test_site_admins_see_the_outbox_in_the_browser_and_the_api(app, site_admin, make_user, login, api, outbox):
    with app.app_context():
        mail.queue_mail("a@x.org", "Reset your password", "secret link")
        db.session.commit()
    page = login(site_admin).get("/admin/outbox")
    assert page.status_code == 200 and "a@x.org" in page.text and "1 sent" in page.text
    assert "secret link" in page.text  # development: nothing is really sent, so the body is shown
    listed = api(site_admin).get("/api/v1/admin/outbox")
    assert listed.status_code == 200 and listed.json["counts"] == {"sent": 1}
    assert listed.json["items"][0]["to"] == "a@x.org" and "body" not in listed.json["items"][0]
    member = make_user()
    assert login(member).get("/admin/outbox").status_code == 403
    assert api(member).get("/api/v1/admin/outbox").status_code == 403


def test_with_a_mail_server_bodies_are_not_shown_and_failed_mail_can_be_retried(app, site_admin, login, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "mail.example.org")
    monkeypatch.setattr(mail, "open_transport", lambda: FlakyTransport(None, 1, smtplib.SMTPDataError(554, b"no")))
    with app.app_context():
        mail.queue_mail("a@x.org", "Reset your password", "secret link")
        db.session.commit()
    browser = login(site_admin)
    page = browser.get("/admin/outbox")
    assert "1 failed" in page.text and "secret link" not in page.text
    sent = []
    monkeypatch.setattr(mail, "open_transport", lambda: RecordingTransport(sent.append))
    retried = browser.post("/admin/outbox/retry", follow_redirects=True)
    assert "1 message put back in the queue." in retried.text
    with app.app_context():
        mail.deliver_mail()
    assert [m["To"] for m in sent] == ["a@x.org"]


def test_the_worker_command_refuses_to_run_on_an_immediate_queue(app):
    result = app.test_cli_runner().invoke(args=["worker", "--no-scheduler"])
    assert result.exit_code == 1 and "JOBS_IMMEDIATE is set" in result.output
    assert "--no-scheduler" in app.test_cli_runner().invoke(args=["worker", "--help"]).output

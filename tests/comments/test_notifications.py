"""Notifications: replies, changed lines (one per author per revision), and e-mail after commit."""
import logging

import pytest

from app.accounts.models import Notification
from app.comments.models import Comment
from app.comments.services import follow_revision
from app.core import mail
from app.extensions import db
from app.policies.models import Policy

from .conftest import BODY


def notes(app, user=None):
    with app.app_context():
        query = db.select(Notification).order_by(Notification.id)
        if user is not None:
            query = query.filter_by(user_id=user.id)
        return [(n.user_id, n.kind, n.message, n.url) for n in db.session.execute(query).scalars()]


class FakeSMTP:
    """Stands in for smtplib.SMTP and records what would be sent."""

    sent = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def quit(self):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append((self.host, self.port, message))


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "mail.example.org")
    monkeypatch.setitem(app.config, "MAIL_PORT", 2525)
    monkeypatch.setitem(app.config, "MAIL_FROM", "assembly@example.org")
    return FakeSMTP


def test_a_reply_notifies_the_threads_author_and_the_replied_to_author(app, world, comment):
    root = comment(world, world.member, 4, 5)
    first = comment(world, world.other, body="First reply.", parent_id=root)
    assert [(n[0], n[1]) for n in notes(app)] == [(world.member.id, "comment.reply")]
    comment(world, world.facilitator, body="Second reply.", parent_id=first)
    recipients = sorted(n[0] for n in notes(app)[1:])
    assert recipients == sorted([world.member.id, world.other.id])
    user_id, kind, message, url = notes(app, world.other)[0]
    assert message == "Fay Facilitator replied to your comment on “Commons pact” (lines 4–5 of revision 1)."
    assert url == f"/a/{world.assembly.slug}/p/{world.policy.slug}/comments/{root}"


def test_no_notification_for_replying_to_oneself_or_to_a_deleted_comment(app, world, comment, api):
    root = comment(world, world.member, 4, 5)
    comment(world, world.member, body="Me again.", parent_id=root)
    assert notes(app) == []
    api(world.member).delete(f"/api/v1/comments/{root}")
    comment(world, world.other, body="To a tombstone.", parent_id=root)
    assert notes(app) == []


def test_changed_lines_notify_each_author_once_per_revision(app, world, comment, edit):
    comment(world, world.other, 3, 3, "One.")
    comment(world, world.other, 4, 4, "Two.")
    kept = comment(world, world.facilitator, 9, 9, "Untouched.")
    reply_thread = comment(world, world.admin, 5, 5, "Three.")
    comment(world, world.facilitator, body="Reply on changed lines.", parent_id=reply_thread)
    number = edit(world, BODY.replace("The city", "The town").replace("Commons Office", "Commons Agency")
                  .replace("yearly", "every year"))
    other = notes(app, world.other)
    assert len(other) == 1
    assert other[0][1] == "comment.outdated"
    assert other[0][2] == (f"Revision {number} of “Commons pact” changed lines you commented on: "
                           "2 comment threads you took part in now refer to an earlier wording.")
    assert other[0][3].endswith("#earlier-wording")
    outdated = [n for n in notes(app) if n[1] == "comment.outdated"]
    assert sorted(n[0] for n in outdated) == sorted([world.other.id, world.facilitator.id, world.admin.id])
    facilitator = [n for n in outdated if n[0] == world.facilitator.id][0]
    assert "a comment thread you took part in now refers" in facilitator[2]  # the reply's, not the kept one
    assert kept


def test_the_editor_resolved_threads_and_deleted_comments_are_not_notified(app, world, comment, edit, api):
    comment(world, world.member, 3, 3, "Mine, and I edit it.")
    resolved = comment(world, world.other, 4, 4, "Resolved.")
    api(world.other).post(f"/api/v1/comments/{resolved}/resolve")
    deleted = comment(world, world.facilitator, 5, 5, "Deleted.")
    api(world.facilitator).delete(f"/api/v1/comments/{deleted}")
    edit(world, BODY.replace("The city supports commons.\nIt funds a Commons Office.\nIt reviews the pact yearly.",
                             "Entirely new paragraph."), author=world.member)
    assert notes(app) == []


def test_a_thread_already_outdated_is_not_notified_again(app, world, comment, edit):
    comment(world, world.other, 4, 4)
    edit(world, BODY.replace("Commons Office", "Commons Agency"))
    edit(world, BODY.replace("Commons Office", "Commons Bureau"))
    assert len(notes(app, world.other)) == 1


def test_following_a_revision_outside_a_request_builds_paths(app, world, comment):
    """Round revisions are made by `flask rounds tick`, with no request: paths still work."""
    from app.policies.models import Revision

    comment(world, world.other, 4, 4)
    with app.app_context():
        policy = db.session.get(Policy, world.policy.id)
        old = policy.head
        new = Revision(policy_id=policy.id, number=2, body=BODY.replace("Office", "Agency"), blocks=[], source="round")
        db.session.add(new)
        db.session.flush()
        assert len(follow_revision(policy, old, new)) == 1
        db.session.commit()
    assert notes(app, world.other)[0][3] == f"/a/{world.assembly.slug}/p/{world.policy.slug}#earlier-wording"


def test_notifications_are_listed_with_an_unread_badge(app, world, comment, login):
    root = comment(world, world.member, 4, 5)
    comment(world, world.other, body="<b>bold</b> reply.", parent_id=root)
    browser = login(world.member)
    assert 'aria-label="1 unread"' in browser.get("/assemblies").text
    page = browser.get("/notifications").text
    assert "Otto Other replied to your comment" in page and "new" in page
    assert 'aria-label="1 unread"' not in browser.get("/assemblies").text  # read once listed


def test_mail_is_sent_after_commit_when_a_server_is_set(app, world, comment, smtp):
    root = comment(world, world.member, 4, 5)
    comment(world, world.other, body="Reply.", parent_id=root)
    assert len(smtp.sent) == 1
    host, port, message = smtp.sent[0]
    assert (host, port) == ("mail.example.org", 2525)
    assert message["To"] == world.member.email and message["From"] == "assembly@example.org"
    assert "Otto Other replied to your comment" in message["Subject"]
    assert "Otto Other replied to your comment" in message.get_content()


def test_no_mail_leaves_when_the_transaction_rolls_back(app, world, comment, smtp):
    from app.accounts.models import User
    from app.comments.services import reply_to_comment

    root = comment(world, world.member, 4, 5)
    with app.app_context():
        reply_to_comment(db.session.get(User, world.other.id), db.session.get(Comment, root), "Never mind.")
        db.session.rollback()
        db.session.commit()
    assert smtp.sent == []


def test_reply_in_the_browser_sends_mail_with_an_absolute_link(app, world, comment, smtp, login):
    root = comment(world, world.member, 4, 5)
    login(world.other).post(f"/a/{world.assembly.slug}/p/{world.policy.slug}/comments/{root}/reply", data={"body": "Hi."})
    text = smtp.sent[0][2].get_content()
    assert f"{app.config['PUBLIC_URL']}/a/{world.assembly.slug}/p/{world.policy.slug}/comments/{root}" in text


def test_without_a_mail_server_mail_is_written_to_the_log(app, world, comment, caplog):
    root = comment(world, world.member, 4, 5)
    with caplog.at_level(logging.INFO):
        comment(world, world.other, body="Reply.", parent_id=root)
    assert any("MAIL_SERVER unset" in r.getMessage() and world.member.email in r.getMessage() for r in caplog.records)


def test_a_failing_mail_server_is_logged_and_the_mail_kept_for_later(app, monkeypatch, caplog):
    from app.core.outbox import PENDING, OutboxMail

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(mail.smtplib, "SMTP", refuse)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "mail.example.org")
    with app.app_context(), caplog.at_level(logging.WARNING):
        mail.queue_mail("a@example.org", "Subject", "Text")
        db.session.commit()
        row = db.session.execute(db.select(OutboxMail)).scalar_one()
        assert (row.status, row.attempts, row.last_error) == (PENDING, 1, "connection refused")
        assert row.next_attempt_at > row.created_at
    assert any("connection refused" in r.getMessage() for r in caplog.records)

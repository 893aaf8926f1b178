"""Who is told what, and how: every in-app notification, and the mail that goes with it.

A notification that concerns a member personally (a reply to them, the outcome or the rebase
of their amendment, a round about to close that they have not voted in, the results of a round
they were an elector of) is also mailed at once, through the outbox. Every other kind waits for
the member's daily or weekly digest (:mod:`app.accounts.digests`). A member may turn the
personal mail off too (``User.mail_personal``); security mail (a password reset) is not a
notification and always goes. In-app notifications are written for every kind.
"""
from flask import current_app

from ..core import mail
from ..core.urls import path_for
from ..extensions import db
from .models import Notification, User

#: mailed at once; every other kind goes into the digest
IMMEDIATE_KINDS = frozenset({
    "comment.reply", "amendment", "amendment_needs_rebase", "reminder", "round.results", "invitation",
})


def notify_user(user_id, kind, message, url=""):
    """Add an in-app notification for one user, and mail it now when it is personal."""
    note = Notification(user_id=user_id, kind=kind, message=message, url=url)
    db.session.add(note)
    current_app.logger.info("notify user %s: %s", user_id, message)
    if kind in IMMEDIATE_KINDS:
        _mail_now([user_id], message, url)
    return note


def notify_users(user_ids, kind, message, url, skip=None):
    """Notify each user (but `skip`, usually the actor) with the same message and link.

    One bulk INSERT for the notifications and one for their mail (a round's electorate can be
    thousands of people), and one log line."""
    ids = [user_id for user_id in user_ids if user_id != skip]
    if not ids:
        return 0
    db.session.execute(db.insert(Notification), [
        {"user_id": user_id, "kind": kind, "message": message, "url": url} for user_id in ids])
    current_app.logger.info("notify %d users: %s", len(ids), message)
    if kind in IMMEDIATE_KINDS:
        _mail_now(ids, message, url)
    return len(ids)


def _mail_now(user_ids, message, url):
    """Queue one notification e-mail per user who has not turned personal mail off (in this transaction)."""
    people = db.session.execute(db.select(User.email, User.name)
                                .filter(User.id.in_(user_ids), User.mail_personal.is_(True))).all()
    subject = "Commonwright: " + message[:120]
    settings = path_for("accounts.account", _anchor="mail")
    mail.queue_mails([{"to": email, "subject": subject, "text": mail.notification_text(name, message, url, settings)}
                      for email, name in people])

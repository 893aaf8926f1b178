"""Who is told what, and how: every in-app notification, and the mail that goes with it.

A notification that concerns a member personally (a reply to them, the outcome or the rebase
of their amendment, a round about to close that they have not voted in, the results of a round
they were an elector of) is also mailed at once, through the outbox. Every other kind waits for
the member's daily or weekly digest (:mod:`app.accounts.digests`). A member may turn the
personal mail off too (``User.mail_personal``); security mail (a password reset) is not a
notification and always goes. In-app notifications are written for every kind.
"""
from collections import defaultdict

from flask import current_app
from flask_babel import gettext

from ..core import mail
from ..core.i18n import locale_for_user, speaking, zone_for_user
from ..core.urls import path_for
from ..extensions import db
from .models import Notification, User

#: mailed at once; every other kind goes into the digest
IMMEDIATE_KINDS = frozenset({
    "comment.reply", "amendment", "amendment_needs_rebase", "reminder", "round.results", "invitation",
})


def notify_user(user_id, kind, message, url="", assembly=None):
    """Add an in-app notification for one user, and mail it now when it is personal.

    `message` is the text, or a function of no arguments that writes it: it is then called in
    the recipient's language and time zone (their own, else `assembly`'s), so write it with
    gettext and the formatters of app.core.templating."""
    notify_users([user_id], kind, message, url, assembly=assembly)


def notify_users(user_ids, kind, message, url, skip=None, assembly=None):
    """Notify each user (but `skip`, usually the actor) with the same message and link, each in
    their language when `message` is a function (see notify_user).

    One bulk INSERT for the notifications and one for their mail per language (a round's
    electorate can be thousands of people), and one log line."""
    ids = [user_id for user_id in user_ids if user_id != skip]
    if not ids:
        return 0
    people = db.session.execute(
        db.select(User.id, User.email, User.name, User.locale, User.timezone, User.mail_personal)
        .filter(User.id.in_(ids))
    ).all()
    groups = defaultdict(list)
    for person in people:
        groups[(locale_for_user(person, assembly), zone_for_user(person, assembly))].append(person)
    for (code, zone), group in groups.items():
        with speaking(code, zone):
            text = str(message() if callable(message) else message)
            db.session.execute(db.insert(Notification), [
                {"user_id": person.id, "kind": kind, "message": text, "url": url} for person in group])
            if kind in IMMEDIATE_KINDS:
                _mail_now([person for person in group if person.mail_personal], text, url)
    current_app.logger.info("notify %d users: %s", len(people), kind)
    return len(people)


def _mail_now(people, message, url):
    """Queue one notification e-mail per person (in this transaction), in the language spoken now."""
    subject = gettext("Commonwright: %(message)s", message=message[:120])
    settings = path_for("accounts.account", _anchor="mail")
    mail.queue_mails([{"to": person.email, "subject": subject,
                       "text": mail.notification_text(person.name, message, url, settings)} for person in people])

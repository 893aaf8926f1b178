"""How rounds speak to people: the path of a round's page, notifications, deadlines in words."""
from flask import current_app

from ..accounts.models import Notification
from ..core.timeutil import as_utc
from ..core.urls import path_for
from ..extensions import db

#: The endpoint of each page of a round that notifications link to ("" is the round's own page).
ROUND_PAGES = {"": "rounds.show", "ballot": "rounds.ballot", "results": "rounds.results", "report": "rounds.report"}


def round_path(round_, page=""):
    """The browser path of a round's page (or of one of its sub-pages: ballot, results, report)."""
    policy = round_.policy
    return path_for(ROUND_PAGES[page], slug=policy.assembly.slug, policy_slug=policy.slug, round_id=round_.id)


def notify_users(user_ids, kind, message, url, skip=None):
    """Notify each user (but `skip`, usually the actor) with the same message and link.

    One bulk INSERT for all of them (a round's electorate can be thousands of people), and
    one log line: the same notification rows as :func:`app.accounts.services.notify_user`.
    """
    rows = [{"user_id": user_id, "kind": kind, "message": message, "url": url}
            for user_id in user_ids if user_id != skip]
    if rows:
        db.session.execute(db.insert(Notification), rows)
        current_app.logger.info("notify %d users: %s", len(rows), message)


def when_text(value):
    """A deadline as people read it in messages: '2026-12-02 18:00 UTC'."""
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")

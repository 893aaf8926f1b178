"""How rounds speak to people: the path of a round's page, notifications, deadlines in words."""
from ..accounts.services import notify_user
from ..core.timeutil import as_utc

def round_path(round_, page=""):
    """The browser path of a round's page (or of one of its sub-pages: ballot, results …)."""
    policy = round_.policy
    path = f"/a/{policy.assembly.slug}/p/{policy.slug}/rounds/{round_.id}"
    return f"{path}/{page}" if page else path


def notify_users(user_ids, kind, message, url, skip=None):
    """Notify each user (but `skip`, usually the actor) with the same message and link."""
    for user_id in user_ids:
        if user_id != skip:
            notify_user(user_id, kind, message, url)


def when_text(value):
    """A deadline as people read it in messages: '2026-12-02 18:00 UTC'."""
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")

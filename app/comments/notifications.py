"""Who gets told what about comments: replies, and lines commented on that changed.

Each notification goes to the user's notifications, and by e-mail at once or in the digest
(app.accounts.notifying decides by its kind). Messages are functions, written in each
recipient's language.
"""
from flask_babel import gettext, ngettext

from ..accounts.models import User
from ..accounts.notifying import notify_user
from ..extensions import db
from .links import amendment_url, earlier_wording_url, thread_url
from .models import Comment


def notify_changed_lines(policy, revision, root_ids):
    """Notify each author of a live comment in these (newly outdated, open) threads once."""
    threads = _open_threads_by_author(root_ids)
    threads.pop(revision.author_id, None)
    url = earlier_wording_url(policy)
    for user in _users(threads):
        n = len(threads[user.id])

        def message(n=n):
            return ngettext(
                "Revision %(number)s of “%(title)s” changed lines you commented on: a comment thread you took "
                "part in now refers to an earlier wording.",
                "Revision %(number)s of “%(title)s” changed lines you commented on: %(num)d comment threads you "
                "took part in now refer to an earlier wording.",
                n, number=revision.number, title=policy.title,
            )

        _notify(user, "comment.outdated", message, url)


def _open_threads_by_author(root_ids):
    """{author id: root ids of these threads where the author has a live comment}, open threads only."""
    rows = db.session.execute(
        db.select(Comment.author_id, Comment.parent_id, Comment.id).filter(
            db.or_(Comment.id.in_(root_ids), Comment.parent_id.in_(root_ids)),
            Comment.deleted.is_(False),
            Comment.resolved.is_(False),
        )
    ).all()
    threads = {}
    for author_id, parent_id, comment_id in rows:
        threads.setdefault(author_id, set()).add(parent_id or comment_id)
    return threads


def notify_reply(reply, target):
    """Tell the author of the thread and of the comment replied to (not the replier)."""
    root = reply.root
    recipients = {c.author_id for c in (root, target) if not c.deleted} - {reply.author_id}
    if not recipients:
        return
    policy = root.policy
    url = amendment_url(policy, root.amendment_id) + f"#comment-{reply.id}" if root.amendment_id else thread_url(root)
    name, title = reply.author.name, policy.title
    amendment = root.amendment.label if root.amendment_id else None

    def message():
        if amendment is not None:
            return gettext("%(name)s replied to your comment on “%(title)s” (amendment %(amendment)s).",
                           name=name, title=title, amendment=amendment)
        return _reply_on_lines(root, name, title)

    for user in _users(recipients):
        _notify(user, "comment.reply", message, url)


def _reply_on_lines(comment, name, title):
    """The reply notification for a line comment ('line 3 of revision 2' or 'lines 3–5 of revision 2')."""
    if comment.line_start == comment.line_end:
        return gettext("%(name)s replied to your comment on “%(title)s” (line %(line)s of revision %(number)s).",
                       name=name, title=title, line=comment.line_start, number=comment.revision_number)
    return gettext("%(name)s replied to your comment on “%(title)s” (lines %(start)s–%(end)s of revision "
                   "%(number)s).", name=name, title=title, start=comment.line_start, end=comment.line_end,
                   number=comment.revision_number)


def _users(ids):
    """The users with these ids, by id."""
    return db.session.execute(db.select(User).filter(User.id.in_(list(ids))).order_by(User.id)).scalars().all()


def _notify(user, kind, message, url):
    """One notification for `user` (mailed now or in the digest, by its kind)."""
    notify_user(user.id, kind, message, url)

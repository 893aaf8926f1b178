"""Comments domain: line comments that follow the text across revisions.

init_app connects re-anchoring (and the "lines you commented on changed" notifications) to
``revision_created`` and makes queued notification e-mail go out after each commit.
"""


def _on_revision_created(sender, policy, old, new, **extra):
    """Place every thread in the new revision and notify the authors whose lines changed."""
    from .services import follow_revision

    follow_revision(policy, old, new)


def comment_html(body):
    """A comment's Markdown as sanitised HTML (raw HTML escaped, links rel=nofollow ugc)."""
    from markupsafe import Markup

    from ..core.mdcomment import render_comment

    return Markup(render_comment(body or ""))


def init_app(app):
    """Connect the signal handler; add the `comment_html` filter and the
    `comment_rights(user, assembly)` and `comment_stances` template globals; a comment's change
    is a change of its policy's page."""
    from ..policies.pagecache import track_policy_changes
    from ..policies.signals import revision_created
    from .models import STANCE_LABELS, Comment, CommentRights

    track_policy_changes(Comment)

    revision_created.connect(_on_revision_created)
    app.jinja_env.filters["comment_html"] = comment_html
    app.jinja_env.globals["comment_rights"] = CommentRights
    app.jinja_env.globals["comment_stances"] = list(STANCE_LABELS.items())

"""Where comments live: the paths of a thread's page and of an amendment's page.

Built with app.core.urls.path_for, so they work outside a request too (signals sent from the
command line, notifications).
"""
from flask import current_app

from ..core.urls import path_for


def thread_url(comment):
    """The path of a comment's thread page."""
    root = comment.root
    policy = root.policy
    return path_for("comments.thread", slug=policy.assembly.slug, policy_slug=policy.slug, comment_id=root.id)


def amendment_url(policy, amendment_id):
    """The path of an amendment's page (the reading view if the amendments pages are absent)."""
    route = {"slug": policy.assembly.slug, "policy_slug": policy.slug}
    if "amendments.show" in current_app.view_functions:
        return path_for("amendments.show", amendment_id=amendment_id, **route)
    return path_for("policies.read", **route)


def earlier_wording_url(policy):
    """The path of the reading view's list of threads on an earlier wording."""
    return path_for("policies.read", slug=policy.assembly.slug, policy_slug=policy.slug, _anchor="earlier-wording")

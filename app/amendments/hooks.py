"""The Amendments tab, and 'Propose an amendment' on the reading view (shown by
app/policies/presenters.py)."""
from flask import url_for
from flask_babel import gettext

from ..core.templating import page_memo
from . import services
from .display import describe_open_counts


def amendments_tab(policy):
    """The Amendments tab on a policy's pages, saying what its amendments are doing:
    'Amendments (2 pending, 3 in vote)', 'Amendments (none open)'…"""
    counts = services.state_counts(policy)
    return [
        {
            "key": "amendments",
            "label": gettext("Amendments (%(counts)s)", counts=describe_open_counts(counts)),
            "url": url_for("amendments.index", slug=policy.assembly.slug, policy_slug=policy.slug),
        }
    ]


def _propose_url(policy):
    """The proposal page of `policy`."""
    return url_for("amendments.propose", slug=policy.assembly.slug, policy_slug=policy.slug)


def _can_amend(policy, revision, user):
    """True when `user` may propose an amendment on `revision` now (only the head; asked once per page)."""
    if revision.number != policy.head_number:
        return False
    key = ("can_propose", policy.id, user.get_id())
    return page_memo(key, lambda: services.can_propose(user, policy))


def propose_action(policy, revision, user):
    """A button to the proposal page (with its line picker), for whoever may propose now."""
    if not _can_amend(policy, revision, user):
        return []
    return [{"key": "amend", "label": gettext("Propose an amendment"), "url": _propose_url(policy)}]


def amend_range_action(policy, revision, user):
    """'Propose an amendment' on a selected range of the head, for whoever may propose now."""
    if not _can_amend(policy, revision, user):
        return []
    query = f"?revision={revision.number}&line_start={{start}}&line_end={{end}}"
    return [{"key": "amend", "label": gettext("Propose an amendment"), "url": _propose_url(policy) + query}]

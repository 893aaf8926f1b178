"""How amendments read on pages, in notifications and in the API: labels, phrases and links."""
from ..core.urls import path_for
from .models import FINAL_STATES

STATE_LABELS = {
    "submitted": "Submitted",
    "needs_rebase": "Needs rebase",
    "withdrawn": "Withdrawn",
    "in_vote": "In the vote",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "merged": "Merged",
    "accepted_not_merged": "Accepted, not merged",
}


OPEN_COUNTS = (("pending", "pending"), ("in_vote", "in vote"))  # (state_counts key, words)


def describe_open_counts(counts):
    """What a policy's amendments are doing, from services.state_counts: '2 pending, 3 in vote',
    '3 in vote'; 'none open' when all are decided or withdrawn, 'none yet' when there are none."""
    parts = [f"{counts[key]} {words}" for key, words in OPEN_COUNTS if counts[key]]
    if parts:
        return ", ".join(parts)
    return "none open" if counts["all"] else "none yet"


def describe_range(line_start, line_end, line_count=None):
    """A human phrase for a range: 'line 3', 'lines 3–5', 'before line 4', 'at the end'."""
    if line_end == line_start - 1:
        if line_count is not None and line_start == line_count + 1:
            return "at the end of the text"
        return f"before line {line_start}"
    if line_start == line_end:
        return f"line {line_start}"
    return f"lines {line_start}–{line_end}"


def describe_change(amendment, line_count=None):
    """What an amendment does, e.g. 'Replace lines 3–4', 'Insert before line 2', 'Delete line 5'."""
    verb = {"insert": "Insert", "delete": "Delete", "replace": "Replace"}[amendment.kind]
    return f"{verb} {describe_range(amendment.line_start, amendment.line_end, line_count)}"


def describe_outcome(amendment):
    """What became of an amendment, in one sentence."""
    if amendment.outcome:
        return amendment.outcome
    state = amendment.state
    if state in ("accepted", "merged") and amendment.merged_into:
        return f"Accepted and merged into revision {amendment.merged_into}."
    return {
        "submitted": "Awaiting a decision.",
        "needs_rebase": "The lines it changes were edited; its author needs to update it.",
        "in_vote": "Being decided in the current round's vote.",
        "accepted": "Accepted.",
        "rejected": "Rejected.",
        "merged": "Accepted and merged.",
        "withdrawn": "Withdrawn by its author.",
        "accepted_not_merged": "Accepted by the vote, but it could not be applied to the current text; "
                               "a facilitator needs to apply it by hand.",
    }[state]


def final_outcome(amendment):
    """The outcome once an amendment is decided or withdrawn; until then its stored note or None."""
    if amendment.state in FINAL_STATES:
        return describe_outcome(amendment)
    return amendment.outcome or None


def amendment_url(amendment):
    """The path of the amendment's page in the browser (also outside a request)."""
    policy = amendment.policy
    return path_for("amendments.show", slug=policy.assembly.slug, policy_slug=policy.slug, amendment_id=amendment.id)


def join_words(words):
    """'A1', 'A1 and A2', 'A1, A2 and A3'."""
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]

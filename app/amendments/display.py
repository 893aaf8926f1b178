"""How amendments read on pages, in notifications and in the API: labels, phrases and links."""
from flask_babel import gettext, lazy_gettext, ngettext, pgettext

from ..core.urls import path_for
from .models import FINAL_STATES

STATE_LABELS = {
    "submitted": lazy_gettext("Submitted"),
    "needs_rebase": lazy_gettext("Needs rebase"),
    "withdrawn": lazy_gettext("Withdrawn"),
    "in_vote": lazy_gettext("In the vote"),
    "accepted": lazy_gettext("Accepted"),
    "rejected": lazy_gettext("Rejected"),
    "merged": lazy_gettext("Merged"),
    "accepted_not_merged": lazy_gettext("Accepted, not merged"),
}

#: the note stored on an amendment its author withdrew (shown in the reader's language)
WITHDRAWN_NOTE = "Withdrawn by its author."


def _open_count(key, number):
    if key == "pending":
        return ngettext("%(num)d pending", "%(num)d pending", number)
    return ngettext("%(num)d in vote", "%(num)d in vote", number)


OPEN_COUNTS = ("pending", "in_vote")  # state_counts keys


def describe_open_counts(counts):
    """What a policy's amendments are doing, from services.state_counts: '2 pending, 3 in vote',
    '3 in vote'; 'none open' when all are decided or withdrawn, 'none yet' when there are none."""
    parts = [_open_count(key, counts[key]) for key in OPEN_COUNTS if counts[key]]
    if len(parts) == 2:
        return gettext("%(pending)s, %(in_vote)s", pending=parts[0], in_vote=parts[1])
    if parts:
        return parts[0]
    return gettext("none open") if counts["all"] else gettext("none yet")


def describe_range(line_start, line_end, line_count=None):
    """A human phrase for a range: 'line 3', 'lines 3–5', 'before line 4', 'at the end'."""
    if line_end == line_start - 1:
        if line_count is not None and line_start == line_count + 1:
            return gettext("at the end of the text")
        return gettext("before line %(number)s", number=line_start)
    if line_start == line_end:
        return gettext("line %(number)s", number=line_start)
    return pgettext("in a sentence", "lines %(start)s–%(end)s", start=line_start, end=line_end)


def describe_change(amendment, line_count=None):
    """What an amendment does, e.g. 'Replace lines 3–4', 'Insert before line 2', 'Delete line 5'."""
    start, end = amendment.line_start, amendment.line_end
    if end == start - 1:
        if line_count is not None and start == line_count + 1:
            return gettext("Insert at the end of the text")
        return gettext("Insert before line %(number)s", number=start)
    single = start == end
    if amendment.kind == "delete":
        if single:
            return gettext("Delete line %(number)s", number=start)
        return gettext("Delete lines %(start)s–%(end)s", start=start, end=end)
    if single:
        return gettext("Replace line %(number)s", number=start)
    return gettext("Replace lines %(start)s–%(end)s", start=start, end=end)


#: Functions that write an outcome note ({"key": …, values}) in the reader's language, or return
#: None for a key they do not know: registered by the domains that write notes (rounds, which
#: comes after amendments and so cannot be imported from here).
NOTE_WRITERS = []


def register_note_writer(writer):
    """Add `writer(note)` to :data:`NOTE_WRITERS` (once)."""
    if writer not in NOTE_WRITERS:
        NOTE_WRITERS.append(writer)


def note_words(note):
    """The outcome note in the reader's language, or None when no writer knows it."""
    if not note:
        return None
    for writer in NOTE_WRITERS:
        text = writer(note)
        if text:
            return text
    return None


def stored_outcome(amendment):
    """The amendment's stored outcome: its note in the reader's language when it has one, else its
    text as stored (in the language spoken when it was written); "" when there is none."""
    return note_words(amendment.outcome_note) or amendment.outcome or ""


def describe_outcome(amendment):
    """What became of an amendment, in one sentence."""
    state = amendment.state
    written = note_words(amendment.outcome_note)
    if written:
        return written
    if amendment.outcome and not (state == "withdrawn" and amendment.outcome == WITHDRAWN_NOTE):
        return amendment.outcome
    if state in ("accepted", "merged") and amendment.merged_into:
        return gettext("Accepted and merged into revision %(number)s.", number=amendment.merged_into)
    if state == "submitted":
        return gettext("Awaiting a decision.")
    if state == "needs_rebase":
        return gettext("The lines it changes were edited; its author needs to update it.")
    if state == "in_vote":
        return gettext("Being decided in the current round's vote.")
    if state == "accepted":
        return gettext("Accepted.")
    if state == "rejected":
        return gettext("Rejected.")
    if state == "merged":
        return gettext("Accepted and merged.")
    if state == "withdrawn":
        return gettext("Withdrawn by its author.")
    if state == "accepted_not_merged":
        return gettext("Accepted by the vote, but it could not be applied to the current text; "
                       "a facilitator needs to apply it by hand.")
    raise KeyError(state)


def final_outcome(amendment):
    """The outcome once an amendment is decided or withdrawn; until then its stored note or None."""
    if amendment.state in FINAL_STATES:
        return describe_outcome(amendment)
    return stored_outcome(amendment) or None


def amendment_url(amendment):
    """The path of the amendment's page in the browser (also outside a request)."""
    policy = amendment.policy
    return path_for("amendments.show", slug=policy.assembly.slug, policy_slug=policy.slug, amendment_id=amendment.id)


def join_words(words):
    """'A1', 'A1 and A2', 'A1, A2 and A3' (in the language spoken now)."""
    words = list(words)
    if len(words) == 1:
        return words[0]
    return gettext("%(items)s and %(last)s", items=", ".join(words[:-1]), last=words[-1])

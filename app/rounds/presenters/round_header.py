"""The round's header: its phase, timeline, countdown and what the viewer may do."""
from ...core.timeutil import utcnow
from .. import services
from ..models import OPEN_PHASES
from .rules import rules_facts, rules_text
from .words import describe_duration, percent, phase_words, round_title


def timeline(round_, now=None):
    """The phases in order, each {key, label, allows, ends, state} with state done/current/upcoming.

    A cancelled round lists its phases as 'not reached' after the cancellation and ends with
    a 'cancelled' step.
    """
    now = now or utcnow()
    order = ["amending", "deliberating", "voting", "closed"]
    ends = [round_.amending_until, round_.deliberating_until, round_.voting_until, None]
    if round_.kind == "adoption":  # no amending phase
        order, ends = order[1:], ends[1:]
    current = order.index(round_.phase) if round_.phase in order else None
    steps = []
    for index, (key, end) in enumerate(zip(order, ends)):
        if current is None:
            state = "done" if round_.cancelled_at and end and end <= round_.cancelled_at else "skipped"
            if key == "closed":
                continue
        else:
            state = "done" if index < current else "current" if index == current else "upcoming"
        label, allows = phase_words(round_, key)
        steps.append({"key": key, "label": label, "allows": allows, "ends": end, "state": state})
    if current is None:
        label, allows = phase_words(round_, "cancelled")
        steps.append({"key": "cancelled", "label": label, "allows": allows, "ends": None, "state": "current"})
    return steps


def round_view(round_, user):
    """Everything the round's header shows: phase, timeline, countdown, rules, what the viewer may do."""
    now = utcnow()
    deadline = services.next_deadline(round_)
    label, allows = phase_words(round_)
    return {
        "title": round_title(round_),
        "phase_label": label,
        "allows": allows,
        "timeline": timeline(round_, now),
        "deadline": deadline,
        "countdown": describe_duration(deadline - now) if deadline else None,
        "rules": rules_text(round_),
        "facts": rules_facts(round_),
        "voters": services.voter_count(round_),
        "is_elector": round_.is_elector(user),
        "has_voted": round_.has_voted(user),
        "can_facilitate": round_.can_facilitate(user),
        "in_progress": round_.phase in OPEN_PHASES,
        "threshold": percent(round_.threshold),
        "quorum": percent(round_.quorum),
    }

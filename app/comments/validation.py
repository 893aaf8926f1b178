"""Checks of what is written in a comment: its body, stance, revision, lines and parent.

Each check adds a message to `errors` (field name → message) rather than raising, so one
answer names every field that needs attention (raise_if_errors).
"""
from flask import current_app

from ..core import textlines
from ..core.errors import ValidationError
from ..extensions import db
from ..policies.models import Revision
from .models import STANCES, Comment


def is_int(value):
    """True for a whole number (bool excluded), as ids and line numbers must be."""
    return isinstance(value, int) and not isinstance(value, bool)


def size_text(size):
    """A size in bytes as people read it: 23961 → '23.4 KB', 20480 → '20 KB' (1 KB = 1024 bytes)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{size / 1024:.1f}".removesuffix(".0") + " KB"


def validate_body(body, errors):
    """The body normalised (see textlines.normalize_body); notes an empty or oversized one."""
    if not isinstance(body, str) or not body.strip():
        errors["body"] = "Write something: the comment is empty."
        return ""
    limit = current_app.config["MAX_COMMENT_BYTES"]
    size = len(body.encode("utf-8"))
    if size > limit:
        errors["body"] = (f"This comment is {size_text(size)}; the limit is {size_text(limit)}. "
                          "Shorten it or split it into several comments.")
    return textlines.normalize_body(body).rstrip("\n")


def validate_stance(stance, errors):
    """The stance ('comment' when empty); notes one that is not in STANCES."""
    stance = stance or "comment"
    if stance not in STANCES:
        errors["stance"] = "Choose a stance: " + ", ".join(STANCES) + "."
    return stance


def raise_if_errors(errors):
    """422 naming the fields when some check noted a problem."""
    if errors:
        raise ValidationError("Some fields need attention.", fields=errors)


def revision_for(policy, number, errors):
    """Revision `number` of the policy, or None (noted) when there is no such revision."""
    if not is_int(number) or not 1 <= number <= policy.head_number:
        errors["revision"] = f"Revision is a number from 1 to {policy.head_number}."
        return None
    return db.session.execute(db.select(Revision).filter_by(policy_id=policy.id, number=number)).scalar_one()


def check_range(revision, line_start, line_end, errors):
    """Check 1 <= line_start <= line_end <= n and that the lines are not all blank."""
    lines = textlines.split_lines(revision.body)
    if not is_int(line_start) or not 1 <= line_start <= len(lines):
        errors["line_start"] = f"The first line must be between 1 and {len(lines)} (revision {revision.number})."
    if not is_int(line_end) or not 1 <= line_end <= len(lines):
        errors["line_end"] = f"The last line must be between 1 and {len(lines)} (revision {revision.number})."
    elif is_int(line_start) and line_end < line_start:
        errors["line_end"] = "The last line cannot come before the first."
    if not errors.keys() & {"line_start", "line_end"}:
        if not any(line.strip() for line in lines[line_start - 1 : line_end]):
            errors["line_start"] = blank_range_message(line_start, line_end, revision.number)


def blank_range_message(line_start, line_end, revision_number):
    """Why a range of only blank lines (the gaps between paragraphs) cannot be commented on."""
    which = f"Line {line_start} is" if line_start == line_end else f"Lines {line_start}–{line_end} are"
    return (f"{which} blank in revision {revision_number} (the space between paragraphs): "
            "choose a line with text.")


def parent_in(policy, parent_id, amendment_id, errors):
    """The comment `parent_id` of this policy (and amendment) to reply to, or None (noted)."""
    parent = db.session.get(Comment, parent_id) if is_int(parent_id) else None
    if parent is None or parent.policy_id != policy.id or parent.amendment_id != amendment_id:
        where = "this amendment" if amendment_id else "this policy"
        errors["parent_id"] = f"There is no comment {parent_id!r} on {where} to reply to."
        return None
    return parent

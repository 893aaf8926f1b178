"""Checks of what is written in a comment: its body, stance, revision, lines and parent.

Each check adds a message to `errors` (field name → message) rather than raising, so one
answer names every field that needs attention (raise_if_errors).
"""
from flask import current_app
from flask_babel import format_decimal, gettext

from ..core import textlines
from ..core.errors import ValidationError
from ..extensions import db
from ..policies.models import Revision
from .models import STANCES, Comment


def is_int(value):
    """True for a whole number (bool excluded), as ids and line numbers must be."""
    return isinstance(value, int) and not isinstance(value, bool)


def size_text(size):
    """A size in bytes as people read it: 23961 → '23.4 KB', 20480 → '20 KB' (1 KB = 1024 bytes),
    with the language's decimal sign."""
    if size >= 1024 * 1024:
        return gettext("%(size)s MB", size=_one_decimal(size / (1024 * 1024)))
    return gettext("%(size)s KB", size=_one_decimal(size / 1024))


def _one_decimal(value):
    """A number rounded to one decimal, without a trailing '.0' (nor grouping): 23.4, 20."""
    return format_decimal(round(value, 1), format="0.#")


def validate_body(body, errors):
    """The body normalised (see textlines.normalize_body); notes an empty or oversized one."""
    if not isinstance(body, str) or not body.strip():
        errors["body"] = gettext("Write something: the comment is empty.")
        return ""
    limit = current_app.config["MAX_COMMENT_BYTES"]
    size = len(body.encode("utf-8"))
    if size > limit:
        errors["body"] = gettext(
            "This comment is %(size)s; the limit is %(limit)s. Shorten it or split it into several comments.",
            size=size_text(size), limit=size_text(limit),
        )
    return textlines.normalize_body(body).rstrip("\n")


def validate_stance(stance, errors):
    """The stance ('comment' when empty); notes one that is not in STANCES."""
    stance = stance or "comment"
    if stance not in STANCES:
        errors["stance"] = gettext("Choose a stance: %(stances)s.", stances=", ".join(STANCES))
    return stance


def raise_if_errors(errors):
    """422 naming the fields when some check noted a problem."""
    if errors:
        raise ValidationError(gettext("Some fields need attention."), fields=errors)


def revision_for(policy, number, errors):
    """Revision `number` of the policy, or None (noted) when there is no such revision."""
    if not is_int(number) or not 1 <= number <= policy.head_number:
        errors["revision"] = gettext("Revision is a number from 1 to %(last)s.", last=policy.head_number)
        return None
    return db.session.execute(db.select(Revision).filter_by(policy_id=policy.id, number=number)).scalar_one()


def check_range(revision, line_start, line_end, errors):
    """Check 1 <= line_start <= line_end <= n and that the lines are not all blank."""
    lines = textlines.split_lines(revision.body)
    if not is_int(line_start) or not 1 <= line_start <= len(lines):
        errors["line_start"] = gettext("The first line must be between 1 and %(last)s (revision %(number)s).",
                                       last=len(lines), number=revision.number)
    if not is_int(line_end) or not 1 <= line_end <= len(lines):
        errors["line_end"] = gettext("The last line must be between 1 and %(last)s (revision %(number)s).",
                                     last=len(lines), number=revision.number)
    elif is_int(line_start) and line_end < line_start:
        errors["line_end"] = gettext("The last line cannot come before the first.")
    if not errors.keys() & {"line_start", "line_end"}:
        if not any(line.strip() for line in lines[line_start - 1 : line_end]):
            errors["line_start"] = blank_range_message(line_start, line_end, revision.number)


def blank_range_message(line_start, line_end, revision_number):
    """Why a range of only blank lines (the gaps between paragraphs) cannot be commented on."""
    if line_start == line_end:
        return gettext("Line %(line)s is blank in revision %(number)s (the space between paragraphs): "
                       "choose a line with text.", line=line_start, number=revision_number)
    return gettext("Lines %(start)s–%(end)s are blank in revision %(number)s (the space between paragraphs): "
                   "choose a line with text.", start=line_start, end=line_end, number=revision_number)


def parent_in(policy, parent_id, amendment_id, errors):
    """The comment `parent_id` of this policy (and amendment) to reply to, or None (noted)."""
    parent = db.session.get(Comment, parent_id) if is_int(parent_id) else None
    if parent is None or parent.policy_id != policy.id or parent.amendment_id != amendment_id:
        if amendment_id:
            errors["parent_id"] = gettext("There is no comment %(id)s on this amendment to reply to.",
                                          id=repr(parent_id))
        else:
            errors["parent_id"] = gettext("There is no comment %(id)s on this policy to reply to.", id=repr(parent_id))
        return None
    return parent

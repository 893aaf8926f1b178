"""Checks of a proposed amendment's fields: its range, new text, rationale and short title."""
from flask import current_app
from flask_babel import gettext, lazy_gettext

from ..core import textlines
from ..comments.validation import size_text
from ..core.errors import ValidationError
from ..core.templating import format_number
from ..policies.services import get_revision
from .models import MAX_TITLE_CHARS
from .text import lines_of, text_of_lines

MAX_RATIONALE_CHARS = 10_000
NUL_MESSAGE = lazy_gettext("The text contains a NUL character (\\0), which cannot be stored: remove it.")


def range_errors(line_start, line_end, line_count, lines=None):
    """Field messages for a range of a text of `line_count` lines (empty when valid).

    With `lines` (the text's lines), a range to replace or delete that holds only blank lines
    (the gaps between paragraphs) is refused too; an insertion point next to one is fine.
    """
    errors = {}
    for name, value in (("line_start", line_start), ("line_end", line_end)):
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = gettext("Give a line number.")
    if errors:
        return errors
    message = gettext(
        "This revision has lines 1 to %(count)s: choose lines inside them, or line %(next)s to add lines at the end.",
        count=line_count, next=line_count + 1,
    )
    if line_start < 1 or line_start > line_count + 1:
        errors["line_start"] = message
    elif line_end > line_count or line_end < line_start - 1:
        errors["line_end"] = message if line_end > line_count else gettext("The last line cannot come before the first.")
    elif lines is not None and line_end >= line_start and not any(text.strip() for text in lines[line_start - 1 : line_end]):
        if line_start == line_end:
            errors["line_start"] = gettext(
                "Line %(number)s is blank in the current text (the space between paragraphs): choose lines "
                "with text to change, or insert new lines before a line.", number=line_start)
        else:
            errors["line_start"] = gettext(
                "Lines %(start)s–%(end)s are blank in the current text (the space between paragraphs): choose "
                "lines with text to change, or insert new lines before a line.", start=line_start, end=line_end)
    return errors


def replacement_error(replacement, original_lines=None, is_insertion=False):
    """The message about a replacement text, or None when it is acceptable.

    Without `original_lines` (range unknown or invalid) only the type and size are checked.
    """
    limit = current_app.config["MAX_REPLACEMENT_BYTES"]
    if not isinstance(replacement, str):
        return gettext("The new text must be text.")
    size = len(replacement.encode("utf-8"))
    if size > limit:
        return gettext("The new text is %(size)s; the limit is %(limit)s.", size=size_text(size), limit=size_text(limit))
    if "\x00" in replacement:
        return str(NUL_MESSAGE)
    if original_lines is None:
        return None
    new_lines = textlines.split_lines(replacement)
    if is_insertion and not new_lines:
        return gettext("Type the lines to insert.")
    if new_lines == original_lines:
        return gettext("The new text is the same as the current text: change something.")
    return None


def _rationale_error(rationale):
    """The message about a rationale, or None when it is acceptable."""
    if not isinstance(rationale, str) or not rationale.strip():
        return gettext("Explain why: a rationale is required.")
    if len(rationale) > MAX_RATIONALE_CHARS:
        return gettext("Keep the rationale under %(limit)s characters.", limit=format_number(MAX_RATIONALE_CHARS))
    if "\x00" in rationale:
        return str(NUL_MESSAGE)
    return None


def normalise_title(title):
    """A short title with its whitespace tidied (one line, single spaces); None stays None."""
    return " ".join(title.split()) if isinstance(title, str) else title


def _title_error(title):
    """The message about a short title (already normalised), or None when it is acceptable."""
    if not isinstance(title, str):
        return gettext("The short title must be text.")
    if len(title) > MAX_TITLE_CHARS:
        return gettext("Keep the short title to %(limit)s characters or fewer (it has %(count)s).", limit=MAX_TITLE_CHARS, count=len(title))
    if "\x00" in title:
        return str(NUL_MESSAGE)
    return None


def raise_if_any(errors):
    """A ValidationError naming every field of `errors` that has a message; nothing when none has."""
    errors = {name: message for name, message in errors.items() if message}
    if errors:
        raise ValidationError(gettext("Some fields need attention."), fields=errors)


def validate_amendment(base, line_start, line_end, replacement, rationale, title=""):
    """Check a proposal against its base revision; returns (original, replacement) normalised.

    `title` is the normalised short title (see normalise_title). Raises ValidationError naming
    every field that needs attention.
    """
    base_lines = textlines.split_lines(base.body)
    errors = range_errors(line_start, line_end, len(base_lines), base_lines)
    original_lines = None if errors else lines_of(base.body, line_start, line_end)
    is_insertion = not errors and line_end == line_start - 1
    errors["replacement"] = replacement_error(replacement, original_lines, is_insertion)
    errors["rationale"] = _rationale_error(rationale)
    errors["title"] = _title_error(title)
    raise_if_any(errors)
    return text_of_lines(original_lines), text_of_lines(textlines.split_lines(replacement))


def revision_of(policy, revision_number):
    """Revision `revision_number` of the policy; 422 naming the field when there is none."""
    if isinstance(revision_number, bool) or not isinstance(revision_number, int) or not (
        1 <= revision_number <= policy.head_number
    ):
        raise ValidationError.field("revision", gettext("Choose a revision from 1 to %(head)s.", head=policy.head_number))
    return get_revision(policy, revision_number)

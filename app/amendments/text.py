"""The text of an amendment: its lines, its diff against the base, and applying amendments."""
from dataclasses import replace as replace_row

from ..core import diffing, textchanges, textlines


def text_of_lines(lines):
    """The text of a list of lines, exactly invertible by textlines.split_lines.

    Lines are joined with newlines; a final empty line gets its own newline so that it survives
    (``["a", ""]`` is ``"a\\n\\n"``, while ``"a\\n"`` would read back as ``["a"]``).
    """
    text = "\n".join(lines)
    return text + "\n" if lines and lines[-1] == "" else text


def lines_of(body, line_start, line_end):
    """Lines line_start..line_end of a body as a list (empty for an insertion point)."""
    return textlines.split_lines(body)[line_start - 1 : line_end]


def apply_amendments(body, amendments):
    """The body with non-rival amendments applied; a pure function of its arguments.

    Every amendment must be against `body` (one base revision): ValueError when their
    `base_number`s differ or a range lies outside the body, textchanges.OverlapError when two are
    rivals. The order of `amendments` does not matter (see textchanges.apply_changes).
    """
    amendments = list(amendments)
    if len({a.base_number for a in amendments}) > 1:
        raise ValueError("amendments on different base revisions cannot be applied together")
    changes = [textchanges.Change(a.line_start, a.line_end, a.replacement) for a in amendments]
    return textchanges.apply_changes(body, changes)


def diff_rows(base_body, line_start, line_end, replacement, context=1):
    """Side-by-side rows of a change with `context` unchanged lines around it.

    Line numbers are those of the base revision (left) and of the amended text (right).
    """
    lines = textlines.split_lines(base_body)
    low = max(line_start - 1 - context, 0)
    high = min(line_end + context, len(lines))
    before = lines[low:high]
    after = lines[low : line_start - 1] + textlines.split_lines(replacement) + lines[line_end:high]
    rows = diffing.side_by_side(textlines.join_lines(before), textlines.join_lines(after))
    return [
        replace_row(
            row,
            old_no=None if row.old_no is None else row.old_no + low,
            new_no=None if row.new_no is None else row.new_no + low,
        )
        for row in rows
    ]


def unified_diff_of(amendment):
    """The unified diff original → replacement of an amendment."""
    where = f"revision {amendment.base_number}, lines {amendment.line_start}-{amendment.line_end}"
    return diffing.unified_diff(
        amendment.original, amendment.replacement, f"{where} (current)", f"{where} ({amendment.code})"
    )

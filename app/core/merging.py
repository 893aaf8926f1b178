"""Three-way merge of policy texts, line by line (merge3).

merge3 reports *adjacent* edits (with no unchanged line between them) as a
conflict, so it is stricter than the rival rule of :mod:`.textchanges`.
"""

from __future__ import annotations

from dataclasses import dataclass

import merge3

from .textlines import join_lines, line_matcher, normalize_body, split_lines

__all__ = ["MergeResult", "three_way_merge"]


@dataclass(frozen=True)
class MergeResult:
    """Result of :func:`three_way_merge`; ``conflicts`` counts conflict blocks."""

    clean: bool
    text: str
    conflicts: int


def _conflict_lines(group: tuple, ours_label: str, theirs_label: str) -> list[str]:
    """A merge3 conflict group written with ``<<<<<<<``/``=======``/``>>>>>>>`` markers."""
    return [
        f"<<<<<<< {ours_label}".rstrip(),
        *group[2],
        "=======",
        *group[3],
        f">>>>>>> {theirs_label}".rstrip(),
    ]


def three_way_merge(
    base: str,
    ours: str,
    theirs: str,
    ours_label: str = "your edit",
    theirs_label: str = "current revision",
) -> MergeResult:
    """Merge the changes ``base -> ours`` and ``base -> theirs`` line by line (merge3).

    Identical changes on both sides merge cleanly.  Each conflict is written
    as ``<<<<<<< {ours_label}`` / our lines / ``=======`` / their lines /
    ``>>>>>>> {theirs_label}``.  The three inputs are normalised first (so
    stray trailing blank lines never conflict) and so is the result.
    """
    base_lines, our_lines, their_lines = (split_lines(normalize_body(t)) for t in (base, ours, theirs))
    merger = merge3.Merge3(base_lines, our_lines, their_lines, sequence_matcher=line_matcher)
    out: list[str] = []
    conflicts = 0
    for group in merger.merge_groups():
        if group[0] == "conflict":
            conflicts += 1
            out.extend(_conflict_lines(group, ours_label, theirs_label))
        else:
            out.extend(group[1])
    return MergeResult(clean=conflicts == 0, text=normalize_body(join_lines(out)), conflicts=conflicts)

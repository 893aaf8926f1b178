"""Tests for the text modules of app.core (textlines, linemaps, textchanges, merging, diffing,
worddiff): the text layer comments and amendments rest on."""

from __future__ import annotations

import dataclasses
import difflib
import random
import re
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:  # run without conftest or packaging: make `app` importable
    sys.path.insert(0, _ROOT)

from app.core.diffing import Row, diff_hunks, side_by_side, unified_diff  # noqa: E402
from app.core.linemaps import LineMap, line_map, map_range, matching_blocks, rebase_range, remap_anchor  # noqa: E402
from app.core.merging import MergeResult, three_way_merge  # noqa: E402
from app.core.textchanges import (  # noqa: E402
    Change,
    OverlapError,
    apply_changes,
    ranges_conflict,
    rebase_change,
)
from app.core.textlines import count_lines, join_lines, normalize_body, quote_of, split_lines  # noqa: E402
from app.core.worddiff import word_diff  # noqa: E402

settings.register_profile("textops", deadline=None, max_examples=150)
settings.load_profile("textops")

BASE = join_lines(f"Sentence {i}." for i in range(1, 7))  # 6 distinct lines


def body(*lines: str) -> str:
    return join_lines(lines)


def lines_of(text: str) -> list[str]:
    return split_lines(text)


# --------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------

# A small alphabet so that duplicate lines (the hard case for alignment) are common.
dup_lines = st.lists(st.sampled_from(["a", "b", "c", "d", "", "# h"]), max_size=12)


@st.composite
def edited(draw, lines_strategy=dup_lines):
    """(old_lines, new_lines) where new is old after a few random line edits."""
    old = draw(lines_strategy)
    new = list(old)
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        if kind == "insert" or not new:
            pos = draw(st.integers(0, len(new)))
            new[pos:pos] = draw(st.lists(st.sampled_from(["a", "b", "x", "y", ""]), min_size=1, max_size=3))
            continue
        start = draw(st.integers(0, len(new) - 1))
        stop = draw(st.integers(start + 1, min(len(new), start + 3)))
        if kind == "delete":
            del new[start:stop]
        else:
            new[start:stop] = draw(st.lists(st.sampled_from(["a", "c", "x", "z"]), min_size=1, max_size=3))
    return old, new


@st.composite
def unique_body(draw, min_size=0, max_size=10):
    n = draw(st.integers(min_size, max_size))
    return [f"old {i}" for i in range(1, n + 1)]


@st.composite
def change_in(draw, n, tag="new", allow_empty=True):
    """One valid Change of an n-line text whose replacement lines are fresh."""
    start = draw(st.integers(1, n + 1))
    end = draw(st.integers(start - 1, n))
    min_size = 1 if end == start - 1 or not allow_empty else 0
    size = draw(st.integers(min_size, 3))
    return Change(start, end, join_lines(f"{tag} {start}.{k}" for k in range(size)))


@st.composite
def non_overlapping_changes(draw, n):
    """A list of mutually non-rival changes of an n-line text (fresh replacement lines)."""
    changes, pos, inserted_here = [], 1, False
    while pos <= n + 1:
        action = draw(st.sampled_from(["skip", "insert", "replace"]))
        if action == "insert" and not inserted_here:
            size = draw(st.integers(0, 2))
            changes.append(Change(pos, pos - 1, join_lines(f"ins {pos}.{k}" for k in range(size))))
            inserted_here = True
        elif action == "replace" and pos <= n:
            end = draw(st.integers(pos, min(n, pos + 2)))
            size = draw(st.integers(0, 3))
            changes.append(Change(pos, end, join_lines(f"rep {pos}.{k}" for k in range(size))))
            pos, inserted_here = end + 1, False
        else:
            pos, inserted_here = pos + 1, False
    return changes


def reference_apply(lines: list[str], changes: list[Change]) -> list[str]:
    """Top-down oracle for apply_changes, independent of its bottom-up implementation."""
    inserts = {c.line_start: c for c in changes if c.is_insertion}
    replaces = {c.line_start: c for c in changes if not c.is_insertion}
    out, k = [], 1
    while k <= len(lines) + 1:
        if k in inserts:
            out += split_lines(inserts[k].replacement)
        if k in replaces:
            out += split_lines(replaces[k].replacement)
            k = replaces[k].line_end + 1
            continue
        if k <= len(lines):
            out.append(lines[k - 1])
        k += 1
    return out


# --------------------------------------------------------------------------
# Lines
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("", ""),
        ("a", "a\n"),
        ("a\n", "a\n"),
        ("a\n\n\n", "a\n"),
        ("a\r\nb\r\n", "a\nb\n"),
        ("a\rb", "a\nb\n"),
        ("a  \n\tb ", "a  \n\tb \n"),  # lines kept as typed
        ("\n\n", ""),
        ("\na\n\nb\n", "\na\n\nb\n"),  # inner and leading blank lines kept
        (" ", " \n"),
    ],
)
def test_normalize_body(raw, expected):
    assert normalize_body(raw) == expected


@given(st.text())
def test_normalize_body_is_idempotent(text):
    once = normalize_body(text)
    assert normalize_body(once) == once
    assert "\r" not in once
    assert once == "" or (once.endswith("\n") and not once.endswith("\n\n"))


@pytest.mark.parametrize(
    "text, lines",
    [("", []), ("a", ["a"]), ("a\n", ["a"]), ("\n", [""]), ("a\n\nb\n", ["a", "", "b"]), ("a\r\nb", ["a", "b"])],
)
def test_split_lines(text, lines):
    assert split_lines(text) == lines
    assert count_lines(text) == len(lines)


def test_split_lines_ignores_other_unicode_separators():
    assert split_lines("a\u2028b\x0cc\n") == ["a\u2028b\x0cc"]


@given(st.lists(st.text().map(lambda s: s.replace("\n", "").replace("\r", ""))))
def test_split_lines_inverts_join_lines(lines):
    assert split_lines(join_lines(lines)) == lines


@given(st.text())
def test_join_lines_inverts_split_lines_on_normalised_bodies(text):
    normal = normalize_body(text)
    assert join_lines(split_lines(normal)) == normal


def test_quote_of():
    assert quote_of(BASE, 2, 3) == "Sentence 2.\nSentence 3."
    assert quote_of(BASE, 6, 6) == "Sentence 6."
    assert quote_of(BASE, 4, 3) == ""
    assert quote_of(BASE, 7, 6) == ""
    assert quote_of("", 1, 0) == ""


@pytest.mark.parametrize("start, end", [(0, 1), (0, -1), (3, 1), (7, 7), (6, 7), (8, 7), (2, 9)])
def test_quote_of_rejects_bad_ranges(start, end):
    with pytest.raises(ValueError):
        quote_of(BASE, start, end)


# --------------------------------------------------------------------------
# Anchors: unit tests
# --------------------------------------------------------------------------


def edit(lines_or_body, i, new_line):
    lines = lines_of(lines_or_body)
    lines[i - 1] = new_line
    return join_lines(lines)


def insert(text, before, *new):
    lines = lines_of(text)
    lines[before - 1 : before - 1] = new
    return join_lines(lines)


def delete(text, start, end):
    lines = lines_of(text)
    del lines[start - 1 : end]
    return join_lines(lines)


def test_identical_texts_give_identity_map():
    mapping = line_map(BASE, BASE)
    assert mapping == {i: i for i in range(1, 7)}
    assert isinstance(mapping, LineMap) and (mapping.old_count, mapping.new_count) == (6, 6)
    for s in range(1, 8):
        for e in range(s - 1, 7):
            assert remap_anchor(BASE, BASE, s, e) == (s, e)


def test_insert_above_shifts_range_down():
    new = insert(BASE, 1, "New first.", "New second.")
    assert remap_anchor(BASE, new, 3, 4) == (5, 6)
    assert remap_anchor(BASE, new, 1, 6) == (3, 8)
    assert remap_anchor(BASE, new, 1, 0) is None  # but the start point had a rival insertion


def test_insert_inside_outdates_range():
    new = insert(BASE, 4, "Wedged in.")
    assert remap_anchor(BASE, new, 3, 4) is None
    assert remap_anchor(BASE, new, 2, 5) is None
    assert remap_anchor(BASE, new, 3, 3) == (3, 3)  # the edges themselves survive
    assert remap_anchor(BASE, new, 4, 5) == (5, 6)


def test_delete_above_shifts_range_up():
    new = delete(BASE, 1, 2)
    assert remap_anchor(BASE, new, 3, 4) == (1, 2)
    assert remap_anchor(BASE, new, 6, 6) == (4, 4)


def test_delete_inside_outdates_range():
    new = delete(BASE, 4, 4)
    assert remap_anchor(BASE, new, 3, 5) is None
    assert remap_anchor(BASE, new, 4, 4) is None
    assert remap_anchor(BASE, new, 5, 6) == (4, 5)


def test_edit_inside_outdates_range():
    new = edit(BASE, 4, "Sentence 4, amended.")
    assert remap_anchor(BASE, new, 3, 5) is None
    assert remap_anchor(BASE, new, 4, 4) is None


def test_whitespace_edit_counts_as_edit():
    assert remap_anchor(BASE, edit(BASE, 4, "Sentence 4. "), 4, 4) is None


def test_edit_elsewhere_keeps_range():
    assert remap_anchor(BASE, edit(BASE, 1, "Changed."), 3, 5) == (3, 5)
    assert remap_anchor(BASE, edit(BASE, 6, "Changed."), 3, 5) == (3, 5)
    assert remap_anchor(BASE, edit(BASE, 2, "Changed."), 3, 5) == (3, 5)  # adjacent edit


def test_moved_block_respects_invariant():
    old = lines_of(BASE)
    new = [old[0]] + old[3:] + old[1:3]  # move lines 2-3 to the end
    new_body = join_lines(new)
    mapping = line_map(BASE, new_body)
    assert list(mapping.values()) == sorted(mapping.values())  # alignment is monotone
    for s in range(1, 7):
        for e in range(s, 7):
            moved = remap_anchor(BASE, new_body, s, e)
            if moved is not None:
                assert quote_of(new_body, *moved) == quote_of(BASE, s, e)
    # Lines 1 and 2 are no longer adjacent, whatever difflib aligned.
    assert remap_anchor(BASE, new_body, 1, 2) is None
    assert remap_anchor(BASE, new_body, 3, 4) is None


def test_rewrite_of_everything_outdates_all():
    new = join_lines(f"Other {i}." for i in range(1, 9))
    assert line_map(BASE, new) == {}
    for s in range(1, 8):
        for e in range(s - 1, 7):
            assert remap_anchor(BASE, new, s, e) is None


def test_empty_texts():
    assert line_map("", "") == {}
    assert remap_anchor("", "", 1, 0) == (1, 0)
    assert remap_anchor("", "a\n", 1, 0) is None
    assert remap_anchor("a\n", "", 1, 1) is None
    assert remap_anchor("a\n", "", 1, 0) is None
    assert remap_anchor("a\n", "", 2, 1) is None
    with pytest.raises(ValueError):
        remap_anchor("", "a\n", 1, 1)


def test_crlf_bodies_map_like_lf():
    assert remap_anchor(BASE.replace("\n", "\r\n"), BASE, 2, 4) == (2, 4)


def test_insertion_point_at_start():
    assert remap_anchor(BASE, edit(BASE, 6, "Changed."), 1, 0) == (1, 0)
    assert remap_anchor(BASE, delete(BASE, 3, 4), 1, 0) == (1, 0)
    assert remap_anchor(BASE, insert(BASE, 1, "New top."), 1, 0) is None  # rival insertion
    assert remap_anchor(BASE, edit(BASE, 1, "Changed."), 1, 0) is None  # neighbour edited
    assert remap_anchor(BASE, delete(BASE, 1, 1), 1, 0) is None


def test_insertion_point_in_middle():
    assert remap_anchor(BASE, BASE, 4, 3) == (4, 3)
    assert remap_anchor(BASE, insert(BASE, 2, "X."), 4, 3) == (5, 4)  # shifts
    assert remap_anchor(BASE, delete(BASE, 1, 2), 4, 3) == (2, 1)
    assert remap_anchor(BASE, insert(BASE, 5, "X."), 4, 3) == (4, 3)  # below, not at the point
    assert remap_anchor(BASE, insert(BASE, 4, "X."), 4, 3) is None  # same point
    assert remap_anchor(BASE, edit(BASE, 3, "Changed."), 4, 3) is None  # upper neighbour
    assert remap_anchor(BASE, edit(BASE, 4, "Changed."), 4, 3) is None  # lower neighbour
    assert remap_anchor(BASE, delete(BASE, 4, 4), 4, 3) is None


def test_insertion_point_at_end():
    assert remap_anchor(BASE, BASE, 7, 6) == (7, 6)
    assert remap_anchor(BASE, insert(BASE, 1, "Top."), 7, 6) == (8, 7)
    assert remap_anchor(BASE, delete(BASE, 1, 1), 7, 6) == (6, 5)
    assert remap_anchor(BASE, BASE + "Appended.\n", 7, 6) is None
    assert remap_anchor(BASE, edit(BASE, 6, "Changed."), 7, 6) is None
    assert remap_anchor(BASE, delete(BASE, 6, 6), 7, 6) is None


def test_map_range_with_plain_dict():
    mapping = {1: 1, 2: 3, 3: 4}  # a line was inserted between old lines 1 and 2
    assert map_range(mapping, 2, 3) == (3, 4)
    assert map_range(mapping, 1, 2) is None  # no longer consecutive
    assert map_range(mapping, 1, 1) == (1, 1)
    assert map_range(mapping, 4, 4) is None


def test_map_range_insertion_points_with_plain_dict():
    mapping = {1: 1, 2: 3, 3: 4}
    assert map_range(mapping, 1, 0) == (1, 0)
    assert map_range(mapping, 2, 1) is None  # something was inserted between 1 and 2
    assert map_range(mapping, 3, 2) == (4, 3)
    assert map_range(mapping, 4, 3) is None  # end of text unknown without counts
    assert map_range(mapping, 4, 3, old_count=3, new_count=4) == (5, 4)
    assert map_range(mapping, 4, 3, old_count=3, new_count=5) is None
    with pytest.raises(ValueError):
        map_range(mapping, 5, 4, old_count=3, new_count=4)
    with pytest.raises(ValueError):
        map_range(mapping, 3, 1)


def test_rebase_range_and_change():
    new = insert(BASE, 1, "Top.")
    assert rebase_range(BASE, new, 2, 3) == (3, 4)
    assert rebase_range(BASE, new, 7, 6) == (8, 7)
    assert rebase_change(BASE, new, Change(2, 3, "X.\n")) == Change(3, 4, "X.\n")
    assert rebase_change(BASE, edit(BASE, 2, "Other."), Change(2, 3, "X.\n")) is None


# --------------------------------------------------------------------------
# Anchors: properties
# --------------------------------------------------------------------------


@given(edited())
def test_remapped_range_quotes_same_text(pair):
    old_lines, new_lines = pair
    old, new = join_lines(old_lines), join_lines(new_lines)
    mapping = line_map(old, new)
    assert list(mapping) == sorted(mapping)
    assert list(mapping.values()) == sorted(mapping.values())
    assert len(set(mapping.values())) == len(mapping)
    for s in range(1, len(old_lines) + 1):
        for e in range(s, len(old_lines) + 1):
            moved = map_range(mapping, s, e)
            assert moved == remap_anchor(old, new, s, e)
            if moved is not None:
                assert moved[1] - moved[0] == e - s
                assert quote_of(new, *moved) == quote_of(old, s, e)


@given(edited())
def test_the_fast_alignment_pairs_only_equal_lines_in_order(pair):
    old_lines, new_lines = pair
    blocks = list(matching_blocks(old_lines, new_lines))
    pairs = [(i + k, j + k) for i, j, size in blocks for k in range(size)]
    assert all(old_lines[i] == new_lines[j] for i, j in pairs)
    assert pairs == sorted(pairs) and len({j for _, j in pairs}) == len(pairs)
    assert [j for _, j in pairs] == sorted(j for _, j in pairs)


def test_line_map_of_a_long_text_with_a_few_edits_keeps_every_other_line():
    paragraphs = [join_lines(f"Sentence {p}.{k}." for k in range(4)) for p in range(1250)]
    old_lines = split_lines("\n".join(paragraphs))
    new_lines = list(old_lines)
    for index in (5, 900, 2401, 4000, 6200):
        new_lines[index] += " Changed."
    mapping = line_map(join_lines(old_lines), join_lines(new_lines))
    assert len(old_lines) > 6000 and len(mapping) == len(old_lines) - 5
    assert all(mapping[i] == i for i in mapping)


@given(edited())
def test_remapped_insertion_point_keeps_its_neighbours(pair):
    old_lines, new_lines = pair
    old, new = join_lines(old_lines), join_lines(new_lines)
    n_old, n_new = len(old_lines), len(new_lines)
    for k in range(1, n_old + 2):
        moved = remap_anchor(old, new, k, k - 1)
        if moved is None:
            continue
        j, j_end = moved
        assert j_end == j - 1 and 1 <= j <= n_new + 1
        if k == 1:
            assert j == 1
        else:
            assert j > 1 and new_lines[j - 2] == old_lines[k - 2]
        if k == n_old + 1:
            assert j == n_new + 1
        else:
            assert j <= n_new and new_lines[j - 1] == old_lines[k - 1]


@given(dup_lines)
def test_unchanged_text_maps_everything_to_itself(lines):
    text = join_lines(lines)
    for s in range(1, len(lines) + 2):
        for e in range(s - 1, len(lines) + 1):
            assert remap_anchor(text, text, s, e) == (s, e)


@given(st.data())
def test_single_edit_exact_expectations(data):
    """With distinct lines the outcome of one edit is fully predictable."""
    old_lines = data.draw(unique_body())
    n = len(old_lines)
    change = data.draw(change_in(n))
    a, b = change.line_start, change.line_end
    new_lines = old_lines[: a - 1] + split_lines(change.replacement) + old_lines[b:]
    delta = len(new_lines) - n
    old, new = join_lines(old_lines), join_lines(new_lines)

    for s in range(1, n + 1):
        for e in range(s, n + 1):
            if e < a:
                expected = (s, e)
            elif s > b:
                expected = (s + delta, e + delta)
            else:  # touches the edited block, or an insertion falls inside
                expected = None
            assert remap_anchor(old, new, s, e) == expected, (s, e)
    for k in range(1, n + 2):
        if k <= a - 1:
            expected = (k, k - 1)
        elif k >= b + 2:
            expected = (k + delta, k + delta - 1)
        else:
            expected = None
        assert remap_anchor(old, new, k, k - 1) == expected, k


# --------------------------------------------------------------------------
# Rival rule
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b, expected",
    [
        # two replacements
        ((2, 4), (4, 6), True),
        ((2, 4), (5, 6), False),
        ((2, 4), (1, 1), False),
        ((2, 4), (3, 3), True),
        ((1, 9), (3, 4), True),
        ((3, 3), (3, 3), True),
        # insertion vs replacement 3..5
        ((3, 2), (3, 5), False),  # at the top edge
        ((4, 3), (3, 5), True),  # inside
        ((5, 4), (3, 5), True),  # inside, before the last line
        ((6, 5), (3, 5), False),  # just below
        ((2, 1), (3, 5), False),
        ((4, 3), (4, 4), False),  # top edge of a one-line block
        ((5, 4), (4, 4), False),  # below a one-line block
        # two insertions
        ((3, 2), (3, 2), True),
        ((3, 2), (4, 3), False),
        ((1, 0), (1, 0), True),
    ],
)
def test_ranges_conflict_table(a, b, expected):
    assert ranges_conflict(*a, *b) is expected
    assert ranges_conflict(*b, *a) is expected  # symmetric


# --------------------------------------------------------------------------
# apply_changes
# --------------------------------------------------------------------------


def test_apply_deletion():
    assert apply_changes(BASE, [Change(2, 3, "")]) == delete(BASE, 2, 3)
    assert apply_changes(BASE, [Change(1, 6, "")]) == ""


def test_apply_insertions_at_start_middle_end():
    assert apply_changes(BASE, [Change(1, 0, "Top.")]) == insert(BASE, 1, "Top.")
    assert apply_changes(BASE, [Change(4, 3, "Mid.\n")]) == insert(BASE, 4, "Mid.")
    assert apply_changes(BASE, [Change(7, 6, "End.")]) == BASE + "End.\n"
    assert apply_changes("", [Change(1, 0, "Only.")]) == "Only.\n"


def test_apply_replacement_with_more_and_fewer_lines():
    more = apply_changes(BASE, [Change(2, 2, "X.\nY.\nZ.\n")])
    assert lines_of(more) == ["Sentence 1.", "X.", "Y.", "Z."] + [f"Sentence {i}." for i in range(3, 7)]
    fewer = apply_changes(BASE, [Change(2, 5, "Short.")])
    assert lines_of(fewer) == ["Sentence 1.", "Short.", "Sentence 6."]


def test_apply_several_changes_against_the_same_base():
    result = apply_changes(
        BASE,
        [Change(1, 1, "One."), Change(3, 2, "Before three."), Change(3, 4, "Three-four."), Change(5, 4, "After.")],
    )
    assert lines_of(result) == ["One.", "Sentence 2.", "Before three.", "Three-four.", "After.", "Sentence 5.", "Sentence 6."]


def test_apply_keeps_inner_blank_lines_of_replacement():
    assert lines_of(apply_changes(BASE, [Change(2, 2, "\n")])) == ["Sentence 1.", ""] + lines_of(BASE)[2:]
    assert lines_of(apply_changes(BASE, [Change(2, 1, "A.\n\nB.\n")]))[1:4] == ["A.", "", "B."]


def test_apply_result_is_normalised():
    assert apply_changes("a\r\nb\r\n", []) == "a\nb\n"
    assert apply_changes(BASE, [Change(7, 6, "\n\n")]) == BASE


@pytest.mark.parametrize(
    "changes",
    [
        [Change(2, 4, "x"), Change(4, 5, "y")],
        [Change(3, 2, "x"), Change(3, 2, "y")],
        [Change(2, 4, "x"), Change(3, 2, "y")],
        [Change(2, 2, "x"), Change(2, 2, "x")],
    ],
)
def test_apply_overlap_raises(changes):
    with pytest.raises(OverlapError):
        apply_changes(BASE, changes)
    assert issubclass(OverlapError, ValueError)


@pytest.mark.parametrize("start, end", [(0, 1), (3, 1), (7, 7), (8, 7), (5, 7)])
def test_apply_out_of_range_raises(start, end):
    with pytest.raises(ValueError):
        apply_changes(BASE, [Change(start, end, "x")])


@given(st.data())
def test_apply_changes_is_order_independent_and_matches_oracle(data):
    old_lines = data.draw(unique_body())
    changes = data.draw(non_overlapping_changes(len(old_lines)))
    shuffled = data.draw(st.permutations(changes))
    result = apply_changes(join_lines(old_lines), changes)
    assert apply_changes(join_lines(old_lines), shuffled) == result
    assert result == join_lines(reference_apply(old_lines, changes))
    result_text = "\n" + result
    for change in changes:
        assert "\n" + change.replacement in result_text  # each replacement appears whole


@given(st.data())
def test_apply_rivals_always_raise(data):
    n = data.draw(st.integers(0, 8))
    first, second = data.draw(change_in(n)), data.draw(change_in(n))
    assume(ranges_conflict(first.line_start, first.line_end, second.line_start, second.line_end))
    with pytest.raises(OverlapError):
        apply_changes(join_lines(f"l{i}" for i in range(n)), [first, second])


def test_change_and_results_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Change(1, 1, "x").line_start = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        MergeResult(True, "", 0).clean = False  # type: ignore[misc]


# --------------------------------------------------------------------------
# Three-way merge
# --------------------------------------------------------------------------


def test_merge_disjoint_edits_both_survive():
    ours = edit(BASE, 2, "Ours.")
    theirs = edit(BASE, 5, "Theirs.")
    result = three_way_merge(BASE, ours, theirs)
    assert result == MergeResult(True, apply_changes(BASE, [Change(2, 2, "Ours."), Change(5, 5, "Theirs.")]), 0)


def test_merge_conflict_markers_and_labels():
    result = three_way_merge(BASE, edit(BASE, 3, "Ours."), edit(BASE, 3, "Theirs."), theirs_label="revision 7")
    assert not result.clean and result.conflicts == 1
    assert lines_of(result.text)[1:7] == [
        "Sentence 2.",
        "<<<<<<< your edit",
        "Ours.",
        "=======",
        "Theirs.",
        ">>>>>>> revision 7",
    ]


def test_merge_counts_conflicts_and_custom_ours_label():
    ours = edit(edit(BASE, 1, "O1."), 5, "O5.")
    theirs = edit(edit(BASE, 1, "T1."), 5, "T5.")
    result = three_way_merge(BASE, ours, theirs, ours_label="amendment 3", theirs_label="revision 2")
    assert result.conflicts == 2 and not result.clean
    assert result.text.count("<<<<<<< amendment 3\n") == 2
    assert result.text.count(">>>>>>> revision 2\n") == 2


def test_merge_identical_edits_is_clean():
    ours = edit(insert(BASE, 3, "Added."), 1, "Changed.")
    assert three_way_merge(BASE, ours, ours) == MergeResult(True, ours, 0)


def test_merge_delete_versus_edit_conflicts():
    result = three_way_merge(BASE, delete(BASE, 3, 3), edit(BASE, 3, "Edited."))
    assert not result.clean and "Edited." in result.text


def test_merge_same_point_insertions_conflict():
    result = three_way_merge(BASE, insert(BASE, 4, "Ours."), insert(BASE, 4, "Theirs."))
    assert not result.clean


def test_merge_output_is_normalised():
    result = three_way_merge("a\r\nb\r\n", "a\r\nb\r\nc", "a\nb\n\n\n")
    assert result == MergeResult(True, "a\nb\nc\n", 0)


@given(st.data())
def test_merge_disjoint_edits_property(data):
    base_lines = data.draw(unique_body(min_size=1))
    n = len(base_lines)
    upper = data.draw(change_in(n, tag="upper"))
    # the lower edit starts at least one unchanged line below the upper one
    first_free = upper.line_end + 2
    assume(first_free <= n + 1)
    start = data.draw(st.integers(first_free, n + 1))
    end = data.draw(st.integers(start - 1, n))
    size = data.draw(st.integers(1 if end == start - 1 else 0, 3))
    lower = Change(start, end, join_lines(f"lower {k}" for k in range(size)))
    ours_change, theirs_change = data.draw(st.permutations([upper, lower]))

    base = join_lines(base_lines)
    ours, theirs = apply_changes(base, [ours_change]), apply_changes(base, [theirs_change])
    result = three_way_merge(base, ours, theirs)
    assert result.clean and result.conflicts == 0
    assert result.text == apply_changes(base, [upper, lower])


@given(st.data())
def test_merge_overlapping_different_edits_never_silently_combined(data):
    base_lines = data.draw(unique_body(min_size=1))
    n = len(base_lines)
    ours_change = data.draw(change_in(n, tag="ours"))
    theirs_change = data.draw(change_in(n, tag="theirs"))
    assume(ranges_conflict(ours_change.line_start, ours_change.line_end, theirs_change.line_start, theirs_change.line_end))
    assume(ours_change.replacement or theirs_change.replacement or ours_change != theirs_change)
    base = join_lines(base_lines)
    result = three_way_merge(base, apply_changes(base, [ours_change]), apply_changes(base, [theirs_change]))
    assert not result.clean and result.conflicts >= 1
    assert "<<<<<<< your edit\n" in result.text and "\n=======\n" in result.text
    for line in split_lines(ours_change.replacement) + split_lines(theirs_change.replacement):
        assert line in split_lines(result.text)  # both sides shown, neither dropped


@given(edited())
def test_merge_with_one_side_unchanged_takes_the_other(pair):
    old_lines, new_lines = pair
    base, changed = join_lines(old_lines), join_lines(new_lines)
    assert three_way_merge(base, changed, base) == MergeResult(True, normalize_body(changed), 0)
    assert three_way_merge(base, base, changed) == MergeResult(True, normalize_body(changed), 0)
    assert three_way_merge(base, changed, changed) == MergeResult(True, normalize_body(changed), 0)


# --------------------------------------------------------------------------
# Diffs
# --------------------------------------------------------------------------


def test_unified_diff_example():
    text = unified_diff("a\nb\nc\n", "a\nx\nc\nd\n", "revision 1", "revision 2")
    assert text == "--- revision 1\n+++ revision 2\n@@ -1,3 +1,4 @@\n a\n-b\n+x\n c\n+d\n"
    assert unified_diff(BASE, BASE) == ""


@given(edited(), st.integers(0, 4))
def test_unified_diff_matches_difflib(pair, context):
    old_lines, new_lines = pair  # short texts: difflib's autojunk never applies
    expected = list(difflib.unified_diff(old_lines, new_lines, "old", "new", n=context, lineterm=""))
    got = unified_diff(join_lines(old_lines), join_lines(new_lines), "old", "new", context=context)
    assert got == ("\n".join(expected) + "\n" if expected else "")


HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$")


def apply_hunks(old_lines, hunks):
    """Patch old_lines with hunks, trusting only the header numbers and the lines."""
    out, pos = [], 0
    for h in hunks:
        start = h["from_start"] - 1 if h["from_lines"] else h["from_start"]
        assert start >= pos
        out += old_lines[pos:start]
        for line in h["lines"]:
            if line[0] in " -":
                assert old_lines[start] == line[1:]
                start += 1
            if line[0] in " +":
                out.append(line[1:])
        pos = start
    return out + old_lines[pos:]


@given(edited(), st.integers(0, 4))
def test_diff_hunks_consistent_with_unified_diff(pair, context):
    old_lines, new_lines = pair
    old, new = join_lines(old_lines), join_lines(new_lines)
    hunks = diff_hunks(old, new, context)
    headers = [HEADER.match(line) for line in unified_diff(old, new, context=context).splitlines() if line.startswith("@@")]
    assert len(headers) == len(hunks)
    for h, m in zip(hunks, headers):
        from_lines = 1 if m.group(2) is None else int(m.group(2))
        to_lines = 1 if m.group(4) is None else int(m.group(4))
        assert (h["from_start"], h["from_lines"], h["to_start"], h["to_lines"]) == (
            int(m.group(1)), from_lines, int(m.group(3)), to_lines)
        assert sum(line[0] in " -" for line in h["lines"]) == h["from_lines"]
        assert sum(line[0] in " +" for line in h["lines"]) == h["to_lines"]
        if h["to_lines"]:  # to_start is where the hunk lands in the new text
            kept = [line[1:] for line in h["lines"] if line[0] in " +"]
            assert new_lines[h["to_start"] - 1 : h["to_start"] - 1 + h["to_lines"]] == kept
    assert apply_hunks(old_lines, hunks) == new_lines


def test_diff_ignores_no_frequent_lines_in_long_texts():
    # Blank lines are >1% of this 400-line text: difflib's autojunk would junk them.
    old_lines = [line for i in range(200) for line in (f"Sentence {i}.", "")]
    new_lines = list(old_lines)
    new_lines[200] = "Changed."
    hunks = diff_hunks(join_lines(old_lines), join_lines(new_lines), context=0)
    assert hunks == [{"from_start": 201, "from_lines": 1, "to_start": 201, "to_lines": 1,
                      "lines": ["-Sentence 100.", "+Changed."]}]
    assert remap_anchor(join_lines(old_lines), join_lines(new_lines), 1, 200) == (1, 200)


def test_diff_of_empty_texts():
    assert diff_hunks("", "a\n") == [{"from_start": 0, "from_lines": 0, "to_start": 1, "to_lines": 1, "lines": ["+a"]}]
    assert unified_diff("", "a\n") == "--- a\n+++ b\n@@ -0,0 +1 @@\n+a\n"
    assert diff_hunks("", "") == [] and side_by_side("", "") == []


# --------------------------------------------------------------------------
# word_diff
# --------------------------------------------------------------------------


def test_word_diff_example():
    assert word_diff("The board may review the policy.", "The board shall review the policy annually.") == [
        ("equal", "The board "),
        ("delete", "may"),
        ("insert", "shall"),
        ("equal", " review the policy"),
        ("insert", " annually"),
        ("equal", "."),
    ]


def test_word_diff_folds_scattered_equal_spaces_into_blocks():
    assert word_diff("The quick brown fox", "A slow red fox") == [
        ("delete", "The quick brown"),
        ("insert", "A slow red"),
        ("equal", " fox"),
    ]


def test_word_diff_never_splits_words():
    assert word_diff("colour", "color") == [("delete", "colour"), ("insert", "color")]


def test_word_diff_trivial_cases():
    assert word_diff("", "") == []
    assert word_diff("same line", "same line") == [("equal", "same line")]
    assert word_diff("", "new") == [("insert", "new")]
    assert word_diff("old", "") == [("delete", "old")]


def test_word_diff_handles_private_use_characters_in_input():
    assert word_diff("\ue000 a", "\ue000 b") == [("equal", "\ue000 "), ("delete", "a"), ("insert", "b")]


def test_word_diff_past_the_bmp_private_use_area_stays_word_by_word():
    rng = random.Random(5)
    old_words = [f"w{i}" for i in range(7000)]  # more distinct tokens than the BMP's private-use area
    new_words = list(old_words)
    for i in rng.sample(range(7000), 20):
        new_words[i] = f"v{i}"
    old, new = " ".join(old_words), " ".join(new_words)
    pieces = word_diff(old, new)
    assert "".join(t for op, t in pieces if op != "insert") == old
    assert "".join(t for op, t in pieces if op != "delete") == new
    assert sum(op == "delete" for op, _ in pieces) == 20


def test_word_diff_with_more_distinct_tokens_than_codes_shows_the_line_replaced():
    old = " ".join(f"w{i}" for i in range(140_000))
    new = old.replace("w5 ", "v5 ", 1)
    assert word_diff(old, new) == [("delete", old), ("insert", new)]


TOKEN_BOUNDARY = re.compile(r"\w+|\s+|[^\w\s]")
word_text = st.one_of(
    st.text(),
    st.lists(st.sampled_from(["the", "policy", "may", "shall", " ", "  ", ",", ".", "é", "\ue001", "**", "42"]))
    .map("".join),
)


def boundaries(text):
    return {0, len(text)} | {m.end() for m in TOKEN_BOUNDARY.finditer(text)}


@given(word_text, word_text)
def test_word_diff_reconstructs_both_lines(old, new):
    pieces = word_diff(old, new)
    assert "".join(t for op, t in pieces if op in ("equal", "delete")) == old
    assert "".join(t for op, t in pieces if op in ("equal", "insert")) == new
    assert all(op in ("equal", "delete", "insert") and text for op, text in pieces)
    assert all(a[0] != b[0] for a, b in zip(pieces, pieces[1:]))
    # piece edges fall on token edges of both lines
    old_pos = new_pos = 0
    for op, text in pieces:
        if op != "insert":
            old_pos += len(text)
            assert old_pos in boundaries(old)
        if op != "delete":
            new_pos += len(text)
            assert new_pos in boundaries(new)


# --------------------------------------------------------------------------
# side_by_side
# --------------------------------------------------------------------------


def test_side_by_side_pairs_replace_lines_one_to_one():
    old = body("Keep.", "Old one.", "Old two.", "Tail.")
    new = body("Keep.", "New one.", "New two.", "New three.", "Tail.")
    rows = side_by_side(old, new)
    assert [r.kind for r in rows] == ["equal", "replace", "replace", "insert", "equal"]
    assert rows[1] == Row("replace", 2, "Old one.", 2, "New one.", (("delete", "Old"), ("insert", "New"), ("equal", " one.")))
    assert rows[3] == Row("insert", None, None, 4, "New three.")
    assert (rows[4].old_no, rows[4].new_no) == (4, 5)


def test_side_by_side_extra_old_lines_are_deletes():
    rows = side_by_side(body("A.", "B.", "C."), body("X."))
    assert [(r.kind, r.old_no, r.new_no) for r in rows] == [("replace", 1, 1), ("delete", 2, None), ("delete", 3, None)]


def test_side_by_side_with_context_skips_unchanged_runs():
    old = join_lines(str(i) for i in range(1, 21))
    new = edit(old, 10, "ten")
    rows = side_by_side(old, new, context=2)
    assert [r.kind for r in rows] == ["skip", "equal", "equal", "replace", "equal", "equal", "skip"]
    assert (rows[0].old_no, rows[0].skipped) == (1, 7)
    assert (rows[-1].old_no, rows[-1].new_no, rows[-1].skipped) == (13, 13, 8)
    assert side_by_side(old, old, context=2) == [Row("skip", 1, None, 1, None, (), 20)]
    assert all(r.kind == "equal" for r in side_by_side(old, old))


@given(edited(), st.one_of(st.none(), st.integers(0, 3)))
def test_side_by_side_covers_both_texts(pair, context):
    old_lines, new_lines = pair
    rows = side_by_side(join_lines(old_lines), join_lines(new_lines), context)
    old_seen, new_seen = [], []
    for r in rows:
        assert r.kind in ("equal", "replace", "delete", "insert", "skip")
        if r.kind == "skip":
            assert context is not None and r.skipped > 0 and r.old_text is None and r.new_text is None
            old_seen += [(r.old_no + k, old_lines[r.old_no + k - 1]) for k in range(r.skipped)]
            new_seen += [(r.new_no + k, new_lines[r.new_no + k - 1]) for k in range(r.skipped)]
            continue
        if r.old_no is not None:
            old_seen.append((r.old_no, r.old_text))
        if r.new_no is not None:
            new_seen.append((r.new_no, r.new_text))
        assert (r.old_no is None) == (r.kind == "insert")
        assert (r.new_no is None) == (r.kind == "delete")
        if r.kind == "equal":
            assert r.old_text == r.new_text
        if r.kind == "replace":
            assert r.words == tuple(word_diff(r.old_text, r.new_text))
        else:
            assert r.words == ()
    assert old_seen == list(enumerate(old_lines, 1))
    assert new_seen == list(enumerate(new_lines, 1))

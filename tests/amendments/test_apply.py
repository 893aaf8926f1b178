"""apply_amendments: a pure function from a body and non-rival amendments to the new body."""
import itertools
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.amendments.rivals import are_rivals
from app.amendments.text import apply_amendments, diff_rows, text_of_lines
from app.core.textchanges import OverlapError
from app.core.textlines import join_lines, normalize_body, split_lines

pytestmark = pytest.mark.no_db

BODY = join_lines(["# Title", "", "One.", "Two.", "Three.", "", "Four."])


def amend(line_start, line_end, replacement, base=1, id_=None):
    """An amendment-like object (apply_amendments reads only these attributes)."""
    amend.counter = getattr(amend, "counter", 0) + 1
    return SimpleNamespace(id=id_ or amend.counter, base_number=base, line_start=line_start,
                           line_end=line_end, replacement=replacement)


def test_replacement_insertion_and_deletion_together():
    result = apply_amendments(BODY, [
        amend(3, 3, "One, revised."),
        amend(1, 0, "Preface."),
        amend(5, 5, ""),
        amend(8, 7, "Five."),
        amend(4, 3, "One and a half."),
    ])
    assert split_lines(result) == [
        "Preface.", "# Title", "", "One, revised.", "One and a half.", "Two.", "", "Four.", "Five.",
    ]


def test_no_amendments_gives_the_normalised_body():
    assert apply_amendments("a\nb", []) == "a\nb\n"


def test_insertion_at_the_top_edge_of_a_replaced_block_lands_above_it():
    result = apply_amendments(BODY, [amend(3, 4, "Merged one and two."), amend(3, 2, "Above.")])
    assert split_lines(result)[2:4] == ["Above.", "Merged one and two."]


def test_rivals_cannot_be_applied_together():
    with pytest.raises(OverlapError):
        apply_amendments(BODY, [amend(3, 4, "x"), amend(4, 5, "y")])
    with pytest.raises(OverlapError):
        apply_amendments(BODY, [amend(4, 3, "x"), amend(4, 3, "y")])


def test_amendments_on_different_bases_cannot_be_applied_together():
    with pytest.raises(ValueError, match="different base"):
        apply_amendments(BODY, [amend(3, 3, "x", base=1), amend(5, 5, "y", base=2)])


def test_a_range_outside_the_body_is_refused():
    with pytest.raises(ValueError):
        apply_amendments(BODY, [amend(8, 8, "x")])


def test_diff_rows_carry_the_real_line_numbers():
    rows = diff_rows(BODY, 4, 4, "Two, revised.", context=1)
    assert [(r.kind, r.old_no, r.new_no) for r in rows] == [("equal", 3, 3), ("replace", 4, 4), ("equal", 5, 5)]
    rows = diff_rows(BODY, 8, 7, "Five.\nSix.", context=1)
    assert [(r.kind, r.old_no, r.new_no) for r in rows] == [("equal", 7, 7), ("insert", None, 8), ("insert", None, 9)]


@pytest.mark.parametrize("lines", [[], ["a"], ["a", ""], [""], ["", "b", ""]])
def test_text_of_lines_is_inverted_by_split_lines(lines):
    assert split_lines(text_of_lines(lines)) == lines


# --------------------------------------------------------------------------
# Property: the order of non-rival amendments never matters
# --------------------------------------------------------------------------

WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta", "", "# Heading", "- item"])


@st.composite
def body_and_amendments(draw):
    """A stored (normalised) body and pairwise non-rival amendments against it, of any kind."""
    body = normalize_body(join_lines(draw(st.lists(WORDS, max_size=12))))
    n = len(split_lines(body))
    chosen = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(1, n + 1))
        end = draw(st.integers(start - 1, n))
        text = draw(st.lists(WORDS, max_size=3).map(text_of_lines))
        candidate = amend(start, end, text)
        if not any(are_rivals(candidate, other) for other in chosen):
            chosen.append(candidate)
    return body, chosen


def reference(body, amendments):
    """An independent oracle: walk the lines once, emitting insertions, replacements and kept lines."""
    lines = split_lines(body)
    out = []
    skip_until = 0
    for k in range(1, len(lines) + 2):
        for a in amendments:
            if a.line_start == k and a.line_end == k - 1:
                out.extend(split_lines(a.replacement))
        for a in amendments:
            if a.line_start == k and a.line_end >= k:
                out.extend(split_lines(a.replacement))
                skip_until = a.line_end
        if k <= len(lines) and k > skip_until:
            out.append(lines[k - 1])
    return split_lines(normalize_body(join_lines(out)))


@settings(max_examples=300, deadline=None)
@given(body_and_amendments(), st.randoms(use_true_random=False))
def test_any_order_gives_the_same_text(case, rnd):
    body, amendments = case
    expected = apply_amendments(body, amendments)
    shuffled = list(amendments)
    rnd.shuffle(shuffled)
    assert apply_amendments(body, shuffled) == expected
    assert apply_amendments(body, list(reversed(amendments))) == expected


@settings(max_examples=300, deadline=None)
@given(body_and_amendments())
def test_the_result_matches_an_independent_oracle(case):
    body, amendments = case
    assert split_lines(apply_amendments(body, amendments)) == reference(body, amendments)


def test_every_permutation_of_a_small_mixed_set_agrees():
    amendments = [amend(1, 0, "Top."), amend(3, 4, "Merged."), amend(5, 4, "Between."), amend(6, 6, ""),
                  amend(8, 7, "End.")]
    results = {apply_amendments(BODY, p) for p in itertools.permutations(amendments)}
    assert len(results) == 1

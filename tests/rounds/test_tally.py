"""Tests for app.rounds.tally: yes/no counting and the Schulze method.

Run on their own with:  .venv/bin/pytest --noconftest -q tests/rounds/test_tally.py
"""

import ast
import json
import sys
from fractions import Fraction
from itertools import permutations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # so the file also runs with --noconftest
    sys.path.insert(0, str(ROOT))

from app.rounds.tally.ranked import RankedResult, tally_ranked  # noqa: E402
from app.rounds.tally.schulze import (  # noqa: E402
    pairwise_matrix,
    schulze_ranking,
    schulze_strongest_paths,
)
from app.rounds.tally.yes_no import YesNoResult, tally_yes_no  # noqa: E402

TALLY_PACKAGE = ROOT / "app" / "rounds" / "tally"


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def expand(groups):
    """[(count, "ACB"), ...] -> ballots; each letter is its own rank level.

    Letters left out of a string rank below the listed ones, tied.
    """
    ballots = []
    for count, order in groups:
        ballots += [[[key] for key in order] for _ in range(count)]
    return ballots


def matrix(keys, rows):
    """Square dict-of-dicts from a list of rows (diagonal included as 0)."""
    return {x: dict(zip(keys, row)) for x, row in zip(keys, rows)}


def yes_no(yes=0, no=0, abstain=0, **kwargs):
    choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    kwargs.setdefault("electorate", len(choices))
    return tally_yes_no(choices, **kwargs)


def ranked(ballots, options=("a1", "a2"), status_quo="sq", **kwargs):
    kwargs.setdefault("electorate", len(ballots))
    return tally_ranked(ballots, options=list(options), status_quo=status_quo, **kwargs)


# ---------------------------------------------------------------------------
# Published examples
# ---------------------------------------------------------------------------

# Wikipedia, "Schulze method", section "Example" (also Markus Schulze's
# "Schulze method examples", Example 1): 45 voters, 5 candidates.
WIKIPEDIA = expand([
    (5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"),
    (7, "CAEBD"), (2, "CBADE"), (7, "DCEBA"), (8, "EBADC"),
])
WIKIPEDIA_D = matrix("ABCDE", [
    [0, 20, 26, 30, 22],
    [25, 0, 16, 33, 18],
    [19, 29, 0, 17, 24],
    [15, 12, 28, 0, 14],
    [23, 27, 21, 31, 0],
])
WIKIPEDIA_P = matrix("ABCDE", [
    [0, 28, 28, 30, 24],
    [25, 0, 28, 33, 24],
    [25, 29, 0, 29, 24],
    [25, 28, 28, 0, 24],
    [25, 28, 28, 31, 0],
])


def test_wikipedia_example_pairwise_paths_and_ranking():
    d = pairwise_matrix(WIKIPEDIA, list("ABCDE"))
    p = schulze_strongest_paths(d, list("ABCDE"))
    assert d == WIKIPEDIA_D
    assert p == WIKIPEDIA_P
    assert schulze_ranking(p, list("ABCDE"), "A") == [["E"], ["A"], ["C"], ["B"], ["D"]]


def test_wikipedia_example_through_tally_ranked():
    result = tally_ranked(WIKIPEDIA, options=list("BCDE"), status_quo="A", electorate=45)
    assert result.pairwise == WIKIPEDIA_D
    assert result.strongest == WIKIPEDIA_P
    assert result.ranking == [["E"], ["A"], ["C"], ["B"], ["D"]]
    assert result.winner == "E"
    # E beats A head to head 23 to 22: a bare majority, enough for 50%.
    assert result.accepted == "E"
    assert result.rule == "Schulze winner E beat the current text 23 to 22 (51.1% > 50%)"
    assert ranked(WIKIPEDIA, list("BCDE"), "A", threshold=Fraction(2, 3)).accepted is None


# Markus Schulze, "A new monotonic, clone-independent, reversal symmetric, and
# Condorcet-consistent single-winner election method", Social Choice and
# Welfare 36 (2011); draft "Part 1" at m-schulze.9mail.de/schulze1.pdf,
# section 3 "Examples".  The PDF itself was not readable from here: ballots,
# matrices and winners below are as transcribed from that section by two
# independent test suites (rooset's VoteCalculatorSchulzeImpl tests, citing
# the 23 December 2016 draft, section 3; and Condorcet PHP's
# "SchulzeOfficialExample" tests), which agree with each other.  The paper
# gives path strengths as (winning votes, losing votes) pairs; with winning
# votes as link strength only the first component matters, asserted here.

# Section 3.1, Example 1: 21 voters, 4 candidates; winner D.
SCHULZE_3_1 = expand([(8, "ACDB"), (2, "BADC"), (4, "CDBA"), (4, "DBAC"), (3, "DCBA")])
SCHULZE_3_1_D = matrix("ABCD", [
    [0, 8, 14, 10],
    [13, 0, 6, 2],
    [7, 15, 0, 12],
    [11, 19, 9, 0],
])
SCHULZE_3_1_P = matrix("ABCD", [
    [0, 14, 14, 12],
    [13, 0, 13, 12],
    [13, 15, 0, 12],
    [13, 19, 13, 0],
])

# Section 3.2, Example 2: 9 voters, 4 candidates; B and D are both potential
# winners (a tie in the Schulze order).
SCHULZE_3_2 = expand([(3, "ABCD"), (2, "CBDA"), (2, "DABC"), (2, "DBCA")])
SCHULZE_3_2_D = matrix("ABCD", [
    [0, 5, 5, 3],
    [4, 0, 7, 5],
    [4, 2, 0, 5],
    [6, 4, 4, 0],
])
SCHULZE_3_2_P = matrix("ABCD", [
    [0, 5, 5, 5],
    [5, 0, 7, 5],
    [5, 5, 0, 5],
    [6, 5, 5, 0],
])

# Section 3.5, Example 5 (six candidates): situation #1 (19 voters) has
# winner A; situation #2 adds two voters A > E > F > C > B > D and the
# winner becomes D.
SCHULZE_3_5 = expand([
    (3, "ADEBCF"), (3, "BFECDA"), (4, "CABFDE"), (1, "DBCEFA"),
    (4, "DEFABC"), (2, "ECBDFA"), (2, "FACDBE"),
])
SCHULZE_3_5_SITUATION_1_D = matrix("ABCDEF", [
    [0, 13, 9, 9, 9, 7],
    [6, 0, 11, 9, 10, 13],
    [10, 8, 0, 11, 7, 10],
    [10, 10, 8, 0, 14, 10],
    [10, 9, 12, 5, 0, 10],
    [12, 6, 9, 9, 9, 0],
])
SCHULZE_3_5_SITUATION_1_P = matrix("ABCDEF", [
    [0, 13, 11, 11, 11, 13],
    [12, 0, 11, 11, 11, 13],
    [10, 10, 0, 11, 11, 10],
    [10, 10, 12, 0, 14, 10],
    [10, 10, 12, 11, 0, 10],
    [12, 12, 11, 11, 11, 0],
])
SCHULZE_3_5_SITUATION_2_D = matrix("ABCDEF", [
    [0, 15, 11, 11, 11, 9],
    [6, 0, 11, 11, 10, 13],
    [10, 10, 0, 13, 7, 10],
    [10, 10, 8, 0, 14, 10],
    [10, 11, 14, 7, 0, 12],
    [12, 8, 11, 11, 9, 0],
])
SCHULZE_3_5_SITUATION_2_P = matrix("ABCDEF", [
    [0, 15, 11, 11, 11, 13],
    [12, 0, 11, 11, 11, 13],
    [12, 12, 0, 13, 13, 12],
    [12, 12, 14, 0, 14, 12],
    [12, 12, 14, 13, 0, 12],
    [12, 12, 11, 11, 11, 0],
])


@pytest.mark.parametrize(
    "ballots, keys, d, p, winners",
    [
        (SCHULZE_3_1, "ABCD", SCHULZE_3_1_D, SCHULZE_3_1_P, ["D"]),
        (SCHULZE_3_2, "ABCD", SCHULZE_3_2_D, SCHULZE_3_2_P, ["B", "D"]),
        (SCHULZE_3_5, "ABCDEF", SCHULZE_3_5_SITUATION_1_D, SCHULZE_3_5_SITUATION_1_P, ["A"]),
        (
            SCHULZE_3_5 + expand([(2, "AEFCBD")]), "ABCDEF",
            SCHULZE_3_5_SITUATION_2_D, SCHULZE_3_5_SITUATION_2_P, ["D"],
        ),
    ],
    ids=["3.1-example-1", "3.2-example-2", "3.5-example-5-situation-1",
         "3.5-example-5-situation-2"],
)
def test_schulze_paper_examples(ballots, keys, d, p, winners):
    options = list(keys)
    got_d = pairwise_matrix(ballots, options)
    got_p = schulze_strongest_paths(got_d, options)
    assert got_d == d
    assert got_p == p
    assert schulze_ranking(got_p, options, options[0])[0] == winners


def test_schulze_paper_example_1_full_order():
    # Follows from the published p: D > A > C > B.
    ranking = schulze_ranking(SCHULZE_3_1_P, list("ABCD"), "A")
    assert ranking == [["D"], ["A"], ["C"], ["B"]]


def test_schulze_paper_example_2_tie_levels_and_tie_breaks():
    # The Schulze relation here is D > A and B > C only: B and D share the
    # top level, A and C the next one.
    with_a_as_current = ranked(SCHULZE_3_2, options="BCD", status_quo="A")
    assert with_a_as_current.ranking == [["B", "D"], ["A", "C"]]
    # Tie between amendments B and D: the earlier amendment, B, wins ...
    assert with_a_as_current.winner == "B"
    # ... but loses to the current text A head to head, 4 to 5.
    assert with_a_as_current.accepted is None
    assert "4 to 5" in with_a_as_current.rule
    # Amendments submitted in the order D, B, C: D is now the earlier one.
    assert ranked(SCHULZE_3_2, options="DBC", status_quo="A").winner == "D"
    # With D as the current text, the current text wins its Schulze tie with B.
    with_d_as_current = ranked(SCHULZE_3_2, options="ABC", status_quo="D")
    assert with_d_as_current.ranking == [["D", "B"], ["A", "C"]]
    assert with_d_as_current.winner == "D"
    assert with_d_as_current.accepted is None
    assert with_d_as_current.rule.startswith("current text is the Schulze winner")


# Wikipedia, "Condorcet method" / "Schulze method": Tennessee capital
# election, percentages read as voters.  Nashville is the Condorcet winner.
TENNESSEE = [
    *[[["Memphis"], ["Nashville"], ["Chattanooga"], ["Knoxville"]]] * 42,
    *[[["Nashville"], ["Chattanooga"], ["Knoxville"], ["Memphis"]]] * 26,
    *[[["Chattanooga"], ["Knoxville"], ["Nashville"], ["Memphis"]]] * 15,
    *[[["Knoxville"], ["Chattanooga"], ["Nashville"], ["Memphis"]]] * 17,
]


def test_tennessee_condorcet_winner():
    result = tally_ranked(
        TENNESSEE,
        options=["Nashville", "Chattanooga", "Knoxville"],
        status_quo="Memphis",
        electorate=100,
    )
    d = result.pairwise
    assert (d["Nashville"]["Memphis"], d["Memphis"]["Nashville"]) == (58, 42)
    assert (d["Nashville"]["Chattanooga"], d["Chattanooga"]["Nashville"]) == (68, 32)
    assert (d["Nashville"]["Knoxville"], d["Knoxville"]["Nashville"]) == (68, 32)
    assert (d["Chattanooga"]["Knoxville"], d["Knoxville"]["Chattanooga"]) == (83, 17)
    assert (d["Chattanooga"]["Memphis"], d["Knoxville"]["Memphis"]) == (58, 58)
    assert result.ranking == [["Nashville"], ["Chattanooga"], ["Knoxville"], ["Memphis"]]
    assert result.winner == result.accepted == "Nashville"
    assert result.rule == (
        "Schulze winner Nashville beat the current text 58 to 42 (58% > 50%)"
    )


# ---------------------------------------------------------------------------
# Ranked edge cases
# ---------------------------------------------------------------------------


def test_empty_ballots_count_for_turnout_only():
    result = ranked([[], [], [], [["a1"]]], electorate=8)
    assert result.voters == 4
    assert result.turnout == 0.5
    assert result.pairwise["a1"] == {"sq": 1, "a1": 0, "a2": 1}
    assert result.pairwise["sq"] == {"sq": 0, "a1": 0, "a2": 0}
    assert result.accepted == "a1"
    assert result.rule == "Schulze winner a1 beat the current text 1 to 0 (100% > 50%)"


def test_only_empty_ballots_keep_the_current_text():
    result = ranked([[], []], electorate=2)
    assert result.ranking == [["sq", "a1", "a2"]]
    assert result.winner == "sq"
    assert result.accepted is None


def test_partial_ranking_puts_unlisted_options_last_and_tied():
    d = pairwise_matrix([[["a2"], ["sq"]]], ["sq", "a1", "a2", "a3"])
    assert d["a2"] == {"sq": 1, "a1": 1, "a2": 0, "a3": 1}
    assert d["sq"] == {"sq": 0, "a1": 1, "a2": 0, "a3": 1}
    assert d["a1"]["a3"] == d["a3"]["a1"] == 0


def test_ties_inside_a_ballot():
    d = pairwise_matrix([[["a1", "a2"], ["sq"]]], ["sq", "a1", "a2"])
    assert d["a1"] == {"sq": 1, "a1": 0, "a2": 0}
    assert d["a2"] == {"sq": 1, "a1": 0, "a2": 0}
    assert d["sq"] == {"sq": 0, "a1": 0, "a2": 0}


def test_order_inside_a_tied_level_and_empty_levels_do_not_matter():
    options = ["sq", "a1", "a2", "a3"]
    assert pairwise_matrix([[["a1", "a2"], [], ["a3"]]], options) == pairwise_matrix(
        [[("a2", "a1"), ("a3",)]], options
    )


def test_ranked_quorum_exactly_met_and_missed_by_one():
    ballots = [[["a1"], ["sq"]]] * 3
    met = ranked(ballots, electorate=10, quorum=0.3)
    assert (met.quorum_needed, met.quorum_met, met.accepted) == (3, True, "a1")
    missed = ranked(ballots[:2], electorate=10, quorum=0.3)
    assert (missed.quorum_met, missed.accepted) == (False, None)
    assert missed.winner == "a1"  # the order is still reported
    assert missed.rule == "quorum not met: 2 of 10 voted, 3 needed"


def test_schulze_winner_below_two_thirds_is_not_accepted():
    ballots = [[["a1"], ["sq"]]] * 5 + [[["sq"], ["a1"]]] * 3
    result = ranked(ballots, threshold=Fraction(2, 3))
    assert result.winner == "a1"
    assert result.accepted is None
    assert result.rule == (
        "Schulze winner a1 did not beat the current text 5 to 3 (62.5% not > 66.7%)"
    )
    assert ranked(ballots, threshold=0.6).accepted == "a1"


@pytest.mark.parametrize("strict, accepted", [(True, None), (False, "a1")])
def test_ranked_threshold_exactly_two_thirds(strict, accepted):
    ballots = [[["a1"], ["sq"]]] * 4 + [[["sq"], ["a1"]]] * 2
    result = ranked(ballots, threshold=2 / 3, strict=strict)
    assert result.accepted == accepted


def test_tie_between_amendments_goes_to_the_earlier_one():
    ballots = [[["a1"], ["a2"], ["sq"]]] * 2 + [[["a2"], ["a1"], ["sq"]]] * 2
    result = ranked(ballots)
    assert result.ranking == [["a1", "a2"], ["sq"]]
    assert result.winner == result.accepted == "a1"
    assert "tied with a2" in result.rule
    assert ranked(ballots, options=["a2", "a1"]).accepted == "a2"


def test_tie_with_the_current_text_goes_to_the_current_text():
    ballots = [[["a1"], ["sq"]], [["sq"], ["a1"]]]
    result = ranked(ballots, options=["a1"])
    assert result.ranking == [["sq", "a1"]]
    assert result.winner == "sq"
    assert result.accepted is None
    assert result.rule == (
        "current text is the Schulze winner (tied with a1; ties go to the current text)"
    )


def test_head_to_head_tie_with_the_current_text_never_passes():
    # a1 wins through the path a1 -> a2 -> sq although it only ties sq.
    ballots = (
        [[["a1"], ["a2"], ["sq"]]] * 3
        + [[["a2"], ["sq"], ["a1"]]] * 2
        + [[["sq"], ["a1"], ["a2"]]]
    )
    result = ranked(ballots, strict=False)
    assert result.ranking == [["a1"], ["a2"], ["sq"]]
    assert result.accepted is None
    assert result.rule == "Schulze winner a1 tied the current text 3 to 3; a tie never passes"


def test_current_text_as_clear_winner():
    result = ranked([[["sq"], ["a1"], ["a2"]]] * 3)
    assert result.ranking == [["sq"], ["a1"], ["a2"]]
    assert result.accepted is None
    assert result.rule == "current text is the Schulze winner"


def test_status_quo_may_be_listed_in_options_anywhere():
    ballots = [[["a1"], ["sq"]]]
    listed = ranked(ballots, options=["a1", "sq", "a2"])
    omitted = ranked(ballots, options=["a1", "a2"])
    assert listed == omitted
    assert listed.options == ["sq", "a1", "a2"]


def test_ranked_electorate_zero():
    result = ranked([], electorate=0, quorum=0.5)
    assert (result.voters, result.turnout, result.quorum_met) == (0, 0.0, True)
    assert result.winner == "sq"
    assert result.accepted is None


def test_ranked_result_is_frozen_and_json_ready():
    result = ranked([[["a1"], ["sq"]], []], electorate=3)
    assert isinstance(result, RankedResult)
    with pytest.raises(AttributeError):
        result.accepted = None
    data = result.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["strongest"]["a1"]["sq"] == 1
    data["pairwise"]["a1"]["sq"] = 99  # a copy: the result is unchanged
    assert result.pairwise["a1"]["sq"] == 1


# ---------------------------------------------------------------------------
# Yes/no questions
# ---------------------------------------------------------------------------


def test_yes_no_simple_majority():
    result = yes_no(yes=12, no=7, abstain=1, electorate=40)
    assert isinstance(result, YesNoResult)
    assert (result.yes, result.no, result.abstain, result.voters) == (12, 7, 1, 20)
    assert result.turnout == 0.5
    assert result.accepted is True
    assert result.rule == "accepted: 12 yes to 7 no (63.2% > 50%)"
    assert json.loads(json.dumps(result.as_dict())) == result.as_dict()


def test_yes_no_rejected():
    result = yes_no(yes=7, no=12)
    assert result.accepted is False
    assert result.rule == "rejected: 7 yes to 12 no (36.8% not > 50%)"


def test_yes_no_quorum_exactly_met_and_missed_by_one():
    met = yes_no(yes=2, abstain=1, electorate=10, quorum=0.3)
    assert (met.quorum_needed, met.quorum_met, met.accepted) == (3, True, True)
    missed = yes_no(yes=2, electorate=10, quorum=0.3)
    assert (missed.quorum_met, missed.accepted) == (False, False)
    assert missed.rule == "quorum not met: 2 of 10 voted, 3 needed"


def test_yes_no_quorum_rounds_up():
    assert yes_no(yes=3, electorate=10, quorum=Fraction(1, 3)).quorum_met is False
    assert yes_no(yes=4, electorate=10, quorum=Fraction(1, 3)).quorum_met is True
    assert yes_no(yes=10, electorate=10, quorum=1).quorum_met is True


def test_abstentions_count_towards_quorum():
    result = yes_no(yes=1, abstain=4, electorate=10, quorum=0.5)
    assert result.quorum_met is True
    assert result.accepted is True


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("threshold", [0.5, Fraction(1, 2)])
def test_tie_never_passes(strict, threshold):
    result = yes_no(yes=5, no=5, threshold=threshold, strict=strict)
    assert result.accepted is False
    assert result.rule == "rejected: tie 5 yes to 5 no never passes"


@pytest.mark.parametrize("threshold", [2 / 3, Fraction(2, 3), "2/3"])
def test_exactly_two_thirds_strict_and_at_least(threshold):
    strict = yes_no(yes=2, no=1, threshold=threshold, strict=True)
    at_least = yes_no(yes=2, no=1, threshold=threshold, strict=False)
    assert strict.accepted is False
    assert strict.rule == "rejected: 2 yes to 1 no (66.7% not > 66.7%)"
    assert at_least.accepted is True
    assert at_least.rule == "accepted: 2 yes to 1 no (66.7% >= 66.7%)"


def test_just_above_half_with_strict_threshold():
    assert yes_no(yes=6, no=5).accepted is True
    assert yes_no(yes=6, no=5, strict=False).accepted is True


def test_all_abstain_never_passes():
    result = yes_no(abstain=5, strict=False)
    assert result.quorum_met is True
    assert result.accepted is False
    assert "no yes or no votes" in result.rule


def test_yes_no_electorate_zero():
    result = tally_yes_no([], electorate=0, quorum=0.5)
    assert (result.voters, result.turnout, result.quorum_met) == (0, 0.0, True)
    assert result.accepted is False


def test_yes_no_accepts_any_iterable():
    result = tally_yes_no(iter(["yes", "no", "yes"]), electorate=3)
    assert (result.yes, result.no, result.accepted) == (2, 1, True)


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ballot, message",
    [
        ([["a1"], ["zz"]], "unknown option 'zz'"),
        ([["a1", "a1"]], "option 'a1' listed twice"),
        ([["a1"], ["sq", "a1"]], "option 'a1' listed twice"),
        (["a1"], "must be a list of option keys, not a string"),
        ("a1", "must be a list of option keys, not a string"),
        ([[["a1"]]], "list of rank levels"),
        (None, "list of rank levels"),
    ],
)
def test_bad_ballots(ballot, message):
    with pytest.raises(ValueError, match=message):
        ranked([ballot], electorate=1)


@pytest.mark.parametrize("choice", ["Yes", "maybe", "", None])
def test_unknown_choice(choice):
    with pytest.raises(ValueError, match="unknown choice"):
        tally_yes_no(["yes", choice], electorate=2)


@pytest.mark.parametrize("threshold", [0.49, 1, 1.0, Fraction(3, 2), -1, float("nan"), "x"])
def test_bad_threshold(threshold):
    with pytest.raises(ValueError, match="threshold"):
        tally_yes_no(["yes"], electorate=1, threshold=threshold)
    with pytest.raises(ValueError, match="threshold"):
        ranked([], electorate=1, threshold=threshold)


@pytest.mark.parametrize("quorum", [-0.1, 1.1, 2, float("inf"), True])
def test_bad_quorum(quorum):
    with pytest.raises(ValueError, match="quorum"):
        tally_yes_no(["yes"], electorate=1, quorum=quorum)
    with pytest.raises(ValueError, match="quorum"):
        ranked([], electorate=1, quorum=quorum)


def test_threshold_and_quorum_bounds_are_allowed():
    assert yes_no(yes=1, threshold=0.5, quorum=0).accepted
    assert yes_no(yes=1, threshold=0.99, quorum=1).accepted


def test_more_voters_than_electorate():
    with pytest.raises(ValueError, match=r"more voters \(3\) than the electorate \(2\)"):
        tally_yes_no(["yes", "no", "abstain"], electorate=2)
    with pytest.raises(ValueError, match="more voters"):
        ranked([[], [], []], electorate=2)


@pytest.mark.parametrize("electorate", [-1, 2.0, "10", None, True])
def test_bad_electorate(electorate):
    with pytest.raises(ValueError, match="electorate"):
        tally_yes_no([], electorate=electorate)


@pytest.mark.parametrize(
    "options, status_quo, message",
    [
        (["a1", "a1"], "sq", "listed twice in options"),
        ("a1", "sq", "not a string"),
        (["a1", 2], "sq", "non-empty strings"),
        (["a1"], "", "status_quo"),
    ],
)
def test_bad_options(options, status_quo, message):
    with pytest.raises(ValueError, match=message):
        tally_ranked([], options=options, status_quo=status_quo, electorate=0)


def test_package_imports_the_standard_library_only():
    """Every module of the tally package imports the standard library or its own siblings."""
    modules = {path.stem for path in TALLY_PACKAGE.glob("*.py")}
    assert {"__init__", "ranked", "schulze", "yes_no", "consent"} <= modules
    imported = set()
    for path in TALLY_PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level:
                assert node.level == 1, f"{path.name}: relative imports stay inside the package"
                assert node.module in modules, f"{path.name}: {node.module} is not a tally module"
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

KEYS = ["sq", "a1", "a2", "a3", "a4"]


@st.composite
def rankings(draw, keys=KEYS):
    """A ballot: some of the keys, in some order, cut into tied levels."""
    chosen = draw(st.permutations(keys))[: draw(st.integers(0, len(keys)))]
    levels, start = [], 0
    while start < len(chosen):
        width = draw(st.integers(1, len(chosen) - start))
        levels.append(list(chosen[start:start + width]))
        start += width
    return levels


ballot_lists = st.lists(rankings(), max_size=25)


def tally(ballots, **kwargs):
    return tally_ranked(
        ballots, options=KEYS[1:], status_quo="sq", electorate=len(ballots), **kwargs
    )


def brute_force_strongest(d, keys):
    """Widest path by trying every simple path (small inputs only)."""
    def link(x, y):
        return d[x][y] if d[x][y] > d[y][x] else 0

    best = {x: {y: 0 for y in keys} for x in keys}
    for length in range(2, len(keys) + 1):
        for path in permutations(keys, length):
            strength = min(link(a, b) for a, b in zip(path, path[1:]))
            x, y = path[0], path[-1]
            best[x][y] = max(best[x][y], strength)
    return best


@settings(max_examples=150, deadline=None)
@given(ballot_lists)
def test_pairs_never_exceed_voters(ballots):
    result = tally(ballots)
    d = result.pairwise
    for x in KEYS:
        assert d[x][x] == 0
        for y in KEYS:
            assert d[x][y] + d[y][x] <= result.voters


@settings(max_examples=100, deadline=None)
@given(ballot_lists)
def test_strongest_paths_match_brute_force(ballots):
    d = pairwise_matrix(ballots, KEYS)
    assert schulze_strongest_paths(d, KEYS) == brute_force_strongest(d, KEYS)


@settings(max_examples=150, deadline=None)
@given(ballot_lists)
def test_ranking_is_a_partition_and_winner_is_unbeaten(ballots):
    result = tally(ballots)
    flat = [key for level in result.ranking for key in level]
    assert sorted(flat) == sorted(KEYS)
    assert result.winner == result.ranking[0][0]
    p = result.strongest
    assert all(p[result.winner][y] >= p[y][result.winner] for y in KEYS)
    if result.accepted is not None:
        assert result.accepted == result.winner != "sq"


@settings(max_examples=150, deadline=None)
@given(ballot_lists, st.sampled_from(KEYS))
def test_condorcet_winner_is_the_schulze_winner(ballots, favourite):
    # More than len(ballots) ballots with `favourite` alone on top make it
    # beat every other option head to head.
    boosted = ballots + [[[favourite]]] * (len(ballots) + 1)
    result = tally(boosted)
    d = result.pairwise
    assert all(d[favourite][y] > d[y][favourite] for y in KEYS if y != favourite)
    assert result.ranking[0] == [favourite]
    assert result.winner == favourite


@settings(max_examples=150, deadline=None)
@given(ballot_lists)
def test_any_condorcet_winner_wins(ballots):
    result = tally(ballots)
    d = result.pairwise
    for x in KEYS:
        if all(d[x][y] > d[y][x] for y in KEYS if y != x):
            assert result.winner == x


@settings(max_examples=100, deadline=None)
@given(ballot_lists, st.randoms(use_true_random=False))
def test_permuting_ballots_never_changes_the_result(ballots, rng):
    shuffled = ballots[:]
    rng.shuffle(shuffled)
    assert tally(shuffled) == tally(ballots)


@settings(max_examples=100, deadline=None)
@given(ballot_lists, st.randoms(use_true_random=False))
def test_order_inside_tied_levels_never_changes_the_result(ballots, rng):
    reordered = [[rng.sample(level, len(level)) for level in ballot] for ballot in ballots]
    assert tally(reordered) == tally(ballots)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["yes", "no", "abstain"]), max_size=40), st.randoms(use_true_random=False))
def test_yes_no_independent_of_order(choices, rng):
    shuffled = choices[:]
    rng.shuffle(shuffled)
    kwargs = {"electorate": 50, "quorum": 0.2, "threshold": 0.6}
    assert tally_yes_no(shuffled, **kwargs) == tally_yes_no(choices, **kwargs)

"""Yes/no questions under a majority rule (:func:`tally_yes_no`).

The share of yes is ``yes / (yes + no)`` when ``majority_of`` is
``"votes"`` (abstentions count for turnout and quorum only), and ``yes /
electorate`` when it is ``"electorate"`` (a majority of all members, as
statutes often require: abstaining or not voting then weighs like a no;
Antragsgrün's "absolute majority", yes > no + abstentions, is the same
only when every member voted).  ``min_yes`` is a floor of yes votes, as
LiquidFeedback's ``direct_majority_positive``.

Two rules override the threshold: a tie (``yes == no``) never passes,
even with an at-least 50% threshold, and a question nobody answered yes
or no to never passes.  ``rule`` names the first condition that failed,
in this order: quorum, no yes or no votes, tie, threshold, ``min_yes``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any, Iterable

from .checks import (
    check_electorate,
    check_majority_of,
    check_min_yes,
    check_quorum,
    check_threshold,
    check_voters,
    count_answers,
)
from .choices import CHOICES, VOTES
from .outcome import comparison_text, count_of, passes, quorum_needed, quorum_rule, turnout_of


@dataclass(frozen=True)
class YesNoResult:
    """Outcome of a yes/no question under a majority rule.

    ``turnout`` is ``voters / electorate`` as a float (0.0 for an empty
    electorate); ``quorum_needed`` is the smallest number of voters that meets
    the quorum; ``rule`` says in words what decided the outcome.
    ``majority_of`` (``"votes"`` or ``"electorate"``) and ``min_yes`` repeat
    the rules counted with; ``share`` is the share of yes compared with the
    threshold, ``yes / (yes + no)`` or ``yes / electorate``, as a float, or
    ``None`` when that is 0 / 0.
    """

    yes: int
    no: int
    abstain: int
    voters: int
    electorate: int
    turnout: float
    quorum_needed: int
    quorum_met: bool
    accepted: bool
    rule: str
    majority_of: str = VOTES
    min_yes: int = 0
    share: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the result as a new, JSON-ready dict."""
        return asdict(self)


def tally_yes_no(
    choices: Iterable[str],
    *,
    electorate: int,
    quorum: Any = 0,
    threshold: Any = 0.5,
    strict: bool = True,
    majority_of: str = VOTES,
    min_yes: int = 0,
) -> YesNoResult:
    """Count a yes/no question under a majority rule.

    ``choices`` holds one of ``"yes"``, ``"no"``, ``"abstain"`` per voter who
    answered.  The question is accepted when the quorum is met (``voters >=
    quorum * electorate``, exactly), the share of yes is above ``threshold``
    (at least ``threshold`` when ``strict`` is false) and at least ``min_yes``
    voters answered yes, under the rules in this module's docstring.

    Raises ``ValueError`` for an unknown choice, a quorum outside [0, 1], a
    threshold outside [0.5, 1), an unknown ``majority_of``, a negative or
    non-integer ``min_yes``, a bad electorate or more voters than the
    electorate.
    """
    electorate = check_electorate(electorate)
    quorum_f = check_quorum(quorum)
    threshold_f = check_threshold(threshold)
    majority_of = check_majority_of(majority_of)
    min_yes = check_min_yes(min_yes)
    yes, no, abstain = _count_choices(choices)
    voters = yes + no + abstain
    check_voters(voters, electorate)
    needed = quorum_needed(quorum_f, electorate)
    share = _yes_share(yes, no, electorate, majority_of)
    accepted, rule = _decide_yes_no(
        yes, no, voters, electorate, needed, share,
        _YesNoRules(threshold_f, strict, majority_of, min_yes),
    )
    return YesNoResult(
        yes=yes, no=no, abstain=abstain, voters=voters, electorate=electorate,
        turnout=turnout_of(voters, electorate), quorum_needed=needed, quorum_met=voters >= needed,
        accepted=accepted, rule=rule, majority_of=majority_of, min_yes=min_yes,
        share=None if share is None else float(share),
    )


@dataclass(frozen=True)
class _YesNoRules:
    """The rules a yes/no question is decided by, once checked."""

    threshold: Fraction
    strict: bool
    majority_of: str
    min_yes: int


def _count_choices(choices: Iterable[str]) -> tuple[int, int, int]:
    """(yes, no, abstain) among ``choices``."""
    yes, no, abstain = count_answers(choices, CHOICES)
    return yes, no, abstain


def _yes_share(yes: int, no: int, electorate: int, majority_of: str) -> Fraction | None:
    """yes / (yes + no) or yes / electorate; None for 0 / 0."""
    whole = yes + no if majority_of == VOTES else electorate
    return Fraction(yes, whole) if whole else None


def _decide_yes_no(
    yes: int,
    no: int,
    voters: int,
    electorate: int,
    needed: int,
    share: Fraction | None,
    rules: _YesNoRules,
) -> tuple[bool, str]:
    """(accepted, the rule in words): the first condition that failed, or why it passed."""
    if voters < needed:
        return False, quorum_rule(voters, electorate, needed)
    if yes + no == 0 or share is None:
        return False, "rejected: no yes or no votes (all abstained or none cast)"
    if yes == no:
        return False, f"rejected: tie {yes} yes to {no} no never passes"
    if rules.majority_of == VOTES:
        counted = f"{yes} yes to {no} no"
    else:
        counted = f"{yes} yes of {count_of(electorate, 'elector')}"
    passed = passes(share, rules.threshold, rules.strict)
    comparison = comparison_text(share, rules.threshold, rules.strict, passed)
    if not passed:
        return False, f"rejected: {counted} ({comparison})"
    if yes < rules.min_yes:
        return False, (
            f"rejected: {yes} yes, fewer than the "
            f"{count_of(rules.min_yes, 'yes vote')} required"
        )
    floor = f", at least {rules.min_yes} yes required" if rules.min_yes else ""
    return True, f"accepted: {counted} ({comparison}){floor}"

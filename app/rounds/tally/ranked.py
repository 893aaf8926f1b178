"""Ranked questions between rival amendments and the status quo (:func:`tally_ranked`).

The Schulze method (winning votes, :mod:`.schulze`) orders the options; ties in that order
go to the status quo, then to the earlier amendment.  An amendment is
accepted only if the quorum is met, it is the Schulze winner after
tie-breaking, and it beats the current text head to head by the
threshold: ``d[a][sq] / (d[a][sq] + d[sq][a]) > threshold`` (``>=`` when
``strict`` is false).  A head-to-head tie never passes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence

from .checks import check_electorate, check_quorum, check_threshold, check_voters, option_order
from .outcome import comparison_text, passes, quorum_needed, quorum_rule, turnout_of
from .rankings import group_ballots
from .schulze import schulze_count


@dataclass(frozen=True)
class RankedResult:
    """Outcome of a ranked question (amendments versus the current text).

    ``pairwise[x][y]`` is the number of voters ranking ``x`` strictly above
    ``y``; ``strongest[x][y]`` is the Schulze strongest-path strength from
    ``x`` to ``y``; both are square with a zero diagonal.  ``ranking`` is the
    Schulze order as levels (options sharing a level are tied); inside a level
    the keys are listed in tie-break order (status quo first, then amendments
    earliest first), so ``winner == ranking[0][0]``.  ``accepted`` is the key
    of the accepted amendment, or ``None`` when the current text stays.
    """

    voters: int
    electorate: int
    turnout: float
    quorum_needed: int
    quorum_met: bool
    options: list[str]
    status_quo: str
    pairwise: dict[str, dict[str, int]]
    strongest: dict[str, dict[str, int]]
    ranking: list[list[str]]
    winner: str
    accepted: str | None
    rule: str

    def as_dict(self) -> dict[str, Any]:
        """Return the result as a new, JSON-ready dict."""
        return asdict(self)


def tally_ranked(
    ballots: Iterable[Sequence[Sequence[str]]],
    *,
    options: Sequence[str],
    status_quo: str,
    electorate: int,
    quorum: Any = 0,
    threshold: Any = 0.5,
    strict: bool = True,
) -> RankedResult:
    """Count a ranked question between amendments and the current text (rules: see the module).

    ``options`` lists the amendments' keys in order of submission, earliest
    first; the ``status_quo`` key may be included in it (anywhere) or left
    out.  The option order used throughout is the status quo followed by the
    amendments, which is also the tie-break order.

    Each ballot is a ranking: a list of rank levels, best first, each level a
    list of option keys (keys sharing a level are tied).  Options a ballot
    leaves out rank below all listed ones, tied with each other.  An empty
    ballot counts for turnout and quorum but expresses no preference.

    Raises ``ValueError`` for an unknown or repeated option in a ballot, a
    malformed ballot, bad options, a quorum outside [0, 1], a threshold
    outside [0.5, 1), a bad electorate or more voters than the electorate.
    """
    electorate = check_electorate(electorate)
    quorum_f = check_quorum(quorum)
    threshold_f = check_threshold(threshold)
    order = option_order(options, status_quo)
    grouped = group_ballots(ballots, order)
    voters = sum(grouped.values())
    check_voters(voters, electorate)
    pairwise, strongest, ranking = schulze_count(grouped, order, status_quo)
    needed = quorum_needed(quorum_f, electorate)
    accepted, rule = _decide_ranked(
        pairwise, ranking, status_quo, voters, electorate, needed,
        threshold_f, strict,
    )
    return RankedResult(
        voters=voters, electorate=electorate, turnout=turnout_of(voters, electorate),
        quorum_needed=needed, quorum_met=voters >= needed, options=list(order), status_quo=status_quo,
        pairwise=pairwise, strongest=strongest, ranking=ranking, winner=ranking[0][0],
        accepted=accepted, rule=rule,
    )


def _decide_ranked(
    d: Mapping[str, Mapping[str, int]],
    ranking: list[list[str]],
    status_quo: str,
    voters: int,
    electorate: int,
    needed: int,
    threshold: Fraction,
    strict: bool,
) -> tuple[str | None, str]:
    """(key of the accepted amendment or None, the rule in words)."""
    if voters < needed:
        return None, quorum_rule(voters, electorate, needed)
    top = ranking[0]
    winner = top[0]
    if winner == status_quo:
        return None, "current text is the Schulze winner" + _tie_note(
            top, "ties go to the current text"
        )
    won, lost = d[winner][status_quo], d[status_quo][winner]
    if won + lost == 0:
        return None, (
            f"Schulze winner {winner} was not compared with the current text "
            "by any voter"
        )
    if won == lost:
        return None, (
            f"Schulze winner {winner} tied the current text {won} to {lost}; "
            "a tie never passes"
        )
    share = Fraction(won, won + lost)
    passed = passes(share, threshold, strict)
    verb = "beat" if passed else "did not beat"
    rule = (
        f"Schulze winner {winner}"
        f"{_tie_note(top, 'ties go to the earlier amendment')} {verb} the current text "
        f"{won} to {lost} ({comparison_text(share, threshold, strict, passed)})"
    )
    return (winner if passed else None), rule


def _tie_note(top: list[str], how: str) -> str:
    """Words naming the options tied with the winner, and how the tie was broken."""
    if len(top) == 1:
        return ""
    return f" (tied with {', '.join(top[1:])}; {how})"

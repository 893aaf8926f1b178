"""Pure vote counting for Commonwright rounds.

Three kinds of count are made here:

* yes/no questions under a majority rule (:func:`tally_yes_no`): the share of
  yes is taken of the yes and no votes (``majority_of="votes"``) or of the
  whole electorate (``majority_of="electorate"``), optionally with a floor of
  yes votes (``min_yes``);
* yes/no questions under the consent rule (:func:`tally_consent`): accepted
  when nobody objects; and
* ranked questions between rival amendments and the status quo
  ("keep the current text"), counted with the Schulze method
  (:func:`tally_ranked`).

The adoption question of an adoption round (the final vote on the whole
text) is a yes/no question like any other: it is counted by
:func:`tally_yes_no` or :func:`tally_consent` according to the round's
decision rule; :func:`tally_decision` picks the right one.

The module depends on the standard library only: no Flask, no database, no
``app`` imports.  Every result is a frozen dataclass whose fields are plain,
JSON-ready values (``int``, ``float``, ``bool``, ``str``, ``None``, lists and
dicts with ``str`` keys); ``as_dict()`` returns a deep copy as a dict.

Exact arithmetic: quorum, threshold and shares are compared as
:class:`fractions.Fraction`, never as floats, so "quorum 0.3 of 10 voters"
needs exactly 3 voters and "at least 2/3" passes with exactly 2 of 3.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence

__all__ = [
    "YES",
    "NO",
    "ABSTAIN",
    "CHOICES",
    "CONSENT",
    "OBJECT",
    "CONSENT_CHOICES",
    "VOTES",
    "ELECTORATE",
    "MAJORITY_OF",
    "MAJORITY",
    "DECISIONS",
    "YesNoResult",
    "ConsentResult",
    "RankedResult",
    "tally_yes_no",
    "tally_consent",
    "tally_decision",
    "tally_ranked",
    "pairwise_matrix",
    "schulze_strongest_paths",
    "schulze_ranking",
]

YES = "yes"
NO = "no"
ABSTAIN = "abstain"
CHOICES = (YES, NO, ABSTAIN)

# Choices of a question decided by consent.
CONSENT = "consent"
OBJECT = "object"
CONSENT_CHOICES = (CONSENT, OBJECT, ABSTAIN)

# What the share of yes is taken of, under a majority rule.
VOTES = "votes"  # yes / (yes + no): abstentions and non-voters do not count
ELECTORATE = "electorate"  # yes / electorate: abstentions and non-voters count against
MAJORITY_OF = (VOTES, ELECTORATE)

# Decision rules of yes/no and adoption questions (see tally_decision).
MAJORITY = "majority"
DECISIONS = (MAJORITY, CONSENT)

# Floats such as 2/3 are read as the simplest fraction with a denominator up
# to this bound that has exactly the same float value (see _fraction).
_MAX_FLOAT_DENOMINATOR = 10**6


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


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


@dataclass(frozen=True)
class ConsentResult:
    """Outcome of a yes/no question decided by consent.

    ``consent``, ``object`` and ``abstain`` count the answers; ``objections``
    holds every objection's reason (``""`` when one came without a reason),
    sorted so that their order says nothing about the order of the ballots;
    ``min_yes`` is the smallest number of consents the question needed.  The
    other fields are as in :class:`YesNoResult`.
    """

    consent: int
    object: int
    abstain: int
    voters: int
    electorate: int
    turnout: float
    quorum_needed: int
    quorum_met: bool
    min_yes: int
    accepted: bool
    objections: list[str]
    rule: str

    def as_dict(self) -> dict[str, Any]:
        """Return the result as a new, JSON-ready dict."""
        return asdict(self)


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


# ---------------------------------------------------------------------------
# Yes/no questions
# ---------------------------------------------------------------------------


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
    voters answered yes.

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

    Raises ``ValueError`` for an unknown choice, a quorum outside [0, 1], a
    threshold outside [0.5, 1), an unknown ``majority_of``, a negative or
    non-integer ``min_yes``, a bad electorate or more voters than the
    electorate.
    """
    electorate = _check_electorate(electorate)
    quorum_f = _check_quorum(quorum)
    threshold_f = _check_threshold(threshold)
    majority_of = _check_majority_of(majority_of)
    min_yes = _check_min_yes(min_yes)
    yes, no, abstain = _count_choices(choices)
    voters = yes + no + abstain
    _check_voters(voters, electorate)
    needed = _quorum_needed(quorum_f, electorate)
    share = _yes_share(yes, no, electorate, majority_of)
    accepted, rule = _decide_yes_no(
        yes, no, voters, electorate, needed, share,
        _YesNoRules(threshold_f, strict, majority_of, min_yes),
    )
    return YesNoResult(
        yes=yes,
        no=no,
        abstain=abstain,
        voters=voters,
        electorate=electorate,
        turnout=_turnout(voters, electorate),
        quorum_needed=needed,
        quorum_met=voters >= needed,
        accepted=accepted,
        rule=rule,
        majority_of=majority_of,
        min_yes=min_yes,
        share=None if share is None else float(share),
    )


@dataclass(frozen=True)
class _YesNoRules:
    threshold: Fraction
    strict: bool
    majority_of: str
    min_yes: int


def _count_choices(choices: Iterable[str]) -> tuple[int, int, int]:
    yes, no, abstain = _count(choices, CHOICES)
    return yes, no, abstain


def _count(choices: Iterable[str], allowed: Sequence[str]) -> list[int]:
    try:
        counts = Counter(choices)
    except TypeError:
        raise ValueError("choices must be an iterable of strings") from None
    unknown = [c for c in counts if c not in allowed]
    if unknown:
        raise ValueError(
            f"unknown choice {unknown[0]!r}; expected one of {', '.join(allowed)}"
        )
    return [counts[choice] for choice in allowed]


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
    if voters < needed:
        return False, _quorum_rule(voters, electorate, needed)
    if yes + no == 0 or share is None:
        return False, "rejected: no yes or no votes (all abstained or none cast)"
    if yes == no:
        return False, f"rejected: tie {yes} yes to {no} no never passes"
    if rules.majority_of == VOTES:
        counted = f"{yes} yes to {no} no"
    else:
        counted = f"{yes} yes of {_count_of(electorate, 'elector')}"
    passed = _passes(share, rules.threshold, rules.strict)
    comparison = _comparison(share, rules.threshold, rules.strict, passed)
    if not passed:
        return False, f"rejected: {counted} ({comparison})"
    if yes < rules.min_yes:
        return False, (
            f"rejected: {yes} yes, fewer than the "
            f"{_count_of(rules.min_yes, 'yes vote')} required"
        )
    floor = f", at least {rules.min_yes} yes required" if rules.min_yes else ""
    return True, f"accepted: {counted} ({comparison}){floor}"


# ---------------------------------------------------------------------------
# Consent
# ---------------------------------------------------------------------------


def tally_consent(
    answers: Iterable[str | Mapping[str, Any]],
    *,
    electorate: int,
    quorum: Any = 0,
    min_yes: int = 0,
) -> ConsentResult:
    """Count a yes/no question decided by consent.

    ``answers`` holds one answer per voter: a dict ``{"choice": "consent" |
    "object" | "abstain", "reason": str}`` (the reason is read for objections
    only, and may be missing: validating it is the caller's job), or a plain
    choice string.  The question is accepted when the quorum is met, nobody
    objects, and at least ``min_yes`` voters (and at least one) consent.

    This is the consent rule of sociocracy, which Loomio's "Consent process"
    template runs: a single objection blocks, whatever the number of
    consents; the proposal has to be amended until no objection remains.
    Abstaining ("stand aside") does not block, and neither does not voting,
    so the quorum is what guards against a decision taken by a few.

    All abstaining never passes, as under the majority rules: consent is
    given, not presumed (Loomio's guide announces the decision "when there
    are no remaining objections and everyone has consented"), and a decision
    nobody consented to would bind members on nobody's word.  For the same
    reason ``min_yes`` counts consents: it is the floor of members who must
    actively carry the decision, like the yes floor of a majority rule.

    Raises ``ValueError`` for an unknown choice, a malformed answer, a reason
    that is not a string, a quorum outside [0, 1], a negative or non-integer
    ``min_yes``, a bad electorate or more voters than the electorate.
    """
    electorate = _check_electorate(electorate)
    quorum_f = _check_quorum(quorum)
    min_yes = _check_min_yes(min_yes)
    choices, reasons = _read_consent_answers(answers)
    consent, objected, abstain = _count(choices, CONSENT_CHOICES)
    voters = consent + objected + abstain
    _check_voters(voters, electorate)
    needed = _quorum_needed(quorum_f, electorate)
    accepted, rule = _decide_consent(
        consent, objected, abstain, voters, electorate, needed, min_yes
    )
    return ConsentResult(
        consent=consent,
        object=objected,
        abstain=abstain,
        voters=voters,
        electorate=electorate,
        turnout=_turnout(voters, electorate),
        quorum_needed=needed,
        quorum_met=voters >= needed,
        min_yes=min_yes,
        accepted=accepted,
        objections=sorted(reasons, key=_reason_order),
        rule=rule,
    )


def _read_consent_answers(
    answers: Iterable[str | Mapping[str, Any]],
) -> tuple[list[str], list[str]]:
    """The answers' choices, and the reasons of the objections among them."""
    if isinstance(answers, (str, Mapping)):
        raise ValueError("answers must be a list of answers")
    try:
        pairs = [_consent_answer(answer) for answer in answers]
    except TypeError:
        raise ValueError("answers must be a list of answers") from None
    choices = [choice for choice, _ in pairs]
    reasons = [reason for choice, reason in pairs if choice == OBJECT]
    return choices, reasons


def _consent_answer(answer: str | Mapping[str, Any]) -> tuple[str, str]:
    if isinstance(answer, str):
        return answer, ""
    if not isinstance(answer, Mapping):
        raise ValueError(
            f"a consent answer must be a choice or a dict with a choice, got {answer!r}"
        )
    choice = answer.get("choice")
    if not isinstance(choice, str):
        raise ValueError(
            f"unknown choice {choice!r}; expected one of {', '.join(CONSENT_CHOICES)}"
        )
    reason = answer.get("reason")
    if choice != OBJECT or reason is None:
        return choice, ""
    if not isinstance(reason, str):
        raise ValueError(f"an objection's reason must be a string, got {reason!r}")
    return choice, reason


def _reason_order(reason: str) -> tuple[str, str]:
    """Alphabetical, ignoring case; ties broken by the exact text (a total order)."""
    return reason.casefold(), reason


def _decide_consent(
    consent: int,
    objected: int,
    abstain: int,
    voters: int,
    electorate: int,
    needed: int,
    min_yes: int,
) -> tuple[bool, str]:
    if voters < needed:
        return False, _quorum_rule(voters, electorate, needed)
    abstained = f", {abstain} abstain" if abstain else ""
    if objected:
        return False, (
            f"rejected: {_count_of(objected, 'objection')} "
            f"({consent} consent{abstained})"
        )
    if consent == 0:
        return False, "rejected: no consent or objection (all abstained or none cast)"
    if consent < min_yes:
        return False, (
            f"rejected: {consent} consent, fewer than the "
            f"{_count_of(min_yes, 'consent')} required (no objection)"
        )
    floor = f" (at least {min_yes} consent required)" if min_yes else ""
    return True, f"accepted: {consent} consent{abstained}, no objection{floor}"


# ---------------------------------------------------------------------------
# Yes/no and adoption questions under a round's decision rule
# ---------------------------------------------------------------------------


def tally_decision(
    answers: Iterable[str | Mapping[str, Any]],
    *,
    decision: str,
    electorate: int,
    quorum: Any = 0,
    threshold: Any = 0.5,
    strict: bool = True,
    majority_of: str = VOTES,
    min_yes: int = 0,
) -> YesNoResult | ConsentResult:
    """Count a yes/no question, or an adoption question, under ``decision``.

    An adoption question (the final vote on a whole text) is counted exactly
    like a yes/no question; only the round's decision rule matters.  With
    ``decision="majority"`` this is :func:`tally_yes_no` (``threshold``,
    ``strict``, ``majority_of`` and ``min_yes`` apply); with
    ``decision="consent"`` it is :func:`tally_consent` (``min_yes`` counts
    consents; ``threshold``, ``strict`` and ``majority_of`` do not apply and
    are ignored).  ``answers`` may be choice strings or dicts with a
    ``"choice"`` (and, under consent, a ``"reason"``), so a caller can pass
    the stored answers whatever the rule.

    Raises ``ValueError`` for an unknown decision, and as the function it
    calls.
    """
    if decision == MAJORITY:
        return tally_yes_no(
            map(_choice_of, answers),
            electorate=electorate,
            quorum=quorum,
            threshold=threshold,
            strict=strict,
            majority_of=majority_of,
            min_yes=min_yes,
        )
    if decision == CONSENT:
        return tally_consent(
            answers, electorate=electorate, quorum=quorum, min_yes=min_yes
        )
    raise ValueError(
        f"unknown decision {decision!r}; expected one of {', '.join(DECISIONS)}"
    )


def _choice_of(answer: str | Mapping[str, Any]) -> Any:
    return answer.get("choice") if isinstance(answer, Mapping) else answer


# ---------------------------------------------------------------------------
# Ranked questions
# ---------------------------------------------------------------------------


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
    """Count a ranked question between amendments and the current text.

    ``options`` lists the amendments' keys in order of submission, earliest
    first; the ``status_quo`` key may be included in it (anywhere) or left
    out.  The option order used throughout is the status quo followed by the
    amendments, which is also the tie-break order.

    Each ballot is a ranking: a list of rank levels, best first, each level a
    list of option keys (keys sharing a level are tied).  Options a ballot
    leaves out rank below all listed ones, tied with each other.  An empty
    ballot counts for turnout and quorum but expresses no preference.

    The Schulze method (winning votes) orders the options; ties in that order
    go to the status quo, then to the earlier amendment.  An amendment is
    accepted only if the quorum is met, it is the Schulze winner after
    tie-breaking, and it beats the current text head to head by the
    threshold: ``d[a][sq] / (d[a][sq] + d[sq][a]) > threshold`` (``>=`` when
    ``strict`` is false).  A head-to-head tie never passes.

    Raises ``ValueError`` for an unknown or repeated option in a ballot, a
    malformed ballot, bad options, a quorum outside [0, 1], a threshold
    outside [0.5, 1), a bad electorate or more voters than the electorate.
    """
    electorate = _check_electorate(electorate)
    quorum_f = _check_quorum(quorum)
    threshold_f = _check_threshold(threshold)
    order = _option_order(options, status_quo)
    grouped = _group_ballots(ballots, order)
    voters = sum(grouped.values())
    _check_voters(voters, electorate)
    d = _count_pairs(grouped, len(order))
    pairwise = _to_dict(d, order)
    strongest = _to_dict(_widest_paths(d), order)
    ranking = schulze_ranking(strongest, order, status_quo)
    needed = _quorum_needed(quorum_f, electorate)
    accepted, rule = _decide_ranked(
        pairwise, ranking, status_quo, voters, electorate, needed,
        threshold_f, strict,
    )
    return RankedResult(
        voters=voters,
        electorate=electorate,
        turnout=_turnout(voters, electorate),
        quorum_needed=needed,
        quorum_met=voters >= needed,
        options=list(order),
        status_quo=status_quo,
        pairwise=pairwise,
        strongest=strongest,
        ranking=ranking,
        winner=ranking[0][0],
        accepted=accepted,
        rule=rule,
    )


def pairwise_matrix(
    ballots: Iterable[Sequence[Sequence[str]]], options: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Return ``d`` with ``d[x][y]`` = number of ballots ranking x above y.

    Ballots have the same form as for :func:`tally_ranked`; unlisted options
    rank below all listed ones, tied.  The matrix is square over ``options``
    with a zero diagonal.  Raises ``ValueError`` for a malformed ballot or an
    unknown or repeated option.
    """
    order = _check_options(options)
    grouped = _group_ballots(ballots, order)
    return _to_dict(_count_pairs(grouped, len(order)), order)


def schulze_strongest_paths(
    d: Mapping[str, Mapping[str, int]], options: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Return the Schulze strongest-path strengths ``p`` for matrix ``d``.

    Link strength is measured by winning votes: the link x→y has strength
    ``d[x][y]`` when ``d[x][y] > d[y][x]`` and does not exist (0) otherwise.
    ``p[x][y]`` is the strength of the widest path from x to y (the largest
    possible weakest link), computed Floyd–Warshall style in O(n³).  The
    diagonal of ``d`` is ignored; the result has a zero diagonal.
    """
    order = _check_options(options)
    matrix = [[d[x][y] if x != y else 0 for y in order] for x in order]
    return _to_dict(_widest_paths(matrix), order)


def schulze_ranking(
    p: Mapping[str, Mapping[str, int]],
    options: Sequence[str],
    status_quo: str,
) -> list[list[str]]:
    """Return the Schulze order of ``options`` as a list of tied levels.

    x is ahead of y when ``p[x][y] > p[y][x]``.  The first level holds the
    options no other option is ahead of (the Schulze winners); each further
    level does the same for the options still left.  Inside a level keys are
    listed in tie-break order: the status quo first, then the other options
    in the order given; so ``ranking[0][0]`` is the winner after
    tie-breaking.  ``status_quo`` may be omitted from ``options``.
    """
    remaining = _option_order(options, status_quo)
    levels: list[list[str]] = []
    while remaining:
        level = [x for x in remaining if not _is_beaten(x, remaining, p)]
        if not level:
            raise ValueError("p is not a Schulze path matrix: it has a cycle")
        levels.append(level)
        remaining = [x for x in remaining if x not in level]
    return levels


def _is_beaten(x: str, rivals: Sequence[str], p: Mapping[str, Mapping[str, int]]) -> bool:
    return any(p[y][x] > p[x][y] for y in rivals if y != x)


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
    if voters < needed:
        return None, _quorum_rule(voters, electorate, needed)
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
    passed = _passes(share, threshold, strict)
    verb = "beat" if passed else "did not beat"
    rule = (
        f"Schulze winner {winner}"
        f"{_tie_note(top, 'ties go to the earlier amendment')} {verb} the current text "
        f"{won} to {lost} ({_comparison(share, threshold, strict, passed)})"
    )
    return (winner if passed else None), rule


def _tie_note(top: list[str], how: str) -> str:
    if len(top) == 1:
        return ""
    return f" (tied with {', '.join(top[1:])}; {how})"


# ---------------------------------------------------------------------------
# Ballot handling and counting
# ---------------------------------------------------------------------------


def _group_ballots(
    ballots: Iterable[Sequence[Sequence[str]]], order: Sequence[str]
) -> Counter[tuple[tuple[int, ...], ...]]:
    """Validate ballots and count identical ones (as rank levels of indices)."""
    try:
        raw_counts = Counter(map(_raw_form, ballots))
    except TypeError:
        raise ValueError(
            "each ballot must be a list of rank levels, each a list of "
            "option keys"
        ) from None
    index = {key: i for i, key in enumerate(order)}
    grouped: Counter[tuple[tuple[int, ...], ...]] = Counter()
    for raw, count in raw_counts.items():
        grouped[_normalise(raw, index)] += count
    return grouped


def _raw_form(ballot: Sequence[Sequence[str]]) -> tuple:
    """A hashable copy of a ballot; string levels are kept for validation."""
    return tuple(
        level if isinstance(level, str) else tuple(level) for level in ballot
    )


def _normalise(raw: tuple, index: Mapping[str, int]) -> tuple[tuple[int, ...], ...]:
    """Turn a raw ballot into sorted index levels, rejecting bad keys."""
    seen: set[int] = set()
    levels = []
    for level in raw:
        if isinstance(level, str):
            raise ValueError(
                f"ballot {_show(raw)}: rank level {level!r} must be a list of "
                "option keys, not a string"
            )
        positions = []
        for key in level:
            position = index.get(key)
            if position is None:
                raise ValueError(f"ballot {_show(raw)}: unknown option {key!r}")
            if position in seen:
                raise ValueError(f"ballot {_show(raw)}: option {key!r} listed twice")
            seen.add(position)
            positions.append(position)
        if positions:
            levels.append(tuple(sorted(positions)))
    return tuple(levels)


def _show(raw: tuple) -> str:
    return repr([level if isinstance(level, str) else list(level) for level in raw])


def _count_pairs(
    grouped: Mapping[tuple[tuple[int, ...], ...], int], n: int
) -> list[list[int]]:
    """d[x][y] = weight of ballots ranking x strictly above y.

    For each distinct ballot, every option in a level beats every option in
    a later level and every unlisted option, i.e. everything still "below".
    """
    d = [[0] * n for _ in range(n)]
    for levels, weight in grouped.items():
        below = set(range(n))
        for level in levels:
            below.difference_update(level)
            for x in level:
                row = d[x]
                for y in below:
                    row[y] += weight
    return d


def _widest_paths(d: list[list[int]]) -> list[list[int]]:
    """Schulze strongest paths (winning votes) on an index matrix."""
    n = len(d)
    p = [
        [d[i][j] if i != j and d[i][j] > d[j][i] else 0 for j in range(n)]
        for i in range(n)
    ]
    for i in range(n):
        p_i = p[i]
        for j in range(n):
            p_ji = p[j][i]
            if j == i or p_ji == 0:
                continue
            p_j = p[j]
            for k in range(n):
                if k == i or k == j:
                    continue
                via = p_ji if p_ji < p_i[k] else p_i[k]
                if via > p_j[k]:
                    p_j[k] = via
    return p


def _to_dict(matrix: list[list[int]], order: Sequence[str]) -> dict[str, dict[str, int]]:
    return {
        x: {y: matrix[i][j] for j, y in enumerate(order)}
        for i, x in enumerate(order)
    }


# ---------------------------------------------------------------------------
# Validation and shared helpers
# ---------------------------------------------------------------------------


def _check_options(options: Sequence[str]) -> list[str]:
    if isinstance(options, str):
        raise ValueError("options must be a list of option keys, not a string")
    order = list(options)
    for key in order:
        if not isinstance(key, str) or not key:
            raise ValueError(f"option keys must be non-empty strings, got {key!r}")
    duplicates = sorted({key for key in order if order.count(key) > 1})
    if duplicates:
        raise ValueError(f"option {duplicates[0]!r} is listed twice in options")
    return order


def _option_order(options: Sequence[str], status_quo: str) -> list[str]:
    """Status quo first, then the other options in the order given."""
    order = _check_options(options)
    if not isinstance(status_quo, str) or not status_quo:
        raise ValueError(f"status_quo must be a non-empty string, got {status_quo!r}")
    return [status_quo] + [key for key in order if key != status_quo]


def _check_electorate(electorate: int) -> int:
    if isinstance(electorate, bool) or not isinstance(electorate, int):
        raise ValueError(f"electorate must be an integer, got {electorate!r}")
    if electorate < 0:
        raise ValueError(f"electorate must not be negative, got {electorate}")
    return electorate


def _check_voters(voters: int, electorate: int) -> None:
    if voters > electorate:
        raise ValueError(
            f"more voters ({voters}) than the electorate ({electorate})"
        )


def _check_quorum(quorum: Any) -> Fraction:
    value = _fraction(quorum, "quorum")
    if not 0 <= value <= 1:
        raise ValueError(f"quorum must be between 0 and 1, got {quorum!r}")
    return value


def _check_majority_of(majority_of: Any) -> str:
    if majority_of not in MAJORITY_OF:
        raise ValueError(
            f"majority_of must be one of {', '.join(MAJORITY_OF)}, got {majority_of!r}"
        )
    return majority_of


def _check_min_yes(min_yes: Any) -> int:
    if isinstance(min_yes, bool) or not isinstance(min_yes, int) or min_yes < 0:
        raise ValueError(f"min_yes must be a whole number, 0 or more, got {min_yes!r}")
    return min_yes


def _check_threshold(threshold: Any) -> Fraction:
    value = _fraction(threshold, "threshold")
    if not Fraction(1, 2) <= value < 1:
        raise ValueError(
            f"threshold must be at least 0.5 and below 1, got {threshold!r}"
        )
    return value


def _fraction(value: Any, name: str) -> Fraction:
    """Read a number exactly, as ``Fraction(str(value))``.

    A float is first tried as the simplest fraction (denominator up to 10**6)
    with exactly the same float value, so ``2/3`` means two thirds rather than
    0.6666666666666666; ``0.3`` is 3/10 either way.
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        exact = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{name} must be a finite number, got {value!r}") from None
    if isinstance(value, float):
        simple = exact.limit_denominator(_MAX_FLOAT_DENOMINATOR)
        if float(simple) == value:
            return simple
    return exact


def _quorum_needed(quorum: Fraction, electorate: int) -> int:
    return math.ceil(quorum * electorate)


def _quorum_rule(voters: int, electorate: int, needed: int) -> str:
    return f"quorum not met: {voters} of {electorate} voted, {needed} needed"


def _turnout(voters: int, electorate: int) -> float:
    return voters / electorate if electorate else 0.0


def _passes(share: Fraction, threshold: Fraction, strict: bool) -> bool:
    return share > threshold if strict else share >= threshold


def _comparison(share: Fraction, threshold: Fraction, strict: bool, passed: bool) -> str:
    operator = ">" if strict else ">="
    negation = "" if passed else "not "
    return f"{_percent(share)} {negation}{operator} {_percent(threshold)}"


def _count_of(n: int, noun: str) -> str:
    """"1 elector", "2 electors"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _percent(value: Fraction) -> str:
    text = f"{float(value) * 100:.1f}"
    return text.removesuffix(".0") + "%"

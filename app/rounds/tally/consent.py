"""Yes/no questions decided by consent (:func:`tally_consent`): accepted when nobody objects.

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
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable, Mapping

from .checks import check_electorate, check_min_yes, check_quorum, check_voters, count_answers
from .choices import CONSENT_CHOICES, OBJECT
from .outcome import count_of, quorum_needed, quorum_rule, turnout_of


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
    objects, and at least ``min_yes`` voters (and at least one) consent
    (why: see this module's docstring).

    Raises ``ValueError`` for an unknown choice, a malformed answer, a reason
    that is not a string, a quorum outside [0, 1], a negative or non-integer
    ``min_yes``, a bad electorate or more voters than the electorate.
    """
    electorate = check_electorate(electorate)
    quorum_f = check_quorum(quorum)
    min_yes = check_min_yes(min_yes)
    choices, reasons = _read_consent_answers(answers)
    consent, objected, abstain = count_answers(choices, CONSENT_CHOICES)
    voters = consent + objected + abstain
    check_voters(voters, electorate)
    needed = quorum_needed(quorum_f, electorate)
    accepted, rule = _decide_consent(
        consent, objected, abstain, voters, electorate, needed, min_yes
    )
    return ConsentResult(
        consent=consent, object=objected, abstain=abstain, voters=voters, electorate=electorate,
        turnout=turnout_of(voters, electorate), quorum_needed=needed, quorum_met=voters >= needed,
        min_yes=min_yes, accepted=accepted, objections=sorted(reasons, key=_reason_order), rule=rule,
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
    """(choice, reason) of one answer; the reason is read for an objection only."""
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
    """(accepted, the rule in words): quorum, objections, no consent, the consent floor."""
    if voters < needed:
        return False, quorum_rule(voters, electorate, needed)
    abstained = f", {abstain} abstain" if abstain else ""
    if objected:
        return False, (
            f"rejected: {count_of(objected, 'objection')} "
            f"({consent} consent{abstained})"
        )
    if consent == 0:
        return False, "rejected: no consent or objection (all abstained or none cast)"
    if consent < min_yes:
        return False, (
            f"rejected: {consent} consent, fewer than the "
            f"{count_of(min_yes, 'consent')} required (no objection)"
        )
    floor = f" (at least {min_yes} consent required)" if min_yes else ""
    return True, f"accepted: {consent} consent{abstained}, no objection{floor}"

"""Yes/no and adoption questions under a round's decision rule (:func:`tally_decision`).

The adoption question of an adoption round (the final vote on the whole text) is a yes/no
question like any other: it is counted by :func:`~.yes_no.tally_yes_no` or
:func:`~.consent.tally_consent` according to the round's decision rule.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from .choices import CONSENT, DECISIONS, MAJORITY, VOTES
from .consent import ConsentResult, tally_consent
from .yes_no import YesNoResult, tally_yes_no


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
    """The choice of a stored answer, whether a dict or a plain choice string."""
    return answer.get("choice") if isinstance(answer, Mapping) else answer

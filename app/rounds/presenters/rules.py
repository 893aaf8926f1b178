"""Every rule of a round in plain words: a paragraph (:func:`rules_text`) and short facts
(:func:`rules_facts`)."""
import math

from ..tally.checks import exact_fraction
from .words import percent


def rules_text(round_):
    """Every rule of the round in plain words: kind, decision rule, yes floor, quorum, the ranked
    rule for rivals (amendments rounds) and the ballot. Shown on the round, ballot and results
    pages, in the report and the PDF annex; the rules are frozen once voting opens."""
    parts = [_kind_rule(round_), _decision_rule(round_)]
    if round_.min_yes:
        parts.append(f"It also needs at least {round_.min_yes} {_yes_word(round_, round_.min_yes)}.")
    parts.append(_quorum_rule(round_))
    if round_.kind != "adoption":
        parts.append(_ranked_rule(round_))
    parts.append(_ballot_rule(round_))
    return " ".join(parts)


def _kind_rule(round_):
    """What kind of round it is and what passing it does."""
    if round_.kind == "adoption":
        text = f"revision {round_.base_number}" if round_.base_number else "the revision current when voting opens"
        return (f"Adoption round: the final vote on the whole text as amended ({text}); "
                "if it passes, the policy is adopted.")
    return "Amendments round: members propose amendments, then vote on each; accepted ones are merged into the text."


def _subject(round_):
    """What a question puts to the vote, as the subject of a sentence."""
    return "The text" if round_.kind == "adoption" else "An amendment"


def _yes_word(round_, n):
    """"consent(s)" or "yes vote(s)", as the round's decision rule counts them."""
    if round_.decision == "consent":
        return "consent" if n == 1 else "consents"
    return "yes vote" if n == 1 else "yes votes"


def _decision_rule(round_):
    """When a question passes, under consent or a majority rule."""
    subject = _subject(round_)
    if round_.decision == "consent":
        return (f"Consent: {subject.lower()} passes when nobody objects and at least one member consents; "
                "an objection must give its reason, and abstaining does not block.")
    comparison = "more than" if round_.strict else "at least"
    share = percent(round_.threshold)
    if round_.majority_of == "electorate":
        needed = _yes_needed(round_)
        return (f"{subject} passes when {comparison} {share} of the whole electorate vote yes "
                f"({needed} of {round_.electorate_size}); abstaining or not voting weighs like a no, "
                "and a tie never passes.")
    return (f"{subject} passes with {comparison} {share} of the yes and no votes; "
            "abstentions count towards turnout only, and a tie never passes.")


def _yes_needed(round_):
    """The smallest number of yes votes that carries a question under majority of the electorate."""
    share = exact_fraction(round_.threshold, "threshold") * round_.electorate_size
    return math.floor(share) + 1 if round_.strict else math.ceil(share)


def _quorum_rule(round_):
    """The quorum in words, with the number of voters it needs."""
    if round_.quorum == 0:
        return "No quorum: the result stands whatever the turnout."
    electorate = round_.electorate_size
    needed = math.ceil(exact_fraction(round_.quorum, "quorum") * electorate)
    return f"Quorum: {percent(round_.quorum)} of the {electorate} electors must vote ({needed} voters)."


def _ranked_rule(round_):
    """How rival amendments are decided: ranked with the current text (Schulze)."""
    comparison = "more than" if round_.strict else "at least"
    lead = "Rival amendments (changing the same lines) are not put to consent: they" \
        if round_.decision == "consent" else "Rival amendments (changing the same lines)"
    return (f"{lead} are ranked together with “keep the current text” (Schulze method); the winner must "
            f"also beat the current text head to head with {comparison} {percent(round_.threshold)} "
            "(LiquidFeedback's rule).")


def _ballot_rule(round_):
    """Secret or open ballot, and what that means after the close."""
    if round_.secret:
        return ("Secret ballot: who voted is recorded apart from what was voted, and after the close no one can "
                "link a ballot to a voter.")
    return "Open ballot: after the close everyone can see who voted what."


def rules_facts(round_):
    """The rules as short (term, value) pairs for a definition list, next to :func:`rules_text`."""
    comparison = "more than" if round_.strict else "at least"
    facts = [("Kind", "Adoption: the final vote on the whole text" if round_.kind == "adoption"
              else "Amendments")]
    if round_.decision == "consent":
        facts.append(("Decision", "Consent: passes when nobody objects; an objection gives its reason"))
    elif round_.majority_of == "electorate":
        facts.append(("Decision", f"Majority of the electorate: {comparison} {percent(round_.threshold)} "
                                  f"of all {round_.electorate_size} electors vote yes"))
    else:
        facts.append(("Decision", f"Majority: {comparison} {percent(round_.threshold)} of yes and no votes"))
    if round_.min_yes:
        facts.append(("At least", f"{round_.min_yes} {_yes_word(round_, round_.min_yes)}"))
    facts.append(("Quorum", f"{percent(round_.quorum)} of the electorate"))
    if round_.kind != "adoption":
        facts.append(("Rival amendments", f"ranked (Schulze); the winner needs {comparison} "
                                          f"{percent(round_.threshold)} against the current text"))
    facts.append(("Ballot", "secret" if round_.secret else "open"))
    return facts

"""Every rule of a round in plain words: a paragraph (:func:`rules_text`) and short facts
(:func:`rules_facts`). Each sentence is one message, whole, for every combination of the rules
(a round's kind, its decision rule, strict or not), so that it translates as a sentence."""
import math

from flask_babel import gettext, ngettext

from ..tally.checks import exact_fraction
from .words import percent


def rules_text(round_):
    """Every rule of the round in plain words: kind, decision rule, yes floor, quorum, the ranked
    rule for rivals (amendments rounds) and the ballot. Shown on the round, ballot and results
    pages, in the report and the PDF annex; the rules are frozen once voting opens."""
    parts = [_kind_rule(round_), _decision_rule(round_)]
    if round_.min_yes:
        parts.append(_min_yes_rule(round_))
    parts.append(_quorum_rule(round_))
    if round_.kind != "adoption":
        parts.append(_ranked_rule(round_))
    parts.append(_ballot_rule(round_))
    return " ".join(parts)


def _kind_rule(round_):
    """What kind of round it is and what passing it does."""
    if round_.kind == "adoption":
        if round_.base_number:
            return gettext("Adoption round: the final vote on the whole text as amended (revision %(revision)s); "
                           "if it passes, the policy is adopted.", revision=round_.base_number)
        return gettext("Adoption round: the final vote on the whole text as amended (the revision current when "
                       "voting opens); if it passes, the policy is adopted.")
    return gettext("Amendments round: members propose amendments, then vote on each; accepted ones are merged "
                   "into the text.")


def _min_yes_rule(round_):
    """The floor of yes votes (or consents) a question needs besides its decision rule."""
    if round_.decision == "consent":
        return ngettext("It also needs at least %(num)d consent.", "It also needs at least %(num)d consents.",
                        round_.min_yes)
    return ngettext("It also needs at least %(num)d yes vote.", "It also needs at least %(num)d yes votes.",
                    round_.min_yes)


def min_yes_words(round_):
    """The yes floor alone: '2 consents', '1 yes vote'."""
    if round_.decision == "consent":
        return ngettext("%(num)d consent", "%(num)d consents", round_.min_yes)
    return ngettext("%(num)d yes vote", "%(num)d yes votes", round_.min_yes)


def _decision_rule(round_):
    """When a question passes, under consent or a majority rule."""
    adoption = round_.kind == "adoption"
    if round_.decision == "consent":
        if adoption:
            return gettext("Consent: the text passes when nobody objects and at least one member consents; an "
                           "objection must give its reason, and abstaining does not block.")
        return gettext("Consent: an amendment passes when nobody objects and at least one member consents; an "
                       "objection must give its reason, and abstaining does not block.")
    share = percent(round_.threshold)
    if round_.majority_of == "electorate":
        values = {"share": share, "needed": _yes_needed(round_), "electorate": round_.electorate_size}
        if adoption and round_.strict:
            return gettext("The text passes when more than %(share)s of the whole electorate vote yes (%(needed)s "
                           "of %(electorate)s); abstaining or not voting weighs like a no, and a tie never passes.",
                           **values)
        if adoption:
            return gettext("The text passes when at least %(share)s of the whole electorate vote yes (%(needed)s "
                           "of %(electorate)s); abstaining or not voting weighs like a no, and a tie never passes.",
                           **values)
        if round_.strict:
            return gettext("An amendment passes when more than %(share)s of the whole electorate vote yes "
                           "(%(needed)s of %(electorate)s); abstaining or not voting weighs like a no, and a tie "
                           "never passes.", **values)
        return gettext("An amendment passes when at least %(share)s of the whole electorate vote yes (%(needed)s "
                       "of %(electorate)s); abstaining or not voting weighs like a no, and a tie never passes.",
                       **values)
    if adoption and round_.strict:
        return gettext("The text passes with more than %(share)s of the yes and no votes; abstentions count "
                       "towards turnout only, and a tie never passes.", share=share)
    if adoption:
        return gettext("The text passes with at least %(share)s of the yes and no votes; abstentions count "
                       "towards turnout only, and a tie never passes.", share=share)
    if round_.strict:
        return gettext("An amendment passes with more than %(share)s of the yes and no votes; abstentions count "
                       "towards turnout only, and a tie never passes.", share=share)
    return gettext("An amendment passes with at least %(share)s of the yes and no votes; abstentions count "
                   "towards turnout only, and a tie never passes.", share=share)


def _yes_needed(round_):
    """The smallest number of yes votes that carries a question under majority of the electorate."""
    share = exact_fraction(round_.threshold, "threshold") * round_.electorate_size
    return math.floor(share) + 1 if round_.strict else math.ceil(share)


def _quorum_rule(round_):
    """The quorum in words, with the number of voters it needs."""
    if round_.quorum == 0:
        return gettext("No quorum: the result stands whatever the turnout.")
    electorate = round_.electorate_size
    needed = math.ceil(exact_fraction(round_.quorum, "quorum") * electorate)
    return gettext("Quorum: %(share)s of the %(electorate)s electors must vote (%(needed)s voters).",
                   share=percent(round_.quorum), electorate=electorate, needed=needed)


def _ranked_rule(round_):
    """How rival amendments are decided: ranked with the current text (Schulze)."""
    share = percent(round_.threshold)
    if round_.decision == "consent" and round_.strict:
        return gettext("Rival amendments (changing the same lines) are not put to consent: they are ranked "
                       "together with “keep the current text” (Schulze method); the winner must also beat the "
                       "current text head to head with more than %(share)s (LiquidFeedback's rule).", share=share)
    if round_.decision == "consent":
        return gettext("Rival amendments (changing the same lines) are not put to consent: they are ranked "
                       "together with “keep the current text” (Schulze method); the winner must also beat the "
                       "current text head to head with at least %(share)s (LiquidFeedback's rule).", share=share)
    if round_.strict:
        return gettext("Rival amendments (changing the same lines) are ranked together with “keep the current "
                       "text” (Schulze method); the winner must also beat the current text head to head with "
                       "more than %(share)s (LiquidFeedback's rule).", share=share)
    return gettext("Rival amendments (changing the same lines) are ranked together with “keep the current text” "
                   "(Schulze method); the winner must also beat the current text head to head with at least "
                   "%(share)s (LiquidFeedback's rule).", share=share)


def _ballot_rule(round_):
    """Secret or open ballot, and what that means after the close."""
    if round_.secret:
        return gettext("Secret ballot: who voted is recorded apart from what was voted, and after the close no "
                       "one can link a ballot to a voter.")
    return gettext("Open ballot: after the close everyone can see who voted what.")


def rules_facts(round_):
    """The rules as short (term, value) pairs for a definition list, next to :func:`rules_text`."""
    share = percent(round_.threshold)
    facts = [(gettext("Kind"), gettext("Adoption: the final vote on the whole text") if round_.kind == "adoption"
              else gettext("Amendments"))]
    if round_.decision == "consent":
        facts.append((gettext("Decision"), gettext("Consent: passes when nobody objects; an objection gives its "
                                                   "reason")))
    elif round_.majority_of == "electorate":
        values = {"share": share, "electorate": round_.electorate_size}
        facts.append((gettext("Decision"), gettext("Majority of the electorate: more than %(share)s of all "
                                                   "%(electorate)s electors vote yes", **values) if round_.strict
                      else gettext("Majority of the electorate: at least %(share)s of all %(electorate)s electors "
                                   "vote yes", **values)))
    else:
        facts.append((gettext("Decision"), gettext("Majority: more than %(share)s of yes and no votes", share=share)
                      if round_.strict else gettext("Majority: at least %(share)s of yes and no votes", share=share)))
    if round_.min_yes:
        facts.append((gettext("At least"), min_yes_words(round_)))
    facts.append((gettext("Quorum"), gettext("%(share)s of the electorate", share=percent(round_.quorum))))
    if round_.kind != "adoption":
        facts.append((gettext("Rival amendments"),
                      gettext("ranked (Schulze); the winner needs more than %(share)s against the current text",
                              share=share) if round_.strict
                      else gettext("ranked (Schulze); the winner needs at least %(share)s against the current text",
                                   share=share)))
    facts.append((gettext("Ballot"), gettext("secret") if round_.secret else gettext("open")))
    return facts

"""The consultation report: each amendment with its diff, its tally in words and objections;
and the final votes of an adoption round."""
from flask_babel import gettext, lazy_gettext

from ...amendments.display import STATE_LABELS, stored_outcome
from .. import closing, phases
from .amendment_display import amendment_rows
from .results import is_consent, objections_of, question_view
from .words import line_label, percent

#: How the report names an amendment's state after the round, where it differs from
#: :data:`app.amendments.display.STATE_LABELS`.
REPORT_STATE_LABELS = {
    "merged": lazy_gettext("Accepted and merged"),
    "rejected": lazy_gettext("Not adopted"),
    "needs_rebase": lazy_gettext("Not voted on"),
    "accepted_not_merged": lazy_gettext("Accepted, not merged"),
}


def state_label(state):
    """An amendment's state in the report's words: 'Accepted and merged', 'Not adopted'."""
    return REPORT_STATE_LABELS.get(state) or STATE_LABELS.get(state) or state.replace("_", " ")


def report_view(round_, entries):
    """Report entries with their name, diff, tally in words, objections and resulting revision."""
    open_rows = closing.open_ballots(round_)
    out = []
    for entry in entries:
        amendment, data = entry["amendment"], entry["result"]
        consent = bool(data) and is_consent(data)
        out.append({**entry, "name": amendment.label_with_author, "rows": amendment_rows(amendment),
                    "lines": line_label(amendment), "consent": consent, "state_label": state_label(amendment.state),
                    "outcome_text": stored_outcome(amendment),
                    "objections": objections_of(data, round_, open_rows) if consent else [],
                    "tally": tally_text(data, amendment) if data else None})
    return out


def final_votes(round_):
    """The results of a closed round's adoption questions (the final vote on the whole text), as
    :func:`question_view` gives them; empty for an amendments round."""
    if round_.kind != "adoption":
        return []
    results = [r for r in closing.stored_results(round_) if r.data["kind"] == "adoption"]
    open_rows = closing.open_ballots(round_) if results else []
    return [{**question_view(r.data, {}, round_, open_rows), "tally": tally_text(r.data)} for r in results]


def tally_text(data, amendment=None):
    """One line summing up the vote on a question (on `amendment`'s, for a ranked one)."""
    turnout = percent(data["turnout"])
    if data["kind"] != "ranked":
        if is_consent(data):
            return gettext("%(consent)s consent, %(object)s object, %(abstain)s abstain; turnout %(turnout)s.",
                           consent=data["consent"], object=data["object"], abstain=data["abstain"], turnout=turnout)
        return gettext("%(yes)s yes, %(no)s no, %(abstain)s abstain; turnout %(turnout)s.",
                       yes=data["yes"], no=data["no"], abstain=data["abstain"], turnout=turnout)
    key = f"a{amendment.id}"
    won, lost = data["pairwise"][key][phases.KEEP], data["pairwise"][phases.KEEP][key]
    rank = next((i for i, level in enumerate(data["ranking"], start=1) if key in level), None)
    return gettext("Ranked question of %(rivals)s rival amendments: placed %(rank)s of %(levels)s in the Schulze "
                   "ranking; preferred to the current text by %(won)s, the current text preferred by %(lost)s; "
                   "turnout %(turnout)s.", rivals=len(data["question_options"]) - 1, rank=rank,
                   levels=len(data["ranking"]), won=won, lost=lost, turnout=turnout)

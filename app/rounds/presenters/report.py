"""The consultation report: each amendment with its diff, its tally in words and objections;
and the final votes of an adoption round."""
from .. import closing, phases
from .amendment_display import amendment_rows
from .results import is_consent, objections_of, question_view
from .words import line_label, percent


def report_view(round_, entries):
    """Report entries with their name, diff, tally in words, objections and resulting revision."""
    open_rows = closing.open_ballots(round_)
    out = []
    for entry in entries:
        amendment, data = entry["amendment"], entry["result"]
        consent = bool(data) and is_consent(data)
        out.append({**entry, "name": amendment.label_with_author, "rows": amendment_rows(amendment),
                    "lines": line_label(amendment), "consent": consent,
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
            return f"{data['consent']} consent, {data['object']} object, {data['abstain']} abstain; turnout {turnout}."
        return f"{data['yes']} yes, {data['no']} no, {data['abstain']} abstain; turnout {turnout}."
    key = f"a{amendment.id}"
    won, lost = data["pairwise"][key][phases.KEEP], data["pairwise"][phases.KEEP][key]
    rank = next((i for i, level in enumerate(data["ranking"], start=1) if key in level), None)
    return (f"Ranked question of {len(data['question_options']) - 1} rival amendments: placed {rank} of "
            f"{len(data['ranking'])} in the Schulze ranking; preferred to the current text by {won}, "
            f"the current text preferred by {lost}; turnout {turnout}.")

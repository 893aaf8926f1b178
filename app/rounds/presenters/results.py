"""The results page: per question its counts, turnout, quorum, decision, objections and
charts; plus who voted what in an open round."""
from flask_babel import gettext, pgettext

from .. import closing, services
from .amendment_display import amendments_by_id, question_amendment_ids
from .charts import bar_chart, split_bar
from .ranked_results import ranked_view
from .rule_words import rule_words
from .words import CHOICE_LABELS, names_of, percent, sentence


def results_view(round_):
    """Per question: counts, turnout, quorum, decision, objections and chart geometry; plus who voted."""
    results = closing.stored_results(round_)
    amendments = amendments_by_id(question_amendment_ids([r.data for r in results]))
    open_rows = closing.open_ballots(round_)
    questions = [question_view(r.data, amendments, round_, open_rows) for r in results]
    voters = services.voter_count(round_)
    return {
        "questions": questions,
        "participants": closing.participants(round_),
        "ballots": _open_ballots_view(open_rows, questions),
        "voters": voters,
        "turnout": percent(voters / round_.electorate_size if round_.electorate_size else 0),
    }


def is_consent(data):
    """True for the stored result of a question decided by consent."""
    return "objections" in data


def question_view(data, amendments, round_, open_rows=()):
    """One stored result ready for the page: see :func:`_choice_view` and :func:`ranked_view`.

    `open_rows` are the open ballots of the round (:func:`app.rounds.closing.open_ballots`),
    from which an open round's objections are named.
    """
    names = names_of(amendments.values())
    common = {**data, "turnout_text": percent(data["turnout"]), "rule_text": sentence(rule_words(data, names))}
    if data["kind"] == "ranked":
        return ranked_view(common, amendments, round_)
    return _choice_view(common, amendments, round_, open_rows)


def _choice_view(data, amendments, round_, open_rows):
    """A yes/no or adoption question's result: title, decision, counts and charts, objections."""
    view = dict(data)
    if data["kind"] == "adoption":
        view.update(amendment=None,
                    title=gettext("The final vote on the whole text (revision %(revision)s)",
                                  revision=round_.base_number),
                    subject=gettext("the whole text"),
                    chart_title=gettext("Votes on the whole text"),
                    decision_text=pgettext("the text", "Adopted") if data["accepted"] else gettext("Not adopted"))
    else:
        amendment = amendments[data["amendment_id"]]
        view.update(amendment=amendment, title=amendment.label_with_author, subject=amendment.code,
                    chart_title=gettext("Votes on %(subject)s", subject=amendment.code),
                    decision_text=gettext("Accepted") if data["accepted"] else gettext("Rejected"))
    if is_consent(data):
        counts = [("consent", data["consent"]), ("object", data["object"]), ("abstain", data["abstain"])]
        view.update(consent_rule=True, objections_list=objections_of(data, round_, open_rows), split=None,
                    chart=bar_chart([(str(CHOICE_LABELS[k]), n, f"bar-{k}") for k, n in counts]))
        return view
    counts = [("yes", data["yes"]), ("no", data["no"]), ("abstain", data["abstain"])]
    view.update(consent_rule=False, chart=bar_chart([(str(CHOICE_LABELS[k]), n, f"bar-{k}") for k, n in counts]))
    if data.get("majority_of") == "electorate":
        electorate = data["electorate"]
        view.update(share_label=gettext("Yes among the whole electorate"), split_title=gettext("Yes in the electorate"),
                    yes_share=percent(data["yes"] / electorate) if electorate else "—",
                    split=split_bar(data["yes"], electorate - data["yes"], round_.threshold,
                                    (gettext("Yes"), gettext("Not yes (no, abstain or did not vote)"))))
    else:
        total = data["yes"] + data["no"]
        view.update(share_label=gettext("Yes among yes and no"), split_title=gettext("Yes and no"),
                    yes_share=percent(data["yes"] / total) if total else "—",
                    split=split_bar(data["yes"], data["no"], round_.threshold, (gettext("Yes"), gettext("No"))))
    return view


def objections_of(data, round_, open_rows=()):
    """The objections to a question decided by consent: [{name, user, reason}].

    In an open round each names who objected (read from the open ballots), sorted by name;
    in a secret round `name` is None and the reasons come as the count stored them, sorted
    alphabetically, so that their order says nothing about the ballots.
    """
    if round_.secret:
        return [{"name": None, "user": None, "reason": reason} for reason in data.get("objections", [])]
    key, out = str(data["question_id"]), []
    for user, answers in open_rows:
        answer = answers.get(key)
        if isinstance(answer, dict) and answer.get("choice") == "object":
            out.append({"name": user.name, "user": user, "reason": answer.get("reason", "")})
    return out


def _open_ballots_view(open_rows, questions):
    """Who voted what in an open round: [{user, cells}], a cell per question in words."""
    rows = []
    for user, answers in open_rows:
        cells = [answer_words(answers.get(str(question["question_id"])), question.get("codes", {}))
                 for question in questions]
        rows.append({"user": user, "cells": cells})
    return rows


def answer_words(value, codes):
    """A stored answer in words: 'Yes', 'Object', 'A3 > Current text = A1', or '—' when not answered."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return str(CHOICE_LABELS.get(value, value))
    if isinstance(value, dict):
        return str(CHOICE_LABELS.get(value.get("choice"), value.get("choice")))
    return " > ".join(" = ".join(str(codes.get(key, key)) for key in level) for level in value)

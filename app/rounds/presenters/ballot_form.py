"""The ballot form: its questions, the answers and errors read from it, the values shown
again, and the voter's answers in words for the confirmation page."""
import re

from flask_babel import gettext, lazy_gettext

from .amendment_display import amendment_rows, amendments_by_id, option_label, question_amendment_ids
from .words import CHOICE_LABELS, adoption_text, line_label, sentence

#: The radios of a question on the ballot: (value, label) per decision rule and question kind.
BALLOT_CHOICES = {
    ("majority", "yes_no"): [("yes", lazy_gettext("Yes, accept it")), ("no", lazy_gettext("No, reject it")),
                             ("abstain", lazy_gettext("Abstain"))],
    ("majority", "adoption"): [("yes", lazy_gettext("Yes, adopt it")), ("no", lazy_gettext("No, do not adopt it")),
                               ("abstain", lazy_gettext("Abstain"))],
    ("consent", "yes_no"): [("consent", lazy_gettext("Consent")), ("object", lazy_gettext("Object")),
                            ("abstain", lazy_gettext("Abstain"))],
    ("consent", "adoption"): [("consent", lazy_gettext("Consent")), ("object", lazy_gettext("Object")),
                              ("abstain", lazy_gettext("Abstain"))],
}


def ballot_questions(round_):
    """The questions in order, each with its wording, choices, amendments and diffs.

    Each item: id, kind, position, legend (the question in words), consent (answered with
    consent / object / abstain and a reason), choices [(value, label)] for yes/no and adoption
    questions; the amendment, its name and diff for yes/no; the revision voted on for adoption;
    the options with their names and diffs for ranked questions.
    """
    amendments = amendments_by_id(question_amendment_ids(round_.questions))
    items = []
    for question in round_.questions:
        item = {"id": question.id, "kind": question.kind, "position": question.position,
                "consent": round_.decision == "consent" and question.kind != "ranked",
                "choices": BALLOT_CHOICES.get((round_.decision, question.kind), [])}
        if question.kind == "yes_no":
            amendment = amendments[question.amendment_id]
            lines = line_label(amendment)
            values = {"amendment": amendment.label_with_author, "lines": lines}
            legend = gettext("Do you consent to %(amendment)s, %(lines)s?", **values) if item["consent"] \
                else gettext("Accept %(amendment)s, %(lines)s?", **values)
            item.update(amendment=amendment, name=amendment.label_with_author, rows=amendment_rows(amendment),
                        lines=lines, legend=legend)
        elif question.kind == "adoption":
            item.update(revision=round_.base_number, legend=adoption_text(round_))
        else:
            item["options"] = [_ballot_option(option, amendments) for option in question.options]
            item["legend"] = gettext("Rank the %(count)s rival amendments and “keep the current text”",
                                     count=len(question.options) - 1)
        items.append(item)
    return items


def _ballot_option(option, amendments):
    """One option of a ranked question on the ballot: key, label, and the amendment's diff."""
    amendment = amendments.get(option["amendment_id"])
    return {
        "key": option["key"],
        "label": option_label(option, amendments),
        "amendment": amendment,
        "rows": amendment_rows(amendment) if amendment else None,
        "lines": line_label(amendment) if amendment else None,
    }


def answers_from_form(round_, form):
    """API-style answers from the ballot form, and per-question errors the form itself finds.

    Field names: q<id> = the choice (yes/no/abstain, or consent/object/abstain under consent),
    reason-<id> = the reason of an objection; rank-<id>-<key> = 1..n or empty (not ranked).
    Equal rank numbers are a tie; options left unranked rank below the ranked ones; ranking
    any option answers the question. The service checks the rest (an objection's reason).
    """
    consent = round_.decision == "consent"
    answers, errors = [], {}
    for question in round_.questions:
        if question.kind == "ranked":
            ranking, error = _ranking_from_form(question, form)
            if error:
                errors[question.id] = error
            elif ranking:
                answers.append({"question": question.id, "ranking": ranking})
            continue
        choice = form.get(f"q{question.id}", "")
        reason = form.get(f"reason-{question.id}", "")
        if choice:
            answer = {"question": question.id, "choice": choice}
            if consent and choice == "object":
                answer["reason"] = reason
            answers.append(answer)
        elif consent and reason.strip():
            errors[question.id] = gettext("You wrote a reason but chose no answer: choose Object to send it with "
                                          "your objection, or empty the reason to leave this question unanswered.")
    if not answers and not errors:
        errors[0] = gettext("Answer at least one question, then cast your ballot.")
    return answers, errors


def _ranking_from_form(question, form):
    """(ranking levels, error) of a ranked question's rank selects."""
    levels = {}
    for option in question.options:
        raw = form.get(f"rank-{question.id}-{option['key']}", "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= len(question.options):
            return None, gettext("Ranks are whole numbers from 1 to %(count)s.", count=len(question.options))
        levels.setdefault(int(raw), []).append(option["key"])
    return [levels[rank] for rank in sorted(levels)], None


def cleared_question(round_, form):
    """The ranked question whose "Clear my ranking" button sent the form, or None."""
    raw = form.get("clear", "")
    return next((q for q in round_.questions if q.kind == "ranked" and str(q.id) == raw), None)


def form_errors_of(round_, error, answers):
    """A service ValidationError as {question id: message} for the ballot form.

    The service names the question by its id ("Question 12: …"); the form shows each message
    next to its question and names it by its position, so the id is left out.
    """
    out = {}
    for name, message in error.fields.items():
        index = name.removeprefix("answers[").removesuffix("]")
        if index.isdigit() and int(index) < len(answers):
            qid = answers[int(index)]["question"]
            # "Question 12: …" in any language (the service's messages are translated sentences)
            out[qid] = sentence(re.sub(rf"^\D{{0,24}}\b{qid}\s*:\s*", "", str(message), count=1))
        else:
            out[0] = message
    return out or {0: error.message}


def current_from_form(round_, form, cleared=None):
    """The values the voter submitted, to show the form again.

    {question id: {choice, reason} | {option key: rank}}; the ranking of the `cleared`
    question (see :func:`cleared_question`) comes back empty.
    """
    current = {}
    for question in round_.questions:
        if question.kind != "ranked":
            current[question.id] = {"choice": form.get(f"q{question.id}", ""),
                                    "reason": form.get(f"reason-{question.id}", "")}
        elif question is cleared:
            current[question.id] = {}
        else:
            current[question.id] = {o["key"]: form.get(f"rank-{question.id}-{o['key']}", "") for o in question.options}
    return current


def current_from_ballot(ballot):
    """The stored ballot as form values: a ranking becomes rank numbers (ties share one)."""
    current = {}
    for answer in ballot.get("answers") or []:
        if "choice" in answer:
            current[answer["question"]] = {"choice": answer["choice"], "reason": answer.get("reason", "")}
        else:
            current[answer["question"]] = {
                key: str(rank) for rank, level in enumerate(answer["ranking"], start=1) for key in level
            }
    return current


def ballot_summary(round_, ballot):
    """The voter's answers in words, for the confirmation page."""
    if not ballot.get("answers"):
        return []
    questions = {q["id"]: q for q in ballot_questions(round_)}
    lines = []
    for answer in ballot["answers"]:
        question = questions[answer["question"]]
        if question["kind"] == "ranked":
            labels = {o["key"]: o["label"] for o in question["options"]}
            levels = [" = ".join(str(labels[key]) for key in level) for level in answer["ranking"]]
            text = gettext("Ranking: %(ranking)s", ranking=" > ".join(levels))
        else:
            subject = question["name"] if question["kind"] == "yes_no" \
                else gettext("the whole text (revision %(revision)s)", revision=question["revision"])
            values = {"subject": sentence(subject), "choice": CHOICE_LABELS[answer["choice"]]}
            if answer.get("reason"):
                text = gettext("%(subject)s: %(choice)s, because: “%(reason)s”", reason=answer["reason"], **values)
            else:
                text = gettext("%(subject)s: %(choice)s", **values)
        lines.append({"position": question["position"], "text": text})
    return lines

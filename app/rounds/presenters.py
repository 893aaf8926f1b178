"""What the round pages show: phase names, timelines, rules in plain words, ballot forms,
results with their SVG chart geometry.

Formatting only; every decision is taken by the services. Closing writes its outcome notes
with these words too (:func:`percent`, :func:`readable_rule`).
"""
import math
import re
from dataclasses import replace

from ..amendments.models import Amendment
from ..core import diffing
from ..core.timeutil import utcnow
from ..extensions import db
from . import closing, phases, services, tally

CHART_WIDTH = 640
LABEL_WIDTH = 170
BAR_SPACE = 380
ROW_HEIGHT = 34
CHOICE_LABELS = {"yes": "Yes", "no": "No", "abstain": "Abstain", "consent": "Consent", "object": "Object"}
#: The radios of a question on the ballot: (value, label) per decision rule and question kind.
BALLOT_CHOICES = {
    ("majority", "yes_no"): [("yes", "Yes, accept it"), ("no", "No, reject it"), ("abstain", "Abstain")],
    ("majority", "adoption"): [("yes", "Yes, adopt it"), ("no", "No, do not adopt it"), ("abstain", "Abstain")],
    ("consent", "yes_no"): [("consent", "Consent"), ("object", "Object"), ("abstain", "Abstain")],
    ("consent", "adoption"): [("consent", "Consent"), ("object", "Object"), ("abstain", "Abstain")],
}
KEEP_LABEL = "Keep the current text"
#: A ranked question with more options than this shows its top options, not the whole
#: pairwise matrix (201 options would be 40,401 cells); the whole matrix is a CSV download.
MATRIX_LIMIT = 12


# ---------------------------------------------------------------------------
# Words: phases, durations, rules, percentages
# ---------------------------------------------------------------------------

PHASES_SHOWN = {
    "amending": (
        "Amending",
        "Members propose, co-sign and withdraw amendments and comment on the text; the text can still be edited.",
    ),
    "deliberating": (
        "Deliberating",
        "Members discuss the amendments and comment. No new amendments; authors may still withdraw or rebase theirs.",
    ),
    "voting": (
        "Voting",
        "Members of the electorate cast their ballots and may change them until voting closes. "
        "The text and its amendments are frozen.",
    ),
    "closed": (
        "Closed",
        "The results are published and the accepted amendments are merged into a new revision.",
    ),
    "cancelled": ("Cancelled", "The round was cancelled: nothing was decided and the amendments return to the pool."),
}
#: What the phases of an adoption round (the final vote on the whole text) allow, where it differs.
ADOPTION_PHASES = {
    "deliberating": ("Deliberating", "Members read and discuss the whole text before the final vote."),
    "voting": (
        "Voting",
        "Members of the electorate vote on the whole text and may change their ballot until voting closes. "
        "The text is frozen.",
    ),
    "closed": ("Closed", "The result is published; if the text passed, the policy is adopted."),
    "cancelled": ("Cancelled", "The round was cancelled: nothing was decided."),
}


def phase_words(round_, phase=None):
    """(label, what the phase allows) of `phase` (the round's own by default), in the words of its kind."""
    phase = phase or round_.phase
    if round_.kind == "adoption" and phase in ADOPTION_PHASES:
        return ADOPTION_PHASES[phase]
    return PHASES_SHOWN[phase]


def describe_duration(delta):
    """A countdown in words: '2 days, 3 hours', '5 minutes', 'less than a minute'."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return "less than a minute"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return ", ".join(words[:2])


def timeline(round_, now=None):
    """The phases in order, each {key, label, allows, ends, state} with state done/current/upcoming.

    A cancelled round lists its phases as 'not reached' after the cancellation and ends with
    a 'cancelled' step.
    """
    now = now or utcnow()
    order = ["amending", "deliberating", "voting", "closed"]
    ends = [round_.amending_until, round_.deliberating_until, round_.voting_until, None]
    if round_.kind == "adoption":  # no amending phase
        order, ends = order[1:], ends[1:]
    current = order.index(round_.phase) if round_.phase in order else None
    steps = []
    for index, (key, end) in enumerate(zip(order, ends)):
        if current is None:
            state = "done" if round_.cancelled_at and end and end <= round_.cancelled_at else "skipped"
            if key == "closed":
                continue
        else:
            state = "done" if index < current else "current" if index == current else "upcoming"
        label, allows = phase_words(round_, key)
        steps.append({"key": key, "label": label, "allows": allows, "ends": end, "state": state})
    if current is None:
        label, allows = phase_words(round_, "cancelled")
        steps.append({"key": "cancelled", "label": label, "allows": allows, "ends": None, "state": "current"})
    return steps


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
    if round_.kind == "adoption":
        text = f"revision {round_.base_number}" if round_.base_number else "the revision current when voting opens"
        return (f"Adoption round: the final vote on the whole text as amended ({text}); "
                "if it passes, the policy is adopted.")
    return "Amendments round: members propose amendments, then vote on each; accepted ones are merged into the text."


def _subject(round_):
    return "The text" if round_.kind == "adoption" else "An amendment"


def _yes_word(round_, n):
    if round_.decision == "consent":
        return "consent" if n == 1 else "consents"
    return "yes vote" if n == 1 else "yes votes"


def _decision_rule(round_):
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
    share = tally._fraction(round_.threshold, "threshold") * round_.electorate_size
    return math.floor(share) + 1 if round_.strict else math.ceil(share)


def _quorum_rule(round_):
    if round_.quorum == 0:
        return "No quorum: the result stands whatever the turnout."
    electorate = round_.electorate_size
    needed = math.ceil(tally._fraction(round_.quorum, "quorum") * electorate)
    return f"Quorum: {percent(round_.quorum)} of the {electorate} electors must vote ({needed} voters)."


def _ranked_rule(round_):
    comparison = "more than" if round_.strict else "at least"
    lead = "Rival amendments (changing the same lines) are not put to consent: they" \
        if round_.decision == "consent" else "Rival amendments (changing the same lines)"
    return (f"{lead} are ranked together with “keep the current text” (Schulze method); the winner must "
            f"also beat the current text head to head with {comparison} {percent(round_.threshold)} "
            "(LiquidFeedback's rule).")


def _ballot_rule(round_):
    if round_.secret:
        return ("Secret ballot: who voted is recorded apart from what was voted, and after the close no one can "
                "link a ballot to a voter.")
    return "Open ballot: after the close everyone can see who voted what."


def percent(value):
    """A fraction as a short percentage: 0.5 → '50%', 2/3 → '66.7%'."""
    text = f"{float(value) * 100:.1f}"
    return text.removesuffix(".0") + "%"


def readable_rule(rule, names=None):
    """tally's rule with its option keys spelled out: a12 → "A3 — Raise the dividend".

    `names` maps amendment ids to the names to use (see :func:`names_of`); a key whose id it
    lacks reads "amendment #12".
    """
    names = names or {}
    return re.sub(r"\ba(\d+)\b", lambda m: names.get(int(m.group(1)), f"amendment #{m.group(1)}"), rule)


def names_of(amendments):
    """{amendment id: its name, "A3 — Raise the dividend"}, for :func:`readable_rule`."""
    return {amendment.id: amendment.label for amendment in amendments}


def sentence(text):
    """The text with its first letter in capitals (Jinja's capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------
# The round and its timeline
# ---------------------------------------------------------------------------


def round_view(round_, user):
    """Everything the round's header shows: phase, timeline, countdown, rules, what the viewer may do."""
    now = utcnow()
    deadline = services.next_deadline(round_)
    label, allows = phase_words(round_)
    return {
        "title": round_title(round_),
        "phase_label": label,
        "allows": allows,
        "timeline": timeline(round_, now),
        "deadline": deadline,
        "countdown": describe_duration(deadline - now) if deadline else None,
        "rules": rules_text(round_),
        "facts": rules_facts(round_),
        "voters": services.voter_count(round_),
        "is_elector": round_.is_elector(user),
        "has_voted": round_.has_voted(user),
        "can_facilitate": round_.can_facilitate(user),
        "threshold": percent(round_.threshold),
        "quorum": percent(round_.quorum),
    }


def round_title(round_):
    """'Round 2', numbered within its policy (never the database id)."""
    return f"Round {round_.number}"


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


def amendment_rows(amendment):
    """Side-by-side diff rows of an amendment, numbered with the policy's line numbers."""
    offset = amendment.line_start - 1
    rows = diffing.side_by_side(amendment.original or "", amendment.replacement or "")
    return [
        replace(
            row,
            old_no=row.old_no + offset if row.old_no else row.old_no,
            new_no=row.new_no + offset if row.new_no else row.new_no,
        )
        for row in rows
    ]


def line_label(amendment):
    """'lines 3–5', 'line 3' or 'insertion before line 3'."""
    start, end = amendment.line_start, amendment.line_end
    if end == start - 1:
        return f"insertion before line {start}"
    return f"line {start}" if start == end else f"lines {start}–{end}"


def _amendments_by_id(ids):
    ids = [i for i in ids if i]
    if not ids:
        return {}
    query = db.select(Amendment).filter(Amendment.id.in_(ids))
    return {a.id: a for a in db.session.execute(query).scalars()}


def _question_amendment_ids(questions):
    """The ids of the amendments a list of questions (or stored results' data) refers to."""
    ids = []
    for question in questions:
        amendment_id, options = (question.get("amendment_id"), question.get("question_options") or []) \
            if isinstance(question, dict) else (question.amendment_id, question.options or [])
        ids += [amendment_id] + [option["amendment_id"] for option in options]
    return [i for i in ids if i]


def option_label(option, amendments):
    """How an option of a ranked question is named: "A3 — Raise the dividend (Ben Okafor)"."""
    if option["amendment_id"] is None:
        return KEEP_LABEL
    return amendments[option["amendment_id"]].label_with_author


def option_code(option, amendments):
    """An option's name for tight spaces: "A3", or "Current text"."""
    if option["amendment_id"] is None:
        return "Current text"
    return amendments[option["amendment_id"]].code


def adoption_text(round_):
    """The adoption question in words: 'Adopt the text as amended (revision 4)?'."""
    return f"Adopt the text as amended (revision {round_.base_number})?"


# ---------------------------------------------------------------------------
# The ballot form
# ---------------------------------------------------------------------------


def ballot_questions(round_):
    """The questions in order, each with its wording, choices, amendments and diffs.

    Each item: id, kind, position, legend (the question in words), consent (answered with
    consent / object / abstain and a reason), choices [(value, label)] for yes/no and adoption
    questions; the amendment, its name and diff for yes/no; the revision voted on for adoption;
    the options with their names and diffs for ranked questions.
    """
    amendments = _amendments_by_id(_question_amendment_ids(round_.questions))
    items = []
    for question in round_.questions:
        item = {"id": question.id, "kind": question.kind, "position": question.position,
                "consent": round_.decision == "consent" and question.kind != "ranked",
                "choices": BALLOT_CHOICES.get((round_.decision, question.kind), [])}
        if question.kind == "yes_no":
            amendment = amendments[question.amendment_id]
            lines = line_label(amendment)
            verb = "Do you consent to" if item["consent"] else "Accept"
            item.update(amendment=amendment, name=amendment.label_with_author, rows=amendment_rows(amendment),
                        lines=lines, legend=f"{verb} {amendment.label_with_author}, {lines}?")
        elif question.kind == "adoption":
            item.update(revision=round_.base_number, legend=adoption_text(round_))
        else:
            item["options"] = [_ballot_option(option, amendments) for option in question.options]
            item["legend"] = f"Rank the {len(question.options) - 1} rival amendments and “keep the current text”"
        items.append(item)
    return items


def _ballot_option(option, amendments):
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
            errors[question.id] = ("You wrote a reason but chose no answer: choose Object to send it with your "
                                   "objection, or empty the reason to leave this question unanswered.")
    if not answers and not errors:
        errors[0] = "Answer at least one question, then cast your ballot."
    return answers, errors


def _ranking_from_form(question, form):
    """(ranking levels, error) of a ranked question's rank selects."""
    levels = {}
    for option in question.options:
        raw = form.get(f"rank-{question.id}-{option['key']}", "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= len(question.options):
            return None, f"Ranks are whole numbers from 1 to {len(question.options)}."
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
            out[qid] = sentence(message.removeprefix(f"Question {qid}: "))
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
            levels = [" = ".join(labels[key] for key in level) for level in answer["ranking"]]
            text = "Ranking: " + " > ".join(levels)
        else:
            subject = question["name"] if question["kind"] == "yes_no" else f"the whole text (revision {question['revision']})"
            text = f"{sentence(subject)}: {CHOICE_LABELS[answer['choice']]}"
            if answer.get("reason"):
                text += f", because: “{answer['reason']}”"
        lines.append({"position": question["position"], "text": text})
    return lines


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


def results_view(round_):
    """Per question: counts, turnout, quorum, decision, objections and chart geometry; plus who voted."""
    results = closing.stored_results(round_)
    amendments = _amendments_by_id(_question_amendment_ids([r.data for r in results]))
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
    """One stored result ready for the page: see :func:`_choice_view` and :func:`_ranked_view`.

    `open_rows` are the open ballots of the round (:func:`app.rounds.closing.open_ballots`),
    from which an open round's objections are named.
    """
    names = names_of(amendments.values())
    common = {**data, "turnout_text": percent(data["turnout"]), "rule_text": sentence(readable_rule(data["rule"], names))}
    if data["kind"] == "ranked":
        return _ranked_view(common, amendments, round_)
    return _choice_view(common, amendments, round_, open_rows)


def _choice_view(data, amendments, round_, open_rows):
    """A yes/no or adoption question's result: title, decision, counts and charts, objections."""
    view = dict(data)
    if data["kind"] == "adoption":
        view.update(amendment=None, title=f"The final vote on the whole text (revision {round_.base_number})",
                    subject="the whole text", decision_text="Adopted" if data["accepted"] else "Not adopted")
    else:
        amendment = amendments[data["amendment_id"]]
        view.update(amendment=amendment, title=amendment.label_with_author, subject=amendment.code,
                    decision_text="Accepted" if data["accepted"] else "Rejected")
    if is_consent(data):
        counts = [("consent", data["consent"]), ("object", data["object"]), ("abstain", data["abstain"])]
        view.update(consent_rule=True, objections_list=objections_of(data, round_, open_rows), split=None,
                    chart=bar_chart([(CHOICE_LABELS[k], n, f"bar-{k}") for k, n in counts]))
        return view
    counts = [("yes", data["yes"]), ("no", data["no"]), ("abstain", data["abstain"])]
    view.update(consent_rule=False, chart=bar_chart([(CHOICE_LABELS[k], n, f"bar-{k}") for k, n in counts]))
    if data.get("majority_of") == "electorate":
        electorate = data["electorate"]
        view.update(share_label="Yes among the whole electorate", split_title="Yes in the electorate",
                    yes_share=percent(data["yes"] / electorate) if electorate else "—",
                    split=split_bar(data["yes"], electorate - data["yes"], round_.threshold,
                                    ("Yes", "Not yes (no, abstain or did not vote)")))
    else:
        total = data["yes"] + data["no"]
        view.update(share_label="Yes among yes and no", split_title="Yes and no", yes_share=percent(data["yes"] / total) if total else "—",
                    split=split_bar(data["yes"], data["no"], round_.threshold, ("Yes", "No")))
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


def _ranked_view(data, amendments, round_):
    options = data["question_options"]
    labels = {o["key"]: option_label(o, amendments) for o in options}
    codes = {o["key"]: option_code(o, amendments) for o in options}
    keys = schulze_order(data)
    bounded = len(keys) > MATRIX_LIMIT
    pairwise = data["pairwise"]
    matrix = None if bounded else [
        {"key": x, "label": labels[x], "cells": [
            {"key": y, "value": pairwise[x][y] if x != y else None, "wins": x != y and pairwise[x][y] > pairwise[y][x]}
            for y in keys
        ]}
        for x in keys
    ]
    duels = [
        {"key": key, "label": labels[key], "short": codes[key], "won": pairwise[key][phases.KEEP],
         "lost": pairwise[phases.KEEP][key],
         "split": split_bar(pairwise[key][phases.KEEP], pairwise[phases.KEEP][key],
                            round_.threshold, ("Prefer the amendment", "Prefer the current text"))}
        for key in keys if key != phases.KEEP
    ]
    accepted = amendments.get(data["accepted_amendment_id"])
    return {
        **data,
        "labels": labels,
        "codes": codes,
        "order": keys,
        "matrix": matrix,
        "top": top_options(data, labels) if bounded else None,
        "duels": duels,
        "levels": [[labels[key] for key in level] for level in data["ranking"]],
        "accepted_amendment": accepted,
        "winner_failed": winner_failed(data),
        "winner_label": labels.get(data["winner"]),
        "amendments": [amendments[o["amendment_id"]] for o in options if o["amendment_id"]],
    }


def winner_failed(data):
    """True when a ranked question's Schulze winner is a rival that did not beat the current text head to head."""
    return (bool(data["voters"]) and data["quorum_met"] and data["winner"] != phases.KEEP
            and data["accepted_amendment_id"] is None)


def schulze_order(data):
    """The option keys of a ranked result, best first (the Schulze ranking, ties in stored order)."""
    return [key for level in data["ranking"] for key in level]


def top_options(data, labels, limit=MATRIX_LIMIT):
    """The first `limit` options of a ranked result with their head-to-head record.

    [{rank, key, label, wins, losses, ties, against}]: rank is the Schulze level (tied options
    share it), wins / losses / ties count the other options beaten, lost to and tied with,
    against is the number of other options. Reads len(options) × limit cells, never the whole matrix.
    """
    keys = schulze_order(data)
    rank = {key: number for number, level in enumerate(data["ranking"], start=1) for key in level}
    pairwise = data["pairwise"]
    rows = []
    for key in keys[:limit]:
        duels = [(pairwise[key][other], pairwise[other][key]) for other in keys if other != key]
        wins = sum(1 for mine, theirs in duels if mine > theirs)
        losses = sum(1 for mine, theirs in duels if mine < theirs)
        rows.append({"rank": rank[key], "key": key, "label": labels.get(key, key), "wins": wins,
                     "losses": losses, "ties": len(duels) - wins - losses, "against": len(duels)})
    return rows


def matrix_table(data, labels):
    """The whole pairwise matrix of a ranked result as rows for a CSV file, in Schulze order.

    A header row (key, option, rank, then every option's key), then one row per option: its key,
    label and Schulze rank, then the number of voters who ranked it above each column's option
    (empty on the diagonal).
    """
    keys = schulze_order(data)
    rank = {key: number for number, level in enumerate(data["ranking"], start=1) for key in level}
    pairwise = data["pairwise"]
    yield ["key", "option", "rank", *keys]
    for x in keys:
        yield [x, labels.get(x, x), rank[x], *("" if x == y else pairwise[x][y] for y in keys)]


def option_labels(data):
    """{option key: label} of a ranked result, as the results page names them."""
    amendments = _amendments_by_id([o["amendment_id"] for o in data["question_options"]])
    return {o["key"]: option_label(o, amendments) for o in data["question_options"]}


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
        return CHOICE_LABELS.get(value, value)
    if isinstance(value, dict):
        return CHOICE_LABELS.get(value.get("choice"), value.get("choice"))
    return " > ".join(" = ".join(codes.get(key, key) for key in level) for level in value)


def bar_chart(bars):
    """Geometry of a horizontal bar chart: [(label, value, css class)] → dict for the SVG template."""
    top = max((value for _, value, _ in bars), default=0) or 1
    rows = []
    for index, (label, value, css) in enumerate(bars):
        width = round(BAR_SPACE * value / top, 1)
        y = 10 + index * ROW_HEIGHT
        rows.append({"label": label, "value": value, "css": css, "y": y, "text_y": y + 17,
                     "width": width, "text_x": round(LABEL_WIDTH + width + 8, 1)})
    return {"width": CHART_WIDTH, "height": 20 + len(bars) * ROW_HEIGHT, "label_width": LABEL_WIDTH,
            "bar_height": ROW_HEIGHT - 10, "bar_space": BAR_SPACE, "rows": rows}


def split_bar(first, second, threshold, labels):
    """Geometry of one bar split between two counts, with the threshold marked."""
    total = first + second
    first_width = round(BAR_SPACE * first / total, 1) if total else 0
    return {
        "width": CHART_WIDTH, "height": 56, "label_width": LABEL_WIDTH, "bar_width": BAR_SPACE,
        "first": first, "second": second, "labels": labels,
        "first_width": first_width, "second_x": LABEL_WIDTH + first_width,
        "second_width": round(BAR_SPACE - first_width, 1) if total else 0,
        "threshold_x": round(LABEL_WIDTH + BAR_SPACE * threshold, 1),
        "threshold": percent(threshold), "empty": total == 0,
    }


# ---------------------------------------------------------------------------
# The consultation report
# ---------------------------------------------------------------------------


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

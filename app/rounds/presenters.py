"""What the round pages show: phase names, timelines, rules in plain words, ballot forms,
results with their SVG chart geometry.

Formatting only; every decision is taken by the services. Closing writes its outcome notes
with these words too (:func:`percent`, :func:`readable_rule`).
"""
import math
import re
from dataclasses import replace

from ..amendments.models import Amendment
from ..core import textops
from ..core.timeutil import utcnow
from ..extensions import db
from . import closing, phases, services, tally

CHART_WIDTH = 640
LABEL_WIDTH = 170
BAR_SPACE = 380
ROW_HEIGHT = 34
CHOICE_LABELS = {"yes": "Yes", "no": "No", "abstain": "Abstain"}
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
    current = order.index(round_.phase) if round_.phase in order else None
    steps = []
    for index, (key, end) in enumerate(zip(order, ends)):
        if current is None:
            state = "done" if round_.cancelled_at and end and end <= round_.cancelled_at else "skipped"
            if key == "closed":
                continue
        else:
            state = "done" if index < current else "current" if index == current else "upcoming"
        label, allows = PHASES_SHOWN[key]
        steps.append({"key": key, "label": label, "allows": allows, "ends": end, "state": state})
    if current is None:
        label, allows = PHASES_SHOWN["cancelled"]
        steps.append({"key": "cancelled", "label": label, "allows": allows, "ends": None, "state": "current"})
    return steps


def rules_text(round_):
    """The round's rules in plain words, as shown to everyone."""
    electorate = round_.electorate_size
    needed = math.ceil(tally._fraction(round_.quorum, "quorum") * electorate)
    quorum = (
        "No quorum: the result stands whatever the turnout."
        if round_.quorum == 0
        else f"Quorum: {percent(round_.quorum)} of the {electorate} electors must vote ({needed} voters)."
    )
    comparison = "more than" if round_.strict else "at least"
    threshold = (
        f"An amendment passes with {comparison} {percent(round_.threshold)} of the yes and no votes; "
        "abstentions count towards turnout only, and a tie never passes. Rival amendments are ranked "
        "together with “keep the current text” (Schulze method); the winner must also beat the current "
        "text head to head by the same threshold."
    )
    ballot = (
        "Secret ballot: who voted is recorded apart from what was voted, and after the close no one can "
        "link a ballot to a voter."
        if round_.secret
        else "Open ballot: after the close everyone can see who voted what."
    )
    return " ".join([quorum, threshold, ballot])


def percent(value):
    """A fraction as a short percentage: 0.5 → '50%', 2/3 → '66.7%'."""
    text = f"{float(value) * 100:.1f}"
    return text.removesuffix(".0") + "%"


def readable_rule(rule):
    """tally's rule with option keys spelled out: a12 → amendment #12."""
    return re.sub(r"\ba(\d+)\b", r"amendment #\1", rule)


# ---------------------------------------------------------------------------
# The round and its timeline
# ---------------------------------------------------------------------------


def round_view(round_, user):
    """Everything the round's header shows: phase, timeline, countdown, rules, what the viewer may do."""
    now = utcnow()
    deadline = services.next_deadline(round_)
    label, allows = PHASES_SHOWN[round_.phase]
    return {
        "phase_label": label,
        "allows": allows,
        "timeline": timeline(round_, now),
        "deadline": deadline,
        "countdown": describe_duration(deadline - now) if deadline else None,
        "rules": rules_text(round_),
        "voters": services.voter_count(round_),
        "is_elector": round_.is_elector(user),
        "has_voted": round_.has_voted(user),
        "can_facilitate": round_.can_facilitate(user),
        "threshold": percent(round_.threshold),
        "quorum": percent(round_.quorum),
    }


def amendment_rows(amendment):
    """Side-by-side diff rows of an amendment, numbered with the policy's line numbers."""
    offset = amendment.line_start - 1
    rows = textops.side_by_side(amendment.original or "", amendment.replacement or "")
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


def option_label(option, amendments):
    """How an option of a ranked question is named on the page."""
    if option["amendment_id"] is None:
        return "Keep the current text"
    amendment = amendments[option["amendment_id"]]
    return f"Amendment #{amendment.id} by {amendment.author.name}"


# ---------------------------------------------------------------------------
# The ballot form
# ---------------------------------------------------------------------------


def ballot_questions(round_):
    """The questions with their amendments, labels and diffs, in order."""
    ids = [q.amendment_id for q in round_.questions]
    ids += [o["amendment_id"] for q in round_.questions for o in q.options]
    amendments = _amendments_by_id(ids)
    items = []
    for question in round_.questions:
        item = {"id": question.id, "kind": question.kind, "position": question.position}
        if question.kind == "yes_no":
            amendment = amendments[question.amendment_id]
            item.update(amendment=amendment, rows=amendment_rows(amendment), lines=line_label(amendment))
        else:
            item["options"] = [
                {
                    "key": option["key"],
                    "label": option_label(option, amendments),
                    "amendment": amendments.get(option["amendment_id"]),
                    "rows": amendment_rows(amendments[option["amendment_id"]]) if option["amendment_id"] else None,
                    "lines": line_label(amendments[option["amendment_id"]]) if option["amendment_id"] else None,
                }
                for option in question.options
            ]
        items.append(item)
    return items


def answers_from_form(round_, form):
    """API-style answers from the ballot form, and per-question errors for bad rank numbers.

    Field names: q<id> = yes/no/abstain; rank-<id>-<key> = 1..n or empty (not ranked).
    Equal rank numbers are a tie; options left unranked rank below the ranked ones.
    """
    answers, errors = [], {}
    for question in round_.questions:
        if question.kind == "yes_no":
            choice = form.get(f"q{question.id}", "")
            if choice:
                answers.append({"question": question.id, "choice": choice})
            continue
        levels = {}
        for option in question.options:
            raw = form.get(f"rank-{question.id}-{option['key']}", "").strip()
            if not raw:
                continue
            if not raw.isdigit() or not 1 <= int(raw) <= len(question.options):
                errors[question.id] = f"Ranks are whole numbers from 1 to {len(question.options)}."
                break
            levels.setdefault(int(raw), []).append(option["key"])
        if levels and question.id not in errors:
            answers.append({"question": question.id, "ranking": [levels[rank] for rank in sorted(levels)]})
    if not answers and not errors:
        errors[0] = "Answer at least one question, then cast your ballot."
    return answers, errors


def form_errors_of(round_, error, answers):
    """A service ValidationError as {question id: message} for the ballot form."""
    out = {}
    for name, message in error.fields.items():
        index = name.removeprefix("answers[").removesuffix("]")
        if index.isdigit() and int(index) < len(answers):
            out[answers[int(index)]["question"]] = message
        else:
            out[0] = message
    return out or {0: error.message}


def current_from_form(round_, form):
    """The values the voter submitted, to show the form again: {question id: choice | {key: rank}}."""
    current = {}
    for question in round_.questions:
        if question.kind == "yes_no":
            current[question.id] = form.get(f"q{question.id}", "")
        else:
            current[question.id] = {
                o["key"]: form.get(f"rank-{question.id}-{o['key']}", "") for o in question.options
            }
    return current


def current_from_ballot(ballot):
    """The stored ballot as form values: a ranking becomes rank numbers (ties share one)."""
    current = {}
    for answer in ballot.get("answers") or []:
        if "choice" in answer:
            current[answer["question"]] = answer["choice"]
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
        if "choice" in answer:
            text = f"Amendment #{question['amendment'].id}: {CHOICE_LABELS[answer['choice']]}"
        else:
            labels = {o["key"]: o["label"] for o in question["options"]}
            levels = [" = ".join(labels[key] for key in level) for level in answer["ranking"]]
            text = "Ranking: " + " > ".join(levels)
        lines.append({"position": question["position"], "text": text})
    return lines


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


def results_view(round_):
    """Per question: counts, turnout, quorum, decision and chart geometry; plus who voted."""
    results = closing.stored_results(round_)
    ids = [r.data.get("amendment_id") for r in results] + [o["amendment_id"] for r in results for o in r.data["question_options"]]
    amendments = _amendments_by_id(ids)
    questions = [_yes_no_view(r.data, amendments, round_) if r.data["kind"] == "yes_no"
                 else _ranked_view(r.data, amendments, round_) for r in results]
    return {
        "questions": questions,
        "participants": closing.participants(round_),
        "ballots": _open_ballots_view(round_, questions),
        "voters": services.voter_count(round_),
        "turnout": percent(services.voter_count(round_) / round_.electorate_size if round_.electorate_size else 0),
    }


def _yes_no_view(data, amendments, round_):
    amendment = amendments[data["amendment_id"]]
    counts = [("yes", data["yes"]), ("no", data["no"]), ("abstain", data["abstain"])]
    return {
        **data,
        "amendment": amendment,
        "turnout_text": percent(data["turnout"]),
        "yes_share": percent(data["yes"] / (data["yes"] + data["no"])) if data["yes"] + data["no"] else "—",
        "rule_text": readable_rule(data["rule"]),
        "chart": bar_chart([(CHOICE_LABELS[k], n, f"bar-{k}") for k, n in counts]),
        "split": split_bar(data["yes"], data["no"], round_.threshold, ("Yes", "No")),
    }


def _ranked_view(data, amendments, round_):
    labels = {o["key"]: option_label(o, amendments) for o in data["question_options"]}
    keys = [key for level in data["ranking"] for key in level]
    bounded = len(keys) > MATRIX_LIMIT
    matrix = None if bounded else [
        {"key": x, "label": labels[x], "cells": [
            {"key": y, "value": data["pairwise"][x][y] if x != y else None,
             "wins": x != y and data["pairwise"][x][y] > data["pairwise"][y][x]}
            for y in keys
        ]}
        for x in keys
    ]
    duels = [
        {"key": key, "label": labels[key], "short": f"Amendment #{key[1:]}", "won": data["pairwise"][key][phases.KEEP],
         "lost": data["pairwise"][phases.KEEP][key],
         "split": split_bar(data["pairwise"][key][phases.KEEP], data["pairwise"][phases.KEEP][key],
                            round_.threshold, ("Prefer the amendment", "Prefer the current text"))}
        for key in keys if key != phases.KEEP
    ]
    accepted = amendments.get(data["accepted_amendment_id"])
    return {
        **data,
        "labels": labels,
        "order": keys,
        "matrix": matrix,
        "top": top_options(data, labels) if bounded else None,
        "duels": duels,
        "levels": [[labels[key] for key in level] for level in data["ranking"]],
        "accepted_amendment": accepted,
        "turnout_text": percent(data["turnout"]),
        "rule_text": readable_rule(data["rule"]),
        "amendments": [amendments[o["amendment_id"]] for o in data["question_options"] if o["amendment_id"]],
    }


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


def _open_ballots_view(round_, questions):
    if round_.secret:
        return []
    rows = []
    for user, answers in closing.open_ballots(round_):
        cells = []
        for question in questions:
            value = answers.get(str(question["question_id"]))
            if value is None:
                cells.append("—")
            elif isinstance(value, str):
                cells.append(CHOICE_LABELS[value])
            else:
                cells.append(" > ".join(" = ".join(_short(question, key) for key in level) for level in value))
        rows.append({"user": user, "cells": cells})
    return rows


def _short(question, key):
    return "current text" if key == phases.KEEP else f"#{key[1:]}"


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
    """Report entries with their diff, tally in words and resulting revision."""
    out = []
    for entry in entries:
        amendment, data = entry["amendment"], entry["result"]
        out.append({**entry, "rows": amendment_rows(amendment), "lines": line_label(amendment),
                    "tally": tally_text(data, amendment) if data else None})
    return out


def tally_text(data, amendment):
    """One line summing up the vote on an amendment's question."""
    turnout = percent(data["turnout"])
    if data["kind"] == "yes_no":
        return f"{data['yes']} yes, {data['no']} no, {data['abstain']} abstain; turnout {turnout}."
    key = f"a{amendment.id}"
    won, lost = data["pairwise"][key][phases.KEEP], data["pairwise"][phases.KEEP][key]
    rank = next((i for i, level in enumerate(data["ranking"], start=1) if key in level), None)
    return (f"Ranked question of {len(data['question_options']) - 1} rival amendments: placed {rank} of "
            f"{len(data['ranking'])} in the Schulze ranking; preferred to the current text by {won}, "
            f"the current text preferred by {lost}; turnout {turnout}.")


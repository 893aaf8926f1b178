"""The record of a revision: what an export says about the text and how it was made.

Everything here is read from the database and returned as plain, JSON-ready data (no ORM
objects), so that the same record feeds the Markdown front matter, the PDF templates and the
PDF cache key (a hash of the record: when anything shown changes, the key changes).

Ballot secrecy: for secret rounds the record holds only counts and the alphabetical list of
who took part, never who voted what; open rounds list each voter's answers, as their results
page does.
"""
import hashlib
from dataclasses import asdict

from babel.dates import format_date
from flask_babel import get_locale, gettext, lazy_gettext, lazy_pgettext

from ..accounts.models import User
from ..amendments.display import stored_outcome
from ..amendments.models import Amendment
from ..core.timeutil import as_utc, isoformat
from ..core.urls import path_for, public_url
from ..extensions import db
from ..policies.models import Revision
from ..rounds import closing, phases
from ..rounds.models import Question, Result, Round
from ..rounds.presenters.ranked_results import MATRIX_LIMIT, schulze_order, top_options
from ..rounds.presenters.report import report_view, tally_text
from ..rounds.presenters.results import is_consent, objections_of
from ..rounds.presenters.rule_words import rule_words
from ..rounds.presenters.rules import rules_text
from ..rounds.presenters.words import KEEP_LABEL, line_label, names_of, percent, round_title, sentence

STATUS_LABELS = {
    "draft": lazy_gettext("Draft"),
    "in_round": lazy_gettext("In a decision round"),
    "adopted": lazy_gettext("Adopted"),
    "archived": lazy_gettext("Archived"),
}
SOURCE_LABELS = {"edit": lazy_gettext("Edit"), "merge": lazy_gettext("Merged edit"),
                 "round": lazy_gettext("Decision of a round")}
#: An amendment's fate in the annex (its state), as the annex says it.
DECISION_LABELS = {
    "merged": lazy_pgettext("amendment", "Adopted"),
    "rejected": lazy_gettext("Not adopted"),
    "needs_rebase": lazy_gettext("Not voted on"),
    "submitted": lazy_gettext("Not voted on"),
    "accepted_not_merged": lazy_gettext("Accepted, not merged"),
    "accepted": lazy_gettext("accepted"),
    "withdrawn": lazy_gettext("withdrawn"),
    "in_vote": lazy_gettext("in vote"),
}
#: A ballot's choice inside a sentence ("A3: yes"), lower-case.
CHOICE_WORDS = {"yes": lazy_gettext("yes"), "no": lazy_gettext("no"), "abstain": lazy_gettext("abstain"),
                "consent": lazy_gettext("consent"), "object": lazy_gettext("object")}


def _label(labels, code):
    """The label of a code as plain text (the record is JSON), the code itself when unknown."""
    return str(labels[code]) if code in labels else code


def long_date(value):
    """'2 March 2026' (UTC) in the language spoken (the policy's, inside an export), or None."""
    value = as_utc(value)
    if not value:
        return None
    locale = get_locale()
    if locale is None or locale.language == "en":
        return f"{value.day} {value:%B %Y}"
    return format_date(value, "long", locale=locale)


def revision_record(policy, revision, with_rounds=True):
    """The plain-data record of `revision`: policy, assembly, revision, history and decisions.

    `with_rounds=False` leaves out the consultation record of the rounds (the annex), which
    the Markdown front matter does not need.
    """
    history = _history(policy, revision.number)
    record = {
        "policy": policy_facts(policy),
        "assembly": assembly_facts(policy.assembly),
        "revision": revision_facts(revision),
        "authors": _authors(history),
        "history": history,
        "amendments": merged_amendments(policy, revision.number),
    }
    if with_rounds:
        record["rounds"] = [round_record(round_) for round_ in rounds_behind(policy, revision.number)]
    return record


def assembly_facts(assembly):
    """Slug and name of an assembly."""
    return {"slug": assembly.slug, "name": assembly.name}


def policy_facts(policy):
    """Id, slug, title, summary, tags, status and head revision number of a policy."""
    return {
        "id": policy.id,
        "slug": policy.slug,
        "title": policy.title,
        "summary": policy.summary or "",
        "tags": list(policy.tags),
        "status": policy.status,
        "status_label": _label(STATUS_LABELS, policy.status),
        "head_number": policy.head_number,
    }


def revision_facts(revision):
    """Number, dates, author, message and a hash of the body of one revision."""
    return {
        "id": revision.id,
        "number": revision.number,
        "date": isoformat(revision.created_at),
        "day": long_date(revision.created_at),
        "author": revision.author.name if revision.author else None,
        "message": revision.message or "",
        "source": revision.source,
        "round_id": revision.round_id,
        "round_number": _round_number(revision.round_id),
        "body_sha256": hashlib.sha256(revision.body.encode("utf-8")).hexdigest(),
        "lines": revision.body.count("\n"),
        "url": public_url(path_for("policies.read", slug=revision.policy.assembly.slug,
                                     policy_slug=revision.policy.slug, revision=revision.number)),
    }


def _round_number(round_id):
    """The number within its policy of the round with this id ("Round 2"), or None."""
    round_ = db.session.get(Round, round_id) if round_id else None
    return round_.number if round_ else None


def _history(policy, number):
    """Revisions 1..number, oldest first, as short rows."""
    query = (
        db.select(Revision.number, Revision.created_at, Revision.message, Revision.source, Revision.round_id, User.name,
                  Round.number.label("round_number"))
        .outerjoin(User, User.id == Revision.author_id)
        .outerjoin(Round, Round.id == Revision.round_id)
        .filter(Revision.policy_id == policy.id, Revision.number <= number)
        .order_by(Revision.number)
    )
    return [
        {
            "number": row.number,
            "date": isoformat(row.created_at),
            "day": as_utc(row.created_at).strftime("%Y-%m-%d"),
            "author": row.name,
            "message": row.message or "",
            "source": row.source,
            "source_label": _label(SOURCE_LABELS, row.source),
            "round_id": row.round_id,
            "round_number": row.round_number,
        }
        for row in db.session.execute(query)
    ]


def _authors(history):
    """Distinct names of the people who wrote revisions, in order of their first revision."""
    names = []
    for row in history:
        if row["author"] and row["author"] not in names:
            names.append(row["author"])
    return names


def merged_amendments(policy, number):
    """The amendments merged into revisions 1..number, with their round and a summary of the tally.

    Each names the amendment as people say it: `code` ("A3"), `title`, `name` ("A3 — Raise the
    dividend (Ben Okafor)"); `round` is the round's number within the policy ("Round 2"),
    `round_id` its id.
    """
    query = (
        db.select(Amendment)
        .filter(Amendment.policy_id == policy.id, Amendment.state == "merged", Amendment.merged_into <= number)
        .order_by(Amendment.merged_into, Amendment.number, Amendment.id)
    )
    amendments = db.session.execute(query).scalars().all()
    results = _results_by_amendment({a.round_id for a in amendments if a.round_id})
    return [
        {
            "id": amendment.id,
            "number": amendment.number,
            "code": amendment.code,
            "title": amendment.title or "",
            "name": amendment.label_with_author,
            "author": amendment.author.name,
            "round": amendment.round.number if amendment.round else None,
            "round_id": amendment.round_id,
            "merged_into": amendment.merged_into,
            "lines": gettext("%(lines)s of revision %(number)s", lines=line_label(amendment),
                             number=amendment.base_number),
            "lines_short": gettext("%(lines)s, rev. %(number)s", lines=line_label(amendment),
                                   number=amendment.base_number),
            "tally": _tally(results.get(amendment.id), amendment),
        }
        for amendment in amendments
    ]


def _results_by_amendment(round_ids):
    """{amendment id: stored result data} for the questions of these rounds."""
    if not round_ids:
        return {}
    query = (
        db.select(Question, Result.data)
        .join(Result, Result.question_id == Question.id)
        .filter(Question.round_id.in_(round_ids))
    )
    out = {}
    for question, data in db.session.execute(query):
        ids = [question.amendment_id] + [option.get("amendment_id") for option in question.options or []]
        out.update({amendment_id: data for amendment_id in ids if amendment_id})
    return out


def _tally(data, amendment):
    return tally_text(data, amendment) if data else None


def rounds_behind(policy, number):
    """The closed rounds whose decisions revision `number` reflects.

    A round that produced a revision counts for that revision and the later ones; a round
    that kept the text unchanged counts for the revision it voted on and the later ones.
    """
    query = db.select(Round).filter(Round.policy_id == policy.id, Round.phase == "closed").order_by(Round.closed_at, Round.id)
    return [
        round_
        for round_ in db.session.execute(query).scalars()
        if (round_.new_revision_number or round_.base_number or number + 1) <= number
    ]


def round_record(round_):
    """One round of the consultation: rules, participation, questions and amendments."""
    entries = report_view(round_, closing.round_report(round_))
    results = closing.stored_results(round_)
    voters = closing.participants(round_)
    electorate = round_.electorate_size
    open_rows = closing.open_ballots(round_)
    names = names_of(entry["amendment"] for entry in entries)
    return {
        "id": round_.id,
        "number": round_.number,
        "title": round_title(round_),
        "kind": round_.kind,
        "decision": round_.decision,
        "base": round_.base_number,
        "new_revision": round_.new_revision_number,
        "opened": isoformat(round_.created_at),
        "voting_opened": isoformat(round_.voting_opened_at),
        "closed": isoformat(round_.closed_at),
        "closed_day": long_date(round_.closed_at),
        "secret": bool(round_.secret),
        "rules": rules_text(round_),
        "electorate": electorate,
        "voters": len(voters),
        "turnout": percent(len(voters) / electorate if electorate else 0),
        "participants": [user.name for user in voters],
        "questions": [_question(result.data, entries, round_, names, open_rows) for result in results],
        "ballots": [] if round_.secret else _open_ballots(open_rows, results, entries),
        "entries": [_entry(entry) for entry in entries],
    }


def _question(data, entries, round_, names, open_rows):
    """A stored result in words: counts for yes/no and adoption questions (with the objections
    under consent); ranking and pairwise matrix for ranked.

    A ranked question of more than MATRIX_LIMIT options gives its top options
    (`top`, with their head-to-head wins) instead of the matrix (`pairwise` is None), and the
    path of the CSV file with the whole matrix.
    """
    labels = _option_names(entries)
    base = {
        "kind": data["kind"],
        "turnout": percent(data["turnout"]),
        "voters": data["voters"],
        "quorum_met": bool(data["quorum_met"]),
        "rule": sentence(rule_words(data, names)),
        "accepted_amendment_id": data.get("accepted_amendment_id"),
    }
    if data["kind"] != "ranked":
        return {**base, **_choice_counts(data, round_, open_rows)}
    order = schulze_order(data)
    question = {
        **base,
        "question_id": data["question_id"],
        "options": len(order),
        "ranking": [[labels.get(key, key) for key in level] for level in data["ranking"]],
    }
    if len(order) > MATRIX_LIMIT:
        path = matrix_path(round_, data["question_id"])
        return {**question, "order": None, "pairwise": None, "top": top_options(data, labels),
                "matrix_path": path, "matrix_url": public_url(path)}
    return {
        **question,
        "order": [labels.get(key, key) for key in order],
        "codes": [_option_code(key, entries) for key in order],
        "pairwise": [[data["pairwise"][x][y] if x != y else None for y in order] for x in order],
        "top": None,
    }


def _option_names(entries):
    """{option key: "A3 — Raise the dividend"} of the round's amendments, and the current text."""
    labels = {f"a{e['amendment'].id}": e["amendment"].label for e in entries}
    labels[phases.KEEP] = str(KEEP_LABEL)
    return labels


def _option_code(key, entries):
    """An option's short name for a table heading: "A3", or "Current"."""
    if key == phases.KEEP:
        return gettext("Current")
    return next((e["amendment"].code for e in entries if f"a{e['amendment'].id}" == key), key)


def _choice_counts(data, round_, open_rows):
    """The counts of a yes/no or adoption question, its tally in words and, under consent, the objections."""
    out = {"amendment_id": data["amendment_id"], "accepted": bool(data["accepted"]), "tally": tally_text(data),
           "consent_rule": is_consent(data), "revision": round_.base_number}
    if out["consent_rule"]:
        objections = objections_of(data, round_, open_rows)
        return {**out, "consent": data["consent"], "object": data["object"], "abstain": data["abstain"],
                "objections": [{"name": o["name"], "reason": o["reason"]} for o in objections]}
    return {**out, "yes": data["yes"], "no": data["no"], "abstain": data["abstain"]}


def matrix_path(round_, question_id):
    """The path of the CSV of a question's whole pairwise matrix."""
    policy = round_.policy
    return path_for("exports.round_matrix", slug=policy.assembly.slug, policy_slug=policy.slug,
                      round_id=round_.id, question=question_id)


def _open_ballots(open_rows, results, entries):
    """Who voted what in an open round: [{name, answers: [text]}], by name."""
    questions = [(str(r.data["question_id"]), r.data) for r in results]
    codes = {f"a{e['amendment'].id}": e["amendment"].code for e in entries}
    rows = []
    for user, answers in open_rows:
        texts = [_answer_text(data, answers.get(qid), codes) for qid, data in questions if qid in answers]
        rows.append({"name": user.name, "answers": texts})
    return rows


def _answer_text(data, value, codes):
    """'A3: yes', 'The whole text: object', or a ranking 'A3 > current text = A1'."""
    if isinstance(value, (str, dict)):
        choice = value if isinstance(value, str) else value.get("choice")
        subject = gettext("The whole text") if data["kind"] == "adoption" else codes.get(f"a{data['amendment_id']}", "?")
        return gettext("%(subject)s: %(choice)s", subject=subject, choice=_label(CHOICE_WORDS, choice))
    levels = [" = ".join(gettext("current text") if key == phases.KEEP else codes.get(key, key) for key in level)
              for level in value]
    return " > ".join(levels)


def _entry(entry):
    amendment = entry["amendment"]
    return {
        "id": amendment.id,
        "code": amendment.code,
        "label": amendment.label,
        "name": amendment.label_with_author,
        "author": entry["author"].name,
        "cosigners": [user.name for user in entry["cosigners"]],
        "base": amendment.base_number,
        "lines": entry["lines"],
        "rationale": amendment.rationale or "",
        "state": amendment.state,
        "decision_label": _label(DECISION_LABELS, amendment.state),
        "outcome": stored_outcome(amendment),
        "tally": entry["tally"],
        "consent_rule": entry["consent"],
        "objections": [{"name": o["name"], "reason": o["reason"]} for o in entry["objections"]],
        "voted": entry["voted"],
        "merged_into": amendment.merged_into,
        "rows": [asdict(row) for row in entry["rows"]],
    }

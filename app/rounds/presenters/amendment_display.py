"""How amendments and the options of ranked questions are named and shown: diffs numbered
with the policy's lines, labels and codes, the amendments questions refer to."""
from dataclasses import replace

from flask_babel import gettext

from ...amendments.models import Amendment
from ...core import diffing
from ...extensions import db
from .words import KEEP_LABEL


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


def amendments_by_id(ids):
    """{id: Amendment} of the amendments with these ids (falsy ids are skipped), in one query."""
    ids = [i for i in ids if i]
    if not ids:
        return {}
    query = db.select(Amendment).filter(Amendment.id.in_(ids))
    return {a.id: a for a in db.session.execute(query).scalars()}


def question_amendment_ids(questions):
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
        return gettext("Current text")
    return amendments[option["amendment_id"]].code


def option_labels(data):
    """{option key: label} of a ranked result, as the results page names them."""
    amendments = amendments_by_id([o["amendment_id"] for o in data["question_options"]])
    return {o["key"]: option_label(o, amendments) for o in data["question_options"]}

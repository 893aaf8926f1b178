"""API: rounds, ballots and results (API.md, "Rounds and ballots")."""
from flask import Blueprint, g
from flask_babel import gettext

from ..core.errors import ValidationError
from ..core.timeutil import parse_datetime
from ..extensions import db, limiter
from ..policies.services import get_policy
from ..rounds import ballots, closing, notices, phases, services
from ..rounds.models import DECISIONS, KINDS, MAJORITY_OF, Round
from ..rounds.presenters.results import is_consent, objections_of
from ..rounds.presenters.rules import rules_text
from .common import field, json_body, page_args, paginated, token_required, user_ref, when
from .schema import BOOL, INT, STR, TIME, obj, ref

bp = Blueprint("rounds", __name__)

NUMBER = {"type": "number"}
BALLOT_RATE = "60/minute"


def question_json(question):
    """A question as the contract names it: yes_no with amendment_id, ranked with options,
    adoption with the revision voted on (the whole text)."""
    if question.kind == "yes_no":
        return {"id": question.id, "kind": "yes_no", "amendment_id": question.amendment_id, "position": question.position}
    if question.kind == "adoption":
        revision = db.session.get(Round, question.round_id).base_number
        return {"id": question.id, "kind": "adoption", "revision": revision, "position": question.position}
    options = [{"key": o["key"], "amendment_id": o["amendment_id"]} for o in question.options]
    return {"id": question.id, "kind": "ranked", "options": options, "position": question.position}


def round_json(round_, user=None):
    """The <round> of the contract, plus url, rules, timeline facts and what the caller may do."""
    return {
        "id": round_.id,
        "number": round_.number,
        "policy_id": round_.policy_id,
        "kind": round_.kind,
        "phase": round_.phase,
        "amending_until": when(round_.amending_until),
        "deliberating_until": when(round_.deliberating_until),
        "voting_until": when(round_.voting_until),
        "next_deadline": when(services.next_deadline(round_)),
        "quorum": round_.quorum,
        "threshold": round_.threshold,
        "strict": round_.strict,
        "secret": round_.secret,
        "decision": round_.decision,
        "majority_of": round_.majority_of,
        "min_yes": round_.min_yes,
        "rules": rules_text(round_),
        "electorate_size": round_.electorate_size,
        "voters": services.voter_count(round_),
        "questions": [question_json(q) for q in round_.questions],
        "base_revision": round_.base_number,
        "new_revision": round_.new_revision_number,
        "created_at": when(round_.created_at),
        "voting_opened_at": when(round_.voting_opened_at),
        "closed_at": when(round_.closed_at),
        "cancelled_at": when(round_.cancelled_at),
        "url": notices.round_path(round_),
        "viewer": {
            "elector": round_.is_elector(user),
            "voted": round_.has_voted(user),
            "facilitator": round_.can_facilitate(user),
        },
    }


def _deadlines(data, kind):
    """The deadlines parsed (ISO 8601, naive = UTC); 422 naming every bad one.

    An adoption round has no amending phase: a missing `amending_until` is None (and a given
    one is refused by the service).
    """
    values, errors = {}, {}
    for name in ("amending_until", "deliberating_until", "voting_until"):
        raw = data.get(name)
        if name == "amending_until" and kind == "adoption" and raw is None:
            values[name] = None
            continue
        try:
            values[name] = parse_datetime(raw)
        except (ValueError, TypeError):
            errors[name] = gettext("'%(name)s' must be an ISO 8601 date and time, e.g. %(example)s.", name=name,
                                   example="2030-05-01T18:00:00+00:00")
    if errors:
        raise ValidationError(gettext("Some deadlines need attention."), fields=errors)
    return values


def _load_round(round_id):
    return services.get_round(round_id, g.user)


@bp.post("/policies/<int:policy_id>/rounds")
@token_required
def create_round(policy_id):
    policy = get_policy(policy_id, g.user)
    data = json_body()
    kind = field(data, "kind", str, required=False, default="amendments")
    round_ = services.create_round(
        g.user,
        policy,
        **_deadlines(data, kind),
        kind=kind,
        decision=field(data, "decision", str, required=False, default="majority"),
        majority_of=field(data, "majority_of", str, required=False, default="votes"),
        min_yes=field(data, "min_yes", int, required=False, default=0),
        quorum=field(data, "quorum", (int, float), required=False, default=0),
        threshold=field(data, "threshold", (int, float), required=False, default=0.5),
        strict=field(data, "strict", bool, required=False, default=True),
        secret=field(data, "secret", bool, required=False, default=False),
    )
    db.session.commit()
    return round_json(round_, g.user), 201


@bp.get("/policies/<int:policy_id>/rounds")
@token_required
def list_rounds(policy_id):
    policy = get_policy(policy_id, g.user)
    phases.refresh_rounds(policy)
    db.session.commit()
    page, per_page = page_args()
    items, total = services.list_rounds(policy, page, per_page)
    return paginated(items, total, page, per_page, lambda r: round_json(r, g.user))


@bp.get("/rounds/<int:round_id>")
@token_required
def get_round(round_id):
    round_ = _load_round(round_id)
    db.session.commit()
    return round_json(round_, g.user)


@bp.post("/rounds/<int:round_id>/advance")
@token_required
def advance_round(round_id):
    round_ = phases.advance_round(g.user, _load_round(round_id))
    db.session.commit()
    return round_json(round_, g.user)


@bp.post("/rounds/<int:round_id>/cancel")
@token_required
def cancel_round(round_id):
    round_ = phases.cancel_round(g.user, _load_round(round_id))
    db.session.commit()
    return round_json(round_, g.user)


@bp.put("/rounds/<int:round_id>/ballot")
@limiter.limit(BALLOT_RATE)
@token_required
def put_ballot(round_id):
    data = json_body()
    receipt = ballots.cast_ballot(g.user, round_id, data.get("answers"))  # it checks who may see the round
    db.session.commit()
    return {"receipt": receipt, "round_id": round_id}


@bp.get("/rounds/<int:round_id>/ballot")
@token_required
def get_ballot(round_id):
    round_ = _load_round(round_id)
    db.session.commit()
    return {"round_id": round_id, **ballots.get_ballot(g.user, round_)}


def result_json(result, round_, open_rows=()):
    """One question's stored result in the contract's shape (plus rule, voters and quorum).

    Yes/no and adoption questions give their counts under the round's decision rule: yes, no,
    abstain (majority) or consent, object, abstain and the objections with their reasons
    (consent; in an open round each names its voter, from `open_rows`, the open ballots).
    """
    data = result.data
    common = {
        "id": data["question_id"],
        "kind": data["kind"],
        "voters": data["voters"],
        "turnout": data["turnout"],
        "quorum_needed": data["quorum_needed"],
        "quorum_met": data["quorum_met"],
        "rule": data["rule"],
    }
    if data["kind"] == "ranked":
        return {
            **common,
            "options": data["question_options"],
            "pairwise": data["pairwise"],
            "strongest": data["strongest"],
            "ranking": data["ranking"],
            "winner": data["winner"] if data["voters"] else None,
            "accepted_amendment_id": data["accepted_amendment_id"],
        }
    body = {**common, "accepted": data["accepted"], "min_yes": data.get("min_yes", 0)}
    if data["kind"] == "adoption":
        body["revision"] = round_.base_number
    else:
        body["amendment_id"] = data["amendment_id"]
    if is_consent(data):
        objections = [_objection_json(item) for item in objections_of(data, round_, open_rows)]
        return {**body, "decision": "consent", "consent": data["consent"], "object": data["object"],
                "abstain": data["abstain"], "objections": objections}
    return {**body, "decision": "majority", "majority_of": data.get("majority_of", "votes"), "yes": data["yes"],
            "no": data["no"], "abstain": data["abstain"]}


def _objection_json(item):
    """{reason} in a secret round, {reason, voter} in an open one."""
    return {"reason": item["reason"], **({"voter": user_ref(item["user"])} if item["user"] else {})}


@bp.get("/rounds/<int:round_id>/results")
@token_required
def get_results(round_id):
    round_ = _load_round(round_id)
    db.session.commit()
    results = closing.stored_results(round_)
    voters = closing.participants(round_)
    open_rows = closing.open_ballots(round_)  # none in a secret round
    body = {
        "round_id": round_.id,
        "round_number": round_.number,
        "electorate_size": round_.electorate_size,
        "voters": len(voters),
        "new_revision": round_.new_revision_number,
        "secret": round_.secret,
        "questions": [result_json(result, round_, open_rows) for result in results],
        "participants": [user_ref(user) for user in voters],
    }
    if not round_.secret:
        body["ballots"] = [
            {"voter": user_ref(user), "answers": ballots.answers_as_list(answers)} for user, answers in open_rows
        ]
    return body


# ---------------------------------------------------------------------------
# OpenAPI
# ---------------------------------------------------------------------------

OPTION = obj(["key", "amendment_id"], key=STR, amendment_id={"type": ["integer", "null"]})
QUESTION = {
    "type": "object",
    "required": ["id", "kind"],
    "properties": {
        "id": INT,
        "kind": {"type": "string", "enum": ["yes_no", "ranked", "adoption"]},
        "amendment_id": INT,
        "options": {"type": "array", "items": OPTION},
        "revision": INT,
        "position": INT,
    },
}
RANKING = {"type": "array", "items": {"type": "array", "items": STR}}
ANSWER = {
    "type": "object",
    "required": ["question"],
    "properties": {
        "question": INT,
        "choice": {"type": "string", "enum": ["yes", "no", "abstain", "consent", "object"],
                   "description": "yes, no or abstain; under the consent rule consent, object or abstain"},
        "reason": {"type": "string", "maxLength": ballots.MAX_REASON_CHARS,
                   "description": f"why you object: needed for object, {ballots.MIN_REASON_CHARS} characters at least"},
        "ranking": RANKING,
    },
}
OBJECTION = obj(["reason"], reason=STR, voter=ref("UserRef"))
MATRIX = {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": INT}}
NULL_TIME = {"type": ["string", "null"], "format": "date-time"}
NULL_INT = {"type": ["integer", "null"]}
KIND = {"type": "string", "enum": list(KINDS), "description": "amendments (default) or adoption: the final vote"}
DECISION = {"type": "string", "enum": list(DECISIONS), "description": "majority (default) or consent"}
MAJORITY = {"type": "string", "enum": list(MAJORITY_OF), "description": "votes: yes/(yes+no); electorate: yes/electorate"}

SCHEMAS = {
    "NewRound": obj(
        ["deliberating_until", "voting_until"],
        amending_until=TIME, deliberating_until=TIME, voting_until=TIME,
        quorum=NUMBER, threshold=NUMBER, strict=BOOL, secret=BOOL,
        kind=KIND, decision=DECISION, majority_of=MAJORITY, min_yes=INT,
    ),
    "RoundQuestion": QUESTION,
    "Round": obj(
        ["id", "policy_id", "phase", "amending_until", "deliberating_until", "voting_until", "quorum", "threshold",
         "strict", "secret", "electorate_size", "questions", "url", "rules"],
        id=INT, number=INT, policy_id=INT, kind=KIND, decision=DECISION, majority_of=MAJORITY, min_yes=INT,
        phase={"type": "string", "enum": ["amending", "deliberating", "voting", "closed", "cancelled"]},
        amending_until=TIME, deliberating_until=TIME, voting_until=TIME, next_deadline=NULL_TIME,
        quorum=NUMBER, threshold=NUMBER, strict=BOOL, secret=BOOL, rules=STR, electorate_size=INT, voters=INT,
        questions={"type": "array", "items": ref("RoundQuestion")}, base_revision=NULL_INT, new_revision=NULL_INT,
        created_at=TIME, voting_opened_at=NULL_TIME, closed_at=NULL_TIME, cancelled_at=NULL_TIME, url=STR,
        viewer=obj(["elector", "voted", "facilitator"], elector=BOOL, voted=BOOL, facilitator=BOOL),
    ),
    "BallotAnswers": obj(["answers"], answers={"type": "array", "items": ANSWER}),
    "Receipt": obj(["receipt"], receipt=STR, round_id=INT),
    "Ballot": obj(
        ["round_id", "voted", "answers"], round_id=INT, voted=BOOL, sealed=BOOL,
        answers={"type": ["array", "null"], "items": ANSWER},
    ),
    "QuestionResult": {
        "type": "object",
        "required": ["id", "kind", "turnout", "quorum_met"],
        "properties": {
            "id": INT, "kind": STR, "amendment_id": INT, "revision": INT, "yes": INT, "no": INT, "abstain": INT,
            "consent": INT, "object": INT, "objections": {"type": "array", "items": OBJECTION},
            "decision": DECISION, "majority_of": MAJORITY, "min_yes": INT,
            "voters": INT, "turnout": NUMBER, "quorum_needed": INT, "quorum_met": BOOL, "accepted": BOOL,
            "rule": STR, "options": {"type": "array", "items": OPTION}, "pairwise": MATRIX, "strongest": MATRIX,
            "ranking": RANKING, "winner": {"type": ["string", "null"]}, "accepted_amendment_id": NULL_INT,
        },
    },
    "Results": obj(
        ["round_id", "electorate_size", "voters", "new_revision", "questions"],
        round_id=INT, round_number=INT, electorate_size=INT, voters=INT, new_revision=NULL_INT, secret=BOOL,
        questions={"type": "array", "items": ref("QuestionResult")},
        participants={"type": "array", "items": ref("UserRef")},
        ballots={"type": "array", "items": obj(["voter", "answers"], voter=ref("UserRef"),
                                               answers={"type": "array", "items": ANSWER})},
    ),
}

_ROUND = "/api/v1/rounds/{round_id}"
OPERATIONS = [
    ("post", "/api/v1/policies/{policy_id}/rounds", "Open a round (facilitators)", "NewRound",
     {201: "Round", 403: "Error", 404: "Error", 409: "Error", 422: "Error"}, False),
    ("get", "/api/v1/policies/{policy_id}/rounds", "List a policy's rounds, newest first", None,
     {200: "page:Round", 404: "Error"}, False),
    ("get", _ROUND, "Read a round (applies passed deadlines)", None, {200: "Round", 404: "Error"}, False),
    ("post", _ROUND + "/advance", "Advance a round to its next phase (facilitators)", None,
     {200: "Round", 403: "Error", 404: "Error", 409: "Error"}, False),
    ("post", _ROUND + "/cancel", "Cancel a round (facilitators)", None,
     {200: "Round", 403: "Error", 404: "Error", 409: "Error"}, False),
    ("put", _ROUND + "/ballot", "Cast or replace the caller's ballot", "BallotAnswers",
     {200: "Receipt", 403: "Error", 404: "Error", 409: "Error", 422: "Error", 429: "Error"}, False),
    ("get", _ROUND + "/ballot", "The caller's current ballot", None, {200: "Ballot", 403: "Error", 404: "Error"}, False),
    ("get", _ROUND + "/results", "Results of a closed round", None, {200: "Results", 404: "Error", 409: "Error"}, False),
]

QUERY_PARAMS = {"/api/v1/policies/{policy_id}/rounds": ["page", "per_page"]}

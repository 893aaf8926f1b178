"""API: what site administrators look after — the mail outbox (what the worker sent, is sending,
will try again, or gave up on)."""
from flask import Blueprint, g

from ..core import mail
from ..core.timeutil import isoformat
from .common import token_required
from .schema import INT, STR, TIME, obj

bp = Blueprint("admin", __name__)

NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
SCHEMAS = {
    "OutboxMail": obj(["id", "message_id", "to", "subject", "status", "attempts", "created_at"],
                      id=INT, message_id=STR, to=STR, subject=STR,
                      status={"type": "string", "enum": ["pending", "sending", "sent", "failed"]},
                      attempts=INT, next_attempt_at=TIME, sent_at=NULLABLE_TIME, last_error=STR, created_at=TIME),
    "Outbox": obj(["counts", "items"], counts={"type": "object", "additionalProperties": INT},
                  items={"type": "array", "items": {"$ref": "#/components/schemas/OutboxMail"}}),
}
OPERATIONS = [
    ("get", "/api/v1/admin/outbox", "Site administrators: the 200 newest outbox messages and the count per "
     "status (bodies are never returned: they hold one-time links)", None, {200: "Outbox", 401: "Error", 403: "Error"}, False),
]


def outbox_json(row):
    """One outbox row, without its body."""
    return {"id": row.id, "message_id": row.message_id, "to": row.to_address, "subject": row.subject,
            "status": row.status, "attempts": row.attempts, "next_attempt_at": isoformat(row.next_attempt_at),
            "sent_at": isoformat(row.sent_at), "last_error": row.last_error, "created_at": isoformat(row.created_at)}


@bp.get("/admin/outbox")
@token_required
def outbox():
    mail.check_can_read_outbox(g.user)
    return {"counts": mail.outbox_counts(), "items": [outbox_json(row) for row in mail.outbox_rows()]}

"""The append-only audit log."""
from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .timeutil import UTCDateTime, utcnow


class Event(db.Model):
    """Who did what to which object, and when. Never updated, never deleted."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    verb: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int | None] = mapped_column(Integer)
    assembly_id: Mapped[int | None] = mapped_column(ForeignKey("assemblies.id"), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


def log_event(actor, verb, obj, *, assembly_id=None, object_type=None, **data):
    """Append an event for `obj` (any model with an id) and return it.

    `object_type` names the object's kind when `obj` is not its model (a snapshot of plain
    columns, as a ballot reads its round); by default it is the class name, lower-cased.
    """
    event = Event(
        actor_id=getattr(actor, "id", None),
        verb=verb,
        object_type=object_type or type(obj).__name__.lower(),
        object_id=getattr(obj, "id", None),
        assembly_id=assembly_id,
        data=data,
    )
    db.session.add(event)
    return event

"""The mail outbox: each message a row written in the same transaction as the change behind it.

A worker claims due rows (status ``pending`` → ``sending``, with its claim token and time),
sends them, and marks each ``sent``; a failure puts the row back to ``pending`` with a later
``next_attempt_at``; a row left ``sending`` by a worker that died is put back by the sweep.
The Message-ID is fixed when the row is written, so a message sent again after a crash is
recognisably the same message.
"""
from datetime import timedelta

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .timeutil import UTCDateTime, utcnow

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
STATUSES = (PENDING, SENDING, SENT, FAILED)


class OutboxMail(db.Model):
    """One message to send (or sent, or given up on)."""

    __tablename__ = "outbox_mail"
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    body: Mapped[str] = mapped_column(Text)
    # extra headers as "Name: value" lines (List-Unsubscribe for digests), empty for most
    headers: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    claim: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    claimed_at = mapped_column(UTCDateTime, nullable=True)
    sent_at = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __table_args__ = (Index("ix_outbox_mail_status_next_attempt_at", "status", "next_attempt_at"),)


def retry_delay(attempts):
    """How long to wait after the `attempts`-th failure: 1, 2, 4 … minutes, at most 30."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 30))


GIVE_UP_AFTER = timedelta(days=3)  # a message still unsent three days after it was written fails


def should_give_up(row, now=None):
    """True when `row` has been failing for longer than anyone would still want it."""
    return (now or utcnow()) - row.created_at > GIVE_UP_AFTER

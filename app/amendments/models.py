"""Amendments: structured patches against a revision, and their co-signatures."""
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.numbering import number_within_policy
from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db
from ..core.identity import signed_in

# accepted_not_merged: accepted by a round whose close could not apply it to the text (see its outcome)
STATES = ("submitted", "withdrawn", "in_vote", "accepted", "rejected", "needs_rebase", "merged", "accepted_not_merged")
MAX_TITLE_CHARS = 120
PENDING_STATES = ("submitted", "needs_rebase")
DECIDED_STATES = ("accepted", "rejected", "merged", "accepted_not_merged")
FINAL_STATES = ("withdrawn",) + DECIDED_STATES  # decided or withdrawn: nothing more happens to it


class Amendment(db.Model):
    """Replace lines line_start..line_end of revision `base_number` with `replacement`."""

    __tablename__ = "amendments"
    __table_args__ = (UniqueConstraint("policy_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=number_within_policy)  # 1, 2, … within its policy, in order of submission ("A3")
    title: Mapped[str] = mapped_column(String(MAX_TITLE_CHARS), default="", server_default="")  # optional short title
    base_number: Mapped[int] = mapped_column(Integer)
    line_start: Mapped[int] = mapped_column(Integer)
    line_end: Mapped[int] = mapped_column(Integer)
    original: Mapped[str] = mapped_column(Text, default="")
    replacement: Mapped[str] = mapped_column(Text, default="")
    rationale: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(24), default="submitted", index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    outcome: Mapped[str] = mapped_column(Text, default="")
    # The outcome as {"key": …, values}, written next to `outcome`, so that it can be shown in
    # the reader's language (app/amendments/display.py); None for an outcome stored as text only.
    outcome_note: Mapped[dict | None] = mapped_column(JSON)
    merged_into: Mapped[int | None] = mapped_column(Integer)
    # The revision the author wrote the amendment against, once it has been moved to a newer
    # revision automatically (its lines unchanged); None when it sits where its author put it.
    rebased_from: Mapped[int | None] = mapped_column(Integer)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    author = relationship("User", lazy="joined")
    policy = relationship("Policy")
    round = relationship("Round")  # the round that decides or decided it
    cosignatures = relationship(
        "CoSignature", cascade="all, delete-orphan", lazy="selectin", order_by="CoSignature.id"
    )

    @property
    def code(self):
        """Its name within its policy, for tight spaces: "A3" (numbers are assigned on insert)."""
        return f"A{self.number}" if self.number is not None else "A?"

    @property
    def label(self):
        """Its name with its short title: "A3 — Raise the dividend", or "A3" when untitled."""
        return f"{self.code} — {self.title}" if self.title else self.code

    @property
    def label_with_author(self):
        """Its name where the author matters: "A3 — Raise the dividend (Ben Okafor)"."""
        return f"{self.label} ({self.author.name})"

    @property
    def is_pending(self):
        """Awaiting a decision: submitted, or waiting for its author to rebase it."""
        return self.state in PENDING_STATES

    @property
    def kind(self):
        """'insert', 'delete' or 'replace'."""
        if self.line_end == self.line_start - 1:
            return "insert"
        return "delete" if self.replacement == "" else "replace"

    def is_author(self, user):
        """True when `user` wrote this amendment."""
        return signed_in(user) and user.id == self.author_id

    def has_cosigned(self, user):
        """True when `user` co-signs this amendment."""
        return signed_in(user) and any(c.user_id == user.id for c in self.cosignatures)


class CoSignature(db.Model):
    """A member's support for an amendment."""

    __tablename__ = "cosignatures"
    __table_args__ = (UniqueConstraint("amendment_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user = relationship("User", lazy="joined")

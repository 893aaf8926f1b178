"""Rounds, their electorate, questions, ballots, participation records and results."""
from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..assemblies.models import role_at_least, role_in
from ..core.numbering import number_within_policy
from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db
from ..core.identity import signed_in

PHASES = ("amending", "deliberating", "voting", "closed", "cancelled")
OPEN_PHASES = ("amending", "deliberating", "voting")
KINDS = ("amendments", "adoption")  # decide amendments, or the final vote on the whole text
DECISIONS = ("majority", "consent")  # yes/no against the threshold, or nobody objects
MAJORITY_OF = ("votes", "electorate")  # yes / (yes + no), or yes / electorate size


class Round(db.Model):
    """A decision round on a policy. Rules are copied in at creation and frozen at voting."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("policy_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=number_within_policy)  # 1, 2, … within its policy ("Round 2")
    kind: Mapped[str] = mapped_column(String(16), default="amendments", server_default="amendments")
    decision: Mapped[str] = mapped_column(String(16), default="majority", server_default="majority")
    majority_of: Mapped[str] = mapped_column(String(16), default="votes", server_default="votes")
    min_yes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    phase: Mapped[str] = mapped_column(String(16), default="amending")
    amending_until = mapped_column(UTCDateTime, nullable=False)
    deliberating_until = mapped_column(UTCDateTime, nullable=False)
    voting_until = mapped_column(UTCDateTime, nullable=False)
    quorum: Mapped[float] = mapped_column(Float, default=0.0)
    threshold: Mapped[float] = mapped_column(Float, default=0.5)
    strict: Mapped[bool] = mapped_column(Boolean, default=True)
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    electorate_size: Mapped[int] = mapped_column(Integer, default=0)
    base_number: Mapped[int | None] = mapped_column(Integer)
    new_revision_number: Mapped[int | None] = mapped_column(Integer)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    voting_opened_at = mapped_column(UTCDateTime, nullable=True)
    closed_at = mapped_column(UTCDateTime, nullable=True)
    cancelled_at = mapped_column(UTCDateTime, nullable=True)
    reminder_sent_at = mapped_column(UTCDateTime, nullable=True)
    # ids of the pending amendments left out when voting opened (not rebased onto the base)
    left_out: Mapped[list] = mapped_column(JSON, default=list)

    policy = relationship("Policy")
    questions = relationship("Question", order_by="Question.position", lazy="selectin")

    def can_facilitate(self, user):
        """Facilitators and admins of the policy's assembly open, advance and cancel rounds
        (the assembly's own rule, :meth:`Assembly.can_facilitate`)."""
        return role_at_least(role_in(self.policy.assembly_id, user), "facilitator")

    def is_elector(self, user):
        """True when `user` is in the electorate snapshot taken when the round opened."""
        if not signed_in(user):
            return False
        query = db.select(Elector.id).filter_by(round_id=self.id, user_id=user.id)
        return db.session.execute(query).first() is not None

    def has_voted(self, user):
        """True when `user` has a participation record (cast a ballot) in this round."""
        if not signed_in(user):
            return False
        query = db.select(Participation.id).filter_by(round_id=self.id, user_id=user.id)
        return db.session.execute(query).first() is not None


class Elector(db.Model):
    """A member of the electorate snapshot taken when the round opened."""

    __tablename__ = "electors"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Question(db.Model):
    """One decision: yes_no on one amendment, or ranked over rival amendments plus 'keep'."""

    __tablename__ = "questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # yes_no, ranked or adoption
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendments.id"))
    options: Mapped[list] = mapped_column(JSON, default=list)  # [{key, amendment_id}]


class Participation(db.Model):
    """Who voted in a round (no time, no order). Unique: one ballot per voter, enforced here."""

    __tablename__ = "participations"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ballot_key: Mapped[str | None] = mapped_column(String(64))  # cleared at close in secret rounds


class Ballot(db.Model):
    """What was voted. `key` is random; `voter_id` is set only in open rounds."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("round_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    voter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)


class Result(db.Model):
    """The stored tally of one question, recomputable from the ballots."""

    __tablename__ = "results"
    __table_args__ = (UniqueConstraint("question_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    data: Mapped[dict] = mapped_column(JSON)
    accepted_amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendments.id"))


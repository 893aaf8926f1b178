"""Policies, their tags and their immutable revisions."""
from flask_babel import lazy_gettext
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db

STATUSES = ("draft", "in_round", "adopted", "archived")
SOURCES = ("edit", "merge", "round")
#: a policy's status as its header badge shows it (lower-case, as a word of the page)
STATUS_LABELS = {
    "draft": lazy_gettext("draft"),
    "in_round": lazy_gettext("in round"),
    "adopted": lazy_gettext("adopted"),
    "archived": lazy_gettext("archived"),
}


def status_label(status):
    """The status's label, or the code itself when it is unknown."""
    return STATUS_LABELS.get(status, status)


class Policy(db.Model):
    """A policy draft of an assembly; `head_number` points at its newest revision."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("assembly_id", "slug"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # the language the text is written in ('es'): <… lang>, PDF hyphenation, search stemming;
    # None means the assembly's (text_language)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    head_number: Mapped[int] = mapped_column(Integer, default=0)
    # bumped in the same transaction as any change shown on the reading view (pagecache.py)
    page_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    assembly = relationship("Assembly")
    tag_rows = relationship(
        "PolicyTag", cascade="all, delete-orphan", lazy="selectin", order_by="PolicyTag.name"
    )

    @property
    def text_language(self):
        """The language of the text: its own, else the assembly's, else English."""
        return self.language or getattr(self.assembly, "locale", None) or "en"

    @property
    def tags(self):
        """Tag names, sorted."""
        return [row.name for row in self.tag_rows]

    @property
    def head(self):
        """The newest revision."""
        return db.session.execute(
            db.select(Revision).filter_by(policy_id=self.id, number=self.head_number)
        ).scalar_one()

    def can_view(self, user):
        """Whoever may see the assembly may read its policies."""
        return self.assembly.can_view(user)

    def can_edit(self, user):
        """Members of the assembly edit drafts."""
        return self.assembly.can_participate(user)


class PolicyTag(db.Model):
    """One tag of a policy (lower-case, short)."""

    __tablename__ = "policy_tags"
    __table_args__ = (UniqueConstraint("policy_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    name: Mapped[str] = mapped_column(String(40), index=True)


class Revision(db.Model):
    """An immutable, numbered version of a policy's Markdown body."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("policy_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list] = mapped_column(JSON)  # rendered, sanitised blocks, cached
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(String(500), default="")
    parent_number: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16), default="edit")
    round_id: Mapped[int | None] = mapped_column(Integer)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    author = relationship("User", lazy="joined")
    policy = relationship("Policy")

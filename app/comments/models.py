"""Comments anchored to line ranges of a revision, and their cached anchors."""
from flask_babel import lazy_gettext
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..assemblies.models import role_at_least
from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db
from ..core.identity import signed_in

STANCES = ("comment", "support", "oppose", "question", "objection")
STANCE_LABELS = {
    "comment": lazy_gettext("Comment"),
    "support": lazy_gettext("Support"),
    "oppose": lazy_gettext("Oppose"),
    "question": lazy_gettext("Question"),
    "objection": lazy_gettext("Objection"),
}


class Comment(db.Model):
    """A comment on lines of a revision (or on an amendment). Deleting leaves a tombstone.

    A root comment (``parent_id`` NULL) opens a thread; replies point at the root and copy its
    anchor fields and its ``resolved`` flag, so filters never need the root.
    """

    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendments.id"), index=True)
    revision_number: Mapped[int] = mapped_column(Integer)
    line_start: Mapped[int] = mapped_column(Integer)
    line_end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    stance: Mapped[str] = mapped_column(String(16), default="comment")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at = mapped_column(UTCDateTime, nullable=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    author = relationship("User", lazy="joined", foreign_keys=[author_id])
    resolved_by = relationship("User", lazy="joined", foreign_keys=[resolved_by_id])
    policy = relationship("Policy")
    parent = relationship("Comment", remote_side=[id])
    amendment = relationship("Amendment")  # the amendment a thread discusses, if any

    @property
    def is_root(self):
        """True for the first comment of a thread."""
        return self.parent_id is None

    @property
    def edited(self):
        """True when the body changed after it was written."""
        return not self.deleted and self.updated_at > self.created_at

    @property
    def stance_label(self):
        """The stance as a person reads it."""
        return STANCE_LABELS.get(self.stance, self.stance)

    @property
    def root(self):
        """The thread's first comment (itself for a root)."""
        return self if self.parent_id is None else self.parent

    def can_reply(self, user):
        """Members of the policy's assembly reply."""
        return CommentRights(user, self.policy.assembly).can_reply(self)

    def can_edit(self, user):
        """Only the author (still a member) edits a comment that is not deleted."""
        return CommentRights(user, self.policy.assembly).can_edit(self)

    def can_delete(self, user):
        """The author (still a member) or an admin of the assembly deletes."""
        return CommentRights(user, self.policy.assembly).can_delete(self)

    def can_resolve(self, user):
        """The author of the thread's first comment, or a facilitator or admin, resolves it."""
        return CommentRights(user, self.policy.assembly).can_resolve(self)


class CommentRights:
    """What one user may do with the comments of one assembly; the role is looked up once,
    so a page can ask for every comment it shows without a query each."""

    def __init__(self, user, assembly):
        authenticated = signed_in(user)
        self.user_id = user.id if authenticated else None
        self.role = assembly.role_of(user) if authenticated else None

    @property
    def is_member(self):
        """Members, facilitators and admins take part."""
        return role_at_least(self.role, "member")

    def _is_author(self, comment):
        return self.user_id is not None and comment.author_id == self.user_id

    def can_comment(self):
        """Members write comments."""
        return self.is_member

    def can_reply(self, comment):
        """Members reply (also to a deleted comment's thread: its replies live on)."""
        return self.is_member

    def can_edit(self, comment):
        """Only the author, still a member, edits a comment that is not deleted."""
        return not comment.deleted and self.is_member and self._is_author(comment)

    def can_delete(self, comment):
        """The author (still a member) or an assembly admin deletes a comment not yet deleted."""
        if comment.deleted:
            return False
        return (self.is_member and self._is_author(comment)) or role_at_least(self.role, "admin")

    def can_resolve(self, comment):
        """The author of the thread's first comment, or a facilitator or admin."""
        return (self.is_member and self._is_author(comment.root)) or role_at_least(self.role, "facilitator")


class CommentAnchor(db.Model):
    """Where a root comment sits in a later revision (NULL lines: outdated). Computed once per
    revision, by the revision_created handler (or lazily, by chaining, when missing).

    Derived data, written 15,000 rows at a time for a long policy, so one index only: the key
    (policy_id, revision_number, comment_id), which is how every read looks rows up; no
    surrogate id and no foreign keys (PostgreSQL spent more than half of such an insert in the
    two foreign-key triggers, the id's sequence and the second index). Rows are only read for
    the comments of a policy, so an orphan is never shown."""

    __tablename__ = "comment_anchors"
    policy_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    comment_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    line_start: Mapped[int | None] = mapped_column(Integer)
    line_end: Mapped[int | None] = mapped_column(Integer)

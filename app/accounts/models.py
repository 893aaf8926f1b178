"""Users, API tokens and in-app notifications."""
import hashlib

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db


class User(UserMixin, db.Model):
    """A person with an account. `session_version` changes to revoke every session."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_site_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    memberships = relationship("Membership", back_populates="user", lazy="select")

    def get_id(self):
        """Flask-Login id: user id plus session version, so a version bump logs out everywhere."""
        return f"{self.id}:{self.session_version}"

    def role_in(self, assembly):
        """This user's role in `assembly`, or None."""
        for membership in self.memberships:
            if membership.assembly_id == assembly.id:
                return membership.role
        return None


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    revoked_at = mapped_column(UTCDateTime, nullable=True)

    user = relationship("User")

    @staticmethod
    def digest_of(raw):
        """The stored form of a raw token."""
        return hashlib.sha256(raw.encode()).hexdigest()


class Notification(db.Model):
    """An in-app message to one user (replies, changed lines, rebases, reminders)."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(500), default="")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    read_at = mapped_column(UTCDateTime, nullable=True)

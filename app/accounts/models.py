"""Users, their sessions, API tokens, TOTP recovery codes and in-app notifications."""
import hashlib

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db


#: how a member gets the notifications not mailed at once: a daily or weekly digest, or none
DIGESTS = ("daily", "weekly", "off")


class User(UserMixin, db.Model):
    """A person with an account. Browser logins are rows of `user_sessions` (revocable)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_site_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # TOTP (RFC 6238): the base32 secret (set when set-up starts), when it was confirmed, and
    # the last 30-second time step accepted, so no code is accepted twice
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_enabled_at = mapped_column(UTCDateTime, nullable=True)
    totp_last_step: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # mail (app.accounts.digests): how the non-personal notifications arrive ("daily", "weekly" or
    # "off"), when the last digest went, the newest notification id it covered, and whether the
    # personal ones are mailed at once (security mail, such as a password reset, always is)
    digest: Mapped[str] = mapped_column(String(8), default="daily", server_default="daily")
    digest_sent_at = mapped_column(UTCDateTime, nullable=True)
    digested_through: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    mail_personal: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # the interface language ('es') and IANA time zone ('Europe/Madrid') the person chose; None
    # means: the browser's language and the assembly's zone (app.core.i18n)
    locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    memberships = relationship("Membership", back_populates="user", lazy="select")

    def get_id(self):
        """Flask-Login id; the session's own token (checked per request) rides beside it."""
        return str(self.id)

    @property
    def has_totp(self):
        """True once two-factor authentication is confirmed and on."""
        return self.totp_enabled_at is not None

    def role_in(self, assembly):
        """This user's role in `assembly`, or None."""
        for membership in self.memberships:
            if membership.assembly_id == assembly.id:
                return membership.role
        return None


def digest_of(raw):
    """The stored form of a raw secret token (SHA-256, hex)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class UserSession(db.Model):
    """A browser login. The cookie carries a random 256-bit token; only its SHA-256 digest is
    stored (as the id), so a database leak does not hand out sessions. Logout, password change
    and reset set `revoked_at`; the user loader refuses revoked or idle sessions."""

    __tablename__ = "user_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_seen_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    revoked_at = mapped_column(UTCDateTime, nullable=True)
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user = relationship("User")


class RecoveryCode(db.Model):
    """A one-time TOTP recovery code; only its SHA-256 digest is stored (the codes carry ~80 bits)."""

    __tablename__ = "recovery_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    used_at = mapped_column(UTCDateTime, nullable=True)


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

    digest_of = staticmethod(digest_of)


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

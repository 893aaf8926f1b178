"""Assemblies and their memberships."""
from flask_babel import lazy_gettext
from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint, event, false
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..core.timeutil import UTCDateTime, utcnow
from ..extensions import db
from ..core.identity import signed_in

ROLES = ("member", "facilitator", "admin")
ROLE_RANK = {"member": 1, "facilitator": 2, "admin": 3}
#: a role as people read it inside a sentence or a table ("Your role: member")
ROLE_LABELS = {"member": lazy_gettext("member"), "facilitator": lazy_gettext("facilitator"),
               "admin": lazy_gettext("admin")}
#: a role as a choice of the member form ("Member")
ROLE_CHOICES = {"member": lazy_gettext("Member"), "facilitator": lazy_gettext("Facilitator"),
                "admin": lazy_gettext("Admin")}


def role_label(role):
    """The translated name of `role` (a code of ROLES); an unknown code as it is."""
    return ROLE_LABELS.get(role, role)


def role_at_least(role, needed):
    """True when `role` (possibly None) is `needed` or higher."""
    return ROLE_RANK.get(role or "", 0) >= ROLE_RANK[needed]


def role_in(assembly_id, user):
    """The role of `user` in assembly `assembly_id`, or None (anonymous users have none).

    The one rule every permission check goes through. Looked up once per database session
    (a page asks it for every tab, action and comment), and forgotten whenever a flush writes
    a membership and at every commit or rollback, so a service always sees its own writes.
    """
    if not signed_in(user) or assembly_id is None:
        return None
    roles = db.session.info.setdefault(_ROLES_KEY, {})
    key = (assembly_id, user.id)
    if key not in roles:
        roles[key] = db.session.execute(
            db.select(Membership.role).filter_by(assembly_id=assembly_id, user_id=user.id)
        ).scalar_one_or_none()
    return roles[key]


_ROLES_KEY = "assemblies.roles"


def _forget_roles(session, *_args):
    session.info.pop(_ROLES_KEY, None)


def _forget_roles_if_memberships_changed(session, _flush_context):
    if any(isinstance(obj, Membership) for obj in (*session.new, *session.dirty, *session.deleted)):
        _forget_roles(session)


for _name, _listener in (("after_flush", _forget_roles_if_memberships_changed),
                         ("after_commit", _forget_roles), ("after_rollback", _forget_roles)):
    if not event.contains(Session, _name, _listener):
        event.listen(Session, _name, _listener)


class Assembly(db.Model):
    """A group of people who co-write and decide policies."""

    __tablename__ = "assemblies"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    require_admin_totp: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # admins must use TOTP
    # the default interface language of its pages and of its policies' texts, and its time zone
    locale: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    memberships = relationship("Membership", back_populates="assembly", lazy="select")

    def role_of(self, user):
        """The role of `user` here, or None (anonymous users have none): :func:`role_in`."""
        return role_in(self.id, user)

    def can_view(self, user):
        """Anyone reads a public assembly; only members see a private one."""
        return self.is_public or self.role_of(user) is not None

    def can_participate(self, user):
        """Members comment, amend, edit drafts and vote."""
        return role_at_least(self.role_of(user), "member")

    def can_facilitate(self, user):
        """Facilitators and admins run rounds."""
        return role_at_least(self.role_of(user), "facilitator")

    def can_manage(self, user):
        """Admins manage members."""
        return role_at_least(self.role_of(user), "admin")

    def lacks_required_totp(self, user):
        """True when this assembly requires TOTP of its admins and `user` has not switched it on."""
        return bool(self.require_admin_totp) and not getattr(user, "has_totp", False)


class Membership(db.Model):
    """A user's role in an assembly."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("assembly_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    assembly = relationship("Assembly", back_populates="memberships")
    user = relationship("User", back_populates="memberships")

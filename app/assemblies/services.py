"""Assembly services: create assemblies, manage members."""
import secrets

from flask_babel import gettext, lazy_gettext
from sqlalchemy import func

from ..accounts.services import get_user_by_email
from ..core.errors import Conflict, Forbidden, NotFound, ValidationError
from ..core.events import log_event
from ..core.i18n import LANGUAGES, current_locale_code, language_and_zone_errors, use_assembly, zone_for_user
from ..core.identity import signed_in
from ..core.slugs import is_slug, slugify
from ..core.templating import format_number
from ..extensions import db
from .models import ROLES, Assembly, Membership

# per person (address when anonymous), shared by the browser and the API
CREATE_RATE = "20/hour"
MEMBER_ADD_RATE = "60/hour"


def validate_assembly(name, slug, description):
    """Field errors for an assembly's fields."""
    errors = {}
    if not name or len(name) > 120:
        errors["name"] = gettext("Enter a name of 1 to 120 characters.")
    if not is_slug(slug) or len(slug) > 64:
        errors["slug"] = gettext("Use lower-case letters, digits and hyphens (at most 64).")
    if len(description) > 5000:
        errors["description"] = gettext("Keep the description under %(limit)s characters.", limit=format_number(5000))
    return errors


def create_assembly(creator, name, slug=None, description="", is_public=False, locale=None, timezone=None):
    """Create an assembly; its creator becomes its admin. Its default language and time zone
    are the ones given, else the creator's (the page's language, their zone), else English, UTC."""
    name = (name or "").strip()
    slug = (slug or "").strip() or slugify(name)
    description = (description or "").strip()
    locale = locale or _language_of_creator(creator)
    timezone = timezone or zone_for_user(creator)
    errors = validate_assembly(name, slug, description) | language_and_zone_errors(locale, timezone)
    if errors:
        raise ValidationError(gettext("Some fields need attention."), fields=errors)
    slug = free_slug(slug)
    assembly = Assembly(name=name, slug=slug, description=description, is_public=bool(is_public),
                        locale=locale, timezone=timezone)
    db.session.add(assembly)
    db.session.flush()
    db.session.add(Membership(assembly_id=assembly.id, user_id=creator.id, role="admin"))
    db.session.flush()
    db.session.refresh(assembly)
    log_event(creator, "assembly.created", assembly, assembly_id=assembly.id)
    return assembly


def suggested_language_and_zone(creator):
    """The default language and zone a new assembly's form proposes: its creator's."""
    return {"locale": _language_of_creator(creator), "timezone": zone_for_user(creator)}


def _language_of_creator(creator):
    spoken = creator.locale or current_locale_code()
    return spoken if spoken in LANGUAGES else "en"


def free_slug(wanted):
    """`wanted` if no assembly uses it, else the first free `wanted-2`, `wanted-3` … (a random
    suffix after a few tries), so a taken address — perhaps a private assembly's — is never a
    refusal (API.md).
    """
    candidates = [wanted] + [_suffixed(wanted, str(n)) for n in range(2, 10)]
    taken = set(db.session.execute(db.select(Assembly.slug).filter(Assembly.slug.in_(candidates))).scalars())
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    while True:
        candidate = _suffixed(wanted, secrets.token_hex(3))
        if find_assembly(candidate) is None:
            return candidate


def _suffixed(slug, suffix):
    return f"{slug[: 63 - len(suffix)].rstrip('-')}-{suffix}"


def find_assembly(slug):
    """The assembly with this slug, or None."""
    return db.session.execute(db.select(Assembly).filter_by(slug=slug)).scalar_one_or_none()


def assembly_defaults_by_slug(slug):
    """(default language, time zone) of the assembly with this slug, or (None, None): one small
    query, made only when a page's language or zone falls back to the assembly's."""
    row = db.session.execute(db.select(Assembly.locale, Assembly.timezone).filter_by(slug=slug)).first()
    return tuple(row) if row else (None, None)


def get_assembly(slug, user):
    """The assembly if `user` may see it, else 404 (private assemblies are not revealed)."""
    assembly = find_assembly(slug)
    if assembly is None or not assembly.can_view(user):
        raise NotFound(gettext("No such assembly."))
    use_assembly(assembly)  # its default language and time zone, for people who chose none
    return assembly


def list_assemblies(user):
    """(assembly, role) for every assembly `user` may see, by name: theirs with their role,
    public ones with None. One query, however many assemblies there are."""
    user_id = user.id if signed_in(user) else None
    role = db.select(Membership.role).where(
        Membership.assembly_id == Assembly.id, Membership.user_id == user_id
    ).scalar_subquery()
    query = db.select(Assembly, role.label("role")).order_by(Assembly.name)
    return [(assembly, role) for assembly, role in db.session.execute(query) if role or assembly.is_public]


ADMIN_TOTP_MESSAGE = lazy_gettext("This assembly requires two-factor authentication of its admins; switch it on in your account")


def require_admin(actor, assembly):
    """403 unless `actor` is an admin here, with TOTP on when the assembly requires it."""
    if not assembly.can_manage(actor):
        raise Forbidden(gettext("Only the assembly's admins manage members."))
    if assembly.lacks_required_totp(actor):
        raise Forbidden(str(ADMIN_TOTP_MESSAGE), code="totp_required")


def change_assembly_settings(actor, assembly, **changes):
    """Change an assembly's name, description, is_public, default locale or timezone (its
    admins only); a setting not given stays. 422 naming each bad field, and nothing changed."""
    require_admin(actor, assembly)
    wanted = {"name": assembly.name, "description": assembly.description, "is_public": assembly.is_public,
              "locale": assembly.locale, "timezone": assembly.timezone}
    wanted.update({key: value for key, value in changes.items() if key in wanted and value is not None})
    for key in ("name", "description", "locale", "timezone"):
        wanted[key] = wanted[key].strip() if isinstance(wanted[key], str) else wanted[key]
    errors = validate_assembly(wanted["name"], assembly.slug, wanted["description"] or "") | language_and_zone_errors(
        wanted["locale"], wanted["timezone"])
    if not isinstance(wanted["is_public"], bool):
        errors["public"] = gettext("Give true or false.")
    if errors:
        raise ValidationError(gettext("Some fields need attention."), fields=errors)
    changed = {key: value for key, value in wanted.items() if getattr(assembly, key) != value}
    for key, value in changed.items():
        setattr(assembly, key, value)
    if changed:
        log_event(actor, "assembly.settings_changed", assembly, assembly_id=assembly.id, **changed)
        use_assembly(assembly)
    return assembly


def update_assembly(actor, assembly, require_admin_totp=None):
    """Require (or not) that an assembly's admins use TOTP (its admins only). An admin without
    TOTP cannot require it (they would lock themselves out)."""
    require_admin(actor, assembly)
    if require_admin_totp is None:
        return assembly
    if require_admin_totp and not getattr(actor, "has_totp", False):
        raise Forbidden(gettext("Switch on two-factor authentication in your account before requiring it of admins."),
                        code="totp_required")
    assembly.require_admin_totp = bool(require_admin_totp)
    log_event(actor, "assembly.admin_totp_required" if require_admin_totp else "assembly.admin_totp_optional",
              assembly, assembly_id=assembly.id)
    return assembly


def add_member(actor, assembly, email, role):
    """Add (or change the role of) a member; assembly admins only."""
    require_admin(actor, assembly)
    if role not in ROLES:
        raise ValidationError.field("role", gettext("Choose member, facilitator or admin."))
    user = get_user_by_email(email)
    lock_memberships(assembly)
    require_admin(actor, assembly)  # again: a change that committed while we waited may have demoted the actor
    membership = db.session.execute(
        db.select(Membership).filter_by(assembly_id=assembly.id, user_id=user.id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if membership is None:
        membership = Membership(assembly_id=assembly.id, user_id=user.id, role=role)
        db.session.add(membership)
    else:
        _keep_one_admin(assembly, membership, role)
        membership.role = role
    db.session.flush()
    db.session.refresh(assembly)
    log_event(actor, "member.added", membership, assembly_id=assembly.id, user_id=user.id, role=role)
    return membership


def lock_memberships(assembly):
    """Lock the assembly's row until commit (SELECT … FOR UPDATE on PostgreSQL; SQLite has one
    writer at a time anyway), so changes to one assembly's roles run one after another and two
    admins demoting each other at once cannot both succeed."""
    db.session.execute(db.select(Assembly.id).filter_by(id=assembly.id).with_for_update())


def count_admins(assembly):
    """How many admins the assembly has now (read after lock_memberships, not from a cache)."""
    query = db.select(func.count()).select_from(Membership).filter_by(assembly_id=assembly.id, role="admin")
    return db.session.execute(query).scalar_one()


def _keep_one_admin(assembly, membership, new_role):
    if membership.role == "admin" and new_role != "admin" and count_admins(assembly) <= 1:
        raise Conflict(gettext("An assembly needs at least one admin."), code="last_admin")


def list_members(assembly):
    """Memberships with their users, by name."""
    return sorted(assembly.memberships, key=lambda m: (m.user.name.lower(), m.user_id))

"""Account services: registration, authentication, login limits, sessions, tokens, notifications."""
import hashlib
import math
import re
import secrets
import time
from datetime import timedelta

from argon2 import PasswordHasher
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext, lazy_gettext
from limits import parse
from limits.strategies import MovingWindowRateLimiter

from ..core.errors import Conflict, NotFound, TooManyRequests, Unauthorized, ValidationError
from ..core.events import log_event
from ..core.timeutil import utcnow
from ..extensions import db, limiter
from .models import ApiToken, Notification, User, UserSession, digest_of

EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
MIN_PASSWORD = 10
_HASHERS = {}


def _hasher():
    """Argon2id with the configured cost (ARGON2_PARAMS; the tests use a cheap one)."""
    params = tuple(sorted((current_app.config.get("ARGON2_PARAMS") or {}).items()))
    if params not in _HASHERS:
        hasher = PasswordHasher(**dict(params))
        # verified against when the e-mail is unknown, so both answers take the same time
        _HASHERS[params] = (hasher, hasher.hash("not-a-real-password-0000"))
    return _HASHERS[params][0]


def _dummy_hash():
    _hasher()
    params = tuple(sorted((current_app.config.get("ARGON2_PARAMS") or {}).items()))
    return _HASHERS[params][1]


def normalize_email(email):
    """Trim and lower-case an e-mail address."""
    return (email or "").strip().lower()


def validate_registration(email, name, password):
    """Field errors for a registration, as a dict (empty when valid)."""
    errors = {}
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = gettext("Enter a valid e-mail address.")
    if not name or len(name) > 80:
        errors["name"] = gettext("Enter a display name of 1 to 80 characters.")
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        errors["password"] = gettext("Use a password of at least %(num)d characters.", num=MIN_PASSWORD)
    elif len(password) > 1000:
        errors["password"] = gettext("That password is too long (%(num)d characters at most).", num=1000)
    return errors


def register_user(email, name, password):
    """Create an account; 422 for invalid fields, 409 when the e-mail is taken."""
    email, name = normalize_email(email), (name or "").strip()
    errors = validate_registration(email, name, password)
    if errors:
        raise ValidationError(gettext("Some fields need attention."), fields=errors)
    if find_user_by_email(email) is not None:
        raise Conflict(
            gettext("An account with this e-mail already exists."),
            code="email_taken",
            fields={"email": gettext("This e-mail is already registered.")},
        )
    user = User(email=email, name=name, password_hash=_hasher().hash(password))
    db.session.add(user)
    db.session.flush()
    log_event(user, "user.registered", user)
    return user


def rename_user(user, name):
    """Change the user's display name; 422 unless it is 1 to 80 characters (trimmed)."""
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 80:
        raise ValidationError.field("name", gettext("Enter a display name of 1 to 80 characters."))
    if name != user.name:
        user.name = name
        log_event(user, "user.renamed", user)
    return user


def find_user_by_email(email):
    """The user with this e-mail, or None."""
    return db.session.execute(
        db.select(User).filter_by(email=normalize_email(email))
    ).scalar_one_or_none()


def get_user_by_email(email):
    """The user with this e-mail, or 404."""
    user = find_user_by_email(email)
    if user is None:
        raise NotFound(gettext("No user has that e-mail address."), fields={"email": gettext("Unknown e-mail.")})
    return user


def authenticate_user(email, password):
    """The user for these credentials, or 401 with the same answer for unknown e-mails.

    429 while the account has too many recent failures (checked before the password, so the
    answer during a lock does not tell whether the password is right); a failure counts.
    """
    check_login_allowed(email)
    user = find_user_by_email(email)
    stored = user.password_hash if user else _dummy_hash()
    try:
        _hasher().verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        record_login_failure(email)
        raise Unauthorized(gettext("Wrong e-mail or password."), code="invalid_credentials")
    return user


# Failed logins per account (by normalised e-mail, known or not), in Flask-Limiter's storage
# (Redis when REDIS_URL is set), beside the per-address limits on the routes. A moving window:
# with a fixed one, 10 guesses just before a window ends and 10 just after fit in seconds.
LOGIN_FAILURES = "10 per 15 minutes"
LOCKED_MESSAGE = lazy_gettext("Too many failed attempts for this account. Wait a few minutes and try again.")


def _failure_limit():
    return parse(current_app.config.get("LOGIN_FAILURE_LIMIT") or LOGIN_FAILURES)


def _failure_keys(email):
    digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    # not "login-failures": that key held the fixed window's counter, of another type in Redis
    return [part for part in (prefix, "login-failures-moving", digest) if part]


def _failure_limiter():
    """The moving-window strategy on the limiter's storage (memory and Redis support it)."""
    return MovingWindowRateLimiter(limiter.storage)


def _limits_on():
    return bool(current_app.config.get("RATELIMIT_ENABLED")) and limiter.enabled


def check_login_allowed(email):
    """429 (with the seconds to wait) while the account has had too many failed logins in the
    last 15 minutes (the wait ends when the oldest of them is 15 minutes old)."""
    if not _limits_on():
        return
    item, keys, strategy = _failure_limit(), _failure_keys(email), _failure_limiter()
    if not strategy.test(item, *keys):
        reset = strategy.get_window_stats(item, *keys).reset_time
        raise TooManyRequests(str(LOCKED_MESSAGE), retry_after=max(1, math.ceil(reset - time.time())))


def record_login_failure(email):
    """Count a wrong password or code against the account (the same for unknown e-mails)."""
    if _limits_on():
        _failure_limiter().hit(_failure_limit(), *_failure_keys(email))


def clear_login_failures(email):
    """Forget the account's failures after a complete login."""
    if _limits_on():
        _failure_limiter().clear(_failure_limit(), *_failure_keys(email))


def change_password(user, current, new):
    """Change the password and revoke every session and token of the user."""
    authenticate_user(user.email, current)
    errors = validate_registration(user.email, user.name, new)
    if "password" in errors:
        raise ValidationError.field("password", errors["password"])
    user.password_hash = _hasher().hash(new)
    revoke_sessions(user)
    log_event(user, "user.password_changed", user)
    return user


RESET_MAX_AGE = 3600


def _reset_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def password_fingerprint(user):
    """A short digest of the password hash: it changes whenever the password does."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_password_reset(email, link_for):
    """E-mail a one-hour reset link if the account exists; the caller answers the same either way.

    `link_for(token)` builds the absolute link. The token embeds a fingerprint of the current
    password hash, so it stops working once used (or once the password changes otherwise).
    """
    from ..core.i18n import LANGUAGES, current_locale_code, speaking, zone_for_user
    from ..core.mail import queue_mail

    user = find_user_by_email(email)
    if user is None:
        return None
    token = _reset_serializer().dumps({"id": user.id, "fp": password_fingerprint(user)})
    # the account's language; without one, the language of the page the reset was asked on
    code = user.locale if user.locale in LANGUAGES else current_locale_code()
    with speaking(code, zone_for_user(user)):
        queue_mail(user.email, gettext("Reset your Commonwright password"),
                   gettext("Hello %(name)s,\n\nTo choose a new password, open this link within an hour:\n\n"
                           "%(link)s\n\nIf you did not ask for this, ignore this message.",
                           name=user.name, link=link_for(token)))
    log_event(user, "password.reset_requested", user)
    return token


def user_for_reset_token(token):
    """The user a valid, unused, unexpired reset token belongs to; 404 otherwise."""
    try:
        data = _reset_serializer().loads(token, max_age=RESET_MAX_AGE)
    except (BadSignature, SignatureExpired):
        raise NotFound(gettext("This reset link is invalid or has expired. Ask for a new one.")) from None
    user = db.session.get(User, data.get("id")) if isinstance(data, dict) else None
    if user is None or data.get("fp") != password_fingerprint(user):
        raise NotFound(gettext("This reset link was already used or has expired. Ask for a new one."))
    return user


def reset_password(token, new):
    """Set a new password from a reset link; every session and token of the user is revoked."""
    user = user_for_reset_token(token)
    errors = validate_registration(user.email, user.name, new)
    if "password" in errors:
        raise ValidationError.field("new", errors["password"])
    user.password_hash = _hasher().hash(new)
    revoke_sessions(user)
    log_event(user, "password.reset", user)
    return user


def revoke_sessions(user):
    """Log the user out everywhere: revoke every browser session and API token."""
    return revoke_other_access(user, None)


def revoke_other_access(user, keep):
    """Revoke every browser session and API token of the user but `keep` (the UserSession or the
    ApiToken of this request, or None for all)."""
    now = utcnow()
    sessions = db.update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if isinstance(keep, UserSession):
        sessions = sessions.where(UserSession.id != keep.id)
    db.session.execute(sessions.values(revoked_at=now).execution_options(synchronize_session=False))
    for token in db.session.execute(db.select(ApiToken).filter_by(user_id=user.id, revoked_at=None)).scalars():
        if not (isinstance(keep, ApiToken) and token.id == keep.id):
            token.revoked_at = now
    return user


def create_session(user, user_agent=""):
    """Open a browser session; returns (raw token for the cookie, UserSession)."""
    raw = secrets.token_urlsafe(32)
    record = UserSession(id=digest_of(raw), user_id=user.id, user_agent=(user_agent or "")[:200])
    db.session.add(record)
    db.session.flush()
    return raw, record


def find_session(raw):
    """(UserSession, User) for a live session token in ONE query, or None (revoked, idle or unknown)."""
    if not isinstance(raw, str) or not raw or len(raw) > 100:
        return None
    row = db.session.execute(
        db.select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.id == digest_of(raw), UserSession.revoked_at.is_(None))
    ).first()
    if row is None or row[0].last_seen_at < utcnow() - timedelta(days=session_idle_days()):
        return None
    return row[0], row[1]


def session_idle_days():
    """Days without a request after which a session no longer works (SESSION_IDLE_DAYS)."""
    return current_app.config.get("SESSION_IDLE_DAYS", 30)


def revoke_session(record):
    """End one browser session (logout)."""
    if record.revoked_at is None:
        record.revoked_at = utcnow()
    return record


def list_sessions(user):
    """The user's live sessions, most recently used first."""
    since = utcnow() - timedelta(days=session_idle_days())
    return db.session.execute(
        db.select(UserSession).filter_by(user_id=user.id, revoked_at=None)
        .where(UserSession.last_seen_at >= since).order_by(UserSession.last_seen_at.desc())
    ).scalars().all()


def revoke_user_session(user, session_id):
    """End one of the user's own sessions by its id; 404 for anyone else's."""
    record = db.session.get(UserSession, session_id) if isinstance(session_id, str) else None
    if record is None or record.user_id != user.id:
        raise NotFound(gettext("No such session."))
    log_event(user, "session.revoked", user)
    return revoke_session(record)


def revoke_other_sessions(user, keep):
    """Log out every session of the user but `keep` (this browser)."""
    for record in list_sessions(user):
        if keep is None or record.id != keep.id:
            revoke_session(record)
    log_event(user, "session.revoked_others", user)
    return user


def create_token(user):
    """Issue a bearer token; returns (raw token, ApiToken). Only the digest is stored."""
    raw = secrets.token_urlsafe(32)
    days = current_app.config.get("API_TOKEN_DAYS", 30)
    token = ApiToken(user_id=user.id, digest=ApiToken.digest_of(raw), expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    log_event(user, "token.created", token)
    return raw, token


def revoke_token(token):
    """Stop a token from working."""
    token.revoked_at = utcnow()
    log_event(token.user, "token.revoked", token)
    return token


def list_notifications(user, limit=100):
    """The user's newest notifications."""
    return db.session.execute(
        db.select(Notification).filter_by(user_id=user.id).order_by(Notification.id.desc()).limit(limit)
    ).scalars().all()


def open_notifications(user, limit=100):
    """The user's newest notifications, as the list shows them, and the ids of those that were
    unread until now: opening the list is reading them, so they are marked read in this request
    (before the page is rendered, so its header's unread count is already the true one)."""
    items = list_notifications(user, limit)
    new_ids = {note.id for note in items if note.read_at is None}
    now = utcnow()
    for note in items:
        if note.id in new_ids:
            note.read_at = now
    return items, new_ids


def unread_count(user):
    """How many notifications the user has not read."""
    return db.session.execute(
        db.select(db.func.count(Notification.id)).filter_by(user_id=user.id, read_at=None)
    ).scalar_one()


def mark_notifications_read(user):
    """Mark all of the user's notifications read."""
    now = utcnow()
    for note in db.session.execute(db.select(Notification).filter_by(user_id=user.id, read_at=None)).scalars():
        note.read_at = now
    return user

"""Session login (Flask-Login over server-side, revocable sessions) and bearer tokens for the API.

The signed Flask cookie holds the user id (Flask-Login's) and a random session token
(SESSION_KEY); the loader accepts the pair only while that token's `user_sessions` row is live,
so logout, password change and reset end a copied cookie too. Remember-me cookies are not used:
a remember cookie alone carries no session token, so the loader refuses it.
"""
import time
from datetime import timedelta

from flask import current_app, g, request, session
from flask_babel import lazy_gettext
from flask_login import login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.attributes import set_committed_value

from ..core.timeutil import utcnow
from ..extensions import db, login_manager
from . import services
from .models import ApiToken, User, UserSession

SESSION_KEY = "_sid"
PENDING_KEY = "_2fa"  # a password checked, the TOTP code still to come
PENDING_SECONDS = 300
TOUCH_EVERY = timedelta(minutes=5)


def _now():
    """Seconds since the epoch (a seam for tests)."""
    return time.time()


def load_session_user(user_id):
    """Flask-Login loader: the user of this cookie's live session (one query), else None."""
    found = services.find_session(session.get(SESSION_KEY))
    if found is None or str(found[1].id) != user_id:
        return None
    record, user = found
    g.user_session = record
    if utcnow() - record.last_seen_at > TOUCH_EVERY:
        _touch(record)
    return user


def _touch(record):
    """Note the session's last use, at most every few minutes, on its own short transaction (the
    request's own may never commit); skipped when the row is busy (SKIP LOCKED, or SQLite's lock)."""
    now = utcnow()
    busy_free = db.select(UserSession.id).where(UserSession.id == record.id).with_for_update(skip_locked=True)
    try:
        with db.engine.begin() as connection:
            connection.execute(
                db.update(UserSession).where(UserSession.id.in_(busy_free.scalar_subquery())).values(last_seen_at=now)
            )
    except SQLAlchemyError:
        current_app.logger.warning("could not note the last use of a session", exc_info=True)
        return
    set_committed_value(record, "last_seen_at", now)


def current_session():
    """This request's UserSession (after the loader ran), or None."""
    return g.get("user_session")


def log_in(user):
    """Open a server-side session for `user` in this browser (the view commits)."""
    _end_previous()
    raw, record = services.create_session(user, request.user_agent.string)
    login_user(user)
    session[SESSION_KEY] = raw
    g.user_session = record
    services.clear_login_failures(user.email)
    return record


def log_out():
    """Revoke this browser's session on the server and clear the cookie (the view commits)."""
    _end_previous()
    logout_user()


def _end_previous():
    """Revoke the session this browser had before (a login over a login), so no copy of the old
    cookie outlives it."""
    found = current_session() or services.find_session(session.get(SESSION_KEY))
    if found is not None:
        services.revoke_session(found[0] if isinstance(found, tuple) else found)
    for key in (SESSION_KEY, PENDING_KEY):
        session.pop(key, None)


def begin_second_step(user):
    """Remember, for a few minutes, that `user` gave the right password; not a login yet."""
    _end_previous()
    logout_user()
    session[PENDING_KEY] = {"id": user.id, "at": int(_now()), "fp": services.password_fingerprint(user)}


def pending_user():
    """The user waiting for the second step in this browser, or None (absent or expired)."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("at"), int):
        return None
    if _now() - data["at"] > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, data["id"]) if isinstance(data.get("id"), int) else None
    if user is None or not user.has_totp or data.get("fp") != services.password_fingerprint(user):
        return None
    return user


def user_from_bearer():
    """The user of a valid, unexpired, unrevoked bearer token in this request, or None (looked
    up once per request: a rate limit keyed by person and the route's authentication both ask)."""
    if "bearer_user" not in g:
        g.bearer_user = _lookup_bearer()
    return g.bearer_user


# The token's state and its user in one query, built once (every API request asks): the user as
# the ORM object the routes use, the token as plain columns (only revoking it needs the object).
_TOKEN_USER = (
    db.select(User, ApiToken.id.label("token_id"), ApiToken.revoked_at, ApiToken.expires_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.digest == db.bindparam("digest"))
)


def _lookup_bearer():
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    row = db.session.execute(_TOKEN_USER, {"digest": ApiToken.digest_of(raw.strip())}).first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    g.api_token_id = row.token_id
    return row.User


def current_token():
    """The ApiToken of this request's valid bearer token (loaded on demand), or None."""
    token_id = g.get("api_token_id") if user_from_bearer() is not None else None
    return None if token_id is None else db.session.get(ApiToken, token_id)


def init_login(app):
    """Configure Flask-Login."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Please log in to continue.")
    login_manager.localize_callback = str  # in the language of the request that is sent to log in
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)

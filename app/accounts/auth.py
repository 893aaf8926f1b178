"""Session login (Flask-Login) and bearer-token authentication for the API."""
from flask import g, request

from ..core.timeutil import utcnow
from ..extensions import db, login_manager
from .models import ApiToken, User


def load_session_user(session_id):
    """Flask-Login loader: 'id:version'; an old version means the session was revoked."""
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except (ValueError, AttributeError):
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version:
        return None
    return user


def user_from_bearer():
    """The user of a valid, unexpired, unrevoked bearer token in this request, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    token = db.session.execute(
        db.select(ApiToken).filter_by(digest=ApiToken.digest_of(raw.strip()))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    g.api_token = token
    return token.user


def init_login(app):
    """Configure Flask-Login."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)

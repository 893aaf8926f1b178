"""API: users, tokens, me."""
from flask import g

from ..accounts import services
from ..accounts.views import RESET_RATE, reset_link
from ..extensions import db, limiter
from . import bp
from .common import field, json_body, token_required, when


def user_json(user):
    return {"id": user.id, "email": user.email, "name": user.name}


@bp.post("/users")
@limiter.limit("10/hour")
def create_user():
    data = json_body()
    user = services.register_user(
        field(data, "email", required=False, default=""),
        field(data, "name", required=False, default=""),
        field(data, "password", required=False, default=""),
    )
    db.session.commit()
    return user_json(user), 201


@bp.post("/tokens")
@limiter.limit("20/minute")
def create_token():
    data = json_body()
    email = data.get("email") if isinstance(data.get("email"), str) else ""
    password = data.get("password") if isinstance(data.get("password"), str) else ""
    user = services.authenticate_user(email, password)
    raw, token = services.create_token(user)
    db.session.commit()
    return {"token": raw, "expires_at": when(token.expires_at)}, 201


@bp.post("/password-resets")
@limiter.shared_limit(RESET_RATE, scope="password-reset")
def create_password_reset():
    """202 {} whatever the e-mail; a one-hour link is mailed (after this answer) to an account's address."""
    data = json_body()
    email = data.get("email") if isinstance(data.get("email"), str) else ""
    services.request_password_reset(email, reset_link)
    db.session.commit()
    return {}, 202


@bp.delete("/tokens/current")
@token_required
def delete_token():
    services.revoke_token(g.api_token)
    db.session.commit()
    return "", 204


@bp.get("/me")
@token_required
def me():
    memberships = [{"slug": m.assembly.slug, "role": m.role} for m in g.user.memberships]
    return {**user_json(g.user), "assemblies": memberships}

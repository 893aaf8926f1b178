"""API: users, tokens, me."""
from flask import g

from ..accounts import services, totp
from ..core.errors import Unauthorized
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
    if user.has_totp:
        _check_otp(user, data.get("otp"))
    services.clear_login_failures(user.email)
    raw, token = services.create_token(user)
    db.session.commit()
    return {"token": raw, "expires_at": when(token.expires_at)}, 201


def _check_otp(user, otp):
    """A TOTP account also needs `otp` (a current code or a recovery code): 401 otp_required when
    it is missing, the wrong-password 401 when it is wrong (counted as a failure)."""
    if not isinstance(otp, str) or not otp.strip():
        raise Unauthorized("This account uses two-factor authentication: send 'otp' with a current code.",
                           code="otp_required")
    if not totp.verify_second_factor(user, otp):
        raise Unauthorized("Wrong e-mail or password.", code="invalid_credentials")


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


@bp.post("/me/totp")
@token_required
def start_totp():
    """Begin TOTP set-up: a new secret and its otpauth:// URI; nothing changes until confirmed."""
    totp.start_totp(g.user)
    db.session.commit()
    return {"secret": g.user.totp_secret, "otpauth_uri": totp.provisioning_uri(g.user)}, 201


@bp.post("/me/totp/confirm")
@token_required
def confirm_totp():
    """Switch TOTP on with the password and a current code; every other session and token is
    revoked (this token keeps working); the recovery codes are in this answer only."""
    data = json_body()
    codes = totp.confirm_totp(g.user, field(data, "password"), field(data, "code"), keep=g.get("api_token"))
    db.session.commit()
    return {"recovery_codes": codes}, 200


@bp.delete("/me/totp")
@token_required
def delete_totp():
    """Switch TOTP off with the password and a code (or a recovery code)."""
    data = json_body()
    totp.disable_totp(g.user, field(data, "password"), field(data, "code"))
    db.session.commit()
    return "", 204

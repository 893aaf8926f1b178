"""API: users, tokens, me."""
from flask import Blueprint, g, jsonify

from ..accounts import digests, preferences, services, totp
from ..accounts.auth import current_token
from ..core.errors import Unauthorized
from ..core.i18n import locale_names
from ..accounts.models import DIGESTS
from ..accounts.views import RESET_RATE, reset_link
from ..extensions import db, limiter
from .common import field, json_body, token_required, when
from .schema import BOOL, INT, NULLABLE_INT, NULLABLE_STR, STR, TIME, obj

bp = Blueprint("accounts", __name__)


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
    services.revoke_token(current_token())
    db.session.commit()
    return "", 204


def me_json(user):
    memberships = [{"slug": m.assembly.slug, "role": m.role} for m in user.memberships]
    return {**user_json(user), "digest": user.digest, "mail_personal": user.mail_personal,
            "locale": user.locale, "timezone": user.timezone, "assemblies": memberships}


@bp.get("/me")
@token_required
def me():
    return me_json(g.user)


@bp.patch("/me")
@token_required
def update_me():
    """Change the caller's name and mail choices: `digest` ("daily", "weekly", "off") for the
    notifications not mailed at once, `mail_personal` for those that are; absent fields stay."""
    data = json_body()
    name = field(data, "name", required=False)
    if name is not None:
        services.rename_user(g.user, name)
    preferences.set_language_and_zone(g.user, locale=data.get("locale", preferences.KEEP),
                                      timezone=data.get("timezone", preferences.KEEP), via="api")
    digests.set_mail_choices(g.user, digest=data.get("digest"), mail_personal=data.get("mail_personal"), via="api")
    db.session.commit()
    return me_json(g.user)


@bp.get("/locales")
def locales():
    """The interface languages: [{code, name}], each name in its own language."""
    return jsonify(locale_names())


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
    codes = totp.confirm_totp(g.user, field(data, "password"), field(data, "code"), keep=current_token())
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


# how the notifications not mailed at once arrive: a daily or weekly digest, or not by mail
DIGEST = {"type": "string", "enum": list(DIGESTS)}

# Operations and schemas this module adds to the OpenAPI document (see api/spec.py).
SCHEMAS = {
    "UserRef": obj(["id", "name"], id=NULLABLE_INT, name={"type": ["string", "null"]}),
    "User": obj(["id", "email", "name"], id=INT, email=STR, name=STR),
    "NewUser": obj(["email", "name", "password"], email=STR, name=STR, password=STR),
    "Credentials": obj(["email", "password"], email=STR, password=STR, otp=STR),
    "TotpStart": obj(["secret", "otpauth_uri"], secret=STR, otpauth_uri=STR),
    "TotpConfirm": obj(["code", "password"], code=STR, password=STR),
    "RecoveryCodes": obj(["recovery_codes"], recovery_codes={"type": "array", "items": STR}),
    "TotpOff": obj(["password", "code"], password=STR, code=STR),
    "PasswordResetRequest": obj(["email"], email=STR),
    "Token": obj(["token", "expires_at"], token=STR, expires_at=TIME),
    "Me": obj(["id", "email", "name", "digest", "mail_personal", "locale", "timezone", "assemblies"],
              id=INT, email=STR, name=STR, digest=DIGEST, mail_personal=BOOL,
              locale=NULLABLE_STR, timezone=NULLABLE_STR,
              assemblies={"type": "array", "items": obj(["slug", "role"], slug=STR, role=STR)}),
    "MeChange": obj([], name=STR, digest=DIGEST, mail_personal=BOOL, locale=NULLABLE_STR, timezone=NULLABLE_STR),
    "Locale": obj(["code", "name"], code=STR, name=STR),
}

OPERATIONS = [
    ("post", "/api/v1/users", "Register a user", "NewUser", {201: "User", 409: "Error", 422: "Error"}, True),
    ("post", "/api/v1/tokens", "Create a token (otp too when the account uses TOTP)", "Credentials",
     {201: "Token", 401: "Error", 429: "Error"}, True),
    ("delete", "/api/v1/tokens/current", "Revoke the current token", None, {204: None}, False),
    ("post", "/api/v1/password-resets", "Mail a reset link if the e-mail has an account (202 either way)",
     "PasswordResetRequest", {202: None, 429: "Error"}, True),
    ("get", "/api/v1/me", "The caller, their mail choices and their assemblies", None, {200: "Me"}, False),
    ("patch", "/api/v1/me", "Change the caller's name, mail choices (digest: daily, weekly or off; "
     "mail_personal: whether personal notifications are mailed at once), interface language (locale, a code "
     "of GET /api/v1/locales) or IANA time zone; null clears a language or zone choice",
     "MeChange", {200: "Me", 422: "Error"}, False),
    ("get", "/api/v1/locales", "The interface languages, each named in its own language", None,
     {200: "list:Locale"}, True),
    ("post", "/api/v1/me/totp", "Start TOTP set-up (a new secret)", None, {201: "TotpStart", 409: "Error"}, False),
    ("post", "/api/v1/me/totp/confirm", "Switch TOTP on (code and password); logs out every other session "
     "and token; returns recovery codes", "TotpConfirm",
     {200: "RecoveryCodes", 409: "Error", 422: "Error", 429: "Error"}, False),
    ("delete", "/api/v1/me/totp", "Switch TOTP off (password and code)", "TotpOff",
     {204: None, 409: "Error", 422: "Error", 429: "Error"}, False),
]

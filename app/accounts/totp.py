"""Two-factor authentication services: TOTP (RFC 6238, 30-second steps, 6 digits) with one-time
recovery codes. Like every service these never commit.

Set-up: start_totp() stores a new secret (not yet in force) → confirm_totp(password, code)
switches it on, logs out every other session and API token, and returns 10 recovery codes, shown
once (only their SHA-256 digests are kept). The password is asked so that a stolen cookie or
token alone cannot switch TOTP on with the thief's phone and lock the owner out. A code is
accepted once: the last time step used is stored, and a recovery code is marked used in the
same UPDATE that checks it. Wrong codes count toward the account's failed-login limit.
"""
import base64
import hmac
import io
import re
import secrets
import time

import pyotp
import segno
from flask_babel import gettext, lazy_gettext
from sqlalchemy.orm.attributes import set_committed_value

from ..core.errors import Conflict, Unauthorized, ValidationError
from ..core.events import log_event
from ..core.timeutil import utcnow
from ..extensions import db
from . import services
from .models import RecoveryCode, User, digest_of

ISSUER = "Commonwright"
STEP_SECONDS = 30
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
WRONG_CODE = lazy_gettext("That code is not right. Enter the current 6-digit code from your app, or a recovery code.")


def _now():
    """Seconds since the epoch (a seam for tests)."""
    return time.time()


def provisioning_uri(user):
    """The otpauth:// URI an authenticator app reads (from the QR code)."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri):
    """The QR code of `uri` as an SVG data: URI for an <img> (the CSP allows img-src data:)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=4, dark="#000", light="#fff", xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def start_totp(user):
    """Begin set-up: a new secret, not in force until confirmed; 409 when TOTP is already on."""
    if user.has_totp:
        raise Conflict(gettext("Two-factor authentication is already on."), code="totp_enabled")
    user.totp_secret = pyotp.random_base32(32)
    user.totp_last_step = 0
    log_event(user, "totp.started", user)
    return user


def confirm_totp(user, password, code, keep=None):
    """Switch TOTP on with the password and a current code from the app; every other session and
    API token of the user is revoked (all but `keep`, the caller's own). Returns the recovery
    codes (shown once). 422 naming the field; a wrong password counts as a failed login."""
    if user.has_totp:
        raise Conflict(gettext("Two-factor authentication is already on."), code="totp_enabled")
    if not user.totp_secret:
        raise Conflict(gettext("Start the set-up first."), code="totp_not_started")
    _check_password(user, password)
    if not _use_totp_code(user, code):
        raise ValidationError.field("code", gettext("That code is not right. Check that your phone's clock is "
                                                    "correct and enter the code shown now."))
    user.totp_enabled_at = utcnow()
    services.revoke_other_access(user, keep)
    log_event(user, "totp.enabled", user)
    return _new_recovery_codes(user)


def regenerate_recovery_codes(user, code):
    """Replace the recovery codes (the old ones stop working); needs a current code."""
    _require_totp(user)
    if not verify_second_factor(user, code):
        raise ValidationError.field("code", str(WRONG_CODE))
    log_event(user, "totp.recovery_codes_regenerated", user)
    return _new_recovery_codes(user)


def disable_totp(user, password, code):
    """Switch TOTP off; needs the password and a code (or a recovery code). 422 naming the field."""
    _require_totp(user)
    _check_password(user, password)
    if not verify_second_factor(user, code):
        raise ValidationError.field("code", str(WRONG_CODE))
    reset_totp(user)
    log_event(user, "totp.disabled", user)
    return user


def reset_totp(user):
    """Remove the user's TOTP and recovery codes (also the site admin's CLI for a lost phone)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = 0
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    return user


def verify_second_factor(user, code):
    """True when `code` is a current TOTP code not used before or an unused recovery code (now
    spent); a wrong one counts as a failed login, and a locked account gets 429 first."""
    services.check_login_allowed(user.email)
    if _use_totp_code(user, code) or _use_recovery_code(user, code):
        return True
    services.record_login_failure(user.email)
    return False


def remaining_recovery_codes(user):
    """How many unused recovery codes the user has."""
    return db.session.execute(
        db.select(db.func.count(RecoveryCode.id)).filter_by(user_id=user.id, used_at=None)
    ).scalar_one()


def _check_password(user, password):
    """422 on the password field unless it is the user's (counted as a failed login; 429 when locked)."""
    try:
        services.authenticate_user(user.email, password)
    except Unauthorized:
        raise ValidationError.field("password", gettext("That is not your password.")) from None


def _require_totp(user):
    if not user.has_totp:
        raise Conflict(gettext("Two-factor authentication is off."), code="totp_disabled")


def _use_totp_code(user, code):
    """Accept a code of the previous, current or next step, newer than the last one used."""
    code = re.sub(r"\s", "", code) if isinstance(code, str) else ""
    if not user.totp_secret or not re.fullmatch(r"\d{6}", code):
        return False
    totp, now = pyotp.TOTP(user.totp_secret), int(_now()) // STEP_SECONDS
    for step in (now - 1, now, now + 1):
        if step > (user.totp_last_step or 0) and hmac.compare_digest(totp.generate_otp(step), code):
            return _spend_step(user, step)
    return False


def _spend_step(user, step):
    """Store `step` as the last used, only if no concurrent request used it (or a later one)."""
    done = db.session.execute(
        db.update(User).where(User.id == user.id, User.totp_last_step < step).values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    set_committed_value(user, "totp_last_step", step)
    return done == 1


def _use_recovery_code(user, code):
    normal = _normal_recovery(code)
    if len(normal) != 16:
        return False
    spent = db.session.execute(
        db.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.digest == digest_of(normal), RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if spent:
        log_event(user, "totp.recovery_code_used", user)
    return spent == 1


def _normal_recovery(code):
    return re.sub(r"[\s-]", "", code).lower() if isinstance(code, str) else ""


def _new_recovery_codes(user):
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
        db.session.add(RecoveryCode(user_id=user.id, digest=digest_of(raw)))
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
    db.session.flush()
    return codes

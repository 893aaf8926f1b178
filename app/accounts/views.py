"""Account pages: register, log in, log out, password, notifications (sessions and two-factor
pages are in security_views)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required

from ..core.errors import AppError, NotFound, TooManyRequests, Unauthorized
from ..core.forms import CsrfForm, apply_field_errors
from ..core.urls import public_url_for, safe_next
from ..extensions import csrf, db, limiter
from . import digests, preferences, services
from .auth import begin_second_step, log_in, log_out
from .forms import LanguageForm, LoginForm, MailForm, PasswordForm, RegisterForm, ResetForm, ResetRequestForm

bp = Blueprint("accounts", __name__)


def retry_after(error):
    """The Retry-After header of a 429 (the wait of a locked account), else none."""
    return {"Retry-After": str(error.retry_after)} if isinstance(error, TooManyRequests) else {}


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(form.email.data, form.name.data, form.password.data)
        except AppError as error:
            apply_field_errors(form, error)
        else:
            log_in(user)
            db.session.commit()
            flash(gettext("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
            return redirect(url_for("core.home"))
    return render_template("accounts/register.html", form=form), (422 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
def login():
    form = LoginForm()
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        try:
            user = services.authenticate_user(form.email.data, form.password.data)
        except (Unauthorized, TooManyRequests) as exc:
            error, status, headers = exc.message, exc.status, retry_after(exc)
        else:
            if user.has_totp:  # not logged in until the code is given
                begin_second_step(user)
                db.session.commit()  # the revocation of this browser's previous session
                return redirect(url_for("accounts.login_code", next=safe_next(request.args.get("next"))))
            log_in(user)
            db.session.commit()
            flash(gettext("Logged in as %(name)s.", name=user.name), "success")
            return redirect(safe_next(request.args.get("next"), url_for("core.home")))
    status = status if error else (422 if form.errors else 200)
    return render_template("accounts/login.html", form=form, error=error), status, headers


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if CsrfForm().validate_on_submit():
        log_out()
        db.session.commit()
        flash(gettext("You are logged out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form, status, headers = PasswordForm(), 200, {}
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except Unauthorized:
            form.current.errors = [gettext("That is not your current password.")]
        except TooManyRequests as exc:
            form.current.errors, status, headers = [exc.message], 429, retry_after(exc)
        except AppError as exc:
            apply_field_errors(form, exc)
        else:
            log_in(current_user._get_current_object())  # a new session here; the others were revoked
            db.session.commit()
            flash(gettext("Password changed. Every other session and API token was logged out."), "success")
            return redirect(url_for("accounts.account"))
    return *account_page(form=form, status=429 if status == 429 else (422 if form.errors else 200)), headers


@bp.route("/account/mail", methods=["POST"])
@login_required
def account_mail():
    form = MailForm()
    if form.validate_on_submit():
        try:
            digests.set_mail_choices(current_user, digest=form.digest.data, mail_personal=form.mail_personal.data)
        except AppError as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(str(MAIL_SAVED[current_user.digest]), "success")
            return redirect(url_for("accounts.account", _anchor="mail"))
    return account_page(mail_form=form, status=422)


@bp.route("/account/language", methods=["POST"])
@login_required
def account_language():
    form = LanguageForm()
    if form.validate_on_submit():
        try:
            preferences.set_language_and_zone(current_user, locale=form.locale.data, timezone=form.timezone.data)
        except AppError as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(gettext("Saved: pages and mail now use your language and time zone."), "success")
            return redirect(url_for("accounts.account", _anchor="language"))
    return account_page(language_form=form, status=422)


MAIL_SAVED = {
    "daily": lazy_gettext("Saved: a digest of your other notifications comes once a day, when there is something new."),
    "weekly": lazy_gettext("Saved: a digest of your other notifications comes once a week, when there is something new."),
    "off": lazy_gettext("Saved: no digests; your other notifications are only on the site."),
}
NO_STORE = {"Cache-Control": "no-store"}  # the page names a person


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authority; RFC 8058 mail clients POST without a form token
@limiter.limit("60/minute", methods=["POST"])
def unsubscribe(token):
    """GET only shows a button (mail scanners follow links); POST turns the digests off."""
    if request.method == "POST":
        user = digests.unsubscribe(token)
        db.session.commit()
        return render_template("accounts/unsubscribed.html", user=user), NO_STORE
    user = digests.user_for_unsubscribe_token(token)
    return render_template("accounts/unsubscribe.html", user=user), NO_STORE


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def notifications():
    form = CsrfForm()
    if form.validate_on_submit():
        services.mark_notifications_read(current_user)
        db.session.commit()
        flash(gettext("All notifications marked as read."), "info")
        return redirect(url_for("accounts.notifications"))
    items, new_ids = services.open_notifications(current_user)  # marked read before the header is rendered
    db.session.commit()
    return render_template("accounts/notifications.html", items=items, new_ids=new_ids, form=form)


RESET_SENT = lazy_gettext("If an account exists for that e-mail, we have sent it a link to reset the password.")
RESET_RATE = "5/hour"  # shared (scope password-reset) with POST /api/v1/password-resets


def reset_link(token):
    """The absolute reset link for `token`, on PUBLIC_URL (never the request's Host)."""
    return public_url_for("accounts.reset", token=token)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.shared_limit(RESET_RATE, scope="password-reset", methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, reset_link)
        db.session.commit()
        flash(str(RESET_SENT), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), (422 if form.errors else 200)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"])
def reset(token):
    services.user_for_reset_token(token)
    form = ResetForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.new.data)
        except NotFound:
            raise
        except AppError as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(gettext("Your password was changed. Log in with the new one."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), (422 if form.errors else 200)


from .security_views import account_page  # noqa: E402  (its routes join this blueprint)

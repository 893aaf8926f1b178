"""Account security pages: the login's second step, your sessions, two-factor set-up.

Routes join the accounts blueprint. Every answer here is personal, so the global hook
(app.core.security) sends it with Cache-Control: no-store, the TOTP secret and the recovery
codes included.
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.errors import AppError, TooManyRequests
from ..core.forms import CsrfForm, apply_field_errors
from ..core.urls import safe_next
from ..extensions import db, limiter
from . import services, totp
from .auth import current_session, log_in, log_out, pending_user
from .forms import CodeForm, LanguageForm, MailForm, PasswordForm, SetupCodeForm, TotpDisableForm
from .views import bp, retry_after


def account_page(form=None, disable_form=None, code_form=None, mail_form=None, language_form=None, status=200):
    """The account page: password, language and time zone, mail, sessions, two-factor authentication."""
    choices = {"digest": current_user.digest, "mail_personal": current_user.mail_personal}
    spoken = {"locale": current_user.locale or "", "timezone": current_user.timezone or ""}
    return render_template(
        "accounts/account.html",
        form=form or PasswordForm(formdata=None),
        mail_form=mail_form or MailForm(formdata=None, data=choices),
        language_form=language_form or LanguageForm(formdata=None, data=spoken),
        disable_form=disable_form or TotpDisableForm(formdata=None),
        code_form=code_form or CodeForm(formdata=None),
        sessions=services.list_sessions(current_user),
        this_session=current_session(),
        recovery_left=totp.remaining_recovery_codes(current_user) if current_user.has_totp else 0,
    ), status


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
def login_code():
    user = pending_user()
    if user is None:
        flash(gettext("Log in with your e-mail and password first (the code step lasts 5 minutes)."), "info")
        return redirect(url_for("accounts.login", next=safe_next(request.args.get("next"))))
    form, error, status, headers = CodeForm(), None, 200, {}
    if form.validate_on_submit():
        try:
            if totp.verify_second_factor(user, form.code.data):
                log_in(user)
                db.session.commit()
                flash(gettext("Logged in as %(name)s.", name=user.name), "success")
                return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
            error, status = str(totp.WRONG_CODE), 401
        except TooManyRequests as exc:
            error, status, headers = exc.message, 429, retry_after(exc)
    status = status if error else (422 if form.errors else 200)
    return render_template("accounts/login_code.html", form=form, error=error), status, headers


@bp.route("/account/sessions/<session_id>/revoke", methods=["POST"])
@login_required
def revoke_session(session_id):
    if CsrfForm().validate_on_submit():
        record = services.revoke_user_session(current_user, session_id)
        mine = current_session() is not None and record.id == current_session().id
        if mine:
            log_out()
        db.session.commit()
        flash(gettext("You are logged out.") if mine else gettext("That session is logged out."), "info")
        if mine:
            return redirect(url_for("core.home"))
    return redirect(url_for("accounts.account"))


@bp.route("/account/sessions/revoke-others", methods=["POST"])
@login_required
def revoke_other_sessions():
    if CsrfForm().validate_on_submit():
        services.revoke_other_sessions(current_user, current_session())
        db.session.commit()
        flash(gettext("Every other session is logged out."), "info")
    return redirect(url_for("accounts.account"))


@bp.route("/account/totp", methods=["GET"])
@login_required
def totp_setup():
    if current_user.has_totp or not current_user.totp_secret:
        return redirect(url_for("accounts.account"))
    return _setup_page(SetupCodeForm(formdata=None))


def _setup_page(form, status=200):
    uri = totp.provisioning_uri(current_user)
    return render_template("accounts/totp_setup.html", form=form, secret=current_user.totp_secret,
                           qr=totp.qr_data_uri(uri), uri=uri), status


@bp.route("/account/totp/start", methods=["POST"])
@login_required
def totp_start():
    if CsrfForm().validate_on_submit():
        try:
            totp.start_totp(current_user)
        except AppError as error:
            flash(error.message, "error")
            return redirect(url_for("accounts.account"))
        db.session.commit()
    return redirect(url_for("accounts.totp_setup"))


@bp.route("/account/totp/confirm", methods=["POST"])
@login_required
def totp_confirm():
    form = SetupCodeForm()
    if current_user.has_totp or not current_user.totp_secret:
        return redirect(url_for("accounts.account"))
    if form.validate_on_submit():
        try:
            codes = totp.confirm_totp(current_user, form.password.data, form.code.data, keep=current_session())
        except AppError as error:
            apply_field_errors(form, error)
            if not error.fields:  # the account is locked (429)
                form.password.errors = list(form.password.errors) + [error.message]
            return *_setup_page(form, error.status), retry_after(error)
        else:
            db.session.commit()
            return _codes_page(codes, gettext("Two-factor authentication is on."),
                               note=gettext("Every other session and API token of your account was logged out."))
    return _setup_page(form, 422)


def _codes_page(codes, heading, note=None):
    return render_template("accounts/recovery_codes.html", codes=codes, heading=heading, note=note)


@bp.route("/account/totp/recovery-codes", methods=["POST"])
@login_required
def totp_recovery_codes():
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = totp.regenerate_recovery_codes(current_user, form.code.data)
        except AppError as error:
            return _account_error(error, code_form=form)
        db.session.commit()
        return _codes_page(codes, gettext("New recovery codes"))
    return account_page(code_form=form, status=422)


@bp.route("/account/totp/disable", methods=["POST"])
@login_required
def totp_disable():
    form = TotpDisableForm()
    if form.validate_on_submit():
        try:
            totp.disable_totp(current_user, form.password.data, form.code.data)
        except AppError as error:
            return _account_error(error, disable_form=form)
        db.session.commit()
        flash(gettext("Two-factor authentication is off."), "info")
        return redirect(url_for("accounts.account"))
    return account_page(disable_form=form, status=422)


def _account_error(error, **forms):
    """The account page with a service error on the form it came from (429 keeps its wait)."""
    form = next(iter(forms.values()))
    apply_field_errors(form, error)
    if not error.fields:
        form.code.errors = list(form.code.errors) + [error.message]
    body, status = account_page(**forms, status=error.status)
    return body, status, retry_after(error)

"""Account pages: register, log in, log out, password, notifications."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..core.errors import AppError, NotFound, Unauthorized
from ..core.forms import CsrfForm, apply_field_errors
from ..core.urls import public_url_for, safe_next
from ..extensions import db, limiter
from . import services
from .forms import LoginForm, PasswordForm, RegisterForm, ResetForm, ResetRequestForm

bp = Blueprint("accounts", __name__)


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
            db.session.commit()
            login_user(user)
            flash(f"Welcome, {user.name}. Your account is ready.", "success")
            return redirect(url_for("core.home"))
    return render_template("accounts/register.html", form=form), (422 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = services.authenticate_user(form.email.data, form.password.data)
        except Unauthorized as exc:
            error = exc.message
        else:
            login_user(user)
            flash(f"Logged in as {user.name}.", "success")
            return redirect(safe_next(request.args.get("next"), url_for("core.home")))
    status = 401 if error else (422 if form.errors else 200)
    return render_template("accounts/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if CsrfForm().validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("core.home"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except Unauthorized:
            form.current.errors = ["That is not your current password."]
        except AppError as exc:
            apply_field_errors(form, exc)
        else:
            db.session.commit()
            login_user(current_user)
            flash("Password changed. Every other session and API token was logged out.", "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form), (422 if form.errors else 200)


@bp.route("/notifications", methods=["GET", "POST"])
@login_required
def notifications():
    form = CsrfForm()
    if form.validate_on_submit():
        services.mark_notifications_read(current_user)
        db.session.commit()
        flash("All notifications marked as read.", "info")
        return redirect(url_for("accounts.notifications"))
    items = services.list_notifications(current_user)
    return render_template("accounts/notifications.html", items=items, form=form)


RESET_SENT = "If an account exists for that e-mail, we have sent it a link to reset the password."
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
        flash(RESET_SENT, "info")
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
            flash("Your password was changed. Log in with the new one.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), (422 if form.errors else 200)

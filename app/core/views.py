"""Home page, health check and the site admins' outbox."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required
from sqlalchemy import text

from ..extensions import db
from . import mail
from .i18n import SESSION_KEY, is_locale
from .urls import safe_next

bp = Blueprint("core", __name__)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.route("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("assemblies.index"))
    return render_template("home.html")


@bp.get("/language/<locale>")
def choose_language(locale):
    """The footer's language links for visitors: remember the choice in this browser's session
    (members choose theirs on the account page) and go back to the page."""
    if not is_locale(locale):
        abort(404)
    session[SESSION_KEY] = locale
    return redirect(safe_next(request.args.get("next")) or url_for("core.home"))


@bp.get("/admin/outbox")
@login_required
def outbox():
    mail.check_can_read_outbox(current_user)
    return render_template("admin/outbox.html", rows=mail.outbox_rows(), counts=mail.outbox_counts(),
                           bodies=mail.bodies_shown())


@bp.post("/admin/outbox/retry")
@login_required
def retry_outbox():
    mail.check_can_read_outbox(current_user)
    count = mail.retry_failed_mail()
    db.session.commit()
    flash(ngettext("%(num)d message put back in the queue.", "%(num)d messages put back in the queue.", count)
          if count else gettext("No failed messages."))
    return redirect(url_for("core.outbox"))

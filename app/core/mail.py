"""Outgoing e-mail, optional and configurable.

Mail is queued on the database session with :func:`queue_mail` and goes out only after the
transaction commits (nothing is sent for work that was rolled back). During a request it goes out
after the response has been sent (``response.call_on_close``), so no answer waits for, or is
timed by, a mail server; outside requests (CLI) it goes out right after the commit. Links in mail
come from PUBLIC_URL (:func:`app.core.urls.public_url`). With ``MAIL_SERVER`` set
it is sent with :mod:`smtplib` to ``MAIL_SERVER:MAIL_PORT`` from ``MAIL_FROM``; without it
(development) it is written to the log. A failing server is logged, never raised.
"""
import smtplib
from email.message import EmailMessage

from flask import current_app
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from ..extensions import db
from .afterwards import after_response, init_after_response
from .urls import public_url

OUTBOX = "commonwright_outbox"


def build_message(to, subject, text, sender):
    """A plain-text message (subject on one line)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = " ".join(subject.split())
    message.set_content(text)
    return message


def send_mail(to, subject, text):
    """Send one message now; True when it was handed to the server (or logged)."""
    config = current_app.config
    message = build_message(to, subject, text, config.get("MAIL_FROM") or "commonwright@localhost")
    server = config.get("MAIL_SERVER")
    if not server:
        current_app.logger.info("mail to %s (MAIL_SERVER unset, not sent)\n%s", to, message)
        return True
    try:
        with smtplib.SMTP(server, int(config.get("MAIL_PORT") or 25), timeout=10) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("mail to %s failed: %s", to, error)
        return False
    return True


def queue_mail(to, subject, text):
    """Send a message once the current transaction commits (a rollback drops it)."""
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any statement still ends a transaction (and drops this)
    session.info.setdefault(OUTBOX, []).append((to, subject, text))


def notification_text(name, message, url):
    """The text of a notification e-mail (plain text: nothing to escape, nothing rendered)."""
    link = public_url(url) if url else ""
    lines = [f"Hello {name},", "", message]
    if link:
        lines += ["", link]
    lines += ["", "— Commonwright. Your notifications are also listed on the site."]
    return "\n".join(lines)


def _send_outbox(session):
    messages = session.info.pop(OUTBOX, [])
    if messages:
        after_response(lambda: _deliver(messages))


def _deliver(messages):
    for to, subject, text in messages:
        send_mail(to, subject, text)


def _drop_outbox(session, transaction):
    if transaction.parent is None:
        session.info.pop(OUTBOX, None)


def init_mail(app):
    """Send queued mail after commit (after the response, in a request) and drop it after a
    rollback (idempotent)."""
    init_after_response(app)
    if not event.contains(Session, "after_commit", _send_outbox):
        event.listen(Session, "after_commit", _send_outbox)
        event.listen(Session, "after_transaction_end", _drop_outbox)

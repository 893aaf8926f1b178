"""Outgoing e-mail through a transactional outbox (:mod:`app.core.outbox`); no request talks to
a mail server.

:func:`queue_mail` writes the message as a row in the current transaction: a rollback drops it
with the change it belonged to, a commit keeps both. After the commit (after the response, in a
request) the job ``mail.deliver`` is queued; the worker claims due rows, sends them over one
SMTP connection per batch, and marks them sent (together, every half second). Failures wait 1, 2, 4 … 30 minutes and are
tried again for three days; the sweep (every minute, and when a worker starts) puts back rows a
dead worker left claimed. With ``MAIL_SERVER`` unset (development) each message is printed on
the worker's console instead, and every message is listed for site admins at /admin/outbox.
Links in mail come from PUBLIC_URL (:func:`app.core.urls.public_url`).
"""
import secrets
import smtplib
import time
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlsplit

import click
from flask import current_app
from flask_babel import gettext
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from ..extensions import db
from .afterwards import after_response, init_after_response
from .errors import Forbidden
from .jobs import enqueue, job, periodic
from .outbox import FAILED, PENDING, SENDING, SENT, OutboxMail, retry_delay, should_give_up
from .timeutil import utcnow
from .urls import public_url

QUEUED = "commonwright_mail_queued"  # on session.info: mail was written in this transaction
BATCH = 50  # rows claimed at once by one worker (one SMTP connection)
RECORD_EVERY = 0.5  # seconds: sent rows are marked sent together (one commit), not one by one


def queue_mail(to, subject, text, headers=None):
    """Write a message to the outbox in the current transaction; it goes out after the commit."""
    row = OutboxMail(
        message_id=make_msgid(idstring=secrets.token_hex(6), domain=_mail_domain()),
        to_address=to, subject=" ".join(subject.split())[:250], body=text,
        headers=_header_lines(headers),
    )
    session = db.session()
    session.add(row)
    session.info[QUEUED] = True
    return row


def queue_mails(rows):
    """Write many messages at once, each a dict of to, subject, text and optional headers (one bulk
    INSERT)."""
    domain = _mail_domain()
    values = [{"message_id": make_msgid(idstring=secrets.token_hex(6), domain=domain), "to_address": row["to"],
               "subject": " ".join(row["subject"].split())[:250], "body": row["text"], "headers": _header_lines(row.get("headers")),
               "status": PENDING, "attempts": 0, "last_error": "", "next_attempt_at": utcnow(),
               "created_at": utcnow()} for row in rows]
    if values:
        db.session.execute(db.insert(OutboxMail), values)
        db.session().info[QUEUED] = True
    return len(values)


def _header_lines(headers):
    """Extra headers ({name: value}) as the outbox stores them: "Name: value" lines; a value is
    one line (a line break in it could add a header of its own)."""
    return "\n".join(f"{name}: {' '.join(str(value).split())}" for name, value in (headers or {}).items())


def _mail_domain():
    return urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"


def notification_text(name, message, url, settings_url=""):
    """The text of a notification e-mail (plain text: nothing to escape, nothing rendered);
    `settings_url` (a local path) is where the reader chooses which mail they get."""
    link = public_url(url) if url else ""
    lines = [gettext("Hello %(name)s,", name=name), "", message]
    if link:
        lines += ["", link]
    lines += ["", gettext("— Commonwright. Your notifications are also listed on the site.")]
    if settings_url:
        lines += [gettext("You get this mail at once because it concerns you personally. Choose which mail you get:"),
                  public_url(settings_url)]
    return "\n".join(lines)


def build_message(row, sender):
    """The e-mail of an outbox row, with its stable Message-ID."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    for line in filter(None, row.headers.split("\n")):
        name, _, value = line.partition(": ")
        message[name] = value
    message.set_content(row.body)
    # header lines up to RFC 5322's 998 characters are written whole: folded at 78, a header
    # without spaces (List-Unsubscribe's <https://…/unsubscribe/TOKEN>) would become an RFC 2047
    # encoded word, which mail clients do not read as a link (the body is encoded already)
    message.policy = message.policy.clone(max_line_length=998)
    return message


class ConsoleTransport:
    """Development without MAIL_SERVER: each message printed on the worker's console."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send(self, message):
        """Print `message` (and log it) instead of sending it."""
        current_app.logger.info("mail to %s (MAIL_SERVER unset, not sent)\n%s", message["To"], message)
        head = "".join(f"{name}: {message[name]}\n" for name in ("To", "Subject", "Message-ID", "List-Unsubscribe")
                       if message[name])
        click.echo(f"\n──── mail (MAIL_SERVER unset: printed, not sent) ────\n{head}\n{message.get_content()}────")


class SmtpTransport:
    """One SMTP connection to MAIL_SERVER:MAIL_PORT for a batch of messages."""

    def __init__(self, server, port, timeout):
        self.smtp = smtplib.SMTP(server, port, timeout=timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()
        return False

    def send(self, message):
        """Hand `message` to the server (raises on refusal)."""
        self.smtp.send_message(message)


def open_transport():
    """Where mail goes: MAIL_SERVER's SMTP, or the console in development."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return ConsoleTransport()
    return SmtpTransport(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), config.get("MAIL_TIMEOUT", 30))


def claim_batch(limit=BATCH, now=None):
    """Claim up to `limit` due rows for this worker and return them (committed: others skip them)."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    due = (db.select(OutboxMail.id).filter(OutboxMail.status == PENDING, OutboxMail.next_attempt_at <= now)
           .order_by(OutboxMail.id).limit(limit).with_for_update(skip_locked=True))
    db.session.execute(db.update(OutboxMail).filter(OutboxMail.id.in_(due))
                       .values(status=SENDING, claim=token, claimed_at=now, attempts=OutboxMail.attempts + 1)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    rows = db.session.execute(db.select(OutboxMail).filter_by(claim=token).order_by(OutboxMail.id)).scalars().all()
    return token, rows


def _settle(row, token, **values):
    """Record what happened to a claimed row (only while this worker still holds its claim)."""
    db.session.execute(db.update(OutboxMail).filter_by(id=row.id, claim=token).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.execute(db.update(OutboxMail).filter_by(claim=token, status=SENDING).values(claimed_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.commit()


def _retry_later(row, token, error):
    now = utcnow()
    if should_give_up(row, now) or _permanent(error):
        _settle(row, token, status=FAILED, claim=None, last_error=str(error)[:500])
        current_app.logger.error("mail %s to %s given up: %s", row.message_id, row.to_address, error)
        return
    _settle(row, token, status=PENDING, claim=None, last_error=str(error)[:500],
            next_attempt_at=now + retry_delay(row.attempts))
    current_app.logger.warning("mail %s to %s failed (attempt %d), retried later: %s",
                               row.message_id, row.to_address, row.attempts, error)


def _permanent(error):
    """A refusal the server says will not change (5xx for the recipient)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500 and \
        not isinstance(error, smtplib.SMTPServerDisconnected)


def _send(transport, message):
    """None when `message` went out, else (the error, whether the connection is gone)."""
    try:
        transport.send(message)
    except smtplib.SMTPServerDisconnected as error:
        return error, True
    except smtplib.SMTPException as error:  # this message refused (before OSError: SMTPException is one)
        return error, False
    except OSError as error:
        return error, True
    return None


def _record_sent(ids, token):
    """Mark the rows `ids` sent and refresh this worker's claim on the others (one commit); how many."""
    if not ids:
        return 0
    now = utcnow()
    db.session.execute(db.update(OutboxMail).filter(OutboxMail.id.in_(ids), OutboxMail.claim == token)
                       .values(status=SENT, claim=None, sent_at=now, last_error="")
                       .execution_options(synchronize_session=False))
    db.session.execute(db.update(OutboxMail).filter_by(claim=token, status=SENDING).values(claimed_at=now)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    count = len(ids)
    ids.clear()
    return count


def send_batch(token, rows):
    """Send claimed `rows` over one connection; how many were sent. Sent rows are recorded
    together, at most RECORD_EVERY seconds after sending (a worker that dies sends them again,
    with the same Message-IDs); a failure is recorded at once."""
    sender = current_app.config.get("MAIL_FROM") or "commonwright@localhost"
    try:
        transport = open_transport()
    except (OSError, smtplib.SMTPException) as error:
        return _retry_rest(rows, token, error)
    sent, unrecorded, recorded_at = 0, [], time.monotonic()
    with transport:
        for index, row in enumerate(rows):
            failure = _send(transport, build_message(row, sender))
            if failure and failure[1]:  # the connection is gone: the rest waits for a later attempt
                _retry_rest(rows[index:], token, failure[0])
                break
            if failure:
                _retry_later(row, token, failure[0])
            else:
                unrecorded.append(row.id)
            if time.monotonic() - recorded_at >= RECORD_EVERY:
                sent += _record_sent(unrecorded, token)
                recorded_at = time.monotonic()
    return sent + _record_sent(unrecorded, token)


def _retry_rest(rows, token, error):
    """The connection failed: every row not sent yet waits for a later attempt; none was sent."""
    for row in rows:
        _retry_later(row, token, error)
    return 0


@job("mail.deliver")
def deliver_mail():
    """Send every due outbox row, a batch at a time; a second batch waiting is queued as a job of
    its own first, so that other workers share a long outbox."""
    sent = 0
    while True:
        token, rows = claim_batch()
        if not rows:
            return sent
        if len(rows) == BATCH:
            enqueue("mail.deliver")
        sent += send_batch(token, rows)


def release_stale_claims(now=None):
    """Put back rows claimed longer ago than MAIL_CLAIM_TIMEOUT (their worker died); how many."""
    now = now or utcnow()
    timeout = timedelta(seconds=current_app.config.get("MAIL_CLAIM_TIMEOUT", 600))
    result = db.session.execute(
        db.update(OutboxMail).filter(OutboxMail.status == SENDING, OutboxMail.claimed_at < now - timeout)
        .values(status=PENDING, claim=None).execution_options(synchronize_session=False))
    db.session.commit()
    if result.rowcount:
        current_app.logger.warning("mail: %d message(s) left claimed by a stopped worker put back", result.rowcount)
    return result.rowcount


@periodic("mail.sweep", minute="*")
def sweep_outbox():
    """Every minute: put back rows a dead worker left, and send whatever is due (retries included)."""
    release_stale_claims()
    return deliver_mail()


def check_can_read_outbox(user):
    """Only site admins see the outbox (addresses, subjects; bodies too while mail is only printed)."""
    if not getattr(user, "is_site_admin", False):
        raise Forbidden(gettext("Only site administrators can see the outbox."))


def bodies_shown():
    """Message bodies are shown on the outbox page only while nothing is really sent (development):
    in production they hold one-time links (password resets) that nobody else may read."""
    return not current_app.config.get("MAIL_SERVER")


def outbox_rows(limit=200):
    """The newest outbox rows, for the site admins' page."""
    return db.session.execute(db.select(OutboxMail).order_by(OutboxMail.id.desc()).limit(limit)).scalars().all()


def outbox_counts():
    """{status: number of rows} over the whole outbox."""
    rows = db.session.execute(db.select(OutboxMail.status, db.func.count()).group_by(OutboxMail.status)).all()
    return {status: count for status, count in rows}


def retry_failed_mail():
    """Put every failed row back in the queue (a site admin fixed the server); how many."""
    result = db.session.execute(db.update(OutboxMail).filter_by(status=FAILED)
                                .values(status=PENDING, next_attempt_at=utcnow(), created_at=utcnow())
                                .execution_options(synchronize_session=False))
    return result.rowcount


def _after_commit(session):
    if session.in_nested_transaction() or not session.info.pop(QUEUED, False):
        return
    after_response(lambda: enqueue("mail.deliver"))


def _after_rollback(session):
    if not session.in_nested_transaction():
        session.info.pop(QUEUED, None)


def init_mail(app):
    """Queue delivery after each commit that wrote mail, and sweep when a worker starts (idempotent)."""
    init_after_response(app)
    for name, hook in (("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
    huey = app.extensions["huey"]

    @huey.on_startup(name="mail.startup")
    def _sweep_at_start():
        with app.app_context():
            release_stale_claims()

"""Mail people can bear: each member's choice, the daily or weekly digest, and one-click unsubscribe.

Notifications that concern a member personally are mailed at once (:mod:`.notifying`); every
other kind waits here. Every hour the worker runs :func:`send_due_digests`: each member whose
choice is "daily" (a day since their last digest) or "weekly" (seven days) and who has
notifications not yet digested — of the kinds not mailed at once, and not already read on the
site — gets ONE mail listing them by assembly and policy, with a one-click unsubscribe link
(RFC 8058: List-Unsubscribe and List-Unsubscribe-Post headers). The mail and the mark ("digested
up to notification N, at T") are written in the same transaction: a digest is neither sent twice
nor lost. Members are taken a batch at a time, each batch costing one query for the due members
(locked, skipping rows another worker holds), one for their notifications, one per receiver of
:data:`digest_topics` for the titles, one INSERT of mail and one UPDATE of users.
"""
import hashlib
from datetime import timedelta

from blinker import Namespace
from flask import current_app
from flask_babel import gettext, ngettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from ..core import mail
from ..core.errors import NotFound, ValidationError
from ..core.events import log_event
from ..core.i18n import locale_for_user, speaking, zone_for_user
from ..core.jobs import periodic
from ..core.templating import format_datetime
from ..core.timeutil import utcnow
from ..core.urls import path_for, public_url
from ..extensions import db
from .models import DIGESTS, Notification, User
from .notifying import IMMEDIATE_KINDS

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
DUE_SLACK = timedelta(minutes=10)  # the hourly run a few seconds early still counts the day as passed
BATCH = 500  # members per transaction
MAX_ITEMS = 50  # notifications listed in one digest; the rest are counted, and all are on the site
UNSUBSCRIBE_MAX_AGE = 180 * 24 * 3600  # seconds an unsubscribe link works (every digest has a fresh one)

_signals = Namespace()
# sent with keys: a set of (assembly slug, policy slug or None) read from the notifications'
# links; each receiver returns {key: title} for those it knows (the policies domain names them)
digest_topics = _signals.signal("digest-topics")


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="digest-unsubscribe")


def _address_fingerprint(email):
    """A short digest of the address: a link stops working if the account's address changes."""
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def unsubscribe_token(user_id, email):
    """A signed token naming the member (and their address), for the one-click unsubscribe link."""
    return _serializer().dumps({"id": user_id, "e": _address_fingerprint(email)})


def user_for_unsubscribe_token(token):
    """The member an unsubscribe token names; 404 for a bad, expired or outdated token."""
    try:
        data = _serializer().loads(token, max_age=UNSUBSCRIBE_MAX_AGE)
    except (BadSignature, SignatureExpired):
        data = None
    user = db.session.get(User, data.get("id")) if isinstance(data, dict) and isinstance(data.get("id"), int) else None
    if user is None or data.get("e") != _address_fingerprint(user.email):
        raise NotFound(gettext("This unsubscribe link is not valid (or no longer). "
                               "Log in and choose which mail you get on your account page."))
    return user


def unsubscribe(token):
    """One-click unsubscribe: the member the token names gets no more digests; the member."""
    user = user_for_unsubscribe_token(token)
    set_mail_choices(user, digest="off", via="unsubscribe link")
    return user


def set_mail_choices(user, digest=None, mail_personal=None, via="account"):
    """Set how `user` gets mail: `digest` ("daily", "weekly" or "off") and whether personal
    notifications are mailed at once; None keeps a choice. 422 for anything else. Turning the
    digest back on starts it from now (what came while it was off stays on the site)."""
    if digest is not None and digest not in DIGESTS:
        raise ValidationError.field("digest", gettext('Choose "daily", "weekly" or "off".'))
    if mail_personal is not None and not isinstance(mail_personal, bool):
        raise ValidationError.field("mail_personal", gettext("Give true or false."))
    if digest is not None and digest != user.digest:
        if user.digest == "off":
            newest = db.select(db.func.max(Notification.id)).where(Notification.user_id == user.id)
            user.digested_through = db.session.execute(newest).scalar() or 0
        log_event(user, "mail.digest_chosen", user, choice=digest, via=via)
        user.digest = digest
    if mail_personal is not None:
        user.mail_personal = mail_personal
    return user


def _due(now):
    """Members whose digest is due at `now` (never sent counts as due)."""
    return db.or_(*(
        db.and_(User.digest == choice, db.or_(User.digest_sent_at.is_(None),
                                              User.digest_sent_at <= now - period + DUE_SLACK))
        for choice, period in PERIODS.items()))


def _pending():
    """A notification of the member (correlated with users) not yet digested, not read, not personal."""
    return db.and_(Notification.user_id == User.id, Notification.id > User.digested_through,
                   Notification.kind.not_in(IMMEDIATE_KINDS), Notification.read_at.is_(None))


def _due_batch(now, after_id):
    """The next BATCH due members with pending notifications, locked (others' locks skipped)."""
    return db.session.execute(
        db.select(User.id, User.email, User.name, User.digest, User.locale, User.timezone)
        .where(User.id > after_id, _due(now), db.exists().where(_pending()))
        .order_by(User.id).limit(BATCH).with_for_update(skip_locked=True, of=User)
    ).all()


def _pending_notes(user_ids):
    """{user id: [notification rows, oldest first]} of these members' pending notifications."""
    rows = db.session.execute(
        db.select(Notification.user_id, Notification.id, Notification.message, Notification.url,
                  Notification.created_at)
        .join(User, User.id == Notification.user_id).where(User.id.in_(user_ids), _pending())
        .order_by(Notification.user_id, Notification.id)
    ).all()
    notes = {}
    for row in rows:
        notes.setdefault(row.user_id, []).append(row)
    return notes


def send_due_digests(now=None):
    """Queue one digest mail for every member whose digest is due and who has something new;
    how many were queued. Each batch of members is one transaction (committed here: this is
    the worker's job, not a request's service)."""
    now, queued, after_id = now or utcnow(), 0, 0
    while True:
        people = _due_batch(now, after_id)
        if not people:
            return queued
        queued += _digest_batch(people, now)
        db.session.commit()
        after_id = people[-1].id


def _digest_batch(people, now):
    """Write the digests of `people` and mark what they covered; how many were written."""
    notes = _pending_notes([person.id for person in people])
    root = current_app.config.get("APPLICATION_ROOT") or "/"
    adapter = current_app.url_map.bind("localhost", script_name=root)
    topics = {url: _topic(adapter, url) for url in {note.url for rows in notes.values() for note in rows}}
    titles = _titles({key for key in topics.values() if key[0]})
    mails, marks = [], []
    for person in people:
        rows = notes.get(person.id)
        if not rows:  # read on the site since the first query
            continue
        mails.append(digest_mail(person, rows, topics, titles))
        marks.append({"id": person.id, "digested_through": rows[-1].id, "digest_sent_at": now})
    mail.queue_mails(mails)
    if marks:
        db.session.execute(db.update(User), marks)
    return len(mails)


def _topic(adapter, url):
    """(assembly slug, policy slug) of a notification's link (matched by the URL map's `adapter`),
    either None where it names none."""
    path = (url or "").split("#", 1)[0].split("?", 1)[0]
    try:
        _, args = adapter.match(path, method="GET")
    except (HTTPException, RoutingException):
        return (None, None)
    slug = args.get("slug") if isinstance(args.get("slug"), str) else None
    return (slug, args.get("policy_slug") if slug else None)


def _titles(keys):
    """{(slug, policy slug or None): title} from the receivers of :data:`digest_topics`."""
    keys = keys | {(slug, None) for slug, _ in keys}
    titles = {}
    for _, answer in digest_topics.send(current_app._get_current_object(), keys=keys):
        titles.update(answer or {})
    return titles


def digest_mail(person, rows, topics, titles):
    """The digest of `person` (id, email, name, digest, locale, timezone) listing `rows`
    (`topics`: {url: (slug, policy slug)}, `titles`: {(slug, policy slug or None): title}):
    {to, subject, text, headers}, written in the member's language and time zone."""
    token = unsubscribe_token(person.id, person.email)
    unsubscribe_link = public_url(path_for("accounts.unsubscribe", token=token))
    with speaking(locale_for_user(person), zone_for_user(person)):
        return _digest_mail(person, rows, topics, titles, unsubscribe_link)


def _digest_mail(person, rows, topics, titles, unsubscribe_link):
    count = len(rows)
    weekly = person.digest == "weekly"
    if weekly:
        subject = ngettext("Commonwright: your weekly digest (%(num)d notification)",
                           "Commonwright: your weekly digest (%(num)d notifications)", count)
        opening = ngettext("Your weekly digest from Commonwright: %(num)d notification since the last one.",
                           "Your weekly digest from Commonwright: %(num)d notifications since the last one.", count)
        footer = gettext("You get this digest once a week. Mail about what concerns you personally "
                         "(a reply to you, your amendment, a vote you have not cast) comes at once, "
                         "as chosen on your account page:")
    else:
        subject = ngettext("Commonwright: your daily digest (%(num)d notification)",
                           "Commonwright: your daily digest (%(num)d notifications)", count)
        opening = ngettext("Your daily digest from Commonwright: %(num)d notification since the last one.",
                           "Your daily digest from Commonwright: %(num)d notifications since the last one.", count)
        footer = gettext("You get this digest once a day. Mail about what concerns you personally "
                         "(a reply to you, your amendment, a vote you have not cast) comes at once, "
                         "as chosen on your account page:")
    lines = [gettext("Hello %(name)s,", name=person.name), "", opening, ""]
    lines += _grouped_lines(rows[:MAX_ITEMS], topics, titles)
    if count > MAX_ITEMS:
        lines += [ngettext("… and %(num)d more on the site: %(url)s", "… and %(num)d more on the site: %(url)s",
                           count - MAX_ITEMS, url=public_url(path_for("accounts.notifications"))), ""]
    lines += ["—", footer,
              public_url(path_for("accounts.account", _anchor="mail")), "",
              gettext("To stop these digests with one click (no login needed):"), unsubscribe_link]
    return {"to": person.email, "subject": subject,
            "text": "\n".join(lines),
            "headers": {"List-Unsubscribe": f"<{unsubscribe_link}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}


def _grouped_lines(rows, topics, titles):
    """The listed notifications under an assembly heading and a policy subheading, by title;
    those linked to no assembly last, under "Elsewhere"."""
    groups = {}
    for row in rows:
        groups.setdefault(topics[row.url], []).append(row)

    def order(key):
        slug, policy_slug = key
        if slug is None:
            return (1, "", "")
        return (0, titles.get((slug, None), slug).casefold(), titles.get(key, policy_slug or "").casefold())

    lines, heading = [], object()
    for key in sorted(groups, key=order):
        slug, policy_slug = key
        if slug != heading:
            heading = slug
            title = titles.get((slug, None), slug) if slug else gettext("Elsewhere")
            lines += [title, "=" * min(len(title), 72), ""]
        if policy_slug:
            lines += [f"  {titles.get(key, policy_slug)}", ""]
        lines += [line for row in groups[key] for line in _item_lines(row)]
    return lines


def _item_lines(row):
    lines = ["  * " + gettext("%(time)s: %(message)s", time=format_datetime(row.created_at), message=row.message)]
    if row.url:
        lines.append(f"    {public_url(row.url)}")
    return lines + [""]


@periodic("accounts.digests", minute="7")
def digest_job():
    """Every hour in the worker: the digests that are due (their mail goes through the outbox)."""
    return send_due_digests()

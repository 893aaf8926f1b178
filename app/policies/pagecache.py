"""The reading view's cache: a version number per policy page, and whole pages kept for readers
who are not logged in.

Every change that shows on a policy's reading view (its text, details and tags, a comment, an
amendment, a round) bumps ``policies.page_version`` in the same transaction, from an
``after_flush`` hook: domains register the models that hang on a policy with
``track_policy_changes``. A cached page is keyed by that number together with the assembly's
visibility and name and the phase every open round is in *now* (deadlines pass without a
write), so one small query tells any process whether its copy is current; nothing is ever served
stale and no cross-process invalidation is needed.

Pages are cached per process in a bounded LRU, for the current text with no filters:

- for anonymous readers of a public assembly, one page for everyone. It carries no CSP nonce
  (nothing on it needs one: its scripts and styles are files from this origin), so it is the
  same bytes for everyone: compressed once, revalidated by browsers with its ETag (304), and
  sent without any rendering;
- for a logged-in member, one page per person (:func:`member_page_key`): the key adds what
  only they see — who they are, their role, their unread notifications, whether they are in
  the open round's electorate and have voted — and the page is stored with its CSRF token and
  CSP nonce replaced by markers, which every request fills with its own (:class:`MemberPage`).
"""
import gzip
import hashlib
import re
import threading
from collections import namedtuple
from contextlib import suppress
from datetime import timedelta
from functools import cache
from itertools import chain

from cachetools import LRUCache
from flask import Response, current_app, g, request, session
from flask_babel import gettext, ngettext
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import and_, bindparam, event, func, select, update
from sqlalchemy.orm import Session

from ..core.i18n import current_locale_code, current_zone_name
from ..core.mdpolicy import render_blocks
from ..core.security import without_nonce
from ..core.timeutil import utcnow
from ..extensions import db
from .models import Policy, PolicyTag, Revision

_TRACKED = {}


def track_policy_changes(model, policy_id_of=lambda obj: obj.policy_id):
    """Bump the page version of `policy_id_of(obj)` whenever an instance of `model` changes."""
    _TRACKED[model] = policy_id_of


def touched_policy_ids(session_):
    """The policies whose page a flush changes (new, modified or deleted tracked rows)."""
    ids = set()
    for obj in chain(session_.new, session_.dirty, session_.deleted):
        policy_id_of = _TRACKED.get(type(obj))
        if policy_id_of is not None and (obj not in session_.dirty or session_.is_modified(obj)):
            ids.add(policy_id_of(obj))
    ids.discard(None)
    return sorted(ids)  # one order for every transaction: no lock-order deadlocks


def bump_page_versions(session_, flush_context):
    """after_flush hook: page_version + 1 for every policy the flush touched."""
    ids = touched_policy_ids(session_)
    if ids:
        table = Policy.__table__
        session_.connection().execute(
            update(table).where(table.c.id.in_(ids)).values(page_version=table.c.page_version + 1)
        )


track_policy_changes(Policy, lambda policy: policy.id)
track_policy_changes(PolicyTag)
track_policy_changes(Revision)
if not event.contains(Session, "after_flush", bump_page_versions):
    event.listen(Session, "after_flush", bump_page_versions)


class CachedPage:
    """A rendered page as bytes, gzip-compressed once, with a content ETag."""

    def __init__(self, html):
        self.body = html.encode()
        self.gzipped = gzip.compress(self.body, 6)
        self.etag = hashlib.sha256(self.body).hexdigest()[:32]
        self.size = len(self.body) + len(self.gzipped)

    def response(self, request):
        """200 with the page (gzip when accepted), or 304 when the browser has this version."""
        if self.etag in request.if_none_match:
            response = Response(status=304)
        elif "gzip" in request.accept_encodings:
            response = Response(self.gzipped, mimetype="text/html")
            response.headers["Content-Encoding"] = "gzip"
        else:
            response = Response(self.body, mimetype="text/html")
        response.set_etag(self.etag)
        response.headers["Cache-Control"] = "no-cache"  # browsers revalidate: 304 while unchanged
        response.vary.update(("Accept-Encoding", "Accept-Language", "Cookie"))  # a visitor's language
        return response


class ReadingCache:
    """A thread-safe LRU, bounded in bytes, of pages (CachedPage) and article fragments (str)."""

    def __init__(self, max_bytes):
        self._entries = LRUCache(maxsize=max_bytes, getsizeof=_size_of)
        self._lock = threading.Lock()

    def get(self, key):
        """The entry stored under `key`, or None."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key, value):
        """Store `value` (an entry larger than the whole cache is not kept); returns it."""
        with self._lock:
            with suppress(ValueError):
                self._entries[key] = value
        return value

    def clear(self):
        """Forget everything (tests)."""
        with self._lock:
            self._entries.clear()


def _size_of(value):
    return len(value) if isinstance(value, str) else value.size


def reading_cache():
    """This process's reading cache (READING_CACHE_MB megabytes per app), or None when it is 0."""
    megabytes = current_app.config["READING_CACHE_MB"]
    if megabytes <= 0:
        return None
    cache = current_app.extensions.get("reading_cache")
    if cache is None:
        cache = current_app.extensions["reading_cache"] = ReadingCache(int(megabytes * 1024 * 1024))
    return cache


def cached_fragment(*key, enabled=True, caller):
    """Template call block: `{% call cached_fragment(k1, k2, enabled=…) %}…{% endcall %}` renders
    its body once per key. The key must hold everything the body shows (for the article: the
    revision with its creation time — ids come back after a restore — the policy's page version
    and the line-link base); the page's language and zone are added here (its labels and times)."""
    cache = reading_cache() if enabled else None
    if cache is None:
        return caller()
    key = ("fragment", current_locale_code(), current_zone_name(), *key)
    html = cache.get(key)
    if html is None:
        html = cache.put(key, caller())
    return Markup(html)


class LineBlocks(namedtuple("LineBlocks", "html")):
    """{block line_start: the block's HTML with an element per source line} of one revision."""

    @property
    def size(self):
        """Bytes, for the reading cache's bound."""
        return 100 + sum(len(html) for html in self.html.values())


def line_blocks(revision):
    """The revision's blocks as the reading view numbers them, line by line
    (``render_blocks(with_lines=True)``), rendered once per process and revision: the stored
    blocks keep their plain HTML for exports and the API."""
    cache = reading_cache()
    key = ("line-blocks", revision.id, revision.created_at)
    found = cache.get(key) if cache is not None else None
    if found is None:
        found = LineBlocks({b.line_start: b.html for b in render_blocks(revision.body, with_lines=True)})
        if cache is not None:
            cache.put(key, found)
    return found.html


_LINE_ELEMENT = re.compile(
    r'<(span|tr|tbody|hr)((?: data-line-start="\d+" data-line-end="\d+")?) data-line="(\d+)">(</span>|\s*<t[hd][^>]*>)?'
)


def threads_label(count):
    """'1 comment thread', '3 comment threads'."""
    return ngettext("%(num)d comment thread", "%(num)d comment threads", count)


def line_label(number, threads):
    """A line's number link and, when threads are beside the line, their count as a badge after
    it (hidden from assistive technology: the link's name says it, "Line 9: 2 comment threads",
    the same words reader.js writes when the counts change)."""
    if not threads:
        return gettext('<span class="visually-hidden">Line </span>%(number)s', number=number), ""
    label = gettext('<span class="visually-hidden">Line </span>%(number)s<span class="visually-hidden">: '
                    '%(threads)s</span>', number=number, threads=threads_label(threads))
    return label, f'<span class="line-count" aria-hidden="true">{threads}</span>'


def number_lines(html, block_start, href_base, line_threads):
    """A block's line-by-line HTML (line_blocks) with each line's number as a link to its comments
    page (``href_base`` + its range) at the start of the line (with the threads beside it,
    :func:`line_label`) and ``id="Ln"`` (the block's first line is the block's own #L anchor). Lines
    that show nothing of their own (a code fence, a table's delimiter row) keep their anchor only.
    """
    base = escape(href_base)

    def replace(match):
        tag, ranges, number, after = match.group(1), match.group(2), int(match.group(3)), match.group(4) or ""
        ident = "" if number == block_start else f' id="L{number}"'
        empty = tag in ("tbody", "hr") or after == "</span>"
        classes = (' class="line line-empty"' if empty else ' class="line"') if tag == "span" else ""
        opening = f'<{tag}{classes}{ranges} data-line="{number}"{ident}>{after}'
        if empty:
            return opening
        label, badge = line_label(number, line_threads.get(number, 0))
        return f'{opening}<a class="line-no" href="{base}&amp;line_start={number}&amp;line_end={number}">{label}</a>{badge}'


    return Markup(_LINE_ELEMENT.sub(replace, html))


def serve_cached_page(key, request, render):
    """The response for `key` from the cache, rendering (and storing) the page on a miss.

    A cached page is rendered without a CSP nonce (its CSP then has none): it is the same bytes
    for every reader, so it can be compressed once and revalidated with its ETag. Pages that
    need a nonce (the editor's injected styles) are never cached.
    """
    without_nonce()
    cache = reading_cache()
    page = cache.get(key)
    if page is None:
        page = cache.put(key, CachedPage(render()))
    return page.response(request)


class MemberPage:
    """A member's rendered page with this request's CSRF token and CSP nonce taken out.

    A hit puts the new request's token and nonce back (the page's forms then post with a valid
    token, and its scripts match the response's CSP), so the page is never rendered again
    until its key changes.
    """

    CSRF, NONCE = "\x00csrf-token\x00", "\x00csp-nonce\x00"
    _MARKERS = re.compile("(\x00csrf-token\x00|\x00csp-nonce\x00)")

    def __init__(self, html, token, nonce):
        template = html.replace(token, self.CSRF) if token else html
        template = template.replace(f'nonce="{nonce}"', f'nonce="{self.NONCE}"').replace(
            f'content="{nonce}"', f'content="{self.NONCE}"') if nonce else template
        pieces = self._MARKERS.split(template)  # text, marker, text, marker, …, text
        self.texts = [piece.encode() for piece in pieces[0::2]]
        self.slots = [piece == self.CSRF for piece in pieces[1::2]]  # True: the token, False: the nonce
        self.size = len(template)

    def html(self, token, nonce):
        """The page for this request (UTF-8 bytes): its token and nonce in place of the markers,
        joined once from the stored pieces."""
        token, nonce = token.encode(), nonce.encode()
        texts = iter(self.texts)
        parts = [next(texts)]
        for is_token in self.slots:
            parts += (token if is_token else nonce, next(texts))
        return b"".join(parts)


def serve_member_page(key, render):
    """The member's page for `key`: from the cache with this request's token and nonce, or
    rendered (and stored) on a miss. The response is `no-store` (a member's page is personal)
    and gets the usual headers (CSP with this request's nonce)."""
    from flask_wtf.csrf import generate_csrf

    from ..core.security import NO_STORE, csp_nonce

    cache = reading_cache()
    page = cache.get(key)
    if page is not None:
        html = page.html(generate_csrf(), csp_nonce())
    else:
        html = render()
        cache.put(key, MemberPage(html, generate_csrf(), csp_nonce()))
    return Response(html, mimetype="text/html", headers=[NO_STORE])  # bytes on a hit, str on a miss


def member_page_key(request, slug, policy_slug):
    """The cache key of a logged-in member's reading-view request, or None to render it.

    Cached: the current text with no query arguments and no flashed messages, for a member of
    the policy's assembly (others see a page without member tools; they are rendered). One
    query checks the cookie's server-side session exactly as the login loader does (live, not
    revoked, not idle) and reads the anonymous key's facts plus the viewer's name, role, unread
    notifications and, per open round, whether they are an elector and have voted; a hit never
    loads the user through the ORM.
    """
    from ..accounts.auth import SESSION_KEY, TOUCH_EVERY
    from ..accounts.models import digest_of
    from ..accounts.services import session_idle_days

    user_id, raw = session.get("_user_id"), session.get(SESSION_KEY)
    if current_app.config["READING_CACHE_MB"] <= 0 or request.args or "_flashes" in session:
        return None
    if not isinstance(raw, str) or not raw or len(raw) > 100 or not str(user_id or "").isdigit():
        return None
    rows = _key_rows(slug, policy_slug, user_id=int(user_id), session_digest=digest_of(raw))
    now = utcnow()
    if not rows or rows[0].role is None or rows[0].last_seen_at < now - timedelta(days=session_idle_days()):
        return None
    first = rows[0]
    if now - first.last_seen_at > TOUCH_EVERY:
        current_user._get_current_object()  # the loader notes the session's use, as on any page
    from ..rounds.phases import phase_at

    rounds = tuple((row.round_id, phase_at(row, now), row.elector, row.voted) for row in rows if row.round_id)
    return ("member", int(user_id), first.user_name, slug, policy_slug, first.name, first.id, first.created_at,
            first.page_version, first.role, first.unread, rounds, _head_pdf_cached(first),
            page_language(first, first.user_locale, first.user_timezone))


def page_language(row, own_locale=None, own_zone=None):
    """(language, time zone) the page is shown in, chosen as app.core.i18n chooses them (the
    key row carries the assembly's and the member's own), for the key; the assembly's defaults
    are also set for the page rendered on a miss."""
    from ..core.i18n import choose_locale, choose_timezone, supported_locales, SESSION_KEY

    g.context_assembly = (row.locale, row.timezone)
    locale = choose_locale(own_locale, session.get(SESSION_KEY), request.accept_languages, row.locale,
                           supported_locales())
    return locale, choose_timezone(own_zone, row.timezone)


def _head_pdf_cached(row):
    """Whether the head's PDF is made: its download button says so, and a PDF is made on a GET
    without any write that would change the page version. A file check, no query."""
    from ..exports.services import revision_pdf_is_cached  # the page shows the exports' button

    return revision_pdf_is_cached(row.id, row.head_number)


@cache
def _page_key_query():
    """The statement behind the page key, built once (building it costs more than running it)."""
    from ..assemblies.models import Assembly
    from ..rounds.models import OPEN_PHASES, PHASES, Round

    ENDED = [phase for phase in PHASES if phase not in OPEN_PHASES]  # plain binds: no IN expansion per call
    return (
        select(
            Assembly.name, Policy.id, Policy.created_at, Policy.page_version, Policy.head_number,
            Round.id.label("round_id"), Round.phase, Round.amending_until, Round.deliberating_until, Round.voting_until,
            Assembly.locale, Assembly.timezone,
        )
        .join(Policy, Policy.assembly_id == Assembly.id)
        .outerjoin(Round, and_(Round.policy_id == Policy.id, *(Round.phase != phase for phase in ENDED)))
        .where(Assembly.slug == bindparam("slug"), Assembly.is_public.is_(True), Policy.slug == bindparam("policy_slug"))
        .order_by(Round.id)
    )


@cache
def _member_key_query():
    """The anonymous page key's statement for a member: any assembly's policy (not only public
    ones), with the viewer's name, role, unread count, the session's last use (no row for a
    revoked or unknown session) and, per open round, elector and voted flags."""
    from ..accounts.models import Notification, User, UserSession
    from ..assemblies.models import Assembly, Membership
    from ..rounds.models import OPEN_PHASES, PHASES, Elector, Participation, Round

    ENDED = [phase for phase in PHASES if phase not in OPEN_PHASES]
    user_id = bindparam("user_id")
    role = select(Membership.role).where(Membership.assembly_id == Assembly.id, Membership.user_id == user_id)
    unread = select(func.count(Notification.id)).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    elector = select(func.count(Elector.id)).where(Elector.round_id == Round.id, Elector.user_id == user_id)
    voted = select(func.count(Participation.id)).where(Participation.round_id == Round.id,
                                                      Participation.user_id == user_id)
    return (
        select(
            Assembly.name, Policy.id, Policy.created_at, Policy.page_version, Policy.head_number,
            Round.id.label("round_id"), Round.phase, role.scalar_subquery().label("role"), unread.scalar_subquery().label("unread"),
            elector.scalar_subquery().label("elector"), voted.scalar_subquery().label("voted"),
            User.name.label("user_name"),
            Round.amending_until, Round.deliberating_until, Round.voting_until, UserSession.last_seen_at,
            Assembly.locale, Assembly.timezone, User.locale.label("user_locale"), User.timezone.label("user_timezone"),
        )
        .join(Policy, Policy.assembly_id == Assembly.id)
        .join(UserSession, and_(UserSession.id == bindparam("session_digest"), UserSession.user_id == user_id,
                                UserSession.revoked_at.is_(None)))
        .join(User, User.id == UserSession.user_id)
        .outerjoin(Round, and_(Round.policy_id == Policy.id, *(Round.phase != phase for phase in ENDED)))
        .where(Assembly.slug == bindparam("slug"), Policy.slug == bindparam("policy_slug"))
        .order_by(Round.id)
    )


def anonymous_page_key(request, slug, policy_slug):
    """The cache key of this reading-view request, or None when the page must be rendered.

    Cached: anonymous readers with no flashed messages and no query arguments, on a public
    assembly. The key holds everything the page shows that can change: the policy's page
    version, the assembly's name and visibility, and the phase of each open round at this
    moment; the policy's creation time tells apart a policy restored from a backup or
    recreated under a reused id. One query.
    """
    if (
        current_app.config["READING_CACHE_MB"] <= 0
        or request.args
        or "_user_id" in session  # logged in (Flask-Login keeps the user here; no loading needed)
        or "_flashes" in session
    ):
        return None
    from ..rounds.phases import phase_at

    rows = _key_rows(slug, policy_slug)
    if not rows:
        return None
    now = utcnow()
    phases = tuple((row.round_id, phase_at(row, now)) for row in rows if row.round_id is not None)
    first = rows[0]
    return ("read", slug, policy_slug, first.name, first.id, first.created_at, first.page_version, phases,
            _head_pdf_cached(first), page_language(first))


KeyRow = namedtuple(
    "KeyRow",
    "name id created_at page_version head_number round_id phase amending_until deliberating_until voting_until "
    "locale timezone",
)
MemberKeyRow = namedtuple(
    "MemberKeyRow",
    "name id created_at page_version head_number round_id phase role unread elector voted user_name "
    "amending_until deliberating_until voting_until last_seen_at locale timezone user_locale user_timezone",
)


def _key_rows(slug, policy_slug, user_id=None, session_digest=None):
    """The page-key rows (a member's when `user_id` is given), run on a pooled DB-API connection
    with the statement compiled once per dialect: on a cache hit this query is most of the
    request, and SQLAlchemy's per-execution work costs more than the query itself. Deadlines go
    through UTCDateTime's own converter."""
    engine = db.engine
    member = user_id is not None
    sql, names, binds, to_datetime = _compiled_key_query(engine.dialect, member)
    values = {**binds, "slug": slug, "policy_slug": policy_slug, "user_id": user_id, "session_digest": session_digest}
    params = tuple(values[name] for name in names) if names is not None else values
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql, params)
        raw_rows = cursor.fetchall()
        cursor.close()
    finally:
        connection.close()
    row_type, first, last = (MemberKeyRow, 12, 16) if member else (KeyRow, 7, 10)  # the datetimes' slice
    return [row_type(*row[:first], *(to_datetime(value) for value in row[first:last]), *row[last:]) for row in raw_rows]


@cache
def _compiled_key_query(dialect, member=False):
    """(SQL, positional parameter names or None, the other bound values, deadline converter)."""
    from ..core.timeutil import UTCDateTime

    query = _member_key_query() if member else _page_key_query()
    compiled = query.compile(dialect=dialect)
    names = list(compiled.positiontup) if dialect.positional else None
    to_datetime = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None) or (lambda value: value)
    given = {"slug": "", "policy_slug": "", **({"user_id": 0, "session_digest": ""} if member else {})}
    binds = compiled.construct_params(given)
    return compiled.string, names, binds, to_datetime

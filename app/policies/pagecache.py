"""The reading view's cache: a version number per policy page, and whole pages kept for readers
who are not logged in.

Every change that shows on a policy's reading view (its text, details and tags, a comment, an
amendment, a round) bumps ``policies.page_version`` in the same transaction, from an
``after_flush`` hook: domains register the models that hang on a policy with
``track_policy_changes``. A cached page is keyed by that number together with the assembly's
visibility and name and the phase every open round is in *now* (deadlines pass without a
write), so one small query tells any process whether its copy is current; nothing is ever served
stale and no cross-process invalidation is needed.

Pages are cached per process in a bounded LRU, only for anonymous readers of a public assembly
asking for the current text with no filters (logged-in pages carry the user's name, CSRF token
and rights). Cached pages carry no CSP nonce (nothing on them needs one: their scripts and
styles are files from this origin), so a page is the same bytes for everyone: compressed once,
revalidated by browsers with its ETag (304), and sent without any rendering.
"""
import gzip
import hashlib
import threading
from collections import namedtuple
from contextlib import suppress
from functools import cache
from itertools import chain

from cachetools import LRUCache
from flask import Response, current_app, session
from markupsafe import Markup
from sqlalchemy import and_, bindparam, event, select, update
from sqlalchemy.orm import Session

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
        response.vary.add("Accept-Encoding")
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
    return value.size if isinstance(value, CachedPage) else len(value)


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
    and the line-link base)."""
    cache = reading_cache() if enabled else None
    if cache is None:
        return caller()
    html = cache.get(("fragment", *key))
    if html is None:
        html = cache.put(("fragment", *key), caller())
    return Markup(html)


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


@cache
def _page_key_query():
    """The statement behind the page key, built once (building it costs more than running it)."""
    from ..assemblies.models import Assembly
    from ..rounds.models import OPEN_PHASES, PHASES, Round

    ENDED = [phase for phase in PHASES if phase not in OPEN_PHASES]  # plain binds: no IN expansion per call
    return (
        select(
            Assembly.name, Policy.id, Policy.created_at, Policy.page_version, Round.id.label("round_id"), Round.phase,
            Round.amending_until, Round.deliberating_until, Round.voting_until,
        )
        .join(Policy, Policy.assembly_id == Assembly.id)
        .outerjoin(Round, and_(Round.policy_id == Policy.id, *(Round.phase != phase for phase in ENDED)))
        .where(Assembly.slug == bindparam("slug"), Assembly.is_public.is_(True), Policy.slug == bindparam("policy_slug"))
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
    return ("read", slug, policy_slug, first.name, first.id, first.created_at, first.page_version, phases)


KeyRow = namedtuple(
    "KeyRow", "name id created_at page_version round_id phase amending_until deliberating_until voting_until"
)


def _key_rows(slug, policy_slug):
    """The page-key rows, run on a pooled DB-API connection with the statement compiled once per
    dialect: on a cache hit this query is most of the request, and SQLAlchemy's per-execution
    work costs more than the query itself. Deadlines go through UTCDateTime's own converter."""
    engine = db.engine
    sql, names, binds, to_datetime = _compiled_key_query(engine.dialect)
    values = {**binds, "slug": slug, "policy_slug": policy_slug}
    params = tuple(values[name] for name in names) if names is not None else values
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql, params)
        raw_rows = cursor.fetchall()
        cursor.close()
    finally:
        connection.close()
    return [KeyRow(*row[:6], *(to_datetime(value) for value in row[6:])) for row in raw_rows]


@cache
def _compiled_key_query(dialect):
    """(SQL, positional parameter names or None, the other bound values, deadline converter)."""
    from ..core.timeutil import UTCDateTime

    compiled = _page_key_query().compile(dialect=dialect)
    names = list(compiled.positiontup) if dialect.positional else None
    to_datetime = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None) or (lambda value: value)
    binds = compiled.construct_params({"slug": "", "policy_slug": ""})
    return compiled.string, names, binds, to_datetime

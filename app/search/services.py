"""Search what a person may read: policies (title, summary, tags, the current text, earlier
revisions when asked), comments and amendments.

``search_content`` is the one entry point of the page and the API. Visibility is decided once,
in the query (``readable_assembly_ids``): rows of assemblies the caller may not read are never
matched, so they are not returned, counted or hinted at. The engine ranks whole texts (one row
per revision: ranking scales with the texts that match, not with their lines); a text's hit
then points at its best line, found in the row's stored stems, and says how many more lines
match. Searching within one policy (``Filters.policy``) lists every matching line.
"""
from dataclasses import dataclass

from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy.orm import joinedload, lazyload, selectinload
from sqlalchemy import Integer, column, func, literal, literal_column, or_, select, table, text, union_all

from ..amendments.models import Amendment
from ..assemblies.models import Assembly, Membership
from ..assemblies.services import get_assembly
from ..comments.links import amendment_url, thread_url
from ..comments.models import Comment
from ..core.errors import ValidationError
from ..core.identity import signed_in
from ..core.urls import path_for
from ..extensions import db
from ..policies.models import STATUSES, Policy, PolicyTag
from .indexing import plain_lines, regconfig
from .models import FTS_NAME, TEXT_KINDS, TYPES, SearchEntry
from .terms import (
    MAX_QUERY_CHARS, fts5_expression, matching_lines, parse_query, pg_config, snippet, wanted_stems,
)

SEARCH_RATE = "60/minute"  # per address, page and API: a query costs the database a little


@dataclass
class Filters:
    """What a search is narrowed to; every field optional."""

    assembly: str = ""
    type: str = ""
    tag: str = ""
    status: str = ""
    policy: int | None = None
    history: bool = False

    @classmethod
    def from_args(cls, args, policy=None):
        """The filters of a query string (`policy` already read: the API checks it, the page
        ignores a malformed one)."""
        text_ = {name: args.get(name, "").strip() for name in ("assembly", "type", "tag", "status")}
        return cls(**text_, policy=policy, history=args.get("history", "") in ("1", "true"))


@dataclass
class Hit:
    """One result as the page and the API show it."""

    type: str
    id: int
    title: str
    snippet: Markup
    url: str
    assembly: Assembly
    policy: Policy
    kind: str
    line: int | None = None
    revision: int | None = None
    more: int = 0  # how many more lines of the same text match (text hits only)


def check_query(q):
    """The parsed query, or a 422 on `q` when there is nothing to look for."""
    q = (q or "").strip()
    if not q:
        raise ValidationError.field("q", gettext("Type the words to look for."))
    if len(q) > MAX_QUERY_CHARS:
        raise ValidationError.field("q", gettext("Search for at most %(count)s characters.", count=MAX_QUERY_CHARS))
    query = parse_query(q)
    if query.is_empty:
        raise ValidationError.field("q", gettext("Type at least one word to look for, not only words to leave out."))
    return query


def check_filters(filters):
    """422 naming the filter that is not one of the choices."""
    if filters.type and filters.type not in TYPES:
        raise ValidationError.field("type", gettext("Choose one of the types: %(codes)s.", codes=", ".join(TYPES)))
    if filters.status and filters.status not in STATUSES:
        raise ValidationError.field("status", gettext("Choose one of the statuses: %(codes)s.",
                                                      codes=", ".join(STATUSES)))


def readable_assembly_ids(user, slug=""):
    """The ids of the assemblies `user` may read (one of them when `slug` names it; 404 when it
    names none they may read, exactly as for an assembly that does not exist)."""
    if slug:
        return [get_assembly(slug, user).id]
    readable = Assembly.is_public.is_(True)
    if signed_in(user):
        readable = or_(readable, Assembly.id.in_(select(Membership.assembly_id).where(Membership.user_id == user.id)))
    return list(db.session.scalars(select(Assembly.id).where(readable)))


def search_content(user, q, filters=None, page=1, per_page=20):
    """(hits of page `page`, total) for the query `q` over what `user` may read, best first."""
    filters = filters or Filters()
    query = check_query(q)
    check_filters(filters)
    assembly_ids = readable_assembly_ids(user, filters.assembly)
    if not assembly_ids:
        return [], 0
    matches = _matches(query, filters, assembly_ids)
    if matches is None:
        return [], 0
    if filters.policy is not None:
        return _within_policy(matches, query, page, per_page)
    ids, total = _page(matches, page, per_page)
    return [hit for entry_hits in _hits(ids, query) for hit in entry_hits], total


# -- the query ---------------------------------------------------------------------------------

_FTS = table(FTS_NAME, column("rowid", Integer))


def _matches(query, filters, assembly_ids):
    """SELECT (id, score) of the matching rows (a lower score is better), or None if nothing can
    match. Each language in use is matched with its own stems, and languages whose stems agree
    share one match: FTS5 gets one MATCH per such group (a materialised CTE that drives the
    join: left to itself, the planner may start from search_entries and run MATCH once per
    row), PostgreSQL one constant tsquery per group (so its GIN index serves each)."""
    groups = _language_groups(query, languages_in_use(assembly_ids))
    if not groups:
        return None
    narrowing = _narrowing(filters, assembly_ids)
    if db.session.get_bind().dialect.name == "postgresql":
        return _postgres_matches(query, groups, narrowing)
    parts = []
    for number, (expression, languages) in enumerate(groups.items()):
        found = (select(_FTS.c.rowid.label("id"), func.bm25(literal_column(FTS_NAME), 5.0, 1.0).label("score"))
                 .where(text(f"{FTS_NAME} MATCH :e{number}").bindparams(**{f"e{number}": expression}))
                 .cte(f"found{number}").prefix_with("MATERIALIZED"))
        parts.append(select(SearchEntry.id, found.c.score).join(found, SearchEntry.id == found.c.id)
                     .where(SearchEntry.language.in_(languages), *narrowing))
    return parts[0] if len(parts) == 1 else union_all(*parts)


def languages_in_use(assembly_ids):
    """The text languages of the policies of these assemblies (their own, else the assembly's)."""
    language = func.coalesce(Policy.language, Assembly.locale)
    return sorted(db.session.scalars(select(language).distinct().join(Assembly, Assembly.id == Policy.assembly_id)
                                     .where(Policy.assembly_id.in_(assembly_ids))))


def _language_groups(query, languages):
    """{what to match: [languages]}: the FTS5 expression of each language's stems (None-free:
    a language whose every asked-for word is a common word cannot match)."""
    groups = {}
    for language in languages:
        expression = fts5_expression(query, language)
        if expression:
            groups.setdefault(expression, []).append(language)
    return groups


def _quoted(word):
    return f'"{word}"'


def _postgres_matches(query, groups, narrowing):
    """Rows whose tsvector matches the query in the configuration of their language: one branch
    per configuration (its tsquery a scalar subquery, computed once), so each row's tsvector is
    matched and ranked once."""
    q = func.unaccent(literal(websearch_text(query)))
    by_config = {}
    for languages in groups.values():
        for language in languages:
            by_config.setdefault(pg_config(language), []).append(language)
    parts = []
    for config, languages in by_config.items():
        tsquery = select(func.websearch_to_tsquery(regconfig(config), q)).scalar_subquery()
        parts.append(select(SearchEntry.id, (-func.ts_rank(SearchEntry.document, tsquery)).label("score")).where(
            SearchEntry.document.op("@@")(tsquery), SearchEntry.language.in_(languages), *narrowing))
    return parts[0] if len(parts) == 1 else union_all(*parts)


def websearch_text(query):
    """The parsed query written back in websearch syntax (both engines read the same query)."""
    groups = [" OR ".join(_quoted(" ".join(term.words)) for term in group) for group in query.groups]
    excluded = ["-" + _quoted(" ".join(term.words)) for term in query.excluded]
    return " ".join(groups + excluded)


def _narrowing(filters, assembly_ids):
    """The WHERE clauses of visibility and of the filters."""
    kinds = TYPES[filters.type] if filters.type else tuple(kind for group in TYPES.values() for kind in group)
    if not filters.history:
        kinds = tuple(kind for kind in kinds if kind != "revision")
    clauses = [SearchEntry.assembly_id.in_(assembly_ids), SearchEntry.kind.in_(kinds)]
    if filters.policy is not None:
        clauses.append(SearchEntry.policy_id == filters.policy)
    if filters.status:
        clauses.append(SearchEntry.policy_id.in_(select(Policy.id).where(Policy.status == filters.status)))
    if filters.tag:
        tag = filters.tag.strip().lower()
        clauses.append(SearchEntry.policy_id.in_(select(PolicyTag.policy_id).where(PolicyTag.name == tag)))
    return clauses


def _page(matches, page, per_page):
    """(rows of the page, total), best first."""
    hits = matches.subquery("hits")
    statement = (select(hits.c.id, func.count().over().label("total")).order_by(hits.c.score, hits.c.id)
                 .limit(per_page).offset((page - 1) * per_page))
    rows = db.session.execute(statement).all()
    if rows:
        return [row.id for row in rows], rows[0].total
    return [], db.session.scalar(select(func.count()).select_from(hits)) if page > 1 else 0


def _within_policy(matches, query, page, per_page):
    """(hits of the page, total) within one policy: every matching line of its texts is a hit."""
    hits = matches.subquery("hits")
    ids = list(db.session.scalars(select(hits.c.id).order_by(hits.c.score, hits.c.id)))
    every = [hit for entry_hits in _hits(ids, query, every_line=True) for hit in entry_hits]
    return every[(page - 1) * per_page:page * per_page], len(every)


def _hits(ids, query, every_line=False):
    """For each row id, its hits: one (a text's best line), or every matching line of a text."""
    entries = {entry.id: entry for entry in db.session.scalars(select(SearchEntry).where(SearchEntry.id.in_(ids)))}
    policies = _by_id(Policy, {entry.policy_id for entry in entries.values()},
                      joinedload(Policy.assembly))
    comments = _by_id(Comment, {e.object_id for e in entries.values() if e.kind == "comment"},
                      lazyload(Comment.resolved_by), selectinload(Comment.parent))
    amendments = _by_id(Amendment, {e.object_id for e in entries.values() if e.kind == "amendment"})
    found, wanted_in = [], {}
    for entry in (entries.get(value) for value in ids):
        policy = policies.get(entry.policy_id) if entry else None
        if policy is None:
            continue
        if entry.language not in wanted_in:
            wanted_in[entry.language] = wanted_stems(query, entry.language)
        wanted = wanted_in[entry.language]
        if entry.kind in TEXT_KINDS:
            found.append(_text_hits(entry, policy, query, wanted, every_line))
        else:
            found.append([hit for hit in [_hit(entry, policy, comments, amendments, wanted)] if hit is not None])
    return found


def _text_hits(entry, policy, query, wanted, every_line):
    """The hits of a policy's text: its best line with the count of the others, or every line."""
    numbers = matching_lines(entry.body_terms or "", query, entry.language) or [1]
    lines = entry.body.split("\n")
    route = {"slug": policy.assembly.slug, "policy_slug": policy.slug}
    if entry.kind == "revision":
        route["revision"] = entry.revision_number
    chosen = numbers if every_line else numbers[:1]
    return [Hit("policy", policy.id, policy.title, snippet(lines[number - 1] if number <= len(lines) else "",
                                                           entry.language, wanted),
                path_for("policies.read", _anchor=f"L{number}", **route), policy.assembly, policy, entry.kind,
                line=number, revision=entry.revision_number, more=0 if every_line else len(numbers) - 1)
            for number in chosen]


def _by_id(model, ids, *options):
    if not ids:
        return {}
    query = select(model).where(model.id.in_(sorted(ids))).options(*options)
    return {obj.id: obj for obj in db.session.scalars(query)}


def _hit(entry, policy, comments, amendments, wanted):
    """The hit of a policy's title row, a comment or an amendment (its words from the object)."""
    common = {"assembly": policy.assembly, "policy": policy, "kind": entry.kind}
    language = entry.language
    if entry.kind == "policy":
        words = " · ".join(filter(None, [policy.summary, *policy.tags])) or policy.title
        return Hit("policy", policy.id, policy.title, snippet(words, language, wanted),
                   path_for("policies.read", slug=policy.assembly.slug, policy_slug=policy.slug), **common)
    if entry.kind == "comment":
        comment = comments.get(entry.object_id)
        if comment is None or comment.deleted:
            return None
        return Hit("comment", comment.id, gettext("Comment by %(name)s", name=comment.author.name),
                   snippet(_one_line(comment.body), language, wanted),
                   f"{thread_url(comment)}#comment-{comment.id}", line=comment.line_start, **common)
    amendment = amendments.get(entry.object_id)
    if amendment is None:
        return None
    words = " ".join(filter(None, [_one_line(amendment.rationale), _one_line(amendment.replacement)]))
    return Hit("amendment", amendment.id, amendment.label, snippet(words or amendment.title, language, wanted),
               amendment_url(policy, amendment.id), line=amendment.line_start, **common)


def _one_line(markdown):
    """Markdown's words on one line (a snippet's source)."""
    return " ".join(plain_lines(markdown or "").split("\n"))

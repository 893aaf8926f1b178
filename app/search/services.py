"""Search what a person may read: policies (title, summary, tags, each line of the current text,
earlier revisions when asked), comments and amendments.

``search_content`` is the one entry point of the page and the API. Visibility is decided once,
in the query (``readable_assembly_ids``): rows of assemblies the caller may not read are never
matched, so they are not returned, counted or hinted at. A policy's text gives at most
LINES_PER_POLICY hits (its best lines), each saying how many more lines match.
"""
from dataclasses import dataclass

from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy import Integer, case, column, func, literal, literal_column, or_, select, table, text

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
from .indexing import pg_configuration
from .models import FTS_NAME, TYPES, SearchEntry
from .terms import (
    MAX_QUERY_CHARS, SNOWBALL, fts5_expression, parse_query, snippet, wanted_stems,
)

SEARCH_RATE = "60/minute"  # per address, page and API: a query costs the database a little
LINES_PER_POLICY = 3
TEXT_KINDS = ("line", "revision")


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
    more: int = 0  # how many more lines of the same policy match (text hits only)


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
    rows, total = _page(matches, filters, page, per_page)
    return _hits(rows, query), total


# -- the query ---------------------------------------------------------------------------------

_FTS = table(FTS_NAME, column("rowid", Integer))


def _matches(query, filters, assembly_ids):
    """SELECT of the matching rows with a `score` (lower is better), or None if nothing can match."""
    if db.session.get_bind().dialect.name == "postgresql":
        score, condition = _postgres_match(query)
        statement = select(SearchEntry.id, score.label("score")).where(condition)
    else:
        expression = _fts5_match(query)
        if expression is None:
            return None
        score = func.bm25(literal_column(FTS_NAME), 0.0, 5.0, 1.0)
        statement = (select(SearchEntry.id, score.label("score"))
                     .select_from(_FTS).join(SearchEntry, SearchEntry.id == _FTS.c.rowid)
                     .where(text(f"{FTS_NAME} MATCH :expression").bindparams(expression=expression)))
    return statement.where(*_narrowing(filters, assembly_ids)).add_columns(
        SearchEntry.kind, SearchEntry.policy_id)


def _fts5_match(query):
    """One FTS5 expression: each language's stems, within the rows of that language."""
    by_expression = {}
    for language in SNOWBALL:
        expression = fts5_expression(query, language)
        if expression:
            by_expression.setdefault(expression, []).append(language)
    if not by_expression:
        return None
    parts = [f'(language : ({" OR ".join(map(_quoted, languages))}) AND {{title_terms body_terms}} : ({expression}))'
             for expression, languages in by_expression.items()]
    return " OR ".join(parts)


def _quoted(word):
    return f'"{word}"'


def _postgres_match(query):
    """(score, condition): websearch_to_tsquery in the configuration of each row's language."""
    tsquery = func.websearch_to_tsquery(pg_configuration(SearchEntry.language), func.unaccent(literal(websearch_text(query))))
    return -func.ts_rank(SearchEntry.document, tsquery), SearchEntry.document.op("@@")(tsquery)


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


def _page(matches, filters, page, per_page):
    """(rows of the page, total): a policy's text gives its best LINES_PER_POLICY lines only
    (all of them when the search is within one policy)."""
    hits = matches.subquery("hits")
    group = case((hits.c.kind.in_(TEXT_KINDS), hits.c.policy_id), else_=-hits.c.id)
    ranked = select(hits, func.row_number().over(partition_by=group, order_by=(hits.c.score, hits.c.id)).label("place"),
                    func.count().over(partition_by=group).label("in_group")).subquery("ranked")
    kept = select(ranked).where(ranked.c.place <= (LINES_PER_POLICY if filters.policy is None else 2**31 - 1))
    kept = kept.subquery("kept")
    statement = (select(kept, func.count().over().label("total")).order_by(kept.c.score, kept.c.id)
                 .limit(per_page).offset((page - 1) * per_page))
    rows = db.session.execute(statement).all()
    if rows:
        return rows, rows[0].total
    return [], db.session.scalar(select(func.count()).select_from(kept)) if page > 1 else 0


# -- the hits ------------------------------------------------------------------------------------

def _hits(rows, query):
    entries = {entry.id: entry for entry in db.session.scalars(
        select(SearchEntry).where(SearchEntry.id.in_([row.id for row in rows])))}
    policies = _by_id(Policy, {entry.policy_id for entry in entries.values()})
    comments = _by_id(Comment, {e.object_id for e in entries.values() if e.kind == "comment"})
    amendments = _by_id(Amendment, {e.object_id for e in entries.values() if e.kind == "amendment"})
    hits = []
    for row in rows:
        entry = entries.get(row.id)
        policy = policies.get(entry.policy_id) if entry else None
        if policy is None:
            continue
        more = max(row.in_group - LINES_PER_POLICY, 0) if entry.kind in TEXT_KINDS and row.place == 1 else 0
        hit = _hit(entry, policy, comments, amendments, wanted_stems(query, entry.language), more)
        if hit is not None:
            hits.append(hit)
    return hits


def _by_id(model, ids):
    if not ids:
        return {}
    return {obj.id: obj for obj in db.session.scalars(select(model).where(model.id.in_(sorted(ids))))}


def _hit(entry, policy, comments, amendments, wanted, more):
    route = {"slug": policy.assembly.slug, "policy_slug": policy.slug}
    common = {"assembly": policy.assembly, "policy": policy, "kind": entry.kind, "more": more}
    language = entry.language
    if entry.kind == "policy":
        text_ = " · ".join(entry.body.split("\n")) or entry.title
        return Hit("policy", policy.id, policy.title, snippet(text_, language, wanted),
                   path_for("policies.read", **route), **common)
    if entry.kind == "line":
        return Hit("policy", policy.id, policy.title, snippet(entry.body, language, wanted),
                   path_for("policies.read", _anchor=f"L{entry.line}", **route), line=entry.line,
                   revision=entry.revision_number, **common)
    if entry.kind == "revision":
        return Hit("policy", policy.id, policy.title, snippet(entry.body, language, wanted),
                   path_for("policies.read", _anchor=f"L{entry.line}", revision=entry.revision_number, **route),
                   line=entry.line, revision=entry.revision_number, **common)
    if entry.kind == "comment":
        comment = comments.get(entry.object_id)
        if comment is None or comment.deleted:
            return None
        return Hit("comment", comment.id, gettext("Comment by %(name)s", name=comment.author.name),
                   snippet(entry.body, language, wanted), f"{thread_url(comment)}#comment-{comment.id}",
                   line=comment.line_start, **common)
    amendment = amendments.get(entry.object_id)
    if amendment is None:
        return None
    return Hit("amendment", amendment.id, amendment.label, snippet(entry.body or entry.title, language, wanted),
               amendment_url(policy, amendment.id), line=amendment.line_start, **common)

"""API: full-text search over what the caller may read."""
from flask import Blueprint, g, request

from ..extensions import limiter
from ..search import services
from .common import int_arg, page_args, paginated, token_required
from .schema import INT, NULLABLE_INT, STR, obj

bp = Blueprint("search", __name__)


def hit_json(hit):
    return {
        "type": hit.type,
        "id": hit.id,
        "title": hit.title,
        "snippet": str(hit.snippet),
        "url": hit.url,
        "assembly": hit.assembly.slug,
        "policy": {"id": hit.policy.id, "title": hit.policy.title},
        "kind": hit.kind,
        "line": hit.line,
        "revision": hit.revision,
        "more_lines": hit.more,
    }


@bp.get("/search")
@limiter.limit(services.SEARCH_RATE)
@token_required
def search():
    page, per_page = page_args()
    filters = services.Filters.from_args(request.args, int_arg("policy", None))
    hits, total = services.search_content(g.user, request.args.get("q", ""), filters, page, per_page)
    return paginated(hits, total, page, per_page, hit_json)


SCHEMAS = {
    "SearchHit": obj(
        ["type", "id", "title", "snippet", "url"],
        type={"type": "string", "enum": ["policy", "comment", "amendment"]}, id=INT, title=STR,
        snippet={"type": "string", "description": "HTML: the text around the match, escaped, the words found in <mark>"},
        url=STR, assembly=STR, policy=obj(["id", "title"], id=INT, title=STR),
        kind={"type": "string", "enum": ["policy", "text", "revision", "comment", "amendment"]},
        line=NULLABLE_INT, revision=NULLABLE_INT, more_lines=INT,
    ),
}

OPERATIONS = [
    ("get", "/api/v1/search", "Search policies, their lines, comments and amendments (websearch syntax)", None,
     {200: "page:SearchHit", 404: "Error", 422: "Error", 429: "Error"}, False),
]

QUERY_PARAMS = {
    "/api/v1/search": ["q", "assembly", "type", "tag", "status", "policy", "history", "page", "per_page"],
}

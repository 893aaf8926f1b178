"""The search page: /search?q=… with filters, results linked to the line or the comment."""
from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext
from flask_login import current_user

from ..assemblies.services import list_assemblies
from ..core.errors import AppError
from ..extensions import limiter
from ..policies.models import STATUS_LABELS
from . import services

bp = Blueprint("search", __name__)

PER_PAGE = 20
TYPE_LABELS = {"policy": lazy_gettext("Policies and their text"), "comment": lazy_gettext("Comments"),
               "amendment": lazy_gettext("Amendments")}


def _link_args(q, filters):
    """The query string of this search without its page (for the pager and the links)."""
    args = {"q": q, "assembly": filters.assembly, "type": filters.type, "tag": filters.tag,
            "status": filters.status, "history": "1" if filters.history else "", "policy": filters.policy}
    return {key: value for key, value in args.items() if value}


@bp.get("/search")
@limiter.limit(services.SEARCH_RATE)
def search():
    """The form, and the results when it has words."""
    q = request.args.get("q", "").strip()
    filters = services.Filters.from_args(request.args, request.args.get("policy", type=int))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    hits, total, errors = [], 0, {}
    if q or "q" in request.args:
        try:
            hits, total = services.search_content(current_user, q, filters, page, PER_PAGE)
        except AppError as error:
            if error.status != 422:
                raise
            errors = error.fields or {"q": error.message}
    args = _link_args(q, filters)
    return render_template(
        "search/results.html", args=args, every_policy_args={k: v for k, v in args.items() if k != "policy"}, q=q, filters=filters, hits=hits, total=total, page=page, per_page=PER_PAGE,
        errors=errors, searched=bool(q) and not errors, assemblies=[a for a, _role in list_assemblies(current_user)],
        type_labels=TYPE_LABELS, status_labels=STATUS_LABELS,
    ), (422 if errors else 200)

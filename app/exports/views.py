"""Export downloads in the browser: a revision as Markdown or PDF, two revisions compared as PDF.

Same loader and permissions as the policy pages: 404 for a policy the user may not see or a
revision that does not exist, 422 for options out of range. PDF downloads are rate limited
(a first render costs seconds of CPU).
"""
from flask import Blueprint, request
from flask_login import current_user

from ..extensions import limiter
from ..policies.services import get_policy_at, get_revision
from . import services
from .responses import markdown_response, pdf_response

bp = Blueprint("exports", __name__)

BASE = "/a/<slug>/p/<policy_slug>"


def load(slug, policy_slug):
    """The policy of the URL, permission-checked like its pages (404 when not visible)."""
    return get_policy_at(slug, policy_slug, current_user)[1]


@bp.route(BASE + "/export.md")
def markdown(slug, policy_slug):
    policy = load(slug, policy_slug)
    revision = get_revision(policy, services.revision_number(policy, request.args.get("revision")))
    return markdown_response(services.export_markdown(policy, revision), services.markdown_filename(policy, revision))


@bp.route(BASE + "/export.pdf")
@limiter.limit(services.PDF_RATE)
def revision_pdf(slug, policy_slug):
    policy = load(slug, policy_slug)
    revision = get_revision(policy, services.revision_number(policy, request.args.get("revision")))
    return pdf_response(services.revision_pdf(policy, revision, services.pdf_options(request.args)))


@bp.route(BASE + "/compare.pdf")
@limiter.limit(services.PDF_RATE)
def comparison_pdf(slug, policy_slug):
    policy = load(slug, policy_slug)
    old, new = services.comparison_revisions(policy, request.args.get("from"), request.args.get("to"))
    return pdf_response(services.comparison_pdf(policy, old, new, services.pdf_options(request.args, comparison=True)))

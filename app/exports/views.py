"""Export downloads in the browser: a revision as Markdown or PDF, two revisions compared as PDF,
and the pairwise matrix of a closed round's ranked question as CSV.

Same loader and permissions as the policy pages: 404 for a policy the user may not see or a
revision that does not exist, 422 for options out of range. PDF downloads are rate limited
(a first render costs seconds of CPU). A PDF that cannot be made (too large to typeset while
the reader waits, or one the typesetter fails on) answers 422 with a page that offers the
Markdown download instead.
"""
from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from ..core.errors import ValidationError
from ..extensions import db, limiter
from ..policies.services import get_policy_at, get_revision
from ..rounds import phases
from . import services
from .responses import csv_response, markdown_response, pdf_response

bp = Blueprint("exports", __name__)

BASE = "/a/<slug>/p/<policy_slug>"


def load(slug, policy_slug):
    """The policy of the URL, permission-checked like its pages (404 when not visible).

    Its rounds' due transitions are applied (and committed) first: a round whose voting
    deadline passed unread closes now, so the export shows its revision and results.
    """
    policy = get_policy_at(slug, policy_slug, current_user)[1]
    phases.refresh_rounds(policy)
    db.session.commit()
    return policy


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
    job = services.revision_pdf(policy, revision, services.pdf_options(request.args))
    return pdf_or_page(job, policy, [revision.number])


@bp.route(BASE + "/compare.pdf")
@limiter.limit(services.PDF_RATE)
def comparison_pdf(slug, policy_slug):
    policy = load(slug, policy_slug)
    old, new = services.comparison_revisions(policy, request.args.get("from"), request.args.get("to"))
    job = services.comparison_pdf(policy, old, new, services.pdf_options(request.args, comparison=True))
    return pdf_or_page(job, policy, [new.number, old.number] if old.number != new.number else [new.number])


@bp.route(BASE + "/rounds/<int:round_id>/matrix.csv")
def round_matrix(slug, policy_slug, round_id):
    policy = load(slug, policy_slug)
    round_ = services.round_of_policy(policy, round_id, current_user)
    db.session.commit()  # reading a round may apply a passed deadline
    text, filename = services.matrix_csv(round_, request.args.get("question"))
    return csv_response(text, filename)


def pdf_or_page(job, policy, numbers):
    """The PDF of `job`, or (422) a page saying why it cannot be made, with the Markdown links."""
    page = {
        "title": policy.title,
        "policy_url": url_for("policies.read", slug=policy.assembly.slug, policy_slug=policy.slug),
        "markdown": [(n, url_for("exports.markdown", slug=policy.assembly.slug, policy_slug=policy.slug, revision=n))
                     for n in numbers],
    }
    try:
        return pdf_response(job)
    except ValidationError as error:
        if error.code not in services.EXPORT_ERRORS:
            raise
        return render_template("exports/unavailable.html", message=error.message, code=error.code, **page), 422

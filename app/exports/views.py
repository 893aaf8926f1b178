"""Export downloads in the browser: a revision as Markdown or PDF, two revisions compared as PDF,
and the pairwise matrix of a closed round's ranked question as CSV.

Same loader and permissions as the policy pages: 404 for a policy the user may not see or a
revision that does not exist, 422 for options out of range. PDF downloads are rate limited
(a first render costs seconds of CPU), but not the polls of a page waiting for one (?wait=1,
which never start a render). A PDF that cannot be made (too large, or one the typesetter fails
on) answers 422 with a page that offers the Markdown download instead.

A large PDF is made by the worker (rendering.py): the reader gets "Preparing your PDF…" (202),
which reloads itself every few seconds (a meta refresh: no script needed) with ?wait=1 until
the PDF is ready, then a page that starts the download; a render the worker gave up on answers
503 with a "Try again" link (?retry=1, which queues it again and goes back to waiting).
"""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.errors import ValidationError
from ..extensions import db, limiter
from ..policies.services import get_policy_at, get_revision
from ..rounds import phases
from . import rendering, services
from .responses import csv_response, is_poll, is_retry, markdown_response, pdf_response, same_pdf_url

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
@limiter.limit(services.PDF_RATE, exempt_when=is_poll)
def revision_pdf(slug, policy_slug):
    policy = load(slug, policy_slug)
    revision = get_revision(policy, services.revision_number(policy, request.args.get("revision")))
    job = services.revision_pdf(policy, revision, services.pdf_options(request.args))
    return pdf_or_page(job, policy, [revision.number])


@bp.route(BASE + "/compare.pdf")
@limiter.limit(services.PDF_RATE, exempt_when=is_poll)
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
    """The PDF of `job` if it is ready (or small enough to make now), else a page: preparing
    (202), ready (the download starts), stopped or busy (503, try again) or unavailable (422)."""
    page = _page_facts(policy, numbers)
    db.session.close()  # a render in this request holds no database connection
    try:
        state = rendering.pdf_state(job, retry=is_retry(), poll=is_poll())
    except ValidationError as error:
        if error.code not in services.EXPORT_ERRORS:
            raise
        return render_template("exports/unavailable.html", message=error.message, code=error.code, **page), 422
    if state.status == "ready":
        if is_poll():
            return render_template("exports/ready.html", file_url=same_pdf_url(), **page)
        return pdf_response(state.path, job.filename)
    if state.status == "unknown" or (is_retry() and state.pending):
        return redirect(same_pdf_url(**({"wait": 1} if is_retry() else {})), 303)
    if state.pending:
        return render_template("exports/preparing.html", state=state, poll_url=same_pdf_url(wait=1),
                               refresh=PREPARING_REFRESH, **page), 202
    return _stopped_page(state, page)


def _stopped_page(state, page):
    """503: the worker stopped on this PDF, or too many are waiting; a link tries again."""
    busy = state.status == "busy"
    html = render_template("exports/stopped.html", busy=busy, retry_url=same_pdf_url(retry=1),
                           message=str(rendering.BUSY_MESSAGE if busy else rendering.FAILED_MESSAGE), **page)
    return html, 503, ({"Retry-After": str(rendering.BUSY_RETRY)} if busy else {})


#: Seconds between two reloads of the "Preparing your PDF…" page.
PREPARING_REFRESH = 3


def _page_facts(policy, numbers):
    """The policy's title, its URL and the Markdown downloads, for the PDF pages."""
    return {
        "title": policy.title,
        "policy_url": url_for("policies.read", slug=policy.assembly.slug, policy_slug=policy.slug),
        "markdown": [(n, url_for("exports.markdown", slug=policy.assembly.slug, policy_slug=policy.slug, revision=n))
                     for n in numbers],
    }

"""API: exports (API.md, "Export"): a revision as Markdown or PDF, two revisions compared, and the
pairwise matrix of a closed round's ranked question as CSV.

A PDF is answered at once (200 application/pdf) when it is cached or small; a large one is
made by the worker: 202 {"status": "pending"} with a Location (the same URL with wait=1, which
is not rate limited and never starts a render) to poll until it answers 200 with the file.
A PDF that cannot be made answers 422 with the code export_too_large (over EXPORT_PDF_MAX_KB of
typesetting; the message points to export.md) or export_failed (the typesetter failed on it);
one the worker gave up on, 503 export_interrupted (ask again with retry=1); 503 export_busy when
EXPORT_PDF_MAX_QUEUED PDFs wait for the worker already.
"""
from flask import Blueprint, g, jsonify, redirect, request

from ..core.errors import ServiceUnavailable
from ..exports import rendering, services
from ..extensions import db, limiter
from ..exports.responses import (csv_response, is_poll, is_retry, markdown_response, pdf_response,
                                 same_pdf_url)
from ..policies.services import get_policy, get_revision
from ..rounds import phases
from ..rounds.services import get_round
from .common import token_required

bp = Blueprint("exports", __name__)

_ERRORS = {401: "Error", 404: "Error", 422: "Error", 429: "Error"}
_PDF_NOTE = ("; 200 with the file when cached or small, else 202 {\"status\": \"pending\", \"state\": "
             "\"queued\"|\"rendering\"} while the worker typesets it, with a Location to poll (this URL with "
             "wait=1, not rate limited; it redirects 303 to this URL when nothing was asked yet) and Retry-After "
             "seconds, until the Location answers 200 application/pdf; 503 export_interrupted when the worker "
             "stopped on it (ask again with retry=1), 503 export_busy with Retry-After when too many PDFs wait "
             "for the worker; 422 export_too_large over the server's size limit (use "
             "export.md) or export_failed when it cannot be typeset, answered from the cache on later requests")
_PDF_RESPONSES = {200: None, 202: "PdfPending", 303: None, 503: "Error", **_ERRORS}
#: Seconds an API client is asked to wait between two polls of a pending PDF.
POLL_SECONDS = 3

# Operations and schemas this module adds to the OpenAPI document (see api/spec.py).
OPERATIONS = [
    ("get", "/api/v1/policies/{policy_id}/export.md",
     "A revision as Markdown (text/markdown): YAML front matter, then the body exactly as stored (?revision=n, default the head)",
     None, {200: None, **_ERRORS}, False),
    ("get", "/api/v1/policies/{policy_id}/export.pdf",
     "A revision as PDF (application/pdf): title page, contents, numbered lines, page numbers and the consultation "
     "annex (?revision=n, paper=a4|letter, font_size=9..14, annex=1|0); cached per revision and options" + _PDF_NOTE,
     None, _PDF_RESPONSES, False),
    ("get", "/api/v1/policies/{policy_id}/compare.pdf",
     "Two revisions compared as PDF (application/pdf): insertions underlined, deletions struck through "
     "(?from=a&to=b, paper, font_size, context=0..50 unchanged lines around changes, default all)" + _PDF_NOTE,
     None, _PDF_RESPONSES, False),
    ("get", "/api/v1/rounds/{round_id}/matrix.csv",
     "The whole pairwise matrix of a ranked question of a closed round (text/csv): a row per option in "
     "Schulze order (key, label, rank, then the voters who ranked it above each column's option); "
     "?question=id, default the round's first ranked question; 409 before the round closes",
     None, {200: None, 409: "Error", **_ERRORS}, False),
]
SCHEMAS = {
    "PdfPending": {
        "type": "object", "required": ["status", "state"],
        "properties": {"status": {"type": "string", "enum": ["pending"]},
                       "state": {"type": "string", "enum": ["queued", "rendering"]}},
    },
}
QUERY_PARAMS = {
    "/api/v1/policies/{policy_id}/export.md": ["revision"],
    "/api/v1/policies/{policy_id}/export.pdf": ["revision", "paper", "font_size", "annex", "wait", "retry"],
    "/api/v1/policies/{policy_id}/compare.pdf": ["from", "to", "paper", "font_size", "context", "wait", "retry"],
    "/api/v1/rounds/{round_id}/matrix.csv": ["question"],
}


@bp.get("/policies/<int:policy_id>/export.md")
@token_required
def export_markdown(policy_id):
    policy = _load_policy(policy_id)
    revision = get_revision(policy, services.revision_number(policy, request.args.get("revision")))
    return markdown_response(services.export_markdown(policy, revision), services.markdown_filename(policy, revision))


@bp.get("/policies/<int:policy_id>/export.pdf")
@limiter.limit(services.PDF_RATE, exempt_when=is_poll)
@token_required
def export_pdf(policy_id):
    policy = _load_policy(policy_id)
    revision = get_revision(policy, services.revision_number(policy, request.args.get("revision")))
    return _pdf(services.revision_pdf(policy, revision, services.pdf_options(request.args)))


@bp.get("/policies/<int:policy_id>/compare.pdf")
@limiter.limit(services.PDF_RATE, exempt_when=is_poll)
@token_required
def compare_pdf(policy_id):
    policy = _load_policy(policy_id)
    old, new = services.comparison_revisions(policy, request.args.get("from"), request.args.get("to"))
    return _pdf(services.comparison_pdf(policy, old, new, services.pdf_options(request.args, comparison=True)))


@bp.get("/rounds/<int:round_id>/matrix.csv")
@token_required
def round_matrix(round_id):
    round_ = get_round(round_id, g.user)
    db.session.commit()  # reading a round may apply a passed deadline
    text, filename = services.matrix_csv(round_, request.args.get("question"))
    return csv_response(text, filename)


def _load_policy(policy_id):
    """The policy if the caller may read it, with its rounds' due transitions applied and committed."""
    policy = get_policy(policy_id, g.user)
    phases.refresh_rounds(policy)
    db.session.commit()
    return policy


def _pdf(job):
    """The file of a PDF ready now, or 202 pending with its Location, or 503 when the worker stopped."""
    db.session.close()  # a render in this request holds no database connection
    state = rendering.pdf_state(job, retry=is_retry(), poll=is_poll())
    if state.status == "ready":
        return pdf_response(state.path, job.filename)
    if state.status == "unknown":
        return redirect(same_pdf_url(), 303)
    if state.pending:
        headers = {"Location": same_pdf_url(wait=1), "Retry-After": str(POLL_SECONDS)}
        return jsonify({"status": "pending", "state": state.status}), 202, headers
    if state.status == "busy":
        raise ServiceUnavailable(str(rendering.BUSY_MESSAGE), code="export_busy", retry_after=rendering.BUSY_RETRY)
    raise ServiceUnavailable(str(rendering.FAILED_API_MESSAGE), code="export_interrupted",
                             extra={"retry": same_pdf_url(retry=1)})

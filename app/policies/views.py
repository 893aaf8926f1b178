"""Policy pages: create, read with line numbers, edit (merge or conflict), history, diff."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from ..assemblies.services import get_assembly
from ..comments import queries as comment_queries
from ..core.errors import AppError, Conflict, ValidationError
from ..core.forms import apply_field_errors
from ..extensions import db, limiter
from ..rounds import phases
from . import pagecache, services
from .models import status_label
from .forms import DetailsForm, EditForm, PolicyForm, StatusForm, fill_text_languages

bp = Blueprint("policies", __name__)


def load(slug, policy_slug):
    """The assembly and policy for a URL, permission-checked (404 when not visible)."""
    return services.get_policy_at(slug, policy_slug, current_user)


def load_page(slug, policy_slug):
    """load() for a page (GET) that lists what a round changes: its passed deadlines applied and
    committed first, the page's only write, so the header's status, the tabs and the list agree
    (a due close adds the head revision and sets the status before anything is rendered)."""
    assembly, policy = load(slug, policy_slug)
    phases.refresh_rounds(policy)
    db.session.commit()
    return assembly, policy


@bp.route("/a/<slug>/new", methods=["GET", "POST"])
@login_required
def create(slug):
    assembly = get_assembly(slug, current_user)
    services.check_can_create_policy(current_user, assembly)
    form = PolicyForm()
    fill_text_languages(form, assembly)
    if form.validate_on_submit():
        try:
            policy = services.create_policy(
                current_user, assembly, form.title.data, form.body.data, form.summary.data, form.tags.data,
                language=form.language.data,
            )
        except AppError as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(gettext("Policy created as revision 1."), "success")
            return redirect(url_for("policies.read", slug=slug, policy_slug=policy.slug))
    return render_template("policies/new.html", assembly=assembly, form=form), (422 if form.errors else 200)


@bp.route("/a/<slug>/p/<policy_slug>")
def read(slug, policy_slug):
    render = lambda: render_reading_view(slug, policy_slug)  # noqa: E731
    key = pagecache.anonymous_page_key(request, slug, policy_slug)
    if key is not None:
        return pagecache.serve_cached_page(key, request, render)
    key = pagecache.member_page_key(request, slug, policy_slug)
    if key is not None:
        return pagecache.serve_member_page(key, render)
    return render()


def render_reading_view(slug, policy_slug):
    """The reading view of the revision asked for, with its comment gutter."""
    assembly, policy = load(slug, policy_slug)
    frozen = phases.is_text_frozen(policy)  # first: a due close may add the head revision
    number = request.args.get("revision", policy.head_number, type=int)
    revision = services.get_revision(policy, number)
    filters = comment_queries.parse_filters(request.args.get("stance", ""), request.args.get("state", ""))
    comments = comment_queries.reading_view_comments(
        policy, revision, filters=filters, focus_id=request.args.get("thread", type=int)
    )
    page = render_template(
        "policies/read.html",
        assembly=assembly,
        policy=policy,
        revision=revision,
        is_head=revision.number == policy.head_number,
        can_edit=policy.can_edit(current_user),
        frozen=frozen,
        settled=services.is_text_settled(policy),
        comments=comments,
    )
    db.session.commit()  # keep comment anchors computed on the way (after rendering: nothing expires)
    return page


@bp.route("/a/<slug>/p/<policy_slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug, policy_slug):
    assembly, policy = load(slug, policy_slug)
    services.check_can_edit_policy(current_user, policy)
    form = EditForm()
    conflict = None
    if request.method == "GET" and services.is_text_settled(policy):
        flash(services.adopted_message(policy.status), "info")
        return redirect(url_for("policies.read", slug=slug, policy_slug=policy_slug))
    if request.method == "GET":
        form.body.data, form.base.data = policy.head.body, policy.head_number
    elif form.validate_on_submit():
        try:
            revision, merged = services.save_revision(
                current_user, policy, form.body.data, form.base.data, form.message.data or ""
            )
        except Conflict as error:
            conflict = _conflict_state(form, error, policy)
        except AppError as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            if merged:
                flash(gettext("Saved as revision %(number)s. Your edit was merged with changes saved meanwhile.",
                              number=revision.number), "success")
            else:
                flash(gettext("Saved as revision %(number)s.", number=revision.number), "success")
            return redirect(url_for("policies.read", slug=slug, policy_slug=policy_slug))
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template(
        "policies/edit.html", assembly=assembly, policy=policy, form=form, conflict=conflict
    ), status


def _conflict_state(form, error, policy):
    """Put the conflict text in the editor; keep the user's own text beside it."""
    if error.code != "edit_conflict":
        form.body.errors = [error.message]
        return {"message": error.message, "mine": form.body.data, "frozen": True}
    state = {"message": error.message, "mine": form.body.data, **error.extra["conflict"]}
    # The head's own text, for the side-by-side merge view of the browser editor.
    state["theirs"] = services.get_revision(policy, state["head"]).body
    form.body.data = state["body"]
    form.base.data = state["head"]
    form.body.raw_data = form.base.raw_data = None
    return state


@bp.route("/a/<slug>/preview", methods=["POST"])
@bp.route("/a/<slug>/p/<policy_slug>/preview", methods=["POST"])
def preview(slug, policy_slug=None):
    """The editor's live preview: Markdown (the raw request body, or a `body` form field) rendered
    by the reading view's renderer, as its line blocks with gutters. Members only; CSRF-checked
    (send the token in the X-CSRFToken header); at most MAX_BODY_BYTES (413 above); a text over
    the renderer's work budget answers 422 with the reason in the preview fragment."""
    from flask import current_app, make_response
    from werkzeug.exceptions import RequestEntityTooLarge

    from ..core.mdguard import RenderTooCostly
    from ..core.mdpolicy import render_blocks, too_costly_message
    from ..core.textlines import normalize_body

    with limiter.limit("240/minute"):
        if policy_slug is None:
            services.check_can_create_policy(current_user, get_assembly(slug, current_user))
        else:
            services.check_can_edit_policy(current_user, load(slug, policy_slug)[1])
        limit = current_app.config["MAX_BODY_BYTES"]
        if (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            source = request.form.get("body", "")
        else:
            source = request.get_data(cache=False, as_text=True)
        if len(source.encode("utf-8")) > limit:
            raise RequestEntityTooLarge()
        try:
            blocks, error, status = render_blocks(normalize_body(source), strict=True), None, 200
        except RenderTooCostly:
            blocks, error, status = [], too_costly_message(), 422
        response = make_response(render_template("policies/_preview.html", blocks=blocks, error=error), status)
        response.headers["Cache-Control"] = "no-store"
        return response


@bp.route("/a/<slug>/p/<policy_slug>/details", methods=["GET", "POST"])
@login_required
def details(slug, policy_slug):
    assembly, policy = load(slug, policy_slug)
    services.check_can_edit_policy(current_user, policy)
    form = DetailsForm(obj=policy) if request.method == "GET" else DetailsForm()
    fill_text_languages(form, assembly)
    status = 200
    if request.method == "GET":
        form.tags.data = ", ".join(policy.tags)
        form.language.data = policy.language or ""
    elif form.validate_on_submit():
        try:
            services.update_policy_details(current_user, policy, form.title.data, form.summary.data, form.tags.data,
                                           language=form.language.data)
        except AppError as error:  # the typed values stay in the form, with the messages
            apply_field_errors(form, error)
            status = error.status  # 409 while the round is voting (text_frozen), 422 otherwise
        else:
            db.session.commit()
            flash(gettext("Details saved."), "success")
            return redirect(url_for("policies.read", slug=slug, policy_slug=policy_slug))
    return render_template(
        "policies/details.html", assembly=assembly, policy=policy, form=form, status_form=_status_form(policy)
    ), (status if status != 200 else 422 if form.errors else 200)


def _status_form(policy):
    return StatusForm(status=policy.status) if policy.assembly.can_facilitate(current_user) else None


@bp.route("/a/<slug>/p/<policy_slug>/status", methods=["POST"])
@login_required
def status(slug, policy_slug):
    assembly, policy = load(slug, policy_slug)
    form = StatusForm()
    if not form.validate_on_submit():
        raise ValidationError.field("status", gettext("Status is draft, adopted or archived."))
    services.set_policy_status(current_user, policy, form.status.data)
    db.session.commit()
    flash(_status_now(policy.status), "success")
    return redirect(url_for("policies.read", slug=slug, policy_slug=policy_slug))


def _status_now(status):
    """The flash after a status change, one whole sentence per status."""
    sentences = {
        "draft": gettext("The policy is now draft."),
        "adopted": gettext("The policy is now adopted."),
        "archived": gettext("The policy is now archived."),
    }
    return sentences.get(status) or gettext("The policy is now %(status)s.", status=status_label(status))


@bp.route("/a/<slug>/p/<policy_slug>/history")
def history(slug, policy_slug):
    assembly, policy = load_page(slug, policy_slug)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    revisions, total = services.list_revisions(policy, page, 50)
    return render_template(
        "policies/history.html", assembly=assembly, policy=policy, revisions=revisions, total=total, page=page,
        status_changes=services.status_history(policy),
    )


@bp.route("/a/<slug>/p/<policy_slug>/diff")
@limiter.limit(services.DIFF_RATE)
def diff(slug, policy_slug):
    assembly, policy = load_page(slug, policy_slug)
    b = request.args.get("to", policy.head_number, type=int)
    a = request.args.get("from", max(b - 1, 1), type=int)
    page = request.args.get("page", 1, type=int) or 1
    result = services.diff_page(policy, a, b, page)
    return render_template("policies/diff.html", assembly=assembly, policy=policy, diff=result)

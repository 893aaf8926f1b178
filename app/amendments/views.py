"""Amendment pages: propose (with a preview), browse, read, co-sign, withdraw, update."""
from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext
from flask_login import current_user, login_required

from ..comments.queries import list_amendment_comments
from ..core import textlines
from ..core.errors import AppError, Conflict, ValidationError
from ..core.forms import CsrfForm, apply_field_errors
from ..extensions import db
from ..policies.services import get_policy_at
from . import services
from .display import amendment_url, describe_range
from .rebasing import follow_range, head_lines_for, where_range_went
from .rivals import find_rivals, rivals_by_id
from .text import diff_rows, lines_of, text_of_lines
from .validation import range_errors
from .forms import AmendmentForm, put

bp = Blueprint("amendments", __name__)
PER_PAGE = 20
BASE = "/a/<slug>/p/<policy_slug>/amendments"


def load(slug, policy_slug):
    """The assembly and policy of a URL (404 when not visible), with the round's passed deadlines
    applied, so states and counts are today's. A page (GET) commits them here, its only write; a
    form's POST commits them with its own change."""
    assembly, policy = get_policy_at(slug, policy_slug, current_user)
    services.apply_due_rounds(policy)
    if request.method == "GET":
        db.session.commit()
    return assembly, policy


def load_amendment(slug, policy_slug, amendment_id):
    """The assembly, policy and amendment of a URL (404 unless the amendment is of that policy)."""
    assembly, policy = load(slug, policy_slug)
    return assembly, policy, services.get_policy_amendment(policy, amendment_id, current_user)


# --------------------------------------------------------------------------
# Browse and read
# --------------------------------------------------------------------------


@bp.route(BASE)
def index(slug, policy_slug):
    assembly, policy = load(slug, policy_slug)
    state = request.args.get("state", "")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    try:
        items, total = services.list_amendments(policy, state or None, page, PER_PAGE)
    except ValidationError as error:
        return render_template("amendments/index.html", **_index_context(assembly, policy, [], 0, "", page),
                               filter_error=error.message), 422
    return render_template("amendments/index.html", **_index_context(assembly, policy, items, total, state, page))


def _index_context(assembly, policy, items, total, state, page):
    bodies = services.base_bodies(policy, items)
    return {
        "assembly": assembly,
        "policy": policy,
        "items": items,
        "total": total,
        "state": state,
        "page": page,
        "per_page": PER_PAGE,
        "counts": services.state_counts(policy),
        "states": services.STATE_FILTERS,
        "rows": {a.id: diff_rows(bodies[a.base_number], a.line_start, a.line_end, a.replacement)
                 for a in items},
        "rivals": rivals_by_id(policy, items),
        "line_counts": {number: textlines.count_lines(body) for number, body in bodies.items()},
        "can_propose": services.can_propose(current_user, policy),
    }


@bp.route(BASE + "/<int:amendment_id>")
def show(slug, policy_slug, amendment_id):
    assembly, policy, amendment = load_amendment(slug, policy_slug, amendment_id)
    return render_show(assembly, policy, amendment)


def render_show(assembly, policy, amendment, error=None, status=200):
    """The amendment's page; `error` explains an action that was refused."""
    body = services.base_bodies(policy, [amendment])[amendment.base_number]
    allowed = {
        "can_cosign": services.permitted(services.check_can_cosign, current_user, amendment),
        "can_update": services.permitted(services.check_can_update, current_user, amendment),
        "can_withdraw": services.permitted(services.check_can_withdraw, current_user, amendment),
    }
    behind = amendment.base_number != policy.head_number
    context = {
        "assembly": assembly,
        "policy": policy,
        "amendment": amendment,
        "rows": diff_rows(body, amendment.line_start, amendment.line_end, amendment.replacement, context=2),
        "rivals": find_rivals(amendment),
        "error": error,
        "form": _update_form(policy, amendment) if behind and allowed["can_update"] else None,
        "line_count": textlines.count_lines(policy.head.body),
        "base_line_count": textlines.count_lines(body),
        "action": CsrfForm(),
        **allowed,
        "threads": list_amendment_comments(amendment),
    }
    return render_template("amendments/show.html", **context), status


# --------------------------------------------------------------------------
# Co-sign and withdraw
# --------------------------------------------------------------------------


def _act(slug, policy_slug, amendment_id, service, done):
    """Run a one-button action on an amendment; show the page again with the reason if refused.

    `done` writes the flash message from the amendment's name ("A3 — Raise the dividend").
    """
    assembly, policy, amendment = load_amendment(slug, policy_slug, amendment_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        service(current_user, amendment)
    except (Conflict, ValidationError) as error:
        db.session.rollback()
        return render_show(assembly, policy, amendment, error=error.message, status=error.status)
    db.session.commit()
    flash(done(amendment.label), "success")
    return redirect(amendment_url(amendment))


@bp.route(BASE + "/<int:amendment_id>/cosign", methods=["POST"])
@login_required
def cosign(slug, policy_slug, amendment_id):
    return _act(slug, policy_slug, amendment_id, services.cosign_amendment,
                lambda name: gettext("You co-sign %(name)s.", name=name))


@bp.route(BASE + "/<int:amendment_id>/uncosign", methods=["POST"])
@login_required
def uncosign(slug, policy_slug, amendment_id):
    return _act(slug, policy_slug, amendment_id, services.uncosign_amendment,
                lambda name: gettext("Your co-signature of %(name)s is withdrawn.", name=name))


@bp.route(BASE + "/<int:amendment_id>/withdraw", methods=["POST"])
@login_required
def withdraw(slug, policy_slug, amendment_id):
    return _act(slug, policy_slug, amendment_id, services.withdraw_amendment,
                lambda name: gettext("Your amendment %(name)s is withdrawn.", name=name))


# --------------------------------------------------------------------------
# The editor: propose, update, preview
# --------------------------------------------------------------------------


@bp.route(BASE + "/new", methods=["GET", "POST"])
@login_required
def propose(slug, policy_slug):
    assembly, policy = load(slug, policy_slug)
    services.check_can_propose(current_user, policy)
    form = AmendmentForm()
    notice = None
    if request.method == "GET":
        notice = _prefill_from_query(form, policy)
    return _editor(assembly, policy, form, notice=notice)


@bp.route(BASE + "/<int:amendment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug, policy_slug, amendment_id):
    assembly, policy, amendment = load_amendment(slug, policy_slug, amendment_id)
    services.check_can_update(current_user, amendment)
    form = _update_form(policy, amendment) if request.method == "GET" else AmendmentForm()
    return _editor(assembly, policy, form, amendment=amendment)


@bp.route(BASE + "/preview", methods=["POST"])
@login_required
def preview(slug, policy_slug):
    """The diff and rivals of a draft, as a fragment for amend.js's live preview."""
    assembly, policy = load(slug, policy_slug)
    services.check_can_propose(current_user, policy)
    form = AmendmentForm()
    form.validate()
    exclude = request.form.get("amendment_id", type=int)
    result = _preview(policy, form, exclude)
    status = 422 if form.errors else 200
    return render_template("amendments/_preview.html", assembly=assembly, policy=policy, preview=result,
                           form=form, fragment=True), status


def _prefill_from_query(form, policy):
    """Fill the editor from ?revision=&line_start=&line_end= (the reading view's selection)."""
    put(form.revision, policy.head_number)
    start = request.args.get("line_start", type=int)
    end = request.args.get("line_end", start, type=int)
    number = request.args.get("revision", policy.head_number, type=int)
    if start is None:
        return None
    notice = None
    if number != policy.head_number:
        moved = follow_range(policy, number, start, end)
        if moved is None:
            return gettext("The text changed since revision %(number)s; choose the lines again in the current "
                           "text (revision %(head)s).", number=number, head=policy.head_number)
        notice = gettext("The text changed since revision %(number)s; your lines are now %(lines)s.",
                         number=number, lines=describe_range(*moved))
        start, end = moved
    _load_lines(form, policy, start, end)
    return notice


def _load_lines(form, policy, start, end, mode=None):
    """Put the head's current text of lines start..end in the editor, or say why the range is wrong.

    Without `mode` the range decides what the form shows (an insertion point starts empty);
    with it (a posted "Load these lines") the chosen action stays.
    """
    head = policy.head
    head_lines = textlines.split_lines(head.body)
    count = len(head_lines)
    errors = range_errors(start, end, count, head_lines)
    if errors:
        put(form.line_start, start)
        put(form.line_end, end)
        for name, message in errors.items():
            getattr(form, name).errors = [message]
        return
    form.show_change(start, end, count, text_of_lines(lines_of(head.body, start, end)))
    if mode:
        put(form.mode, mode)
    put(form.revision, head.number)


def _update_form(policy, amendment):
    """The author's update: the amendment as it is, or, when its lines changed, the head's lines there."""
    form = AmendmentForm(formdata=None)
    form.rationale.data = amendment.rationale
    form.title.data = amendment.title
    form.revision.data = policy.head_number
    count = textlines.count_lines(policy.head.body)
    if amendment.base_number == policy.head_number:
        form.show_change(amendment.line_start, amendment.line_end, count, amendment.replacement)
        return form
    start, end, text = head_lines_for(policy, amendment.line_start, amendment.line_end)
    if amendment.kind == "insert":
        form.show_change(start, start - 1, count, amendment.replacement)
    else:
        form.show_change(start, end, count, "" if amendment.kind == "delete" else text)
    return form


def _editor(assembly, policy, form, amendment=None, notice=None):
    """Handle the editor form: 'load' the chosen lines, 'preview' the change, or 'submit' it."""
    error = None
    if request.method == "POST":
        form.validate()
        action = request.form.get("action", "preview")
        if action == "load" and not form.errors and form.mode.data not in ("insert", "append"):
            _load_lines(form, policy, form.line_start.data, form.line_end.data, form.mode.data)
        elif action == "submit" and not form.errors:
            cosigners = len(amendment.cosignatures) if amendment else 0
            try:
                saved = _save(policy, form, amendment)
            except Conflict as conflict:
                db.session.rollback()
                error = _explain_conflict(form, policy, conflict)
            except AppError as invalid:
                db.session.rollback()
                apply_field_errors(form, invalid)
            else:
                db.session.commit()
                flash(_saved_message(saved, amendment, cosigners), "success")
                return redirect(amendment_url(saved))
    result = _preview(policy, form, amendment.id if amendment else None, quiet=request.method == "GET")
    form.label_insertion_point(form.line_start.data)
    status = 409 if error else (422 if form.errors else 200)
    return render_template(
        "amendments/edit.html",
        assembly=assembly,
        policy=policy,
        form=form,
        amendment=amendment,
        preview=result,
        error=error,
        notice=notice,
        line_count=textlines.count_lines(policy.head.body),
    ), status


def _save(policy, form, amendment):
    start, end, text = form.change(textlines.count_lines(policy.head.body))
    if amendment is None:
        return services.propose_amendment(
            current_user, policy, form.revision.data, start, end, text, form.rationale.data or "",
            form.title.data or "",
        )
    return services.update_amendment(
        current_user, amendment, text, form.rationale.data or "", form.revision.data, start, end,
        form.title.data or "",
    )


def _saved_message(saved, amendment, cosigners_before):
    if amendment is None:
        return gettext("Your amendment is submitted as %(name)s.", name=saved.label)
    if cosigners_before and not saved.cosignatures:
        return gettext("Your amendment %(name)s is updated against revision %(number)s. Its co-signers were told "
                       "and asked to co-sign the new wording again.", name=saved.label, number=saved.base_number)
    return gettext("Your amendment %(name)s is updated against revision %(number)s.", name=saved.label,
                   number=saved.base_number)


def _explain_conflict(form, policy, conflict):
    """A conflict message; for a stale base, move the range to the head when its lines are unchanged."""
    if conflict.code != "stale_base" or form.revision.data is None:
        return conflict.message
    old = form.revision.data
    put(form.revision, policy.head_number)
    if form.mode.data == "append":
        return gettext("%(conflict)s Your lines now go after the last line of the current text: check the preview.",
                       conflict=conflict.message)
    start, end, _ = form.change(0)  # the line count only matters when appending
    moved = None if start is None or end is None else follow_range(policy, old, start, end)
    if moved is None:
        return gettext("%(conflict)s The lines you chose were edited meanwhile: check the line numbers and your "
                       "text against the current text, then submit again.", conflict=conflict.message)
    put(form.line_start, moved[0])
    if form.mode.data != "insert":
        put(form.line_end, moved[1])
    return gettext("%(conflict)s Your lines are unchanged and are now %(lines)s: check the preview and submit again.",
                   conflict=conflict.message, lines=describe_range(*moved))


def _preview(policy, form, exclude_id, quiet=False):
    """The preview of the editor's change, or None when its range is incomplete or invalid.

    Unless `quiet`, problems with the range or the text are shown on fields that have no
    message yet (a rejected submission keeps its preview when only the rationale was wrong).
    """
    start, end, text = form.change(textlines.count_lines(policy.head.body))
    if start is None or end is None:
        return None
    revision = form.revision.data or policy.head_number
    moved = None
    if isinstance(revision, int) and 1 <= revision < policy.head_number:
        moved = _follow_to_head(policy, form, revision, start, end)
        if moved["lines_changed"]:
            return {"moved": moved}
        revision, start, end = policy.head_number, moved["start"], moved["end"]
    try:
        result = services.preview_amendment(policy, revision, start, end, text, exclude_id)
    except ValidationError as invalid:
        if not quiet:
            for name, message in invalid.fields.items():
                field = getattr(form, name, None)
                if field is not None and not field.errors:
                    field.errors = [message]
        return None
    return {**result, "moved": moved}


def _follow_to_head(policy, form, revision, start, end):
    """A draft opened on an older revision, against the current text (the head).

    When its lines are unchanged there, the form moves to them (revision, line numbers) so that
    the next submission is against the current text; otherwise the answer says so and shows the
    head's wording where they stood. Returns {"from", "to", "old_range", "start", "end",
    "lines_changed", "lines"} (lines: [(number, text)] of the head).
    """
    head = policy.head
    if form.mode.data == "append":
        target = (textlines.count_lines(head.body) + 1, textlines.count_lines(head.body))
    else:
        target = follow_range(policy, revision, start, end)
    moved = {"from": revision, "to": head.number, "old_range": describe_range(start, end),
             "lines_changed": target is None}
    if target is None:
        new_start, new_end, lines = where_range_went(policy, revision, start, end)
        return {**moved, "start": new_start, "end": new_end, "lines": list(enumerate(lines, new_start))}
    put(form.revision, head.number)
    if form.mode.data != "append":
        put(form.line_start, target[0])
        if form.mode.data != "insert":
            put(form.line_end, target[1])
    lines = lines_of(head.body, target[0], target[1])
    return {**moved, "start": target[0], "end": target[1], "range": describe_range(*target),
            "lines": list(enumerate(lines, target[0]))}

"""Comment pages. Each works without JavaScript; with ``partial=1`` a page answers only its
panel (for static/js/reader.js, which shows it in the reading view's side panel).
"""
from flask import Blueprint, flash, get_flashed_messages, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core import textlines
from ..core.errors import ValidationError
from ..core.forms import apply_field_errors
from ..core.urls import safe_next
from ..extensions import db, limiter
from ..policies.services import get_policy_at, get_revision
from . import queries, services
from .links import amendment_url, thread_url
from .forms import ActionForm, AmendmentCommentForm, CommentForm, EditForm, ReplyForm

bp = Blueprint("comments", __name__)
BASE = "/a/<slug>/p/<policy_slug>"


def load(slug, policy_slug):
    """The assembly and policy of the URL (404 when not visible)."""
    return get_policy_at(slug, policy_slug, current_user)


def is_partial():
    """True when the caller wants only the panel (reader.js)."""
    return request.values.get("partial") == "1"


def here():
    """This page's path and query (forms come back here)."""
    return request.full_path.rstrip("?")


def next_url(default):
    """Where to go after a form: a safe local `next` (app.core.urls.safe_next), else `default`."""
    return safe_next(request.values.get("next"), default)


def page(template, status=200, **context):
    """Render a comments page, whole or as a panel."""
    partial = is_partial()
    context.setdefault("next_url", safe_next(here(), request.path) if request.method == "GET" else next_url(here()))
    notes = get_flashed_messages() if partial else []
    body = render_template(
        template, layout="comments/_partial.html" if partial else "comments/_page.html", partial=partial,
        announce=" ".join(notes), **context
    )
    if status < 400:
        db.session.commit()  # keep comment anchors computed while reading (after rendering)
    return body, status


def lines_url(assembly, policy, revision_number, line_start=None, line_end=None, **extra):
    """The page of the threads beside lines line_start..line_end."""
    return url_for("comments.lines", slug=assembly.slug, policy_slug=policy.slug, revision=revision_number,
                   line_start=line_start, line_end=line_end, **extra)


def _range_args(revision):
    """(line_start, line_end) from the query when they form a range of the revision, else Nones."""
    start = request.args.get("line_start", type=int)
    end = request.args.get("line_end", type=int)
    count = textlines.count_lines(revision.body)
    if start is None or end is None or not 1 <= start <= end <= count:
        return None, None
    return start, end


def _quote_lines(revision, start, end):
    """[(number, text)] of lines start..end (for showing what is commented on)."""
    if start is None:
        return []
    lines = textlines.split_lines(revision.body)
    return list(enumerate(lines[start - 1 : end], start))


def _filters():
    return queries.parse_filters(request.args.get("stance", ""), request.args.get("state", ""))


@bp.route(BASE + "/comments")
def lines(slug, policy_slug):
    """Threads beside lines a–b of a revision (or all, or those on an earlier wording)."""
    assembly, policy = load(slug, policy_slug)
    revision = get_revision(policy, request.args.get("revision", policy.head_number, type=int))
    start, end = _range_args(revision)
    filters = _filters()
    outdated = request.args.get("outdated") == "1"
    number = max(request.args.get("page", 1, type=int) or 1, 1)
    summaries = queries.summarise_threads(policy, revision.number)
    threads, total = queries.list_threads(policy, revision, start, end, filters, outdated, number, summaries=summaries)
    counts = queries.count_by_block(summaries, revision.blocks, filters) if is_partial() else {}
    form = CommentForm(formdata=None, revision=revision.number, line_start=start, line_end=end)
    return page(
        "comments/lines.html", assembly=assembly, policy=policy, revision=revision, start=start, end=end,
        filters=filters, outdated=outdated, threads=threads, total=total, page_number=number,
        per_page=queries.THREADS_PER_PAGE, counts=counts, form=form, quote=_quote_lines(revision, start, end),
        block_start=_block_of(revision, start),
        page_title=_lines_title(start, end, outdated),
    )


def _block_of(revision, line):
    """The first line of the block holding `line` (the reading view's #L anchor), or None."""
    if line is None:
        return None
    return next((b["line_start"] for b in revision.blocks if b["line_start"] <= line <= b["line_end"]), None)


def _lines_title(start, end, outdated=False):
    if outdated:
        return gettext("Comments on an earlier wording")
    if start is None:
        return gettext("All comments")
    if start == end:
        return gettext("Line %(line)s", line=start)
    return gettext("Lines %(start)s–%(end)s", start=start, end=end)


@bp.route(BASE + "/comments/new", methods=["GET", "POST"])
@login_required
@limiter.limit(services.POST_RATE, methods=["POST"])
def new(slug, policy_slug):
    """The form to comment on lines a–b of a revision."""
    assembly, policy = load(slug, policy_slug)
    services.check_can_comment(current_user, policy)
    form = CommentForm()
    if request.method == "GET":
        form.revision.data = request.args.get("revision", policy.head_number, type=int)
        form.line_start.data = request.args.get("line_start", type=int)
        form.line_end.data = request.args.get("line_end", type=int)
    elif form.validate_on_submit():
        try:
            comment = services.create_comment(
                current_user, policy, form.revision.data, form.line_start.data, form.line_end.data,
                form.body.data, form.stance.data,
            )
        except ValidationError as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            if comment.line_start == comment.line_end:
                flash(gettext("Comment added beside line %(line)s.", line=comment.line_start), "success")
            else:
                flash(gettext("Comment added beside lines %(start)s–%(end)s.", start=comment.line_start,
                              end=comment.line_end), "success")
            default = lines_url(assembly, policy, comment.revision_number, comment.line_start, comment.line_end)
            return redirect(next_url(default))
    return _new_page(assembly, policy, form)


def _new_page(assembly, policy, form):
    number = form.revision.data if isinstance(form.revision.data, int) else policy.head_number
    revision = get_revision(policy, min(max(number, 1), policy.head_number))
    start, end = form.line_start.data, form.line_end.data
    valid = isinstance(start, int) and isinstance(end, int) and 1 <= start <= end <= textlines.count_lines(revision.body)
    return page(
        "comments/new.html", 422 if form.errors else 200, assembly=assembly, policy=policy, revision=revision,
        form=form, quote=_quote_lines(revision, start, end) if valid else [],
        page_title=_lines_title(start, end) if valid else gettext("New comment"),
    )


@bp.route(BASE + "/comments/<int:comment_id>")
def thread(slug, policy_slug, comment_id):
    """One thread, placed in a revision (default: the head)."""
    assembly, policy = load(slug, policy_slug)
    comment = queries.get_policy_comment(policy, comment_id)
    number = request.args.get("revision", policy.head_number, type=int)
    get_revision(policy, number)
    return _thread_page(assembly, policy, queries.get_thread(comment, number), ReplyForm(formdata=None))


def _thread_page(assembly, policy, item, form, status=200):
    return page(
        "comments/thread.html", status, assembly=assembly, policy=policy, thread=item, form=form,
        page_title=gettext("Comment thread #%(id)s", id=item.root.id), amendment_url=amendment_url,
    )


@bp.route(BASE + "/comments/<int:comment_id>/reply", methods=["POST"])
@login_required
@limiter.limit(services.POST_RATE)
def reply(slug, policy_slug, comment_id):
    """Post a reply in a thread."""
    assembly, policy = load(slug, policy_slug)
    comment = queries.get_policy_comment(policy, comment_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            services.reply_to_comment(current_user, comment, form.body.data, form.stance.data)
        except ValidationError as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(gettext("Reply posted."), "success")
            return redirect(next_url(thread_url(comment)))
    return _thread_page(assembly, policy, queries.get_thread(comment), form, 422)


@bp.route(BASE + "/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug, policy_slug, comment_id):
    """Edit one's own comment."""
    assembly, policy = load(slug, policy_slug)
    comment = queries.get_policy_comment(policy, comment_id)
    services.check_can_edit_comment(current_user, comment)
    form = EditForm(formdata=None, body=comment.body) if request.method == "GET" else EditForm()
    if form.validate_on_submit():
        try:
            services.edit_comment(current_user, comment, form.body.data)
        except ValidationError as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(gettext("Comment saved."), "success")
            return redirect(next_url(thread_url(comment)))
    return page("comments/edit.html", 422 if form.errors else 200, assembly=assembly, policy=policy,
                comment=comment, form=form, page_title=gettext("Edit comment"),
                back=next_url(thread_url(comment)))


@bp.route(BASE + "/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@login_required
def delete(slug, policy_slug, comment_id):
    """Ask, then delete a comment (a tombstone stays; replies remain)."""
    assembly, policy = load(slug, policy_slug)
    comment = queries.get_policy_comment(policy, comment_id)
    services.check_can_delete_comment(current_user, comment)
    form = ActionForm()
    if form.validate_on_submit():
        services.delete_comment(current_user, comment)
        db.session.commit()
        flash(gettext("Comment deleted. Its replies remain."), "success")
        return redirect(next_url(thread_url(comment)))
    return page("comments/delete.html", assembly=assembly, policy=policy, comment=comment, form=form,
                page_title=gettext("Delete comment"), back=next_url(thread_url(comment)))


@bp.route(BASE + "/comments/<int:comment_id>/resolve", methods=["POST"])
@login_required
def resolve(slug, policy_slug, comment_id):
    """Mark a thread resolved (resolved=1) or open again (resolved=0)."""
    _, policy = load(slug, policy_slug)
    comment = queries.get_policy_comment(policy, comment_id)
    form = ActionForm()
    if form.validate_on_submit():
        root = services.resolve_thread(current_user, comment, form.resolved.data != "0")
        db.session.commit()
        flash(gettext("Thread resolved.") if root.resolved else gettext("Thread reopened."), "success")
    return redirect(next_url(thread_url(comment)))


@bp.route(BASE + "/amendments/<int:amendment_id>/comments", methods=["POST"])
@login_required
@limiter.limit(services.POST_RATE)
def amendment_comment(slug, policy_slug, amendment_id):
    """Comment on an amendment, or reply to a comment on it (parent_id)."""
    assembly, policy = load(slug, policy_slug)
    amendment = queries.get_policy_amendment(policy, amendment_id)
    form = AmendmentCommentForm()
    if form.validate_on_submit():
        try:
            services.create_amendment_comment(
                current_user, amendment, form.body.data, form.stance.data, form.parent_id.data
            )
        except ValidationError as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(gettext("Comment posted.") if form.parent_id.data is None else gettext("Reply posted."), "success")
            return redirect(next_url(amendment_url(policy, amendment.id)))
    return page("comments/amendment_comment.html", 422, assembly=assembly, policy=policy, amendment=amendment,
                form=form, page_title=gettext("Comment on %(amendment)s", amendment=amendment.label))

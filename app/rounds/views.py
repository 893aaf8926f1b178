"""Round pages: open a round, follow its timeline, vote, see the results and the report."""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from ..amendments.display import amendment_url
from ..amendments.rivals import group_rivals, pending_amendments
from ..core.errors import Conflict, ValidationError
from ..core.forms import CsrfForm, apply_field_errors
from ..core.i18n import current_zone_name, zone_of
from ..core.timeutil import utcnow
from ..extensions import db, limiter
from ..policies.services import get_policy_at
from . import ballots, closing, notices, phases, services
from .forms import RoundForm
from .models import OPEN_PHASES
from .presenters.ballot_form import (
    answers_from_form, ballot_questions, ballot_summary, cleared_question, current_from_ballot, current_from_form,
    form_errors_of,
)
from .presenters.receipt import receipt_groups
from .presenters.report import final_votes, report_view
from .presenters.results import results_view
from .presenters.round_header import round_view
from .presenters.words import PHASES_SHOWN

bp = Blueprint("rounds", __name__)


@bp.context_processor
def round_helpers():
    """Helpers the round templates use: the path of an amendment's page."""
    return {"amendment_url": amendment_url}

BASE = "/a/<slug>/p/<policy_slug>/rounds"
ROUND = BASE + "/<int:round_id>"
RECEIPT_SESSION_KEY = "round_receipt"


def load_policy(slug, policy_slug):
    """The assembly and policy of the URL (404 when the user may not see them)."""
    return get_policy_at(slug, policy_slug, current_user)


def load_round(slug, policy_slug, round_id):
    """Assembly, policy and round of the URL, with passed deadlines applied. A page (GET) commits
    them here, its only write; a form's POST commits them with its own change, once, or leaves
    them to the next request when it fails."""
    assembly, policy = load_policy(slug, policy_slug)
    round_ = services.get_round(round_id, current_user)
    if round_.policy_id != policy.id:
        abort(404)
    if request.method == "GET":
        db.session.commit()
    return assembly, policy, round_


def _urls(assembly, policy, round_):
    return {"slug": assembly.slug, "policy_slug": policy.slug, "round_id": round_.id}


@bp.route(BASE)
def index(slug, policy_slug):
    assembly, policy = load_policy(slug, policy_slug)
    phases.refresh_rounds(policy)
    db.session.commit()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rounds, total = services.list_rounds(policy, page, 50)
    return render_template(
        "rounds/index.html", assembly=assembly, policy=policy, rounds=rounds, total=total, page=page,
        can_open=assembly.can_facilitate(current_user) and not any(r.phase in OPEN_PHASES for r in rounds),
        phases=PHASES_SHOWN,
    )


@bp.route(BASE + "/new", methods=["GET", "POST"])
@login_required
def create(slug, policy_slug):
    assembly, policy = load_policy(slug, policy_slug)
    services.check_can_open_round(current_user, policy)
    form = RoundForm().for_kind(request.values.get("kind")).use_zone(zone_of(current_zone_name()), current_zone_name())
    conflict = None
    if request.method == "GET":
        form.set_default_deadlines()
    elif form.validate_on_submit():
        try:
            round_ = _create_from_form(form, policy)
        except Conflict as error:
            conflict = error.message
        else:
            if round_ is not None:
                db.session.commit()
                flash(_opened_message(round_), "success")
                return redirect(url_for("rounds.show", **_urls(assembly, policy, round_)))
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template("rounds/new.html", assembly=assembly, policy=policy, form=form, conflict=conflict,
                           now=utcnow(), member_count=len(assembly.memberships),
                           pending=len(pending_amendments(policy))), status


def _opened_message(round_):
    if round_.kind == "adoption":
        return gettext("Round %(number)s is open: the final vote on the whole text opens at the end of deliberating.",
                       number=round_.number)
    return gettext("Round %(number)s is open: members can propose amendments until the end of amending.",
                   number=round_.number)


def _create_from_form(form, policy):
    """Call the service with the form's values; field errors land on the form (returns None)."""
    rules = form.rules()
    deadlines = form.deadlines()
    if form.threshold_custom.errors or deadlines is None:
        return None
    try:
        return services.create_round(current_user, policy, *deadlines, **rules)
    except ValidationError as error:
        fields = dict(error.fields)
        if "threshold" in fields:
            fields["threshold_custom"] = fields.pop("threshold")
        apply_field_errors(form, ValidationError(error.message, fields=fields))
    return None


@bp.route(ROUND)
def show(slug, policy_slug, round_id):
    assembly, policy, round_ = load_round(slug, policy_slug, round_id)
    preview = []
    if round_.phase in ("amending", "deliberating") and round_.kind == "amendments":
        candidates = [a for a in pending_amendments(policy) if a.base_number == policy.head_number and a.state == "submitted"]
        preview = group_rivals(candidates)
    return render_template(
        "rounds/show.html", assembly=assembly, policy=policy, round=round_,
        view=round_view(round_, current_user), preview=preview, csrf_form=CsrfForm(),
        named={a.id: a for a in closing.round_amendments(round_)},
        choices=(gettext("consent / object / abstain") if round_.decision == "consent"
                 else gettext("yes / no / abstain")),
        final_vote_invited=services.invites_final_vote(current_user, round_),
    )


def _confirmed_action(slug, policy_slug, round_id, action):
    """GET: the confirmation page; POST: do it (advance or cancel) and go back to the round."""
    assembly, policy, round_ = load_round(slug, policy_slug, round_id)
    phases.check_can_run(current_user, round_)
    form = CsrfForm()
    if form.validate_on_submit():
        before = round_.phase
        if action == "advance":
            round_ = phases.advance_round(current_user, round_)
            message = gettext("The round moved from %(before)s to %(after)s.", before=notices.phase_name(before),
                              after=notices.phase_name(round_.phase))
        else:
            round_ = phases.cancel_round(current_user, round_)
            message = gettext("The round was cancelled.")
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("rounds.show", **_urls(assembly, policy, round_)))
    phases.check_in_progress(round_)
    return render_template(
        "rounds/confirm.html", assembly=assembly, policy=policy, round=round_, form=form, action=action,
        next_phase=phases.NEXT_PHASE.get(round_.phase), phases=PHASES_SHOWN, phase_names=notices.PHASE_NAMES,
        voters=services.voter_count(round_), planned_end=services.next_deadline(round_),
    )


@bp.route(ROUND + "/advance", methods=["GET", "POST"])
@login_required
def advance(slug, policy_slug, round_id):
    return _confirmed_action(slug, policy_slug, round_id, "advance")


@bp.route(ROUND + "/cancel", methods=["GET", "POST"])
@login_required
def cancel(slug, policy_slug, round_id):
    return _confirmed_action(slug, policy_slug, round_id, "cancel")


@bp.route(ROUND + "/ballot", methods=["GET", "POST"])
@login_required
@limiter.limit("60/minute", methods=["POST"])
def ballot(slug, policy_slug, round_id):
    assembly, policy, round_ = load_round(slug, policy_slug, round_id)
    ballots.check_elector(current_user, round_)
    ballots.check_voting(round_)
    form = CsrfForm()
    errors, cleared = {}, None
    if form.validate_on_submit():
        # "Clear my ranking" (without JavaScript) shows the form again with that ranking emptied
        cleared = cleared_question(round_, request.form)
        answers, errors = ([], {}) if cleared else answers_from_form(round_, request.form)
        if not errors and not cleared:
            try:
                receipt = ballots.cast_ballot(current_user, round_, answers)
            except ValidationError as error:
                errors = form_errors_of(round_, error, answers)
            else:
                db.session.commit()
                session[RECEIPT_SESSION_KEY] = {"round": round_.id, "receipt": receipt}
                return redirect(url_for("rounds.receipt", **_urls(assembly, policy, round_)))
        current = current_from_form(round_, request.form, cleared)
    else:
        current = current_from_ballot(ballots.get_ballot(current_user, round_))
    return render_template(
        "rounds/ballot.html", assembly=assembly, policy=policy, round=round_, form=form, errors=errors,
        cleared=cleared, current=current, view=round_view(round_, current_user),
        questions=ballot_questions(round_),
    ), (422 if errors else 200)


@bp.route(ROUND + "/ballot/receipt")
@login_required
def receipt(slug, policy_slug, round_id):
    assembly, policy, round_ = load_round(slug, policy_slug, round_id)
    ballots.check_elector(current_user, round_)
    stored = session.pop(RECEIPT_SESSION_KEY, None)
    shown = stored["receipt"] if stored and stored.get("round") == round_.id else None
    ballot_state = ballots.get_ballot(current_user, round_)
    return render_template(
        "rounds/receipt.html", assembly=assembly, policy=policy, round=round_, receipt=shown,
        receipt_groups=receipt_groups(shown) if shown else None, ballot=ballot_state, summary=ballot_summary(round_, ballot_state),
    )


@bp.route(ROUND + "/results")
def results(slug, policy_slug, round_id):
    assembly, policy, round_ = load_round(slug, policy_slug, round_id)
    closing.require_closed(round_)
    return render_template(
        "rounds/results.html", assembly=assembly, policy=policy, round=round_,
        view=round_view(round_, current_user), results=results_view(round_),
    )


@bp.route(ROUND + "/report")
def report(slug, policy_slug, round_id):
    assembly, policy, round_ = load_round(slug, policy_slug, round_id)
    entries = closing.round_report(round_)
    return render_template(
        "rounds/report.html", assembly=assembly, policy=policy, round=round_,
        view=round_view(round_, current_user), entries=report_view(round_, entries),
        final_votes=final_votes(round_),
    )


@bp.route(ROUND + "/verify")
def verify(slug, policy_slug, round_id):
    assembly, policy, round_ = load_round(slug, policy_slug, round_id)
    receipt_text = (request.args.get("receipt") or "").strip()[:200]
    checked = ballots.verify_receipt(round_, receipt_text) if receipt_text else None
    return render_template(
        "rounds/verify.html", assembly=assembly, policy=policy, round=round_, receipt=receipt_text, checked=checked,
    )


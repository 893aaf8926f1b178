"""Assembly pages: list, create, overview with policies, members."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_required

from ..core.errors import AppError
from ..core.forms import CsrfForm, apply_field_errors
from ..core.ratelimits import actor_key
from ..extensions import db, limiter
from ..policies import services as policy_services
from . import services
from .forms import AssemblyForm, MemberForm, SettingsForm
from .models import ROLE_LABELS

bp = Blueprint("assemblies", __name__)

#: a policy's status as the assembly's list shows it (and its filter offers it)
POLICY_STATUS_LABELS = {"draft": lazy_gettext("draft"), "in_round": lazy_gettext("in round"),
                        "adopted": lazy_gettext("adopted"), "archived": lazy_gettext("archived")}


@bp.route("/assemblies")
@login_required
def index():
    return render_template("assemblies/index.html", assemblies=services.list_assemblies(current_user),
                           role_labels=ROLE_LABELS)


@bp.route("/assemblies/new", methods=["GET", "POST"])
@limiter.shared_limit(services.CREATE_RATE, scope="assembly-create", key_func=actor_key, methods=["POST"])
@login_required
def create():
    form = AssemblyForm(data=services.suggested_language_and_zone(current_user))
    if form.validate_on_submit():
        try:
            assembly = services.create_assembly(
                current_user, form.name.data, form.slug.data, form.description.data, form.is_public.data,
                locale=form.locale.data, timezone=form.timezone.data,
            )
        except AppError as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(gettext("Assembly “%(name)s” created. You are its admin.", name=assembly.name), "success")
            if form.slug.data and form.slug.data.strip() != assembly.slug:
                flash(gettext("The address “%(wanted)s” is in use, so it is at %(path)s.", wanted=form.slug.data.strip(),
                              path="/a/" + assembly.slug), "info")
            return redirect(url_for("assemblies.show", slug=assembly.slug))
    return render_template("assemblies/new.html", form=form), (422 if form.errors else 200)


@bp.route("/a/<slug>")
def show(slug):
    assembly = services.get_assembly(slug, current_user)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    filters = {k: request.args.get(k, "").strip() for k in ("q", "tag", "status")}
    try:
        items, total = policy_services.list_policies(assembly, page=page, per_page=25, **filters)
    except AppError as error:
        flash(error.message, "error")
        filters["status"] = ""
        items, total = policy_services.list_policies(assembly, page=page, per_page=25, **filters)
    return render_template(
        "assemblies/show.html",
        assembly=assembly,
        policies=items,
        total=total,
        page=page,
        filters=filters,
        tags=policy_services.all_tags(assembly),
        role=assembly.role_of(current_user),
        status_labels=POLICY_STATUS_LABELS,
    )


@bp.route("/a/<slug>/members", methods=["GET", "POST"])
@limiter.shared_limit(services.MEMBER_ADD_RATE, scope="member-add", key_func=actor_key, methods=["POST"])
@login_required
def members(slug):
    assembly = services.get_assembly(slug, current_user)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            membership = services.add_member(current_user, assembly, form.email.data, form.role.data)
        except AppError as error:
            if error.status == 403:
                raise
            form.email.errors = [error.fields.get("email") or error.message]
        else:
            db.session.commit()
            flash(now_role_message(membership), "success")
            return redirect(url_for("assemblies.members", slug=slug))
    return render_template(
        "assemblies/members.html",
        assembly=assembly,
        members=services.list_members(assembly),
        form=form,
        can_manage=assembly.can_manage(current_user),
        role_labels=ROLE_LABELS,
    ), (422 if form.errors else 200)


def now_role_message(membership):
    """The flash after a member is added or their role changed, one sentence per role."""
    name = membership.user.name
    if membership.role == "admin":
        return gettext("%(name)s is now admin of this assembly.", name=name)
    if membership.role == "facilitator":
        return gettext("%(name)s is now facilitator of this assembly.", name=name)
    return gettext("%(name)s is now member of this assembly.", name=name)


@bp.route("/a/<slug>/settings", methods=["GET", "POST"])
@login_required
def settings(slug):
    """An assembly's settings (its admins): name, description, public, language, time zone."""
    assembly = services.get_assembly(slug, current_user)
    services.require_admin(current_user, assembly)
    form = SettingsForm(obj=assembly)
    if form.validate_on_submit():
        try:
            services.change_assembly_settings(
                current_user, assembly, name=form.name.data, description=form.description.data or "",
                is_public=form.is_public.data, locale=form.locale.data, timezone=form.timezone.data)
        except AppError as error:
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(gettext("Settings saved."), "success")
            return redirect(url_for("assemblies.settings", slug=assembly.slug))
    return render_template("assemblies/settings.html", assembly=assembly, form=form), (422 if form.errors else 200)


@bp.route("/a/<slug>/admin-totp", methods=["POST"])
@login_required
def admin_totp(slug):
    """Require (or not) two-factor authentication of this assembly's admins."""
    assembly = services.get_assembly(slug, current_user)
    if CsrfForm().validate_on_submit():
        required = request.form.get("require_admin_totp") == "1"
        services.update_assembly(current_user, assembly, require_admin_totp=required)
        db.session.commit()
        flash(gettext("Admins must now use two-factor authentication.") if required
              else gettext("Two-factor authentication is now optional for admins."), "success")
    return redirect(url_for("assemblies.members", slug=slug))

"""Policy services: create, list, edit with three-way merge, revisions and diffs."""
import threading
from contextlib import suppress
from dataclasses import asdict

from cachetools import LRUCache
from flask import current_app
from flask_babel import gettext, ngettext

from ..core import diffing, merging, textlines
from ..core.errors import Conflict, Forbidden, NotFound, ValidationError
from ..accounts.models import User
from ..assemblies.models import Assembly
from ..core.events import Event, log_event
from ..core.mdguard import RenderTooCostly
from ..core.mdpolicy import check_renderable, render_blocks, too_costly_message
from ..core.i18n import TEXT_LANGUAGES
from ..core.slugs import is_slug, slugify
from ..core.templating import format_number
from ..core.timeutil import utcnow
from ..core.locking import lock_row
from ..extensions import db
from ..rounds import phases
from .models import STATUSES, Policy, PolicyTag, Revision
from .signals import revision_created

MAX_TAGS = 10


def clean_tags(tags):
    """Normalise tags from a list or a comma-separated string; 422 for bad ones."""
    if isinstance(tags, str):
        tags = tags.split(",")
    if tags is None:
        tags = []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValidationError.field("tags", gettext("Tags must be a list of words."))
    names = sorted({slugify(t, 40) for t in tags if t.strip()})
    if "" in names or any(not is_slug(n) for n in names):
        raise ValidationError.field("tags", gettext("Tags use letters, digits and hyphens."))
    if len(names) > MAX_TAGS:
        raise ValidationError.field("tags", ngettext("Use at most %(num)d tag.", "Use at most %(num)d tags.", MAX_TAGS))
    return names


def validate_body(body, field="body"):
    """Normalise a Markdown body; 413 over the size limit, 422 when empty or when it needs more
    work to render than the renderer's budget (app/core/mdguard.py)."""
    if not isinstance(body, str):
        raise ValidationError.field(field, gettext("The text must be a string."))
    limit = current_app.config["MAX_BODY_BYTES"]
    if len(body.encode("utf-8")) > limit:
        raise ValidationError.field(field, gettext("The text is over the %(size)s KB limit.",
                                                      size=limit // 1024))
    body = textlines.normalize_body(body)
    if not body.strip():
        raise ValidationError.field(field, gettext("The text cannot be empty."))
    try:
        check_renderable(body)
    except RenderTooCostly:
        raise ValidationError.field(field, too_costly_message()) from None
    return body


def validate_policy_fields(title, summary):
    """Field errors for title and summary."""
    errors = {}
    if not isinstance(title, str) or not title.strip():
        errors["title"] = gettext("Enter a title.")
    elif len(title.strip()) > 200:
        errors["title"] = gettext("Keep the title under %(num)s characters.", num=format_number(200))
    if not isinstance(summary, str) or len(summary) > 2000:
        errors["summary"] = gettext("Keep the summary under %(num)s characters.", num=format_number(2000))
    return errors


def check_can_create_policy(user, assembly):
    """403 unless `user` may create policies in `assembly` (its members)."""
    if not assembly.can_participate(user):
        raise Forbidden(gettext("Only members of this assembly can create policies."))


def check_can_edit_policy(user, policy):
    """403 unless `user` may edit the policy's text and details (the assembly's members)."""
    if not policy.can_edit(user):
        raise Forbidden(gettext("Only members of this assembly can edit this policy."))


#: "not given": update_policy_details leaves the language as it is
KEEP = object()


def clean_language(language):
    """A policy's text language: a code of TEXT_LANGUAGES, or None for the assembly's."""
    if language is None or (isinstance(language, str) and not language.strip()):
        return None
    if isinstance(language, str) and language.strip() in TEXT_LANGUAGES:
        return language.strip()
    raise ValidationError.field("language", gettext("Choose one of the languages: %(codes)s.",
                                                    codes=", ".join(TEXT_LANGUAGES)))


def create_policy(author, assembly, title, body, summary="", tags=None, message="First draft", language=None):
    """Create a policy with revision 1; any member of the assembly may. `language` is the text's
    (None: the assembly's default)."""
    check_can_create_policy(author, assembly)
    errors = validate_policy_fields(title, summary or "")
    language = clean_language(language)
    if errors:
        raise ValidationError(gettext("Some fields need attention."), fields=errors)
    tag_names = clean_tags(tags)
    body = validate_body(body)
    policy = Policy(
        assembly_id=assembly.id,
        slug=_unique_slug(assembly, title),
        title=title.strip(),
        summary=(summary or "").strip(),
        created_by_id=author.id if author else None,
        tag_rows=[PolicyTag(name=name) for name in tag_names],
        language=language,
    )
    db.session.add(policy)
    db.session.flush()
    _add_revision(policy, body, author, message or "First draft", "edit", parent=None)
    log_event(author, "policy.created", policy, assembly_id=assembly.id)
    return policy


def _unique_slug(assembly, title):
    base = slugify(title, 70) or "policy"
    slug, n = base, 1
    while db.session.execute(db.select(Policy.id).filter_by(assembly_id=assembly.id, slug=slug)).first():
        n += 1
        slug = f"{base}-{n}"
    return slug


def update_policy_details(actor, policy, title, summary, tags, language=KEEP):
    """Change title, summary, tags and the text's language (not the text: that is a revision).

    While a round of the policy is voting, the title and summary are frozen with the text
    (409 `text_frozen`, naming the fields): members vote on what they read. Tags stay
    editable: they file the policy and change nothing that is voted on; so does the language
    (hyphenation and search). The status has its own rule (:func:`set_policy_status`: not
    during any round).
    """
    check_can_edit_policy(actor, policy)
    language = policy.language if language is KEEP else clean_language(language)
    errors = validate_policy_fields(title, summary or "")
    if errors:
        raise ValidationError(gettext("Some fields need attention."), fields=errors)
    title, summary = title.strip(), (summary or "").strip()
    changed = [name for name, value in (("title", title), ("summary", summary)) if value != getattr(policy, name)]
    if changed:
        policy = lock_policy(policy.id)  # as a text edit: voting cannot open between the check and the change
        if phases.is_text_frozen(policy):
            message = gettext("The title and summary are frozen while the policy's round is voting.")
            raise Conflict(message, code="text_frozen", fields={name: message for name in changed})
    policy.title, policy.summary = title, summary
    names = clean_tags(tags)
    policy.tag_rows = [row for row in policy.tag_rows if row.name in names]
    policy.tag_rows += [PolicyTag(name=n) for n in names if n not in policy.tags]
    policy.language = language
    policy.updated_at = utcnow()
    log_event(actor, "policy.updated", policy, assembly_id=policy.assembly_id)
    return policy


SETTABLE_STATUSES = ("draft", "adopted", "archived")
SETTLED_STATUSES = ("adopted", "archived")  # their text changes only through a round, or once reopened


def adopted_message(status):
    """Why the text of an adopted or archived policy cannot be edited (409 text_adopted)."""
    if status == "archived":
        return gettext("This policy is archived: its text changes only through a round, or after a facilitator "
                       "reopens it for drafting.")
    return gettext("This policy is adopted: its text changes only through a round, or after a facilitator "
                   "reopens it for drafting.")


def set_policy_status(actor, policy, status):
    """Mark a policy draft, adopted or archived (facilitators and admins; not during a round)."""
    if not policy.assembly.can_facilitate(actor):
        raise Forbidden(gettext("Only facilitators and admins of this assembly change a policy's status."))
    if status not in SETTABLE_STATUSES:
        raise ValidationError.field("status", gettext("Status is draft, adopted or archived."))
    phases.assert_no_round_in_progress(
        policy, gettext("The policy has a round in progress; its status changes when the round ends."))
    log_event(actor, "policy.status_changed", policy, assembly_id=policy.assembly_id, status=status,
              previous=policy.status)
    policy.status = status
    policy.updated_at = utcnow()
    return policy


def is_text_settled(policy):
    """True when the policy is adopted or archived: plain edits are refused (409 text_adopted)."""
    return policy.status in SETTLED_STATUSES


def status_history(policy):
    """The policy's status changes, newest first: (event, actor name) pairs for its history page."""
    query = (
        db.select(Event, User.name)
        .outerjoin(User, User.id == Event.actor_id)
        .filter(Event.object_type == "policy", Event.object_id == policy.id, Event.verb == "policy.status_changed")
        .order_by(Event.created_at.desc(), Event.id.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]


def _add_revision(policy, body, author, message, source, parent, round_id=None):
    number = policy.head_number + 1
    revision = Revision(
        policy_id=policy.id,
        number=number,
        body=body,
        blocks=[asdict(block) for block in render_blocks(body)],
        author_id=author.id if author else None,
        message=(message or "").strip()[:500],
        parent_number=parent.number if parent else None,
        source=source,
        round_id=round_id,
    )
    db.session.add(revision)
    policy.head_number = number
    policy.updated_at = utcnow()
    db.session.flush()
    if parent is not None:
        # Receivers, in the same transaction: comments re-anchor every thread and notify the
        # authors whose lines changed (comments.follow_revision); amendments rebase or mark
        # needs_rebase every pending amendment (amendments.on_revision_created). A signal keeps
        # the import direction: policies never import the domains that build on them.
        revision_created.send(current_app._get_current_object(), policy=policy, old=parent, new=revision)
    return revision


def lock_policy(policy_id):
    """Load a policy for update, locked until the commit (app.core.locking, both databases)."""
    policy = lock_row(Policy, policy_id)
    if policy is None:
        raise NotFound(gettext("No such policy."))
    return policy


def save_revision(author, policy, body, base, message):
    """Save an edit made on revision `base`.

    Returns (revision, merged). When `base` is older than the head the edit is merged three
    ways with what was saved since; a conflict raises 409 `edit_conflict` carrying the text
    with conflict markers, and nothing is saved.
    """
    check_can_edit_policy(author, policy)
    body = validate_body(body)
    if not isinstance(message, str) or len(message) > 500:
        raise ValidationError.field("message", gettext("Keep the message under %(num)s characters.", num=format_number(500)))
    policy = lock_policy(policy.id)
    phases.assert_text_editable(policy)
    if is_text_settled(policy):
        raise Conflict(adopted_message(policy.status), code="text_adopted")
    base_revision = _base_revision(policy, base)
    head = get_revision(policy, policy.head_number)
    merged = base_revision.number != head.number
    if merged:
        body = _merge_or_conflict(base_revision, head, body)
    if _has_conflict_markers(body):
        raise ValidationError.field("body", gettext("Resolve the conflict: remove the <<<<<<<, ======= and >>>>>>> lines."))
    if body == head.body:
        raise ValidationError.field("body", gettext("Nothing changed: the text is the same as revision %(number)s.",
                                                     number=head.number))
    source = "merge" if merged else "edit"
    revision = _add_revision(policy, body, author, message or "Edit", source, parent=head)
    log_event(author, "revision.created", revision, assembly_id=policy.assembly_id, number=revision.number, merged=merged)
    return revision, merged


def _has_conflict_markers(body):
    lines = body.split("\n")
    return any(line.startswith("<<<<<<< your edit") for line in lines) and any(
        line.startswith(">>>>>>> revision ") for line in lines
    )


def create_round_revision(policy, body, round_, message):
    """The revision a closing round makes from its accepted amendments (source 'round')."""
    head = get_revision(policy, policy.head_number)
    revision = _add_revision(policy, body, None, message, "round", parent=head, round_id=round_.id)
    log_event(None, "revision.created", revision, assembly_id=policy.assembly_id, number=revision.number, round_id=round_.id)
    return revision


def _base_revision(policy, base):
    if isinstance(base, bool) or not isinstance(base, int) or not 1 <= base <= policy.head_number:
        raise ValidationError.field("base", gettext("Base must be a revision number from 1 to %(head)s.",
                                                     head=policy.head_number))
    return get_revision(policy, base)


def _merge_or_conflict(base_revision, head, body):
    result = merging.three_way_merge(
        base_revision.body, body, head.body, ours_label="your edit", theirs_label=f"revision {head.number}"
    )
    if not result.clean:
        raise Conflict(
            gettext("Revision %(number)s was saved since you started, and it changed the same lines.",
                    number=head.number),
            code="edit_conflict",
            extra={"conflict": {"head": head.number, "body": result.text, "conflicts": result.conflicts}},
        )
    return result.text


def get_policy(policy_id, user):
    """The policy if `user` may see it, else 404."""
    policy = db.session.get(Policy, policy_id) if isinstance(policy_id, int) else None
    if policy is None or not policy.can_view(user):
        raise NotFound(gettext("No such policy."))
    return policy


def get_policy_at(slug, policy_slug, user):
    """(assembly, policy) named by a page URL; 404 when `user` may not see them."""
    from ..assemblies.services import get_assembly

    assembly = get_assembly(slug, user)
    return assembly, get_policy_by_slug(assembly, policy_slug)


def get_policy_by_slug(assembly, slug):
    """The assembly's policy with this slug, or 404."""
    policy = db.session.execute(db.select(Policy).filter_by(assembly_id=assembly.id, slug=slug)).scalar_one_or_none()
    if policy is None:
        raise NotFound(gettext("No such policy."))
    return policy


def get_revision(policy, number):
    """Revision `number` of the policy, or 404."""
    revision = db.session.execute(
        db.select(Revision).filter_by(policy_id=policy.id, number=number)
    ).scalar_one_or_none()
    if revision is None:
        raise NotFound(gettext("This policy has no revision %(number)s.", number=number))
    return revision


def list_revisions(policy, page=1, per_page=50):
    """Revisions newest first: (items, total)."""
    query = db.select(Revision).filter_by(policy_id=policy.id).order_by(Revision.number.desc())
    return paginate(query, page, per_page)


def list_policies(assembly, q="", tag="", status="", page=1, per_page=50):
    """The assembly's policies filtered by text, tag and status: (items, total)."""
    query = db.select(Policy).filter_by(assembly_id=assembly.id)
    if q:
        pattern = f"%{q.strip()}%"
        query = query.filter(db.or_(Policy.title.ilike(pattern), Policy.summary.ilike(pattern)))
    if tag:
        query = query.filter(Policy.tag_rows.any(PolicyTag.name == tag.strip().lower()))
    if status:
        if status not in STATUSES:
            raise ValidationError.field("status", gettext("Status is one of %(statuses)s.", statuses=", ".join(STATUSES)))
        query = query.filter_by(status=status)
    return paginate(query.order_by(Policy.updated_at.desc(), Policy.id.desc()), page, per_page)


def paginate(query, page, per_page):
    """(items, total) for page `page` of `query`."""
    total = db.session.execute(db.select(db.func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    items = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return items, total


#: Computed diffs, per revision pair (revisions never change): an LRU bounded in bytes.
DIFF_CACHE_BYTES = 64 * 1024 * 1024
_diff_cache = LRUCache(maxsize=DIFF_CACHE_BYTES, getsizeof=lambda entry: entry["size"])
_diff_lock = threading.Lock()


def _compute_diff(old, new, a, b):
    result = {
        "from": a,
        "to": b,
        "unified": diffing.unified_diff(old.body, new.body, f"revision {a}", f"revision {b}"),
        "hunks": diffing.diff_hunks(old.body, new.body),
        "rows": diffing.side_by_side(old.body, new.body, context=3),
    }
    return {**result, "size": 3 * (len(old.body) + len(new.body)) + 2 * len(result["unified"]) + 1024}


DIFF_RATE = "120/minute"  # per address, browser and API: a new pair of large revisions costs seconds once


def diff_revisions(policy, a, b):
    """The diff from revision a to b: unified text, hunks and side-by-side rows (with 3 lines of
    context; longer unchanged runs are "skip" rows). Cached per revision pair (DIFF_CACHE_BYTES);
    the bodies' hashes are part of the key, so a reused revision id never returns a stale diff."""
    old, new = get_revision(policy, a), get_revision(policy, b)
    key = (old.id, new.id, hash(old.body), hash(new.body))
    with _diff_lock:
        entry = _diff_cache.get(key)
    if entry is None:
        entry = _compute_diff(old, new, a, b)
        with _diff_lock, suppress(ValueError):  # larger than the whole cache: not kept
            _diff_cache[key] = entry
    return {name: value for name, value in entry.items() if name != "size"}


def diff_page(policy, a, b, page=1):
    """One page of the diff from revision a to b for the diff page: at most
    diffing.ROWS_PER_PAGE rows, each side cut to diffing.ROW_MAX_CHARS characters, with `page`
    (clamped) and `pages`."""
    result = diff_revisions(policy, a, b)
    rows, page, pages = diffing.page_of_rows(result["rows"], page)
    return {**result, "rows": [diffing.clip_row(row) for row in rows], "page": page, "pages": pages}


def all_tags(assembly):
    """Tags used in the assembly, for the filter."""
    query = (
        db.select(PolicyTag.name)
        .join(Policy, Policy.id == PolicyTag.policy_id)
        .filter(Policy.assembly_id == assembly.id)
        .distinct()
        .order_by(PolicyTag.name)
    )
    return list(db.session.execute(query).scalars())


def titles_for_topics(sender, keys, **extra):
    """Receiver of accounts.digests.digest_topics: {(assembly slug, None): assembly name,
    (assembly slug, policy slug): policy title} for the `keys` that exist (two queries)."""
    slugs = {slug for slug, _ in keys}
    names = dict(db.session.execute(db.select(Assembly.slug, Assembly.name).where(Assembly.slug.in_(slugs))).all())
    wanted = {key for key in keys if key[1]}
    rows = db.session.execute(
        db.select(Assembly.slug, Policy.slug, Policy.title).join(Assembly, Assembly.id == Policy.assembly_id)
        .where(Assembly.slug.in_(slugs), Policy.slug.in_({policy_slug for _, policy_slug in wanted}))
    ).all() if wanted else []
    titles = {(slug, None): name for slug, name in names.items()}
    titles.update({(slug, policy_slug): title for slug, policy_slug, title in rows if (slug, policy_slug) in wanted})
    return titles

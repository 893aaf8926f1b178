"""The policy library on disk: Markdown files with YAML front matter (title, summary, tags)."""
from pathlib import Path

import re

import yaml
from flask_babel import gettext

from ..core.errors import ValidationError
from ..core.slugs import is_slug, slugify
from ..extensions import db
from ..rounds import phases
from .models import Policy
from .services import (
    create_policy, get_revision, is_text_settled, save_revision, update_policy_details,
)


FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^---[ \t]*\n\n?", re.S | re.M)


def format_policy_file(meta, body):
    """A library file: YAML front matter, one blank line, then the body exactly as stored."""
    header = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    return f"---\n{header}---\n\n{body}"


def parse_policy_text(text, name="file"):
    """(metadata, body) of a library file's text; the body comes back byte for byte.

    The blank line after the closing `---` is a separator, not part of the body.
    """
    match = FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if match is None:
        raise ValidationError(gettext("%(name)s: it must start with YAML front matter between --- lines.", name=name))
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ValidationError(gettext("%(name)s: cannot read front matter (%(error)s).", name=name, error=exc)) from exc
    if not isinstance(meta, dict) or not isinstance(meta.get("title"), str):
        raise ValidationError(gettext("%(name)s: front matter needs a title.", name=name))
    return meta, text.replace("\r\n", "\n")[match.end():]


def read_policy_file(path):
    """(slug, metadata, body) of a library file; ValidationError when malformed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(gettext("%(name)s: not UTF-8 text.", name=path.name)) from exc
    meta, body = parse_policy_text(text, path.name)
    slug = str(meta.get("slug") or slugify(path.stem, 80))
    if not is_slug(slug):
        raise ValidationError(gettext("%(name)s: the slug %(slug)s may only use lower-case letters, digits and hyphens.",
                                      name=path.name, slug=repr(slug)))
    return slug, meta, body


IMPORT_MESSAGE = "Imported from"


def import_policy_file(assembly, author, path):
    """Create or update one policy from a file. Returns 'created', 'updated', 'unchanged' or
    'kept' (its text was changed in the app since it was imported — an edit, an adopted
    amendment — or is frozen for voting, adopted or archived: the file never overwrites that)."""
    slug, meta, body = read_policy_file(path)
    policy = db.session.execute(db.select(Policy).filter_by(assembly_id=assembly.id, slug=slug)).scalar_one_or_none()
    tags = meta.get("tags") or []
    if policy is None:
        policy = create_policy(
            author, assembly, meta["title"], body, meta.get("summary", ""), tags, f"{IMPORT_MESSAGE} the library"
        )
        policy.slug = slug
        return "created"
    head = get_revision(policy, policy.head_number)
    if not (head.message or "").startswith(IMPORT_MESSAGE) or phases.is_text_frozen(policy) or is_text_settled(policy):
        return "kept"
    changed = False
    if (policy.title, policy.summary, policy.tags) != (meta["title"], meta.get("summary", ""), sorted(tags)):
        update_policy_details(author, policy, meta["title"], meta.get("summary", ""), tags)
        changed = True
    if head.body != body:
        save_revision(author, policy, body, policy.head_number, f"{IMPORT_MESSAGE} {Path(path).name}")
        changed = True
    return "updated" if changed else "unchanged"


def import_library(assembly, author, folder):
    """Import every *.md file of `folder`; returns {filename: outcome}."""
    return {path.name: import_policy_file(assembly, author, path) for path in sorted(Path(folder).glob("*.md"))}

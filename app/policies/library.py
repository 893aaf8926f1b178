"""The policy library on disk: Markdown files with YAML front matter (title, summary, tags)."""
from pathlib import Path

import frontmatter
import yaml

from ..core.errors import ValidationError
from ..core.slugs import slugify
from ..extensions import db
from .models import Policy
from .services import create_policy, get_revision, save_revision, update_policy_details


def read_policy_file(path):
    """(slug, metadata, body) of a library file; ValidationError when malformed."""
    path = Path(path)
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path.name}: cannot read front matter ({exc}).") from exc
    meta = dict(post.metadata)
    if not isinstance(meta.get("title"), str):
        raise ValidationError(f"{path.name}: front matter needs a title.")
    body = post.content if post.content.endswith("\n") else post.content + "\n"
    return meta.get("slug") or slugify(path.stem, 80), meta, body


def import_policy_file(assembly, author, path):
    """Create or update one policy from a file. Returns 'created', 'updated' or 'unchanged'."""
    slug, meta, body = read_policy_file(path)
    policy = db.session.execute(db.select(Policy).filter_by(assembly_id=assembly.id, slug=slug)).scalar_one_or_none()
    tags = meta.get("tags") or []
    if policy is None:
        policy = create_policy(author, assembly, meta["title"], body, meta.get("summary", ""), tags, "Imported from the library")
        policy.slug = slug
        return "created"
    changed = False
    if (policy.title, policy.summary, policy.tags) != (meta["title"], meta.get("summary", ""), sorted(tags)):
        update_policy_details(author, policy, meta["title"], meta.get("summary", ""), tags)
        changed = True
    if get_revision(policy, policy.head_number).body != body:
        save_revision(author, policy, body, policy.head_number, f"Imported from {Path(path).name}")
        changed = True
    return "updated" if changed else "unchanged"


def import_library(assembly, author, folder):
    """Import every *.md file of `folder`; returns {filename: outcome}."""
    return {path.name: import_policy_file(assembly, author, path) for path in sorted(Path(folder).glob("*.md"))}

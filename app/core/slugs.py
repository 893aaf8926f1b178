"""Slugs for URLs."""
import re
import unicodedata

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text, max_length=64):
    """ASCII, lower-case, hyphen-separated; '' when nothing usable is left."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def is_slug(text):
    """True for a well-formed slug."""
    return bool(text) and bool(SLUG_RE.match(text))

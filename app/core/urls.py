"""URL helpers."""
from urllib.parse import urlsplit


def safe_next(target):
    """A local path to return to after login, or None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target

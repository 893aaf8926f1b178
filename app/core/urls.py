"""URL helpers: the one place that builds absolute links (from PUBLIC_URL, never from the request)
and the one validator of `next` (where to go after a form), plus the host and proxy settings.
"""
import unicodedata
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

MAX_NEXT_LENGTH = 2000
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}  # control, format (bidi…), line and paragraph separators


def public_url(path="/"):
    """`path` (a local path, as url_for() returns) as an absolute link on PUBLIC_URL's site.

    Whatever `path` is, the result points at PUBLIC_URL's host: leading slashes and backslashes
    are folded into one '/', so no input can name another host.
    """
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return base + "/" + (path or "").lstrip("/\\")


def public_url_for(endpoint, **values):
    """url_for(endpoint, **values) as an absolute link on PUBLIC_URL (never url_for's external links,
    which take the request's host)."""
    return public_url(url_for(endpoint, **values))


def path_for(endpoint, _anchor=None, **values):
    """The local path of `endpoint` (url_for's), also outside a request (the command line, the
    worker, signals): the one builder of in-app links that services store or send."""
    if has_request_context():
        return url_for(endpoint, _anchor=_anchor, **values)
    root = current_app.config.get("APPLICATION_ROOT") or "/"
    path = current_app.url_map.bind("localhost", script_name=root).build(endpoint, values)
    return f"{path}#{_anchor}" if _anchor else path


def safe_next(target, default=None):
    """`target` when it is a local path safe to redirect to or link to, else `default`.

    Refused: anything not a string starting with one '/', '//' and '/\\' (browsers read both as
    another host), any backslash, control or invisible format character (CR, LF, tab, NUL, bidi
    marks…: browsers drop some, headers refuse others), a scheme or host, and values longer than
    MAX_NEXT_LENGTH characters.
    """
    if not isinstance(target, str) or not target or len(target) > MAX_NEXT_LENGTH:
        return default
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(unicodedata.category(char) in _UNSAFE_CATEGORIES for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def check_public_url(url):
    """PUBLIC_URL without a trailing '/'; RuntimeError (at startup) unless it is http(s)://host[:port]."""
    problem = "is missing" if not url else None
    parts = urlsplit(url or "")
    if not problem:
        try:
            parts.port  # noqa: B018 - validates the port
        except ValueError:
            problem = "has an invalid port"
    if not problem and (parts.scheme not in {"http", "https"} or not parts.hostname):
        problem = "must start with http:// or https:// and name a host"
    if not problem and (parts.path not in {"", "/"} or parts.query or parts.fragment or "@" in parts.netloc):
        problem = "must be only scheme and host (and port), with no path, query or user"
    if problem:
        raise RuntimeError(f"PUBLIC_URL {problem} (got {url!r}); for example https://commons.example.org")
    return f"{parts.scheme}://{parts.netloc}"


def trusted_hosts(config):
    """Flask's TRUSTED_HOSTS: PUBLIC_URL's host, the extra TRUSTED_HOSTS, and localhost and
    127.0.0.1 where LOCAL_HOSTS_TRUSTED (development and testing)."""
    hosts = [urlsplit(config["PUBLIC_URL"]).hostname]
    extra = config.get("TRUSTED_HOSTS") or []
    hosts += [host.strip() for host in (extra.split(",") if isinstance(extra, str) else extra) if host.strip()]
    if config.get("LOCAL_HOSTS_TRUSTED"):
        hosts += ["localhost", "127.0.0.1"]
    return list(dict.fromkeys(hosts))


def apply_proxy_count(app):
    """Behind PROXY_COUNT reverse proxies, believe their X-Forwarded-For/-Proto/-Host (ProxyFix).

    X-Forwarded-Host then replaces Host, and TRUSTED_HOSTS checks that value: a forged one is
    still refused. With 0 these headers are ignored, so a client cannot pick its address.
    """
    count = app.config.get("PROXY_COUNT") or 0
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise RuntimeError(f"PROXY_COUNT must be a whole number of proxies, 0 or more (got {count!r}).")
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def init_urls(app):
    """Check PUBLIC_URL, set TRUSTED_HOSTS, apply PROXY_COUNT; templates get public_url and safe_next."""
    app.config["PUBLIC_URL"] = check_public_url(app.config.get("PUBLIC_URL"))
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    apply_proxy_count(app)
    app.jinja_env.globals.update(public_url=public_url, safe_next=safe_next)

"""Security headers on every response, with a per-request CSP nonce; `no-store` on what is
personal; a request class whose JSON parsing cannot fail with a server error."""
import secrets

from flask import Request, g
from flask_babel import gettext
from werkzeug.exceptions import BadRequest


class SafeJsonRequest(Request):
    """JSON nested too deeply for the parser (RecursionError) is a 400 like any malformed JSON,
    wherever it is read (the API, and Flask-WTF forms posted as JSON)."""

    def get_json(self, force=False, silent=False, cache=True):
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            raise BadRequest(gettext("The JSON body is nested too deeply.")) from None


def csp_nonce():
    """The nonce of this request, created on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def without_nonce():
    """Render this request's page without a nonce (a page cached for every reader): its CSP
    then allows this origin's script and style files only."""
    g.csp_nonce = ""


def content_security_policy(nonce):
    """A strict CSP: own scripts and styles only, no inline script, no framing; a nonce lets the
    editor inject its styles."""
    nonce_source = f" 'nonce-{nonce}'" if nonce else ""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self'{nonce_source}",
            f"style-src 'self'{nonce_source}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS_HEADER = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
NO_STORE = ("Cache-Control", "no-store")
PRIVATE_PAGES = {"rounds.verify"}  # pages that anyone may open but that carry a secret (a receipt)


def is_personal():
    """True unless this is a static file or an anonymous page: answers of the API (tokens, /me,
    ballots), of account pages (reset links carry a token), of PRIVATE_PAGES, and every answer
    to a logged-in or bearer-authenticated user may hold what no browser or proxy cache may keep."""
    from flask import request
    from flask_login import current_user
    from sqlalchemy.exc import SQLAlchemyError

    endpoint = request.endpoint or ""
    if endpoint == "static":
        return False
    if request.path.startswith("/api/") or endpoint.startswith("accounts.") or endpoint in PRIVATE_PAGES:
        return True
    if "Authorization" in request.headers or g.get("user") is not None:
        return True
    try:
        return current_user.is_authenticated
    except SQLAlchemyError:  # the session's user could not be loaded (database down): assume personal
        return True


def set_security_headers(response):
    """Attach the headers a response has not set itself; HSTS only when configured (production);
    `Cache-Control: no-store` for personal answers that set no caching of their own (the reading
    cache's pages for readers who are not logged in keep theirs)."""
    from flask import current_app

    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    wanted = [("Content-Security-Policy", None), *FIXED_HEADERS]
    if current_app.config.get("HSTS"):
        wanted.append(HSTS_HEADER)
    if "cache-control" not in present and is_personal():
        wanted.append(NO_STORE)
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value if value is not None else content_security_policy(csp_nonce()))
    return response


def refuse_nul_characters():
    """Form fields and query arguments with NUL characters are refused (PostgreSQL cannot store them)."""
    from flask import request

    from .errors import ValidationError

    environ = request.environ  # read directly: a missing header costs an exception in werkzeug
    sources = [request.args] if environ.get("QUERY_STRING") else []
    if environ.get("CONTENT_LENGTH") or environ.get("CONTENT_TYPE") or environ.get("HTTP_TRANSFER_ENCODING"):
        sources.append(request.form)
    for source in sources:
        for name, value in source.items(multi=True):
            if "\x00" in value:
                raise ValidationError.field(name, gettext("The text contains a NUL character, which is not allowed."))


def init_security(app):
    """Register the header hook, the NUL guard and the JSON-safe request class; expose the nonce
    to templates."""
    app.request_class = SafeJsonRequest
    app.before_request(refuse_nul_characters)
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

"""Error handlers: the API's JSON envelope, and friendly HTML pages."""
from urllib.parse import urlsplit

from flask import Response, current_app, jsonify, render_template, request, url_for
from flask.globals import request_ctx
from flask_babel import gettext, lazy_gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.routing import BuildError, RoutingException
from werkzeug.sansio.utils import host_is_trusted

from .errors import AppError
from .urls import safe_next

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


#: werkzeug's default descriptions (English), said in the reader's language
WERKZEUG_WORDS = {
    400: lazy_gettext("The browser (or proxy) sent a request that this server could not understand."),
    401: lazy_gettext("The server could not verify that you are authorized to access the URL requested. You either "
                      "supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how "
                      "to supply the credentials required."),
    403: lazy_gettext("You don't have the permission to access the requested resource. It is either read-protected "
                      "or not readable by the server."),
    405: lazy_gettext("The method is not allowed for the requested URL."),
    409: lazy_gettext("A conflict happened while processing the request. The resource might have been modified "
                      "while the request was being processed."),
    415: lazy_gettext("The server does not support the media type transmitted in the request."),
    422: lazy_gettext("The request was well-formed but was unable to be followed due to semantic errors."),
    500: lazy_gettext("The server encountered an internal error and was unable to complete your request. Either "
                      "the server is overloaded or there is an error in the application."),
    503: lazy_gettext("The server is temporarily unable to service your request due to maintenance downtime or "
                      "capacity problems. Please try again later."),
}


def wants_json():
    """API paths always answer JSON."""
    return request.path.startswith("/api/")


# The nearest page above a URL, most specific first: (URL argument that must be there, endpoint,
# the arguments it takes, the link's words).
NEAREST_PAGES = (
    ("round_id", "rounds.show", ("slug", "policy_slug", "round_id"), lazy_gettext("Back to the round")),
    ("policy_slug", "policies.read", ("slug", "policy_slug"), lazy_gettext("Back to the policy")),
    ("slug", "assemblies.show", ("slug",), lazy_gettext("Back to the assembly")),
)


def referer_path():
    """The Referer as a local path (a host this site answers to, TRUSTED_HOSTS; through safe_next), or None."""
    referer = request.headers.get("Referer") or ""
    parts = urlsplit(referer)
    if not referer or not parts.hostname or not host_is_trusted(parts.netloc, current_app.config["TRUSTED_HOSTS"]):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next(path)


def nearest_page(path):
    """(path, words) of the round, policy or assembly page above `path` (never `path` itself), or None."""
    args = None
    for method in ("GET", "POST"):  # a POST-only route (a form's action) still names its policy
        try:
            _, args = request_ctx.url_adapter.match(path, method=method)
            break
        except (HTTPException, RoutingException):  # no such route, or a redirect to another URL
            continue
    if args is None:
        return None
    for needed, endpoint, names, words in NEAREST_PAGES:
        if needed in args:
            try:
                url = url_for(endpoint, **{name: args[name] for name in names})
            except BuildError:
                return None
            if url != path:
                return url, str(words)
    return None


def back_links():
    """Where an error page leads: the page the person came from (a validated Referer) and the
    nearest round, policy or assembly page of the URL, each once and never the failing URL itself
    for a GET; the start page only when there is nothing nearer."""
    here = request.full_path.rstrip("?") if request.method == "GET" else None
    links = []
    came_from = referer_path()
    if came_from and came_from != here:
        links.append((came_from, gettext("Back to the page you came from")))
    nearest = nearest_page(request.path)
    if nearest and all(nearest[0] != url for url, _ in links):
        links.append(nearest)
    if not links:
        links.append((url_for("core.home"), gettext("Go to the start page")))
    return links


def _respond(status, code, message, payload=None):
    if wants_json():
        body = payload or {"error": {"code": code, "message": message, "fields": {}}}
        return jsonify(body), status
    if request_ctx.url_adapter is None:  # the Host was refused (TRUSTED_HOSTS): no URLs to build a page
        return Response(message, mimetype="text/plain"), status
    return render_template("error.html", status=status, message=message, back_links=back_links()), status


def _size_limit_text(limit):
    """1048576 → '1 MB', 20480 → '20 KB'."""
    from .templating import format_number

    if limit >= 1024 * 1024:
        return gettext("%(number)s MB", number=format_number(round(limit / (1024 * 1024), 2)))
    return gettext("%(number)s KB", number=format_number(round(limit / 1024, 2)))


def handle_app_error(error):
    """Service errors keep their status, code and field messages (and Retry-After for 429)."""
    body, status = _respond(error.status, error.code, error.message, error.to_dict())
    retry = getattr(error, "retry_after", None)
    return body, status, ({"Retry-After": str(retry)} if retry else {})


def handle_http_error(error):
    """Werkzeug's errors (404, 405, 413, 429 …) in our envelope."""
    status = error.code or 500
    message = error.description or error.name
    default_words = error.description == type(error).description  # werkzeug's own (English) words
    if default_words and status in WERKZEUG_WORDS:
        message = str(WERKZEUG_WORDS[status])
    if status == 404 and default_words:
        message = gettext("There is nothing at this address, or it is not visible to you.")
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        message = gettext("What you sent is larger than this site accepts (the limit is %(limit)s).",
                          limit=_size_limit_text(limit))
    if status == 429:
        message = gettext("Too many requests; please wait a moment and try again.")
    if isinstance(error, SecurityError):
        message = gettext("This site does not answer to that host name.")
    return _respond(status, HTTP_CODES.get(status, "error"), message)


def handle_csrf_error(error):
    """A form without a valid CSRF token."""
    return _respond(400, "csrf", gettext("The form expired or was not sent from this site. Please retry."))


def init_error_handlers(app):
    """Register the handlers."""
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)

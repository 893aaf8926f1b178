"""Error handlers: the API's JSON envelope, and friendly HTML pages."""
from flask import Response, jsonify, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from .errors import AppError

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


def wants_json():
    """API paths always answer JSON."""
    return request.path.startswith("/api/")


def _respond(status, code, message, payload=None):
    if wants_json():
        body = payload or {"error": {"code": code, "message": message, "fields": {}}}
        return jsonify(body), status
    if request_ctx.url_adapter is None:  # the Host was refused (TRUSTED_HOSTS): no URLs to build a page
        return Response(message, mimetype="text/plain"), status
    return render_template("error.html", status=status, message=message), status


def handle_app_error(error):
    """Service errors keep their status, code and field messages (and Retry-After for 429)."""
    body, status = _respond(error.status, error.code, error.message, error.to_dict())
    retry = getattr(error, "retry_after", None)
    return body, status, ({"Retry-After": str(retry)} if retry else {})


def handle_http_error(error):
    """Werkzeug's errors (404, 405, 413, 429 …) in our envelope."""
    status = error.code or 500
    message = error.description or error.name
    if status == 413:
        message = "The request is too large (the limit is 1 MB)."
    if status == 429:
        message = "Too many requests; please wait a moment and try again."
    if isinstance(error, SecurityError):
        message = "This site does not answer to that host name."
    return _respond(status, HTTP_CODES.get(status, "error"), message)


def handle_csrf_error(error):
    """A form without a valid CSRF token."""
    return _respond(400, "csrf", "The form expired or was not sent from this site. Please retry.")


def init_error_handlers(app):
    """Register the handlers."""
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)

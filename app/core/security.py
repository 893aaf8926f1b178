"""Security headers on every response, with a per-request CSP nonce."""
import secrets

from flask import g


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


def set_security_headers(response):
    """Attach the headers; HSTS only when configured (production)."""
    from flask import current_app

    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    return response


def refuse_nul_characters():
    """Form fields and query arguments with NUL characters are refused (PostgreSQL cannot store them)."""
    from flask import request

    from .errors import ValidationError

    sources = (request.args, request.form) if request.content_length or request.content_type else (request.args,)
    for source in sources:
        for name, value in source.items(multi=True):
            if "\x00" in value:
                raise ValidationError.field(name, "The text contains a NUL character, which is not allowed.")


def init_security(app):
    """Register the header hook, the NUL guard, and expose the nonce to templates."""
    app.before_request(refuse_nul_characters)
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

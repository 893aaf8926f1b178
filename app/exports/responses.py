"""HTTP responses for exports, shared by the browser routes and the API."""
from io import BytesIO

from flask import request, send_file, url_for

from . import services

#: Query arguments of a PDF request that steer the waiting, not the PDF.
WAITING_ARGS = ("wait", "retry")


def markdown_response(text, filename):
    """A Markdown download (UTF-8)."""
    response = send_file(BytesIO(text.encode("utf-8")), mimetype="text/markdown", as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["Content-Type"] = services.MARKDOWN_MIMETYPE
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def is_poll():
    """True for a request that only asks whether a queued PDF is ready (?wait=1): it never starts
    a render, so the PDF rate limit leaves it out."""
    return request.args.get("wait") == "1"


def is_retry():
    """True for a request to queue again a PDF whose render failed (?retry=1)."""
    return request.args.get("retry") == "1"


def same_pdf_url(**extra):
    """This request's URL (path and PDF options) without the waiting arguments, plus `extra`."""
    args = {key: value for key, value in request.args.items() if key not in WAITING_ARGS}
    return url_for(request.endpoint, **request.view_args, **args, **extra)


def pdf_response(path, filename):
    """Serve the PDF file at `path` as a download named `filename`."""
    response = send_file(path, mimetype=services.PDF_MIMETYPE, as_attachment=True,
                         download_name=filename, conditional=True, etag=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def csv_response(text, filename):
    """A CSV download (UTF-8 with a byte-order mark, so that spreadsheets read accents right)."""
    response = send_file(BytesIO(("\ufeff" + text).encode("utf-8")), mimetype="text/csv", as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["Content-Type"] = services.CSV_MIMETYPE
    response.headers["Cache-Control"] = "private, no-cache"
    return response

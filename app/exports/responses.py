"""HTTP responses for exports, shared by the browser routes and the API."""
from io import BytesIO

from flask import send_file

from ..extensions import db
from . import services


def markdown_response(text, filename):
    """A Markdown download (UTF-8)."""
    response = send_file(BytesIO(text.encode("utf-8")), mimetype="text/markdown", as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["Content-Type"] = services.MARKDOWN_MIMETYPE
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def pdf_response(job):
    """Serve a prepared PDF (services.PdfJob), rendering it first if it is not cached yet.

    The read transaction ends before rendering, so a render that takes seconds holds no
    database connection (the job reads nothing more from the database).
    """
    db.session.close()
    path, _ = job.run()
    response = send_file(path, mimetype=services.PDF_MIMETYPE, as_attachment=True,
                         download_name=job.filename, conditional=True, etag=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def csv_response(text, filename):
    """A CSV download (UTF-8 with a byte-order mark, so that spreadsheets read accents right)."""
    response = send_file(BytesIO(("\ufeff" + text).encode("utf-8")), mimetype="text/csv", as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["Content-Type"] = services.CSV_MIMETYPE
    response.headers["Cache-Control"] = "private, no-cache"
    return response

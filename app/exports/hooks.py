"""The download buttons on the reading view (shown by app/policies/presenters.py), the
comparison link's URL."""
from flask import url_for
from flask_babel import gettext

from . import services


def download_actions(policy, revision):
    """'Download Markdown' and 'Download PDF' for the revision shown on the reading view.

    A PDF not rendered yet takes a few seconds: its label says so until it is cached. The PDF
    link has no `download` attribute (the response's Content-Disposition makes a PDF a download
    anyway): a PDF that cannot be made answers with a page, which a download link would hide.
    """
    args = {"slug": policy.assembly.slug, "policy_slug": policy.slug, "revision": revision.number}
    cached = services.pdf_is_cached(policy, revision)
    return [
        {"key": "export-md", "label": gettext("Download Markdown"), "url": url_for("exports.markdown", **args), "download": True},
        {
            "key": "export-pdf",
            "label": gettext("Download PDF") if cached else gettext("Download PDF (takes a few seconds)"),
            "url": url_for("exports.revision_pdf", **args),
            "download": False,
            "note": None if cached else str(services.PDF_NOTE),
        },
    ]


def comparison_pdf_url(policy, old, new):
    """The URL of the PDF comparing revisions `old` and `new` (for the diff page)."""
    return url_for("exports.comparison_pdf", slug=policy.assembly.slug, policy_slug=policy.slug,
                   **{"from": old, "to": new})

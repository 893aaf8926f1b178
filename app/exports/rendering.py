"""Where a PDF is typeset: at once in the request when it is small, by the worker otherwise.

:func:`pdf_state` answers what a request for a PDF gets now:

- ``ready``: the file is in the cache (served at once, as it always was), or it was small
  enough (EXPORT_PDF_INLINE_KB of typesetting) to be typeset in this request;
- ``queued`` / ``rendering``: the worker makes it (job ``exports.render_pdf``); the browser
  shows "Preparing your PDF…" and the API answers 202 with a Location to poll;
- ``failed``: the worker stopped on it (or none picked it up within EXPORT_PDF_JOB_TIMEOUT),
  which is not the document's fault: the reader may try again (``retry``);
- ``busy``: EXPORT_PDF_MAX_QUEUED PDFs are waiting for the worker already: nothing is queued,
  the reader is asked to try again in a minute (a flood of distinct large PDFs, say every
  option of every revision, cannot grow the worker's backlog without end);
- ``unknown``: a poll (``poll``) for a PDF that nobody asked for yet; polls never start work,
  so that they can be exempt from the PDF rate limit.

A PDF that cannot be made (over EXPORT_PDF_MAX_KB, or one WeasyPrint fails on) raises
ValidationError (422 export_too_large / export_failed) as before, from the cached failure.

Ten requests for one large PDF queue one render: the request that creates the pending marker
(PdfCache.claim, under a lock held for a file check) queues the job; the others find the marker.
Were a job queued twice anyway, the cache's render lock makes the second find the file.

The cache is a folder (EXPORT_CACHE_DIR, else <instance>/exports): web processes and workers
of one machine share it; several machines need it on shared storage (see pdf_cache).
"""
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext

from ..core.errors import ValidationError
from ..core.jobs import enqueue, job
from . import services

JOB_NAME = "exports.render_pdf"
BUSY_MESSAGE = lazy_gettext("The server is typesetting many other PDFs just now. Try again in a minute, or "
                            "download the Markdown export, which has the whole text.")
#: Seconds a reader is asked to wait when the queue is full.
BUSY_RETRY = 60
FAILED_MESSAGE = lazy_gettext("The server stopped before your PDF was ready (it may have been restarted or be "
                              "very busy). Try again, or download the Markdown export, which has the whole text.")
#: FAILED_MESSAGE for an API client, who asks again with retry=1.
FAILED_API_MESSAGE = lazy_gettext("The server stopped before your PDF was ready (it may have been restarted or be "
                                  "very busy). Try again, or download the Markdown export, which has the whole text. "
                                  "Ask again with retry=1.")


@dataclass(frozen=True)
class PdfState:
    """What a request for a PDF gets now: status (ready, queued, rendering, failed, unknown),
    the file when ready, and for a pending PDF the seconds since it was queued or started."""

    status: str
    path: Path | None = None
    age: float = 0.0

    @property
    def pending(self):
        """True while the worker has it (queued or rendering)."""
        return self.status in ("queued", "rendering")


def pdf_state(pdf_job, retry=False, poll=False):
    """The state of `pdf_job` (services.PdfJob) for this request, typesetting or queueing it if due.

    `retry`: queue again a PDF whose render failed or timed out. `poll`: only look (never
    typeset or queue). Raises ValidationError (422) for a PDF that cannot be made.
    """
    if pdf_job.path.is_file():
        return PdfState("ready", pdf_job.path)
    _raise_cached_failure(pdf_job)
    marker = pdf_job.cache.read_marker(pdf_job.path)
    if marker is not None and not retry:
        state, age = marker
        if state == "failed" or age > job_timeout():
            return PdfState("failed", age=age)
        return PdfState(state, age=age)
    if marker is None:
        if poll:
            return PdfState("unknown")
        if pdf_job.size() <= services.pdf_inline_bytes() or _too_large(pdf_job):
            return PdfState("ready", _run(pdf_job))
    return queue_pdf(pdf_job)


def queue_pdf(pdf_job):
    """Queue the render of `pdf_job` unless it is queued already (one job for many requests), or
    answer busy when EXPORT_PDF_MAX_QUEUED others are waiting."""
    marker = pdf_job.cache.read_marker(pdf_job.path)
    waiting = marker is not None and marker[0] != "failed" and marker[1] <= job_timeout()
    if not waiting and pdf_job.cache.pending_count(job_timeout()) >= max_queued():
        return PdfState("busy")
    if pdf_job.cache.claim(pdf_job.path, stale_after=job_timeout()):
        enqueue(JOB_NAME, *pdf_job.spec, pdf_job.cache.relative(pdf_job.path))
    return PdfState("queued")


def job_timeout():
    """EXPORT_PDF_JOB_TIMEOUT: seconds after which a pending PDF that has not moved is given up."""
    return int(current_app.config.get("EXPORT_PDF_JOB_TIMEOUT", services.DEFAULT_JOB_TIMEOUT))


def max_queued():
    """EXPORT_PDF_MAX_QUEUED: how many PDFs may wait for the worker at once."""
    return int(current_app.config.get("EXPORT_PDF_MAX_QUEUED", services.DEFAULT_MAX_QUEUED))


def _too_large(pdf_job):
    """True when the document is over EXPORT_PDF_MAX_KB (then _run records and raises the 422)."""
    return bool(pdf_job.max_bytes) and pdf_job.size() > pdf_job.max_bytes


def _run(pdf_job):
    path, _ = pdf_job.run()
    return path


def _raise_cached_failure(pdf_job):
    try:
        pdf_job.cache.raise_failure(pdf_job.path)
    except services.pdf.RenderError as error:
        raise ValidationError(services.failure_message(error), code=error.code) from None


@job(JOB_NAME)
def render_pdf(kind, policy_id, numbers, options, relative_path):
    """In the worker: typeset the PDF a request queued, into the shared cache, and clear its marker.

    A document that cannot be made has its failure cached (the next request answers 422); any
    other error marks the PDF failed (the reader may try again) and is logged.
    """
    cache = services.pdf_cache()
    queued = cache.resolve(relative_path)
    cache.mark(queued, "rendering")
    try:
        prepared = services.prepare_pdf(kind, policy_id, numbers, options)
        _warn_if_moved(cache, prepared.path, queued)
        prepared.run()
    except ValidationError:
        pass  # export_too_large or export_failed: cached beside the PDF by PdfCache.produce
    except Exception:  # noqa: BLE001 - the worker goes on; the reader is told and may try again
        current_app.logger.exception("the PDF %s could not be rendered", relative_path)
        cache.mark(queued, "failed")
        return
    cache.clear_marker(queued)


def _warn_if_moved(cache, prepared, queued):
    """Log when the worker makes another file than the one queued: what the PDF shows changed
    meanwhile (fine: the next request asks for the new one), or the worker's configuration
    (EXPORT_PDF_MAX_KB, the print templates) differs from the web's, which would queue it forever."""
    if prepared.resolve() != queued:
        current_app.logger.warning("the PDF %s was queued, %s is made: has the policy changed, or does the "
                                   "worker's configuration differ from the web's?", queued.name,
                                   prepared.name)

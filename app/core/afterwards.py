"""Work that runs once the response has been sent (``response.call_on_close``), so no answer
waits for it; outside requests (the CLI) it runs at once. It is not a queue: work lost with its
process is lost (mail gets a transactional outbox and a worker when the job queue lands)."""
from flask import current_app, g, has_request_context

PENDING = "_after_response"  # on g: callables to run once this request's response has gone out


def after_response(work):
    """Run `work()` after this request's response has been sent; at once outside a request."""
    if has_request_context():
        g.setdefault(PENDING, []).append(work)
    else:
        work()


def _attach(response):
    works = g.pop(PENDING, None)
    if works:
        app = current_app._get_current_object()
        response.call_on_close(lambda: _run_in(app, works))
    return response


def _run_in(app, works):
    """Run `works` in an app context of their own (the request's contexts are gone by then)."""
    with app.app_context():
        for work in works:
            try:
                work()
            except Exception:  # noqa: BLE001 - the answer is already sent: log, never break the server
                app.logger.exception("work after the response failed")


def _run_leftovers(error=None):
    """Work queued after the response was built (rare: a commit in a teardown) runs now."""
    works = g.pop(PENDING, None)
    if works:
        _run_in(current_app._get_current_object(), works)


def init_after_response(app):
    """Hook the response's close (idempotent). The test client closes its responses like a
    server, so this work has run before a test looks."""
    if _attach not in app.after_request_funcs.get(None, []):
        from .testing import ClosingClient

        app.test_client_class = ClosingClient
        app.after_request(_attach)
        app.teardown_request(_run_leftovers)

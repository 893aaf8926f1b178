"""The test client the app hands out (app.test_client()): it reads each response whole and then
closes it, as every WSGI server does, so work run on close (mail sent after the response,
app.core.mail) happens before the test looks. Pass buffered=False to see a response before
its close, as tests of that ordering do."""
from flask.testing import FlaskClient


class ClosingClient(FlaskClient):
    """FlaskClient whose requests default to buffered=True (body read, then close() called)."""

    def open(self, *args, buffered=True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


class RecordingTransport:
    """Stands in for the mail server in tests: each message handed to `record(message)`."""

    def __init__(self, record):
        self.record = record

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send(self, message):
        """Record `message` as sent."""
        self.record(message)

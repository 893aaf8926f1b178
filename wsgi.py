"""WSGI entry point: `gunicorn wsgi:app` (production reads COMMONWRIGHT_ENV, default production)."""
import os

from app import create_app

app = create_app(os.environ.get("COMMONWRIGHT_ENV", "development"))

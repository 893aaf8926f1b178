"""Configuration classes: development (default), testing and production.

Values come from the environment; production refuses to start without a real
SECRET_KEY, DATABASE_URL and PUBLIC_URL.

Deployment settings (see README, "Deployment"):
- PUBLIC_URL: the site's address (http(s)://host[:port], no path); every absolute link the app
  writes (e-mails, exports) is built from it, never from the request's Host header.
- TRUSTED_HOSTS: comma-separated extra host names the app answers to; requests naming another
  host get 400. PUBLIC_URL's host is always trusted (and localhost/127.0.0.1 outside production).
- PROXY_COUNT: how many reverse proxies (e.g. one nginx or Caddy doing TLS) stand in front of
  the app; their X-Forwarded-For/-Proto/-Host headers are then believed (Werkzeug's ProxyFix),
  so rate limits key on the real client. 0 (the default) ignores those headers.
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name):
    """A comma-separated environment variable as a list of non-empty, trimmed items."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _int(name, default):
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}.") from None


LOCAL_URL = "http://127.0.0.1:5000"


def _database_url(default):
    url = os.environ.get("DATABASE_URL", default)
    if url and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(None)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 1024 * 1024  # 1 MB request bodies
    MAX_BODY_BYTES = 1024 * 1024
    MAX_COMMENT_BYTES = 20 * 1024
    MAX_REPLACEMENT_BYTES = 100 * 1024
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # memory per process for rendered reading views (whole pages for readers who are not logged
    # in, the policy text with its line gutter for members); 0 turns the cache off
    READING_CACHE_MB = float(os.environ.get("READING_CACHE_MB", "32"))
    API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "30"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_FROM = os.environ.get("MAIL_FROM", "commonwright@localhost")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 30)  # seconds the worker waits for the mail server
    MAIL_CLAIM_TIMEOUT = _int("MAIL_CLAIM_TIMEOUT", 600)  # seconds before a dead worker's mail is sent again
    # jobs run at once inside the process that queues them (tests; never in production)
    JOBS_IMMEDIATE = _bool("JOBS_IMMEDIATE", False)
    QUEUE_FILE = os.environ.get("QUEUE_FILE")  # the queue's SQLite file without Redis (default: beside the database)
    HSTS = False
    TESTING = False
    PUBLIC_URL = os.environ.get("PUBLIC_URL")
    # extra host names beyond PUBLIC_URL's (create_app turns this into Flask's full list)
    TRUSTED_HOSTS = _list("TRUSTED_HOSTS")
    PROXY_COUNT = _int("PROXY_COUNT", 0)
    LOCAL_HOSTS_TRUSTED = False  # localhost and 127.0.0.1 accepted as hosts (not in production)
    # typesetting (KB of HTML, table cells weighted) of one PDF: at most INLINE in the request
    # (about a second), larger ones by the worker, at most MAX (0: no limit); see app/exports
    EXPORT_PDF_INLINE_KB = _int("EXPORT_PDF_INLINE_KB", 48)
    EXPORT_PDF_MAX_KB = _int("EXPORT_PDF_MAX_KB", 2048)
    EXPORT_PDF_JOB_TIMEOUT = _int("EXPORT_PDF_JOB_TIMEOUT", 600)  # seconds before a stuck render is given up
    EXPORT_PDF_MAX_QUEUED = _int("EXPORT_PDF_MAX_QUEUED", 20)  # PDFs waiting for the worker at once


class DevelopmentConfig(Config):
    """Local use: SQLite in the instance folder, a per-process random key if none is set."""

    SECRET_KEY = os.environ.get("SECRET_KEY")  # else a key kept in the instance folder
    SQLALCHEMY_DATABASE_URI = _database_url(None)  # filled by create_app with the instance path
    PUBLIC_URL = os.environ.get("PUBLIC_URL") or LOCAL_URL
    LOCAL_HOSTS_TRUSTED = True


class TestingConfig(Config):
    """The test suite: DATABASE_URL decides SQLite or PostgreSQL; rate limits off by default."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    SQLALCHEMY_DATABASE_URI = _database_url(None)
    JOBS_IMMEDIATE = True  # tests that need a real worker start one (tests/jobs)
    ARGON2_PARAMS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}  # fast, for tests only
    PUBLIC_URL = LOCAL_URL  # fixed, whatever the environment says: tests pass PUBLIC_URL=… to create_app
    TRUSTED_HOSTS = []
    PROXY_COUNT = 0
    LOCAL_HOSTS_TRUSTED = True  # the test client's host is 'localhost'


class ProductionConfig(Config):
    """Production: secure cookies, HSTS; SECRET_KEY, DATABASE_URL and PUBLIC_URL are mandatory."""

    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_SECURE = True
    HSTS = True

    @classmethod
    def check(cls, overrides=None):
        """Refuse to run with missing or placeholder secrets, or without PUBLIC_URL (in the
        environment, or among create_app's overrides)."""
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                "Production needs " + " and ".join(missing) + " in the environment."
            )
        if len(os.environ["SECRET_KEY"]) < 32:
            raise RuntimeError("SECRET_KEY must be at least 32 characters in production.")
        if not (os.environ.get("PUBLIC_URL") or (overrides or {}).get("PUBLIC_URL")):
            raise RuntimeError(
                "Production needs PUBLIC_URL in the environment: the site's address, from which every "
                "link in e-mails is built (for example https://commons.example.org)."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

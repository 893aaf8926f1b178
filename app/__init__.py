"""Commonwright: co-write, amend and decide policy drafts. create_app() only assembles."""
import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from config import CONFIGS


def create_app(env=None, **overrides):
    """Build the application for `env` ('development', 'testing', 'production')."""
    env = env or os.environ.get("COMMONWRIGHT_ENV", "development")
    config = CONFIGS[env]
    if env == "production":
        config.check(overrides)
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = _DatabaseInt  # before any route: huge ids are 404s, not overflows
    app.config.from_object(config)
    app.config.update(overrides)
    register_urls(app)
    _default_database(app)
    _engine_options(app)
    _development_secret(app, env)
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_security(app)
    register_cli(app)
    register_templates(app)
    register_domains(app)
    register_jobs(app)
    return app


class _DatabaseInt(IntegerConverter):
    """<int:…> limited to the database integer range (2**31 - 1), so a huge id in a URL does not
    reach the database (SQLite and PostgreSQL would raise an overflow error: a 500)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - Werkzeug's signature
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


DOMAINS = ("accounts", "assemblies", "policies", "comments", "amendments", "rounds", "exports", "search")


def _development_secret(app, env):
    """Development keeps a random key in the instance folder so sessions survive restarts."""
    if env != "development" or os.environ.get("SECRET_KEY"):
        return
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    app.config["SECRET_KEY"] = path.read_text().strip()


def _engine_options(app):
    """A local SQLite file cannot drop a connection: no liveness ping before each use (it costs a
    statement per request); server databases keep the ping."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}


def _default_database(app):
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        path = Path(app.instance_path) / "commonwright.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"


def register_urls(app):
    """PUBLIC_URL checked, TRUSTED_HOSTS set from it, ProxyFix applied when PROXY_COUNT > 0."""
    from .core.urls import init_urls

    init_urls(app)


def register_extensions(app):
    """Bind db, migrations, login, CSRF and rate limits."""
    from . import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)
    from .accounts.auth import init_login
    from .assemblies.services import assembly_defaults_by_slug
    from .core.i18n import init_i18n
    from .extensions import csrf, db, limiter, migrate

    db.init_app(app)
    # the project's migrations wherever flask is run from (Flask-Migrate defaults to ./migrations)
    migrations = Path(app.root_path).parent / "migrations"
    migrate.init_app(app, db, directory=str(migrations), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app)
    init_i18n(app, assembly_defaults_by_slug)


def register_blueprints(app):
    """Mount the browser pages and the JSON API."""
    from importlib import import_module

    from .api import BLUEPRINTS as api_blueprints
    from .api import bp as api_bp
    from .extensions import csrf

    for domain in ("core",) + DOMAINS:
        app.register_blueprint(import_module(f".{domain}.views", __name__).bp)
    for blueprint in (api_bp, *api_blueprints):  # Flask-WTF checks the request's own (nested) blueprint
        csrf.exempt(blueprint)
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def register_errors(app):
    """JSON errors under /api, friendly pages elsewhere."""
    from .core.handlers import init_error_handlers

    init_error_handlers(app)


def register_security(app):
    """Security headers with a per-request CSP nonce."""
    from .core.security import init_security

    init_security(app)


def register_cli(app):
    """flask policies …, flask demo, flask rounds tick …"""
    from .cli import init_cli
    from .core.backup import init_cli as init_backup_cli

    init_cli(app)
    init_backup_cli(app)


def register_templates(app):
    """Template filters and globals; every page's unread-notification count."""
    from flask_login import current_user

    from .accounts.services import unread_count
    from .core.templating import init_templating, language_context

    init_templating(app)

    @app.context_processor
    def inject_user_context():
        count = unread_count(current_user) if current_user.is_authenticated else 0
        return {"unread_notifications": count}

    @app.context_processor
    def inject_language():
        return language_context()


def register_domains(app):
    """Let each domain connect its signal handlers and template hooks (its init_app)."""
    from importlib import import_module

    for domain in DOMAINS:
        init = getattr(import_module(f".{domain}", __name__), "init_app", None)
        if init is not None:
            init(app)


# modules whose jobs (app.core.jobs.job / periodic) must be known before each app's Huey is made
JOB_MODULES = (".core.mail", ".accounts.digests", ".rounds.schedule", ".exports.rendering", ".search.maintenance")


def register_jobs(app):
    """Give the app its job queue (Huey) with every domain's jobs, and the mail outbox's hooks."""
    from importlib import import_module

    from .core.jobs import init_jobs
    from .core.mail import init_mail

    for module in JOB_MODULES:
        import_module(module, __name__)
    init_jobs(app)
    init_mail(app)

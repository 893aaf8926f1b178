"""Commonwright: co-write, amend and decide policy drafts. create_app() only assembles."""
import os
from pathlib import Path

from flask import Flask

from config import CONFIGS


def create_app(env=None, **overrides):
    """Build the application for `env` ('development', 'testing', 'production')."""
    env = env or os.environ.get("COMMONWRIGHT_ENV", "development")
    config = CONFIGS[env]
    if env == "production":
        config.check()
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config)
    app.config.update(overrides)
    _default_database(app)
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_security(app)
    register_cli(app)
    register_templates(app)
    return app


def _default_database(app):
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        path = Path(app.instance_path) / "commonwright.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"


def register_extensions(app):
    """Bind db, migrations, login, CSRF and rate limits."""
    from . import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)
    from .accounts.auth import init_login
    from .extensions import csrf, db, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app)


def register_blueprints(app):
    """Mount the browser pages and the JSON API."""
    from .accounts.views import bp as accounts_bp
    from .api import bp as api_bp
    from .assemblies.views import bp as assemblies_bp
    from .core.views import bp as core_bp
    from .extensions import csrf
    from .policies.views import bp as policies_bp

    for blueprint in (core_bp, accounts_bp, assemblies_bp, policies_bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)
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

    init_cli(app)


def register_templates(app):
    """Template filters and globals."""
    from .core.templating import init_templating

    init_templating(app)

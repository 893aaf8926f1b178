"""Health, security headers, OpenAPI coverage, migrations and the seed library."""
import re
from pathlib import Path

import frontmatter
import pytest
from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parent.parent


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_database_failure(app, monkeypatch):
    from app.extensions import db

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    client = app.test_client()
    with app.app_context():
        monkeypatch.setattr(db.session, "execute", broken)
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_inline_scripts_or_handlers_in_pages(client):
    html = client.get("/login").text + client.get("/register").text
    # only scripts from files, and JSON data blocks (never run: the page's translations)
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "style=" not in html


def test_openapi_describes_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, f"{method} {path} is not in openapi.json"


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_wrong_method_is_json_405(client):
    response = client.delete("/api/v1/users")
    assert response.status_code == 405 and response.json["error"]["code"] == "method_not_allowed"


@pytest.mark.no_db
def test_production_refuses_missing_secrets(monkeypatch):
    from app import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="32 characters"):
        create_app("production")


def test_production_cookies_are_hardened(monkeypatch):
    from app import create_app

    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://", PUBLIC_URL="https://localhost")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    response = app.test_client().get("/login")
    assert "max-age" in response.headers["Strict-Transport-Security"]


@pytest.mark.no_db
def test_migrations_match_models(app, tmp_path):
    """`flask db upgrade` on an empty database builds exactly the models' schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.search.models import include_schema_name

    url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with fresh.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        engine = create_engine(url)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": include_schema_name})
            diff = compare_metadata(context, db.metadata)
        engine.dispose()
    assert diff == []


SEEDS = sorted((ROOT / "policies").glob("*.md"))


@pytest.mark.no_db
def test_seed_library_is_complete():
    assert len(SEEDS) >= 6
    for path in SEEDS:
        post = frontmatter.load(path)
        assert {"title", "summary", "tags"} <= set(post.metadata), path.name
        assert len(post.content.splitlines()) >= 60, path.name


def test_demo_and_import_are_idempotent(app):
    from app.extensions import db
    from app.policies.models import Policy, Revision

    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "6 created" in first.output or f"{len(SEEDS)} created" in first.output
    again = runner.invoke(args=["policies", "import"])
    assert again.exit_code == 0 and "created" not in again.output.replace("0 created", "")
    with app.app_context():
        assert db.session.query(Policy).count() == len(SEEDS)
        assert db.session.query(Revision).count() == len(SEEDS) + 1  # the closed demo round merged its amendments


def test_nul_characters_are_refused_not_500(api, make_user, make_assembly, login):
    user = make_user()
    assembly = make_assembly(admin=user)
    response = api(user).post(f"/api/v1/assemblies/{assembly.slug}/policies", json={"title": "T", "body": "a\x00b"})
    assert response.status_code == 422 and "body" in response.json["error"]["fields"]
    page = login(user).post(f"/a/{assembly.slug}/new", data={"title": "T\x00", "body": "x"})
    assert page.status_code == 422


def test_import_never_overwrites_a_text_changed_in_the_app(app, tmp_path, make_user, make_assembly):
    from app.accounts.models import User
    from app.assemblies.models import Assembly
    from app.extensions import db
    from app.policies.library import import_policy_file
    from app.policies.models import Policy
    from app.policies.services import save_revision

    ada = make_user()
    assembly = make_assembly(admin=ada)
    path = tmp_path / "pact.md"
    path.write_text("---\ntitle: Pact\n---\nFirst line.\n")
    with app.app_context():
        where, who = db.session.get(Assembly, assembly.id), db.session.get(User, ada.id)
        assert import_policy_file(where, who, path) == "created"
        path.write_text("---\ntitle: Pact\n---\nFirst line, revised in the library.\n")
        assert import_policy_file(where, who, path) == "updated"
        policy = db.session.execute(db.select(Policy)).scalar_one()
        save_revision(who, policy, "First line, edited by the assembly.\n", policy.head_number, "Our wording")
        path.write_text("---\ntitle: Pact\n---\nFirst line, revised again.\n")
        assert import_policy_file(where, who, path) == "kept"
        assert policy.head.body == "First line, edited by the assembly.\n"

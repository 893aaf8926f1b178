"""Shared fixtures. Every fixture that makes data is a callable: make_user(), make_assembly() …

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL (or DATABASE_URL)
names a PostgreSQL database (one database per pytest-xdist worker). The schema is created once per
session; every test starts from empty tables. Test clients never run inside an outer app context
(it would share `g` and the session between requests), so factories open their own context and
return plain values.
"""
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

PASSWORD = "correct horse battery staple"


def _database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and url.startswith(("postgres://", "postgresql")):
        return _worker_database(url, worker)
    return url


def _worker_database(url, worker):
    """Under pytest-xdist every worker gets a PostgreSQL database of its own, `<name>_<worker>`
    (two workers emptying the same tables would clash), made afresh through the server's
    `postgres` database (or DATABASE_ADMIN_URL) as scripts/pg_create_db.py does."""
    import importlib.util

    from sqlalchemy.engine import make_url

    spec = importlib.util.spec_from_file_location("pg_create_db", ROOT / "scripts" / "pg_create_db.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = os.environ.get("DATABASE_ADMIN_URL") or parsed.set(drivername="postgresql", database="postgres")
    if not isinstance(admin, str):
        admin = admin.render_as_string(hide_password=False)
    if module.main(admin, name) != 0:
        pytest.exit(f"cannot create the worker database {name} through {make_url(admin)!r}", returncode=1)
    return parsed.set(database=name).render_as_string(hide_password=False)


def is_postgres(app):
    """True when the suite runs on PostgreSQL."""
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from config import _database_url as normalise

    application = create_app("testing", SQLALCHEMY_DATABASE_URI=normalise(_database_url(tmp_path_factory)))
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def restart_ids(app):
    """The statement that makes PostgreSQL's id sequences start again at 1 (None on SQLite, which
    numbers rows from the largest id left, so from 1 in empty tables)."""
    if not is_postgres(app):
        return None
    with app.app_context():
        sequences = [db.session.execute(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                        {"table": f'"{table.name}"', "column": column.name}).scalar()
                     for table in db.metadata.sorted_tables for column in table.primary_key.columns]
        db.session.rollback()
    sequences = [name for name in sequences if name]
    return text("SELECT " + ", ".join(f"setval('{name}', 1, false)" for name in sequences)) if sequences else None


@pytest.fixture(autouse=True)
def clean_tables(request, app, restart_ids):
    """Empty every table before each test and restart the ids (real commits happen, so no
    rollback trick). DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of every table costs about
    0.4 s (it makes new files for each), the DELETEs and one setval() about 0.02 s."""
    if "no_db" in request.keywords:
        yield
        return
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        if restart_ids is not None:
            db.session.execute(restart_ids)
        db.session.commit()
    yield


@pytest.fixture(autouse=True)
def isolate_limiter():
    """Flask-Limiter keeps its settings on one global object, so a test that builds an app with
    rate limits on would switch them on for every later test: restore it after each test."""
    from app.extensions import limiter

    saved = dict(limiter.__dict__)
    yield
    limiter.__dict__.clear()
    limiter.__dict__.update(saved)


@pytest.fixture
def statements(app):
    """statements(func) → (func's result, the SQL statements it ran, in order)."""
    from sqlalchemy import event

    def run(func):
        seen = []

        def record(conn, cursor, statement, *args):
            seen.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            return func(), seen
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return run


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def in_app(app):
    """Run a function inside an app context and commit: in_app(lambda: ...)."""

    def run(func, *args, **kwargs):
        with app.app_context():
            result = func(*args, **kwargs)
            db.session.commit()
            return result

    return run


@pytest.fixture
def make_user(app):
    """make_user(name=…, email=…) → namespace with id, email, name, password."""
    from app.accounts.services import register_user

    counter = {"n": 0}

    def make(name=None, email=None, password=PASSWORD):
        counter["n"] += 1
        n = counter["n"]
        with app.app_context():
            user = register_user(email or f"user{n}@example.org", name or f"User {n}", password)
            db.session.commit()
            return SimpleNamespace(id=user.id, email=user.email, name=user.name, password=password)

    return make


@pytest.fixture
def make_assembly(app, make_user):
    """make_assembly(admin=None, members=[(user, role)], public=False) → namespace (slug, id, admin)."""
    from app.assemblies.services import add_member, create_assembly
    from app.accounts.models import User

    counter = {"n": 0}

    def make(admin=None, members=(), public=False, name=None):
        counter["n"] += 1
        admin = admin or make_user(name=f"Admin {counter['n']}")
        with app.app_context():
            admin_user = db.session.get(User, admin.id)
            assembly = create_assembly(admin_user, name or f"Assembly {counter['n']}", is_public=public)
            for user, role in members:
                add_member(admin_user, assembly, user.email, role)
            db.session.commit()
            return SimpleNamespace(id=assembly.id, slug=assembly.slug, admin=admin)

    return make


SAMPLE_BODY = "# Sample policy\n\nThe city supports commons.\nIt funds a Commons Office.\nIt reviews the pact yearly.\n"


@pytest.fixture
def make_policy(app):
    """make_policy(assembly, author, title=…, body=…) → namespace (id, slug, assembly_slug)."""
    from app.accounts.models import User
    from app.assemblies.models import Assembly
    from app.policies.services import create_policy

    def make(assembly, author, title="Commons pact", body=SAMPLE_BODY, tags=("commons",), summary="A pact."):
        with app.app_context():
            policy = create_policy(
                db.session.get(User, author.id), db.session.get(Assembly, assembly.id), title, body, summary, list(tags)
            )
            db.session.commit()
            return SimpleNamespace(id=policy.id, slug=policy.slug, assembly_slug=assembly.slug)

    return make


class ApiClient:
    """A test client that sends JSON with a bearer token."""

    def __init__(self, client, token=None):
        self.client, self.token = client, token

    def _headers(self, headers=None):
        out = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        out.update(headers or {})
        return out

    def request(self, method, path, json=None, headers=None, **kwargs):
        return self.client.open(path, method=method, json=json, headers=self._headers(headers), **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.request("PUT", path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.request("PATCH", path, json=json, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def api(app, client):
    """api(user=None) → ApiClient authenticated as `user` (a token made directly)."""
    from app.accounts.models import User
    from app.accounts.services import create_token

    def make(user=None):
        if user is None:
            return ApiClient(client)
        with app.app_context():
            raw, _ = create_token(db.session.get(User, user.id))
            db.session.commit()
        return ApiClient(app.test_client(), raw)

    return make


@pytest.fixture
def login(app):
    """login(user) → a browser test client with a logged-in session."""

    def make(user):
        browser = app.test_client()
        response = browser.post("/login", data={"email": user.email, "password": user.password})
        assert response.status_code == 302, response.text
        return browser

    return make

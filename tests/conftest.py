"""Shared fixtures. Every fixture that makes data is a callable: make_user(), make_assembly() …

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL (or DATABASE_URL)
names a PostgreSQL database (one database per pytest-xdist worker). The schema is created once per
session; every test starts from empty tables. Test clients never run inside an outer app context
(it would share `g` and the session between requests), so factories open their own context and
return plain values.
"""
import itertools
import os
import re
import sys
from datetime import timedelta
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


class SentMail(list):
    """(to, subject, text) of each message the worker sent; `.messages` the e-mails themselves."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def record(self, message):
        self.messages.append(message)
        self.append((message["To"], message["Subject"], message.get_content()))


@pytest.fixture
def outbox(monkeypatch):
    """Mail the worker sent (jobs run at once in tests), as a SentMail list."""
    from app.core import mail
    from app.core.testing import RecordingTransport

    sent = SentMail()
    monkeypatch.setattr(mail, "open_transport", lambda: RecordingTransport(sent.record))
    return sent


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


@pytest.fixture(scope="session")
def password_hash(app):
    """One hash of PASSWORD, made once: build_world inserts its users with it instead of hashing each."""
    from app.accounts.services import _hasher

    with app.app_context():
        return _hasher().hash(PASSWORD)


WORLD_NAMES = {"admin": "Ada Admin", "author": "Ada Author", "facilitator": "Fay Facilitator", "member": "Mia Member",
               "other": "Otto Other", "outsider": "Olga Outsider", "late": "Late Joiner"}
WORLD_ROLES = {"admin": "admin", "facilitator": "facilitator", "outsider": None, "late": "late"}


class World(SimpleNamespace):
    """What build_world made: one namespace (id, email, name, password) per person as an attribute
    (world.admin, world.member …) and in world.users; world.assembly (id, slug, admin);
    world.policy (id, slug, assembly_slug) or None; world.round (id) or None; world.amendment_ids;
    world.voters (the voters' keys in world.users); world.tokens and world.api(key) when built
    with tokens=True. round_id, policy_id, policy_slug, assembly_id and assembly_slug are shortcuts."""

    round_id = property(lambda self: self.round.id)
    policy_id = property(lambda self: self.policy.id)
    policy_slug = property(lambda self: self.policy.slug)
    assembly_id = property(lambda self: self.assembly.id)
    assembly_slug = property(lambda self: self.assembly.slug)


@pytest.fixture
def build_world(app, password_hash):
    """build_world(members=("admin", "member"), *, names=None, roles=None, public=False,
    assembly_name="Commons Assembly", policy=True, author="member", body=SAMPLE_BODY, round=None,
    rules=None, amendments=(), voters=0, tokens=False) → World.

    Makes, in one app context, through the services except for users and memberships (inserted
    directly, the users with one precomputed password hash, so building is fast):
    - one user per key of `members`, in that order, named by `names`, WORLD_NAMES or the key
      ("member0" → "Member 0"), e-mail `<key>@example.org` (`<key>.<n>@…` in the n-th world of a test);
    - an assembly (public or not) made by "admin" (added last when `members` lacks it), where each
      other person has the role `roles` or WORLD_ROLES gives, else "member"; None means no
      membership, "late" a member who joins after the amendments were proposed;
    - `voters` more members ("voter0" …, named "Voter 000" …);
    - unless policy=False, a policy "Commons pact" by `author` with `body` (a dict for `policy`
      overrides create_policy's title, summary and tags);
    - with round="amending" (or "deliberating", "voting", "closed", "cancelled"), a round opened by
      the facilitator (or admin) with the create_round options in `rules`, the `amendments`
      [(start, end, replacement)] proposed in turn by the members with role "member" (by the admin
      when there are none), then the round moved on to that phase;
    - with tokens=True, an API token per person and voter.
    """
    worlds = itertools.count(1)

    def build(members=("admin", "member"), *, names=None, roles=None, public=False,
              assembly_name="Commons Assembly", policy=True, author="member", body=SAMPLE_BODY, round=None,
              rules=None, amendments=(), voters=0, tokens=False):
        number = next(worlds)
        keys = list(members) + ([] if "admin" in members else ["admin"])
        roles = {key: (roles or {}).get(key, WORLD_ROLES.get(key, "member")) for key in keys}
        roles.update({f"voter{i}": "member" for i in range(voters)})
        with app.app_context():
            people = _add_world_people(keys, names or {}, voters, "" if number == 1 else f".{number}", password_hash)
            persons = {key: _person(user) for key, user in people.items()}
            world = World(**persons, users=persons, body=body, voters=[f"voter{i}" for i in range(voters)],
                          policy=None, round=None, amendment_ids=[], tokens={})
            name = assembly_name if number == 1 else f"{assembly_name} {number}"
            assembly = _add_world_assembly(world, people, roles, public, name)
            if policy is not False:
                policy_row = _add_world_policy(people[author], assembly, body, policy if isinstance(policy, dict) else {})
                world.policy = SimpleNamespace(id=policy_row.id, slug=policy_row.slug, assembly_slug=assembly.slug)
                if round is not None:
                    _add_world_round(world, people, roles, assembly, policy_row, round, rules or {}, amendments)
            _add_late_members(assembly, people, roles)
            if tokens:
                world.tokens = _add_world_tokens(people)
            db.session.commit()
        world.api = lambda key: ApiClient(app.test_client(), world.tokens[key])
        return world

    return build


def _person(user):
    """What tests see of a user: a namespace (id, email, name, password)."""
    return SimpleNamespace(id=user.id, email=user.email, name=user.name, password=PASSWORD)


def _add_world_people(keys, names, voters, suffix, password_hash):
    """The world's User rows by key: the people, then the voters."""
    from app.accounts.models import User

    named = {key: names.get(key) or WORLD_NAMES.get(key) or re.sub(r"(\D)(\d)", r"\1 \2", key).title() for key in keys}
    named.update({f"voter{i}": f"Voter {i:03d}" for i in range(voters)})
    people = {key: User(email=f"{key}{suffix}@example.org", name=name, password_hash=password_hash)
              for key, name in named.items()}
    for user in people.values():  # one at a time, so ids follow the order of the keys
        db.session.add(user)
        db.session.flush()
    return people


def _add_world_assembly(world, people, roles, public, name):
    """The assembly, made by the admin, with every person whose role is a membership role."""
    from app.assemblies.models import Membership
    from app.assemblies.services import create_assembly

    assembly = create_assembly(people["admin"], name, is_public=public)
    for key, role in roles.items():
        if role in ("member", "facilitator"):
            db.session.add(Membership(assembly_id=assembly.id, user_id=people[key].id, role=role))
    db.session.flush()
    db.session.refresh(assembly)
    world.assembly = SimpleNamespace(id=assembly.id, slug=assembly.slug, admin=world.admin)
    return assembly


def _add_world_policy(author, assembly, body, fields):
    """The policy "Commons pact" (or fields' title, summary, tags) with `body`."""
    from app.policies.services import create_policy

    fields = {"title": "Commons pact", "summary": "A pact.", "tags": ("commons",), **fields}
    tags = None if fields["tags"] is None else list(fields["tags"])
    return create_policy(author, assembly, fields["title"], body, fields["summary"], tags)


def _add_world_round(world, people, roles, assembly, policy, phase, rules, amendments):
    """A round on the policy with the amendments proposed, then moved on to `phase`."""
    from app.amendments.services import propose_amendment
    from app.core.timeutil import utcnow
    from app.rounds import phases, services

    opener = people["facilitator" if "facilitator" in people else "admin"]
    now = utcnow()
    round_ = services.create_round(opener, policy, now + timedelta(days=1), now + timedelta(days=2),
                                   now + timedelta(days=3), **rules)
    authors = [people[key] for key in people if roles[key] == "member" and not key.startswith("voter")]
    for index, (start, end, replacement) in enumerate(amendments):
        author = authors[index % len(authors)] if authors else people["admin"]
        amendment = propose_amendment(author, policy, policy.head_number, start, end, replacement, f"Reason {index}.")
        world.amendment_ids.append(amendment.id)
    _add_late_members(assembly, people, roles)
    steps = {"amending": [], "deliberating": ["advance"], "voting": ["advance"] * 2,
             "closed": ["advance"] * 3, "cancelled": ["cancel"]}[phase]
    for step in steps:
        round_ = (phases.advance_round if step == "advance" else phases.cancel_round)(opener, round_)
    db.session.flush()
    world.round = SimpleNamespace(id=round_.id)


def _add_late_members(assembly, people, roles):
    """Make the "late" people members (once: after the amendments when there is a round)."""
    from app.assemblies.models import Membership

    for key, role in roles.items():
        if role == "late":
            db.session.add(Membership(assembly_id=assembly.id, user_id=people[key].id, role="member"))
            roles[key] = "member"
    db.session.flush()


def _add_world_tokens(people):
    """A raw API token per person, by key."""
    from app.accounts.services import create_token

    return {key: create_token(user)[0] for key, user in people.items()}


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

"""Reliability tests: several real processes against one PostgreSQL database.

They reuse the rounds fixtures (`world`, `fast_user`) and skip on SQLite, which serialises
every writer and so cannot show what row locks and transactions do across processes.
"""
import pytest

from conftest import is_postgres
from rounds.conftest import fast_user, password_hash, world  # noqa: F401  (fixtures reused here)


@pytest.fixture
def postgres_only(app):
    if not is_postgres(app):
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL): these tests run several app processes against "
                    "one database, and SQLite serialises every writer")

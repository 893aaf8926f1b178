"""Reliability tests: several real processes against one PostgreSQL database.

They reuse the rounds' `world` fixture and skip on SQLite, which serialises
every writer and so cannot show what row locks and transactions do across processes.
"""
import pytest

from conftest import is_postgres
from rounds.conftest import world  # noqa: F401  (fixture reused here)


@pytest.fixture
def postgres_only(app):
    if not is_postgres(app):
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL): these tests run several app processes against "
                    "one database, and SQLite serialises every writer")

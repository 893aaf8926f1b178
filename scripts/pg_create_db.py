"""Create (or recreate) a PostgreSQL database for the tests. Exit 1 when the server is unreachable.

Usage: python scripts/pg_create_db.py ADMIN_URL NAME
"""
import re
import sys

import psycopg


def main(admin_url, name):
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        sys.exit(f"bad database name: {name}")
    try:
        conn = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL unreachable: {exc}".strip(), file=sys.stderr)
        return 1
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

"""Rate limits on login, registration and token creation; shared through Redis across processes."""
import uuid

import pytest
import redis

from app import create_app


def _limited_app(app, **extra):
    return create_app(
        "testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_ENABLED=True, **extra
    )


def test_login_is_rate_limited(app):
    """Per address (a different account each time, so the per-account limit stays out of it)."""
    client = _limited_app(app, RATELIMIT_STORAGE_URI="memory://").test_client()
    statuses = [client.post("/login", data={"email": f"u{i}@example.org", "password": "wrong"}).status_code
                for i in range(22)]
    assert statuses[:20] == [401] * 20
    assert statuses[-1] == 429


def test_token_creation_is_rate_limited_in_the_api(app, make_user):
    user = make_user()
    client = _limited_app(app, RATELIMIT_STORAGE_URI="memory://").test_client()
    responses = [client.post("/api/v1/tokens", json={"email": user.email, "password": "nope"}) for _ in range(21)]
    assert responses[-1].status_code == 429
    assert responses[-1].json["error"]["code"] == "rate_limited"


def test_registration_is_rate_limited(app):
    client = _limited_app(app, RATELIMIT_STORAGE_URI="memory://").test_client()
    statuses = [
        client.post("/api/v1/users", json={"email": f"u{i}@example.org", "name": "U", "password": "long enough pw"}).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [201] * 10 and statuses[10] == 429


def _redis_available():
    try:
        return redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_available(), reason="Redis is not running on 127.0.0.1:6379")
def test_limits_are_shared_between_processes_through_redis(app, make_user):
    """The per-address limit, and the per-account failure count, both live in Redis."""
    user = make_user()
    prefix = f"cw-test-{uuid.uuid4().hex}"
    storage = "redis://127.0.0.1:6379/15"
    first = _limited_app(app, RATELIMIT_STORAGE_URI=storage, RATELIMIT_KEY_PREFIX=prefix).test_client()
    second = _limited_app(app, RATELIMIT_STORAGE_URI=storage, RATELIMIT_KEY_PREFIX=prefix).test_client()
    for i in range(20):
        client = first if i % 2 else second
        assert client.post("/login", data={"email": f"u{i}@example.org", "password": "wrong"}).status_code == 401
    assert first.post("/login", data={"email": "u0@example.org", "password": "wrong"}).status_code == 429
    assert second.post("/login", data={"email": "u0@example.org", "password": "wrong"}).status_code == 429
    for i in range(10):
        client = first if i % 2 else second
        address = {"REMOTE_ADDR": f"10.1.0.{i + 1}"}
        assert client.post("/api/v1/tokens", json={"email": user.email, "password": "x"}, environ_base=address).status_code == 401
    locked = first.post("/api/v1/tokens", json={"email": user.email, "password": user.password},
                        environ_base={"REMOTE_ADDR": "10.1.0.99"})
    assert locked.status_code == 429 and locked.headers["Retry-After"]

"""Rate-limit keys beyond the client address."""
from flask import request
from flask_limiter.util import get_remote_address


def actor_key():
    """The signed-in person (bearer token or session), else the client's address.

    Limits keyed by person follow them across addresses, so rotating addresses does not escape
    them; anonymous requests fall back to the address.
    """
    from flask_login import current_user

    from ..accounts.auth import user_from_bearer

    user = user_from_bearer() if request.headers.get("Authorization") else None
    if user is None and current_user.is_authenticated:
        user = current_user
    return f"user:{user.id}" if user is not None else f"address:{get_remote_address()}"

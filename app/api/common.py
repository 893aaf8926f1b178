"""Helpers for API routes: authentication, JSON input, pagination, serialisers."""
import re
from functools import wraps

from flask import g, request
from flask_babel import gettext, refresh

from ..accounts.auth import user_from_bearer
from ..core.errors import BadRequest, Unauthorized, ValidationError
from ..core.timeutil import isoformat

MAX_PER_PAGE = 200
MAX_INT = 2**31 - 1  # the database integer range: larger values would be a server error, not a 422


def token_required(view):
    """Require a valid bearer token; the user is in g.user."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        user = user_from_bearer()
        if user is None:
            raise Unauthorized(gettext("Send a valid token: Authorization: Bearer <token>."))
        g.user = user
        refresh()  # messages from here on speak the token's owner's language and zone
        return view(*args, **kwargs)

    return wrapper


MAX_JSON_DEPTH = 32  # the deepest body of the contract (a ballot) nests 4 levels


def json_body():
    """The request's JSON object; 400 when it is not valid JSON, not an object, or nested deeper
    than MAX_JSON_DEPTH (a too-deep body fails the parser with RecursionError: still a 400, see
    app.core.security.SafeJsonRequest)."""
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, dict):
        raise BadRequest(gettext("The body must be a JSON object."), code="malformed_json")
    if _too_deep(data):
        raise BadRequest(gettext("The JSON body is nested more than %(depth)s levels deep.", depth=MAX_JSON_DEPTH),
                         code="malformed_json")
    for name, value in data.items():
        if _has_nul(value):
            raise ValidationError.field(name, gettext("'%(name)s' contains a NUL character.", name=name))
        if _has_surrogate(name) or _has_surrogate(value):
            raise ValidationError.field(
                name, gettext("'%(name)s' contains a lone surrogate (\\ud800–\\udfff), which is not text.", name=name))
    return data


def _children(value):
    if isinstance(value, dict):
        return [*value.keys(), *value.values()]
    return value if isinstance(value, list) else []


def _too_deep(data):
    """True when lists and objects nest more than MAX_JSON_DEPTH levels (checked without recursion)."""
    level, depth = [data], 1
    while level:
        level = [child for value in level for child in _children(value) if isinstance(child, (dict, list))]
        depth += bool(level)
        if depth > MAX_JSON_DEPTH:
            return True
    return False


def _has_nul(value):
    """True when a string anywhere in `value` holds NUL (the body is known to be shallow)."""
    if isinstance(value, str):
        return "\x00" in value
    return any(_has_nul(child) for child in _children(value))


def _has_surrogate(value):
    """True when a string anywhere in `value` holds a lone surrogate (JSON's "\\ud800" escapes
    decode to one; it cannot be encoded as UTF-8, so no database or hash could take it)."""
    if isinstance(value, str):
        return not value.isascii() and _SURROGATE.search(value) is not None
    return any(_has_surrogate(child) for child in _children(value))


_SURROGATE = re.compile("[\ud800-\udfff]")


def field(data, name, kind=str, required=True, default=None):
    """One field of a JSON body, type-checked; 422 naming the field otherwise."""
    if name not in data or data[name] is None:
        if required:
            raise ValidationError.field(name, gettext("'%(name)s' is required.", name=name))
        return default
    value = data[name]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise ValidationError.field(name, gettext("'%(name)s' has the wrong type.", name=name))
    if not isinstance(value, kinds):
        raise ValidationError.field(name, gettext("'%(name)s' has the wrong type.", name=name))
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise ValidationError.field(name, gettext("'%(name)s' is out of range.", name=name))
    return value


def int_arg(name, default, low=1, high=None):
    """An integer query argument within bounds; 422 otherwise."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError.field(name, gettext("'%(name)s' must be a whole number.", name=name)) from None
    high = MAX_INT if high is None else high
    if value < low or value > high:
        raise ValidationError.field(name, gettext("'%(name)s' must be between %(low)s and %(high)s.", name=name,
                                                  low=low, high=high))
    return value


def page_args():
    """(page, per_page) from the query string."""
    return int_arg("page", 1), int_arg("per_page", 50, 1, MAX_PER_PAGE)


def paginated(items, total, page, per_page, serialise):
    """The list envelope of the contract."""
    return {"items": [serialise(i) for i in items], "page": page, "per_page": per_page, "total": total}


def user_ref(user):
    """{id, name} of a user (or nulls)."""
    return {"id": user.id, "name": user.name} if user else {"id": None, "name": None}


def when(value):
    """ISO 8601 with offset."""
    return isoformat(value)

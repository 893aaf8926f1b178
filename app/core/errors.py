"""Application errors that services raise and views/API turn into responses."""


class AppError(Exception):
    """Base error: a machine code, a human message, optional per-field messages."""

    status = 400
    code = "bad_request"

    def __init__(self, message, *, fields=None, code=None, extra=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code
        self.extra = extra or {}

    def to_dict(self):
        """The JSON error envelope of the API contract."""
        payload = {"error": {"code": self.code, "message": self.message, "fields": self.fields}}
        payload.update(self.extra)
        return payload


class BadRequest(AppError):
    status = 400
    code = "bad_request"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class TooManyRequests(AppError):
    """429; `retry_after` (seconds) becomes the Retry-After header."""

    status = 429
    code = "rate_limited"

    def __init__(self, message, *, retry_after=60, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))


class ServiceUnavailable(AppError):
    """503: the server could not do it this time (a background job stopped, or too many are
    waiting): trying again may work; `retry_after` (seconds), if given, becomes Retry-After."""

    status = 503
    code = "unavailable"

    def __init__(self, message, *, retry_after=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ValidationError(AppError):
    status = 422
    code = "invalid"

    @classmethod
    def field(cls, name, message):
        """A validation error about one field."""
        return cls(message, fields={name: message})

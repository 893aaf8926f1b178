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


class ValidationError(AppError):
    status = 422
    code = "invalid"

    @classmethod
    def field(cls, name, message):
        """A validation error about one field."""
        return cls(message, fields={name: message})

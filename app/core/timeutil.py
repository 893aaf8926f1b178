"""Time helpers: everything is stored and compared in UTC, timezone-aware."""
from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow():
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def as_utc(value):
    """Make a datetime aware in UTC (naive values are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class NonexistentLocalTime(ValueError):
    """A wall-clock time the zone skips (the hour clocks jump over in spring)."""


def local_to_utc(naive, zone):
    """The UTC instant of wall-clock `naive` in `zone` (a ZoneInfo). A time that occurs twice
    (clocks go back) is the first of the two; a time the zone skips raises
    NonexistentLocalTime."""
    if naive is None:
        return None
    local = naive.replace(tzinfo=zone, fold=0)
    instant = local.astimezone(timezone.utc)
    if instant.astimezone(zone).replace(tzinfo=None) != naive.replace(tzinfo=None):
        raise NonexistentLocalTime(naive.isoformat(timespec="minutes"))
    return instant


def utc_to_local(value, zone):
    """`value` (aware, or naive UTC) as naive wall-clock time in `zone`, for a form's field."""
    return as_utc(value).astimezone(zone).replace(tzinfo=None) if value else None


def isoformat(value):
    """ISO 8601 with a UTC offset, or None."""
    return as_utc(value).isoformat() if value else None


def parse_datetime(text):
    """Parse ISO 8601; naive input is taken as UTC. Raises ValueError on bad input."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("expected an ISO 8601 date and time")
    value = text.strip().replace("Z", "+00:00")
    try:
        return as_utc(datetime.fromisoformat(value))
    except OverflowError:  # e.g. 9999-12-31T23:00-05:00 has no UTC equivalent
        raise ValueError("date and time out of range") from None


class UTCDateTime(TypeDecorator):
    """A DateTime column that stores UTC and always returns aware datetimes (SQLite too)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return as_utc(value) if value is not None else None

    def process_result_value(self, value, dialect):
        return as_utc(value)

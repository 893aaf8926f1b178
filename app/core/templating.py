"""Jinja filters and globals shared by every page."""
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_time as babel_format_time
from babel.dates import get_datetime_format
from flask_babel import format_decimal, format_percent, get_locale, get_timezone, gettext

from .timeutil import as_utc


def browser_name(user_agent):
    """'Firefox 128 on Linux' from a User-Agent header (ua-parser), for a person's list of sessions."""
    from ua_parser import parse

    result = parse(user_agent or "")
    if result.user_agent is None:
        return gettext("An unknown browser")
    name = " ".join(part for part in (result.user_agent.family, result.user_agent.major) if part)
    if result.os is not None and result.os.family != "Other":
        return gettext("%(browser)s on %(system)s", browser=name, system=result.os.family)
    return name


def zone_label(value, zone=None, locale=None):
    """The zone's short name at `value`: the language's own ('MEZ', 'MESZ' in German), else the
    time zone database's ('CET', 'CEST', 'WET'), else its offset ('GMT-03:00' in São Paulo,
    whose database name is '-03'). It changes with daylight saving, as the clocks do."""
    zone, locale = zone or get_timezone(), locale or get_locale()
    short = babel_format_datetime(value, "z", tzinfo=zone, locale=locale)
    if short.isalpha():
        return short
    database = as_utc(value).astimezone(zone).tzname() or ""
    return database if database.isalpha() else babel_format_datetime(value, "OOOO", tzinfo=zone, locale=locale)


def format_datetime(value, zone=None, locale=None):
    """A date and time in the reader's language and time zone, with the zone's name:
    '25 oct 2026, 11:30 CET'."""
    if value is None:
        return ""
    zone, locale = zone or get_timezone(), locale or get_locale()
    local = as_utc(value).astimezone(zone)
    date = babel_format_date(local, "medium", locale=locale)
    time = babel_format_time(local, "short", tzinfo=zone, locale=locale)
    pattern = get_datetime_format("medium", locale=locale).replace("'", "")
    return f"{pattern.format(time, date)} {zone_label(local, zone, locale)}"


def format_day(value, zone=None, locale=None):
    """The date alone, in the reader's language and time zone: '25 oct 2026'."""
    if value is None:
        return ""
    zone, locale = zone or get_timezone(), locale or get_locale()
    return babel_format_date(as_utc(value).astimezone(zone), "medium", locale=locale)


def format_number(value):
    """An integer or decimal with the language's separators: 1,234 · 1.234 · 1 234."""
    return "" if value is None else format_decimal(value)


def format_share(value, digits=1):
    """A share (0.5) as a percentage in the language's form: 50.0 % · 50,0 %."""
    if value is None:
        return ""
    return format_percent(value, format="#,##0." + "0" * digits + "%" if digits else "#,##0%")


def language_context():
    """What base.html needs to speak the request's language: <html lang> and dir, the
    switcher's choices, the zone times are shown in, and the scripts' catalog."""
    from .i18n import LANGUAGES, current_locale_code, current_zone_name, js_catalog, page_direction

    return {
        "page_lang": current_locale_code().replace("_", "-"),
        "page_dir": page_direction(),
        "languages": LANGUAGES,
        "time_zone": current_zone_name(),
        "js_messages": js_catalog,
    }


def page_memo(key, compute):
    """compute() once per request for `key`: the tabs and actions of one page ask the same
    questions (is a round open? may this user propose?) several times. For the presenters of
    app/policies/presenters.py only: services must see their own writes."""
    from flask import g

    memo = g.setdefault("page_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def init_templating(app):
    """Register filters and globals (app/__init__.py adds the user's context)."""
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["percent"] = format_share
    app.jinja_env.filters["browser_name"] = browser_name
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

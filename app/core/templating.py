"""Jinja filters and globals shared by every page."""
from .timeutil import as_utc


def browser_name(user_agent):
    """'Firefox 128 on Linux' from a User-Agent header (ua-parser), for a person's list of sessions."""
    from ua_parser import parse

    result = parse(user_agent or "")
    if result.user_agent is None:
        return "An unknown browser"
    name = " ".join(part for part in (result.user_agent.family, result.user_agent.major) if part)
    if result.os is not None and result.os.family != "Other":
        name += f" on {result.os.family}"
    return name


def format_datetime(value):
    """A short, unambiguous UTC date and time."""
    if value is None:
        return ""
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")


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
    app.jinja_env.filters["browser_name"] = browser_name
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

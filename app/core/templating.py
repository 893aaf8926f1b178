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


# Features add links to a policy's pages without the policy templates knowing them:
# POLICY_TABS entries take (policy) and POLICY_ACTIONS entries (policy, revision); each
# returns a list of dicts with `key`, `label`, `url` (and `download` for actions).
# RANGE_ACTIONS entries take (policy, revision) and return actions offered on a selected line
# range: dicts with `key`, `label` and `url` containing the placeholders {start} and {end}.
POLICY_TABS = []
POLICY_ACTIONS = []
RANGE_ACTIONS = []


def page_memo(key, compute):
    """compute() once per request for `key`: the tabs and actions of one page ask the same
    questions (is a round open? may this user propose?) several times. For page hooks only:
    services must see their own writes."""
    from flask import g

    memo = g.setdefault("page_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def extra_policy_tabs(policy):
    """Tabs that features register for a policy's pages."""
    return [tab for provider in POLICY_TABS for tab in provider(policy)]


def extra_policy_actions(policy, revision):
    """Buttons that features register for the reading view."""
    return [action for provider in POLICY_ACTIONS for action in provider(policy, revision)]


def extra_range_actions(policy, revision):
    """Actions on a selected range of lines (comment, propose an amendment …)."""
    return [action for provider in RANGE_ACTIONS for action in provider(policy, revision)]


def init_templating(app):
    """Register filters and globals (app/__init__.py adds the user's context)."""
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["browser_name"] = browser_name
    app.jinja_env.globals["extra_policy_tabs"] = extra_policy_tabs
    app.jinja_env.globals["extra_policy_actions"] = extra_policy_actions
    app.jinja_env.globals["extra_range_actions"] = extra_range_actions
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

"""How rounds speak to people: the path of a round's page, notifications, deadlines in words."""
from ..core.timeutil import as_utc
from ..core.urls import path_for

#: The endpoint of each page of a round that notifications link to ("" is the round's own page).
ROUND_PAGES = {"": "rounds.show", "ballot": "rounds.ballot", "results": "rounds.results", "report": "rounds.report"}


def round_path(round_, page=""):
    """The browser path of a round's page (or of one of its sub-pages: ballot, results, report)."""
    policy = round_.policy
    return path_for(ROUND_PAGES[page], slug=policy.assembly.slug, policy_slug=policy.slug, round_id=round_.id)


def when_text(value):
    """A deadline as people read it in messages: '2026-12-02 18:00 UTC'."""
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")

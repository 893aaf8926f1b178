"""How rounds speak to people: the path of a round's page, notifications, deadlines in words."""
from flask_babel import lazy_gettext

from ..core.templating import format_datetime
from ..core.urls import path_for

#: The endpoint of each page of a round that notifications link to ("" is the round's own page).
ROUND_PAGES = {"": "rounds.show", "ballot": "rounds.ballot", "results": "rounds.results", "report": "rounds.report"}

#: A phase named inside a sentence ("this round is voting", "from amending to deliberating").
PHASE_NAMES = {
    "amending": lazy_gettext("amending"),
    "deliberating": lazy_gettext("deliberating"),
    "voting": lazy_gettext("voting"),
    "closed": lazy_gettext("closed"),
    "cancelled": lazy_gettext("cancelled"),
}


def phase_name(phase):
    """The phase as a sentence names it, in the reader's language (the code if it is unknown)."""
    return PHASE_NAMES.get(phase, phase)


def round_path(round_, page=""):
    """The browser path of a round's page (or of one of its sub-pages: ballot, results, report)."""
    policy = round_.policy
    return path_for(ROUND_PAGES[page], slug=policy.assembly.slug, policy_slug=policy.slug, round_id=round_.id)


def when_text(value):
    """A deadline as people read it in messages, in the language and time zone spoken now (the
    recipient's, inside notify_users): '2 Dec 2026, 18:00 UTC'."""
    return format_datetime(value)

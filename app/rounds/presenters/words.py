"""Words the round pages, the exports and closing's notes share: phase names, durations,
percentages, tally rules with the amendments' names, line ranges."""
import copy
import re

from babel import Locale
from babel.numbers import parse_pattern
from flask_babel import get_locale, gettext, lazy_gettext, ngettext

CHOICE_LABELS = {"yes": lazy_gettext("Yes"), "no": lazy_gettext("No"), "abstain": lazy_gettext("Abstain"),
                 "consent": lazy_gettext("Consent"), "object": lazy_gettext("Object")}
KEEP_LABEL = lazy_gettext("Keep the current text")
PHASES_SHOWN = {
    "amending": (
        lazy_gettext("Amending"),
        lazy_gettext("Members propose, co-sign and withdraw amendments and comment on the text; the text can still be edited."),
    ),
    "deliberating": (
        lazy_gettext("Deliberating"),
        lazy_gettext("Members discuss the amendments and comment. No new amendments; authors may still withdraw or "
                     "rebase theirs."),
    ),
    "voting": (
        lazy_gettext("Voting"),
        lazy_gettext("Members of the electorate cast their ballots and may change them until voting closes. "
                     "The text and its amendments are frozen."),
    ),
    "closed": (
        lazy_gettext("Closed"),
        lazy_gettext("The results are published and the accepted amendments are merged into a new revision."),
    ),
    "cancelled": (lazy_gettext("Cancelled"),
                  lazy_gettext("The round was cancelled: nothing was decided and the amendments return to the pool.")),
}
#: What the phases of an adoption round (the final vote on the whole text) allow, where it differs.
ADOPTION_PHASES = {
    "deliberating": (lazy_gettext("Deliberating"),
                     lazy_gettext("Members read and discuss the whole text before the final vote.")),
    "voting": (
        lazy_gettext("Voting"),
        lazy_gettext("Members of the electorate vote on the whole text and may change their ballot until voting "
                     "closes. The text is frozen."),
    ),
    "closed": (lazy_gettext("Closed"), lazy_gettext("The result is published; if the text passed, the policy is adopted.")),
    "cancelled": (lazy_gettext("Cancelled"), lazy_gettext("The round was cancelled: nothing was decided.")),
}


def phase_words(round_, phase=None):
    """(label, what the phase allows) of `phase` (the round's own by default), in the words of its kind."""
    phase = phase or round_.phase
    if round_.kind == "adoption" and phase in ADOPTION_PHASES:
        return ADOPTION_PHASES[phase]
    return PHASES_SHOWN[phase]


def describe_duration(delta):
    """A countdown in words: '2 days, 3 hours', '5 minutes', 'less than a minute'."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return gettext("less than a minute")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    words = [text for n, text in (
        (days, lambda: ngettext("%(num)d day", "%(num)d days", days)),
        (hours, lambda: ngettext("%(num)d hour", "%(num)d hours", hours)),
        (minutes, lambda: ngettext("%(num)d minute", "%(num)d minutes", minutes)),
    ) if n]
    if len(words) == 1:
        return words[0]()
    return gettext("%(larger)s, %(smaller)s", larger=words[0](), smaller=words[1]())


def percent(value):
    """A fraction as a short percentage in the reader's language: 0.5 → '50%', 2/3 → '66.7%'
    (French '66,7 %'): the language's percent pattern with at most one decimal, none when it is 0."""
    locale = get_locale() or Locale.parse("en")
    pattern = copy.copy(parse_pattern(locale.percent_formats[None]))
    pattern.frac_prec = (0, 1)
    return pattern.apply(float(value), locale)


def readable_rule(rule, names=None):
    """tally's rule with its option keys spelled out: a12 → "A3 — Raise the dividend".

    `names` maps amendment ids to the names to use (see :func:`names_of`); a key whose id it
    lacks reads "amendment #12".
    """
    names = names or {}
    return re.sub(r"\ba(\d+)\b", lambda m: names.get(int(m.group(1)), gettext("amendment #%(id)s", id=m.group(1))), rule)


def names_of(amendments):
    """{amendment id: its name, "A3 — Raise the dividend"}, for :func:`readable_rule`."""
    return {amendment.id: amendment.label for amendment in amendments}


def sentence(text):
    """The text with its first letter in capitals (Jinja's capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]


def round_title(round_):
    """'Round 2', numbered within its policy (never the database id)."""
    return gettext("Round %(number)s", number=round_.number)


def line_label(amendment):
    """'lines 3–5', 'line 3' or 'insertion before line 3'."""
    start, end = amendment.line_start, amendment.line_end
    if end == start - 1:
        return gettext("insertion before line %(line)s", line=start)
    if start == end:
        return gettext("line %(line)s", line=start)
    return gettext("lines %(start)s–%(end)s", start=start, end=end)


def adoption_text(round_):
    """The adoption question in words: 'Adopt the text as amended (revision 4)?'."""
    return gettext("Adopt the text as amended (revision %(revision)s)?", revision=round_.base_number)

"""Words the round pages, the exports and closing's notes share: phase names, durations,
percentages, tally rules with the amendments' names, line ranges."""
import re

CHOICE_LABELS = {"yes": "Yes", "no": "No", "abstain": "Abstain", "consent": "Consent", "object": "Object"}
KEEP_LABEL = "Keep the current text"
PHASES_SHOWN = {
    "amending": (
        "Amending",
        "Members propose, co-sign and withdraw amendments and comment on the text; the text can still be edited.",
    ),
    "deliberating": (
        "Deliberating",
        "Members discuss the amendments and comment. No new amendments; authors may still withdraw or rebase theirs.",
    ),
    "voting": (
        "Voting",
        "Members of the electorate cast their ballots and may change them until voting closes. "
        "The text and its amendments are frozen.",
    ),
    "closed": (
        "Closed",
        "The results are published and the accepted amendments are merged into a new revision.",
    ),
    "cancelled": ("Cancelled", "The round was cancelled: nothing was decided and the amendments return to the pool."),
}
#: What the phases of an adoption round (the final vote on the whole text) allow, where it differs.
ADOPTION_PHASES = {
    "deliberating": ("Deliberating", "Members read and discuss the whole text before the final vote."),
    "voting": (
        "Voting",
        "Members of the electorate vote on the whole text and may change their ballot until voting closes. "
        "The text is frozen.",
    ),
    "closed": ("Closed", "The result is published; if the text passed, the policy is adopted."),
    "cancelled": ("Cancelled", "The round was cancelled: nothing was decided."),
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
        return "less than a minute"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return ", ".join(words[:2])


def percent(value):
    """A fraction as a short percentage: 0.5 → '50%', 2/3 → '66.7%'."""
    text = f"{float(value) * 100:.1f}"
    return text.removesuffix(".0") + "%"


def readable_rule(rule, names=None):
    """tally's rule with its option keys spelled out: a12 → "A3 — Raise the dividend".

    `names` maps amendment ids to the names to use (see :func:`names_of`); a key whose id it
    lacks reads "amendment #12".
    """
    names = names or {}
    return re.sub(r"\ba(\d+)\b", lambda m: names.get(int(m.group(1)), f"amendment #{m.group(1)}"), rule)


def names_of(amendments):
    """{amendment id: its name, "A3 — Raise the dividend"}, for :func:`readable_rule`."""
    return {amendment.id: amendment.label for amendment in amendments}


def sentence(text):
    """The text with its first letter in capitals (Jinja's capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]


def round_title(round_):
    """'Round 2', numbered within its policy (never the database id)."""
    return f"Round {round_.number}"


def line_label(amendment):
    """'lines 3–5', 'line 3' or 'insertion before line 3'."""
    start, end = amendment.line_start, amendment.line_end
    if end == start - 1:
        return f"insertion before line {start}"
    return f"line {start}" if start == end else f"lines {start}–{end}"


def adoption_text(round_):
    """The adoption question in words: 'Adopt the text as amended (revision 4)?'."""
    return f"Adopt the text as amended (revision {round_.base_number})?"

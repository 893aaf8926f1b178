"""The rule that decided a question, and an amendment's outcome, in the reader's language.

The tally (app/rounds/tally/) is pure and writes its ``rule`` in English, and that string is
what tests and stored records keep. Here the same explanation is rebuilt from the result's
fields as a *note*, ``{"key": "tie", "yes": 2, "no": 2}``, and the note is written with
gettext/ngettext, one whole message per case (:func:`rule_words`). In English the words are
exactly the tally's ``rule`` (tests/rounds/test_rule_words.py); a result whose ``rule`` cannot
be rebuilt so (a record from an older wording) shows its stored text instead.

The threshold, whether it is strict and whether it was met are not fields of a result: they
are read from the comparison the stored rule states ("71.4% > 50%", "40% not >= 50%").

An amendment's outcome is stored as text when a round closes (in the language spoken then)
and, next to it, as a note in ``Amendment.outcome_note`` (:func:`outcome_note` and friends,
called by closing and phases); :func:`outcome_words` writes that note in the reader's
language for app/amendments/display.py, which calls it through its registry.
"""
import copy
import re
from decimal import Decimal

from babel import Locale
from babel.numbers import parse_pattern
from flask_babel import get_locale, gettext, ngettext

from ..tally.outcome import percent as tally_percent
from .words import percent, readable_rule

#: "(71.4% > 50%)", "(40% not >= 50%)" in the tally's rule
_COMPARISON = re.compile(r"\((\d+(?:\.\d+)?)% (not )?(>=|>) (\d+(?:\.\d+)?)%\)")
_KEY = re.compile(r"^a(\d+)$")


# --------------------------------------------------------------------------
# Notes: the rule rebuilt from a result's fields (no words yet)


def rule_note(result):
    """The rule of a tally result (a result dataclass or its stored dict) as a note, or None
    when its stored ``rule`` is not what the note says in English."""
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    if "pairwise" in data:
        note = _ranked_note(data)
    elif "objections" in data:
        note = _consent_note(data)
    else:
        note = _yes_no_note(data)
    if note is None or _write_rule(note, _English) != data.get("rule"):
        return None
    return note


def _comparison(data):
    """{"threshold", "strict", "passed"} from the stored rule's comparison, or None."""
    match = _COMPARISON.search(data.get("rule") or "")
    if not match:
        return None
    return {"threshold": float(Decimal(match.group(4)) / 100), "strict": match.group(3) == ">",
            "passed": not match.group(2)}


def _quorum_note(data):
    return {"key": "quorum", "voters": data["voters"], "electorate": data["electorate"],
            "needed": data["quorum_needed"]}


def _yes_no_note(data):
    yes, no = data["yes"], data["no"]
    if data["voters"] < data["quorum_needed"]:
        return _quorum_note(data)
    if yes + no == 0 or data.get("share") is None:
        return {"key": "no_votes"}
    if yes == no:
        return {"key": "tie", "yes": yes, "no": no}
    min_yes = data.get("min_yes") or 0
    comparison = _comparison(data)
    if comparison is None:  # the one rule that states no comparison: the threshold was met, the floor not
        return {"key": "min_yes_short", "yes": yes, "no": no, "electorate": data["electorate"], "min_yes": min_yes}
    mode = "electorate" if data.get("majority_of") == "electorate" else "votes"
    values = {"yes": yes, "no": no, "electorate": data["electorate"], "min_yes": min_yes,
              "share": data["share"], "threshold": comparison["threshold"], "strict": comparison["strict"]}
    if not comparison["passed"]:
        return {"key": f"{mode}_short", **values}
    return {"key": f"{mode}_accepted", **values}


def _consent_note(data):
    if data["voters"] < data["quorum_needed"]:
        return _quorum_note(data)
    values = {"consent": data["consent"], "object": data["object"], "abstain": data["abstain"],
              "min_yes": data.get("min_yes") or 0}
    if data["object"]:
        return {"key": "objections", **values}
    if data["consent"] == 0:
        return {"key": "no_consent"}
    if data["consent"] < values["min_yes"]:
        return {"key": "consent_short", **values}
    return {"key": "consent_accepted", **values}


def _ranked_note(data):
    if data["voters"] < data["quorum_needed"]:
        return _quorum_note(data)
    top, status_quo = data["ranking"][0], data["status_quo"]
    winner, tied = top[0], list(top[1:])
    if winner == status_quo:
        return {"key": "keep_wins", "tied": tied}
    won, lost = data["pairwise"][winner][status_quo], data["pairwise"][status_quo][winner]
    values = {"winner": winner, "won": won, "lost": lost}
    if won + lost == 0:
        return {"key": "not_compared", **values}
    if won == lost:
        return {"key": "head_to_head_tie", **values}
    comparison = _comparison(data)
    if comparison is None:
        return None
    values.update(tied=tied, share=won / (won + lost), threshold=comparison["threshold"],
                  strict=comparison["strict"])
    return {"key": "beat" if data.get("accepted") == winner else "not_beat", **values}


# --------------------------------------------------------------------------
# Words


class _Reader:
    """Writes in the reader's language (the request's locale)."""

    gettext = staticmethod(gettext)
    ngettext = staticmethod(ngettext)

    @staticmethod
    def percent(value):
        """The tally's rounding ("66.7"), in the language's percent pattern ("66,7 %")."""
        digits = Decimal(tally_percent(value).removesuffix("%"))
        locale = get_locale() or Locale.parse("en")
        pattern = copy.copy(parse_pattern(locale.percent_formats[None]))
        pattern.frac_prec = (0, 1)
        return pattern.apply(digits / 100, locale)


class _English:
    """Writes the msgids themselves, as the tally does: to check a note against a stored rule."""

    @staticmethod
    def gettext(string, **values):
        return string % values if values else string

    @staticmethod
    def ngettext(singular, plural, num, **values):
        values.setdefault("num", num)
        return (singular if num == 1 else plural) % values

    percent = staticmethod(tally_percent)


def _name(key, names):
    """An option key in words: a12 → its name in `names`, else "amendment #12"."""
    match = _KEY.match(key)
    if names is None or not match:
        return key
    return names.get(int(match.group(1))) or gettext("amendment #%(id)s", id=match.group(1))


def rule_words(result, names=None):
    """The rule that decided `result` (a tally result or its stored dict), in the reader's
    language, option keys named from `names` ({amendment id: name}); the stored rule (keys
    named) when it cannot be rebuilt."""
    data = result.as_dict() if hasattr(result, "as_dict") else result
    note = rule_note(data)
    if note is None:
        return readable_rule(data["rule"], names) if names is not None else data["rule"]
    return note_words(note, names)


def note_words(note, names=None, bare=False):
    """A rule note in the reader's language; `bare` leaves out a rejection's "rejected: "
    (for "Rejected (counts): …")."""
    return _write_rule(note, _Reader, names, bare)


def _compared(note, lang, passed):
    share, threshold = lang.percent(note["share"]), lang.percent(note["threshold"])
    if note["strict"]:
        if passed:
            return lang.gettext("%(share)s > %(threshold)s", share=share, threshold=threshold)
        return lang.gettext("%(share)s not > %(threshold)s", share=share, threshold=threshold)
    if passed:
        return lang.gettext("%(share)s >= %(threshold)s", share=share, threshold=threshold)
    return lang.gettext("%(share)s not >= %(threshold)s", share=share, threshold=threshold)


def _write_rule(note, lang, names=None, bare=False):  # noqa: C901 - one message per case, on purpose
    key = note["key"]
    gettext = lang.gettext
    if key == "quorum":
        return gettext("quorum not met: %(voters)s of %(electorate)s voted, %(needed)s needed",
                       voters=note["voters"], electorate=note["electorate"], needed=note["needed"])
    if key in ("no_votes", "tie", "votes_short", "electorate_short", "min_yes_short", "votes_accepted",
               "electorate_accepted"):
        return _write_yes_no(note, lang, bare)
    if key in ("objections", "no_consent", "consent_short", "consent_accepted"):
        return _write_consent(note, lang, bare)
    winner = _name(note.get("winner", ""), names)
    tied = ", ".join(_name(k, names) for k in note.get("tied", []))
    if key == "keep_wins":
        if tied:
            return gettext("current text is the Schulze winner (tied with %(tied)s; ties go to the current text)",
                           tied=tied)
        return gettext("current text is the Schulze winner")
    if key == "not_compared":
        return gettext("Schulze winner %(winner)s was not compared with the current text by any voter", winner=winner)
    if key == "head_to_head_tie":
        return gettext("Schulze winner %(winner)s tied the current text %(won)s to %(lost)s; a tie never passes",
                       winner=winner, won=note["won"], lost=note["lost"])
    values = {"winner": winner, "won": note["won"], "lost": note["lost"]}
    if key == "beat":
        comparison = _compared(note, lang, True)
        if tied:
            return gettext("Schulze winner %(winner)s (tied with %(tied)s; ties go to the earlier amendment) beat the "
                           "current text %(won)s to %(lost)s (%(comparison)s)", tied=tied, comparison=comparison,
                           **values)
        return gettext("Schulze winner %(winner)s beat the current text %(won)s to %(lost)s (%(comparison)s)",
                       comparison=comparison, **values)
    if key == "not_beat":
        comparison = _compared(note, lang, False)
        if tied:
            return gettext("Schulze winner %(winner)s (tied with %(tied)s; ties go to the earlier amendment) did not "
                           "beat the current text %(won)s to %(lost)s (%(comparison)s)", tied=tied,
                           comparison=comparison, **values)
        return gettext("Schulze winner %(winner)s did not beat the current text %(won)s to %(lost)s (%(comparison)s)",
                       comparison=comparison, **values)
    raise KeyError(key)


def _write_yes_no(note, lang, bare):  # noqa: C901
    key = note["key"]
    gettext, ngettext = lang.gettext, lang.ngettext
    if key == "no_votes":
        if bare:
            return gettext("no yes or no votes (all abstained or none cast)")
        return gettext("rejected: no yes or no votes (all abstained or none cast)")
    yes, no = note["yes"], note["no"]
    if key == "tie":
        if bare:
            return gettext("tie %(yes)s yes to %(no)s no never passes", yes=yes, no=no)
        return gettext("rejected: tie %(yes)s yes to %(no)s no never passes", yes=yes, no=no)
    electorate, min_yes = note["electorate"], note["min_yes"]
    if key == "min_yes_short":
        if bare:
            return ngettext("%(yes)s yes, fewer than the %(num)d yes vote required",
                            "%(yes)s yes, fewer than the %(num)d yes votes required", min_yes, yes=yes)
        return ngettext("rejected: %(yes)s yes, fewer than the %(num)d yes vote required",
                        "rejected: %(yes)s yes, fewer than the %(num)d yes votes required", min_yes, yes=yes)
    passed = key.endswith("_accepted")
    comparison = _compared(note, lang, passed)
    if key == "votes_short":
        if bare:
            return gettext("%(yes)s yes to %(no)s no (%(comparison)s)", yes=yes, no=no, comparison=comparison)
        return gettext("rejected: %(yes)s yes to %(no)s no (%(comparison)s)", yes=yes, no=no, comparison=comparison)
    if key == "electorate_short":
        if bare:
            return ngettext("%(yes)s yes of %(num)d elector (%(comparison)s)",
                            "%(yes)s yes of %(num)d electors (%(comparison)s)", electorate, yes=yes,
                            comparison=comparison)
        return ngettext("rejected: %(yes)s yes of %(num)d elector (%(comparison)s)",
                        "rejected: %(yes)s yes of %(num)d electors (%(comparison)s)", electorate, yes=yes,
                        comparison=comparison)
    if key == "votes_accepted":
        if min_yes:
            return gettext("accepted: %(yes)s yes to %(no)s no (%(comparison)s), at least %(min_yes)s yes required",
                           yes=yes, no=no, comparison=comparison, min_yes=min_yes)
        return gettext("accepted: %(yes)s yes to %(no)s no (%(comparison)s)", yes=yes, no=no, comparison=comparison)
    if min_yes:
        return ngettext("accepted: %(yes)s yes of %(num)d elector (%(comparison)s), at least %(min_yes)s yes required",
                        "accepted: %(yes)s yes of %(num)d electors (%(comparison)s), at least %(min_yes)s yes required",
                        electorate, yes=yes, comparison=comparison, min_yes=min_yes)
    return ngettext("accepted: %(yes)s yes of %(num)d elector (%(comparison)s)",
                    "accepted: %(yes)s yes of %(num)d electors (%(comparison)s)", electorate, yes=yes,
                    comparison=comparison)


def _write_consent(note, lang, bare):  # noqa: C901
    key = note["key"]
    gettext, ngettext = lang.gettext, lang.ngettext
    if key == "no_consent":
        if bare:
            return gettext("no consent or objection (all abstained or none cast)")
        return gettext("rejected: no consent or objection (all abstained or none cast)")
    consent, objected, abstain, min_yes = note["consent"], note["object"], note["abstain"], note["min_yes"]
    if key == "objections":
        if abstain and bare:
            return ngettext("%(num)d objection (%(consent)s consent, %(abstain)s abstain)",
                            "%(num)d objections (%(consent)s consent, %(abstain)s abstain)", objected,
                            consent=consent, abstain=abstain)
        if abstain:
            return ngettext("rejected: %(num)d objection (%(consent)s consent, %(abstain)s abstain)",
                            "rejected: %(num)d objections (%(consent)s consent, %(abstain)s abstain)", objected,
                            consent=consent, abstain=abstain)
        if bare:
            return ngettext("%(num)d objection (%(consent)s consent)", "%(num)d objections (%(consent)s consent)",
                            objected, consent=consent)
        return ngettext("rejected: %(num)d objection (%(consent)s consent)",
                        "rejected: %(num)d objections (%(consent)s consent)", objected, consent=consent)
    if key == "consent_short":
        if bare:
            return ngettext("%(consent)s consent, fewer than the %(num)d consent required (no objection)",
                            "%(consent)s consent, fewer than the %(num)d consents required (no objection)",
                            min_yes, consent=consent)
        return ngettext("rejected: %(consent)s consent, fewer than the %(num)d consent required (no objection)",
                        "rejected: %(consent)s consent, fewer than the %(num)d consents required (no objection)",
                        min_yes, consent=consent)
    if abstain and min_yes:
        return gettext("accepted: %(consent)s consent, %(abstain)s abstain, no objection (at least %(min_yes)s "
                       "consent required)", consent=consent, abstain=abstain, min_yes=min_yes)
    if abstain:
        return gettext("accepted: %(consent)s consent, %(abstain)s abstain, no objection", consent=consent,
                       abstain=abstain)
    if min_yes:
        return gettext("accepted: %(consent)s consent, no objection (at least %(min_yes)s consent required)",
                       consent=consent, min_yes=min_yes)
    return gettext("accepted: %(consent)s consent, no objection", consent=consent)


# --------------------------------------------------------------------------
# Amendment outcomes: the note closing and phases store next to the text, and its words


def counts_note(result):
    """The counts of a yes/no or consent tally, with the turnout."""
    data = result.as_dict() if hasattr(result, "as_dict") else result
    if "objections" in data:
        return {"consent": data["consent"], "object": data["object"], "abstain": data["abstain"],
                "turnout": data["turnout"]}
    return {"yes": data["yes"], "no": data["no"], "abstain": data["abstain"], "turnout": data["turnout"]}


def decision_note(amendment, decision, merge):
    """The outcome of `amendment` after a round's `decision` (app/rounds/closing.py) as a note,
    written as closing's outcome text is; None when its rule cannot be rebuilt."""
    result, yes_no = decision.result, decision.question.kind == "yes_no"
    if decision.accepted is not amendment:
        if not yes_no and decision.accepted is not None:
            return {"key": "round.superseded", "amendment": decision.accepted.label}
        rule = rule_note(result)
        if rule is None:
            return None
        if yes_no:
            return {"key": "round.rejected_counts", "counts": counts_note(result), "rule": rule}
        if not result.quorum_met:
            return {"key": "round.rejected_rule", "rule": rule}
        return {"key": "round.current_preferred", "rule": rule, "turnout": result.turnout}
    if yes_no:
        accepted = {"key": "yes_no", "counts": counts_note(result)}
    else:
        rule = rule_note(result)
        if rule is None:
            return None
        accepted = {"key": "ranked", "rivals": len(decision.amendments) - 1, "rule": rule, "turnout": result.turnout}
    if amendment.id in merge.not_merged:
        voted_on, now_at = merge.not_merged[amendment.id]
        return {"key": "round.not_merged", "accepted": accepted, "base": voted_on, "head": now_at}
    return {"key": "round.merged", "accepted": accepted, "revision": merge.revision.number}


def cancelled_note(round_):
    """The note of an amendment whose round was cancelled (app/rounds/phases.py)."""
    return {"key": "round.cancelled", "number": round_.number}


def left_out_note(round_, revision):
    """The note of an amendment left out of a vote, not rebased onto `revision` (app/rounds/phases.py)."""
    return {"key": "round.not_rebased", "revision": revision, "number": round_.number}


def _counts_words(counts):
    turnout = percent(counts["turnout"])
    if "consent" in counts:
        return ngettext("%(consent)s consent, %(num)d objection, %(abstain)s abstain; turnout %(turnout)s",
                        "%(consent)s consent, %(num)d objections, %(abstain)s abstain; turnout %(turnout)s",
                        counts["object"], consent=counts["consent"], abstain=counts["abstain"], turnout=turnout)
    return gettext("%(yes)s yes, %(no)s no, %(abstain)s abstain; turnout %(turnout)s",
                   yes=counts["yes"], no=counts["no"], abstain=counts["abstain"], turnout=turnout)


def _accepted_words(accepted):
    if accepted["key"] == "yes_no":
        return gettext("Accepted (%(counts)s)", counts=_counts_words(accepted["counts"]))
    return ngettext(
        "Accepted in a ranked vote against %(num)d rival and the current text (%(rule)s; turnout %(turnout)s)",
        "Accepted in a ranked vote against %(num)d rivals and the current text (%(rule)s; turnout %(turnout)s)",
        accepted["rivals"], rule=note_words(accepted["rule"], {}), turnout=percent(accepted["turnout"]),
    )


def outcome_words(note):
    """An amendment's outcome note in the reader's language (registered with
    app/amendments/display.py); None for a note this module does not write."""
    key = (note or {}).get("key")
    try:
        if key == "round.merged":
            return gettext("%(accepted)s and merged into revision %(revision)s.",
                           accepted=_accepted_words(note["accepted"]), revision=note["revision"])
        if key == "round.not_merged":
            return gettext(
                "%(accepted)s, but not merged: its lines were changed after voting opened on revision %(base)s "
                "(the text is now at revision %(head)s). Propose it again on the current text, or edit the text to say it.",
                accepted=_accepted_words(note["accepted"]), base=note["base"], head=note["head"],
            )
        if key == "round.rejected_counts":
            return gettext("Rejected (%(counts)s): %(rule)s.", counts=_counts_words(note["counts"]),
                           rule=note_words(note["rule"], {}, bare=True))
        if key == "round.superseded":
            return gettext("Superseded by rival %(amendment)s.", amendment=note["amendment"])
        if key == "round.rejected_rule":
            return gettext("Rejected: %(rule)s.", rule=note_words(note["rule"], {}))
        if key == "round.current_preferred":
            return gettext("The current text was preferred (%(rule)s; turnout %(turnout)s).",
                           rule=note_words(note["rule"], {}), turnout=percent(note["turnout"]))
        if key == "round.cancelled":
            return gettext("Round %(number)s was cancelled before a decision; the amendment is pending again.",
                           number=note["number"])
        if key == "round.not_rebased":
            return gettext("Not rebased onto revision %(revision)s before voting opened; not voted on in round "
                           "%(number)s.", revision=note["revision"], number=note["number"])
    except (KeyError, TypeError):  # a malformed note: show the stored text instead
        return None
    return None

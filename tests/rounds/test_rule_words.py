"""The rule that decided a question, rebuilt by the presenters in the reader's language
(app/rounds/presenters/rule_words.py): in English exactly the tally's `rule`."""
import random
from fractions import Fraction

import pytest

from app.rounds.presenters import rule_words as rw
from app.rounds.tally.consent import tally_consent
from app.rounds.tally.ranked import tally_ranked
from app.rounds.tally.yes_no import tally_yes_no

RULES = ((0.5, True), (0.5, False), (2 / 3, True), (Fraction(2, 3), False), (0.6, True), (0.99, False))


def _yes_no_results():
    for electorate in range(0, 7):
        for yes in range(electorate + 1):
            for no in range(electorate + 1 - yes):
                for abstain in (0, electorate - yes - no):
                    for quorum in (0, 0.5):
                        for threshold, strict in RULES:
                            for majority_of in ("votes", "electorate"):
                                for min_yes in (0, 1, 3):
                                    yield tally_yes_no(["yes"] * yes + ["no"] * no + ["abstain"] * abstain,
                                                       electorate=electorate, quorum=quorum, threshold=threshold,
                                                       strict=strict, majority_of=majority_of, min_yes=min_yes)
                    for min_yes in (0, 1, 3):
                        answers = ["consent"] * yes + [{"choice": "object", "reason": "no"}] * no + ["abstain"] * abstain
                        yield tally_consent(answers, electorate=electorate, quorum=0.5 if abstain else 0, min_yes=min_yes)


def _ranked_results(count=1500):
    rng = random.Random(17)
    for _ in range(count):
        options = [f"a{n}" for n in range(1, rng.randint(1, 3) + 1)]
        electorate = rng.randint(0, 9)
        ballots = []
        for _ in range(rng.randint(0, electorate)):
            keys = ["keep", *options]
            rng.shuffle(keys)
            levels = []
            for key in keys[:rng.randint(0, len(keys))]:
                if levels and rng.random() < 0.3:
                    levels[-1].append(key)
                else:
                    levels.append([key])
            ballots.append(levels)
        threshold, strict = rng.choice(RULES)
        yield tally_ranked(ballots, options=options, status_quo="keep", electorate=electorate,
                           quorum=rng.choice((0, 0.5)), threshold=threshold, strict=strict)


def test_english_words_are_the_tally_rule(app):
    seen = set()
    with app.test_request_context():
        for result in [*_yes_no_results(), *_ranked_results()]:
            note = rw.rule_note(result)
            assert note is not None, result.rule
            assert rw.rule_words(result) == result.rule
            assert rw.rule_words(result.as_dict()) == result.rule
            seen.add(note["key"])
    # every case is met at least once (but "not_compared", which ties to the current text may make unreachable)
    assert seen >= {"quorum", "no_votes", "tie", "votes_short", "electorate_short", "min_yes_short",
                    "votes_accepted", "electorate_accepted", "objections", "no_consent", "consent_short",
                    "consent_accepted", "keep_wins", "head_to_head_tie", "beat", "not_beat"}


def test_the_examples_of_the_brief(app):
    with app.test_request_context():
        for result, rule in (
            (tally_yes_no(["yes"] * 2 + ["no"] * 2, electorate=4), "rejected: tie 2 yes to 2 no never passes"),
            (tally_yes_no(["yes"] * 3, electorate=10, quorum=0.5), "quorum not met: 3 of 10 voted, 5 needed"),
            (tally_yes_no(["yes"] * 5 + ["no"] * 2, electorate=7), "accepted: 5 yes to 2 no (71.4% > 50%)"),
        ):
            assert result.rule == rule
            assert rw.rule_words(result) == rule


def test_a_rule_that_cannot_be_rebuilt_shows_its_stored_text(app):
    data = tally_yes_no(["yes"] * 2 + ["no"] * 2, electorate=4).as_dict()
    data["rule"] = "rejected: an older wording"
    with app.test_request_context():
        assert rw.rule_note(data) is None
        assert rw.rule_words(data) == "rejected: an older wording"


SPANISH = {
    "rejected: tie %(yes)s yes to %(no)s no never passes": "rechazada: un empate de %(yes)s sí frente a %(no)s no nunca se aprueba",
    "quorum not met: %(voters)s of %(electorate)s voted, %(needed)s needed":
        "quórum no alcanzado: votaron %(voters)s de %(electorate)s, se necesitaban %(needed)s",
    "%(share)s not > %(threshold)s": "%(share)s no > %(threshold)s",
    "rejected: %(yes)s yes to %(no)s no (%(comparison)s)": "rechazada: %(yes)s sí frente a %(no)s no (%(comparison)s)",
}


@pytest.fixture
def spanish(monkeypatch):
    """gettext looking up SPANISH (the catalogs are compiled later, by the lead); records the msgids."""
    asked = []

    def gettext(string, **values):
        asked.append(string)
        return SPANISH[string] % values

    monkeypatch.setattr(rw._Reader, "gettext", staticmethod(gettext))
    return asked


def test_spanish_tie_and_quorum(app, spanish):
    with app.test_request_context():
        tie = rw.rule_words(tally_yes_no(["yes", "yes", "no", "no"], electorate=4))
        quorum = rw.rule_words(tally_yes_no(["yes"] * 3, electorate=10, quorum=0.5))
    assert tie == "rechazada: un empate de 2 sí frente a 2 no nunca se aprueba"
    assert quorum == "quórum no alcanzado: votaron 3 de 10, se necesitaban 5"
    assert spanish == ["rejected: tie %(yes)s yes to %(no)s no never passes",
                       "quorum not met: %(voters)s of %(electorate)s voted, %(needed)s needed"]


def test_french_percentages_keep_the_tally_rounding(app, spanish):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        from flask_babel import refresh

        refresh()
        words = rw.rule_words(tally_yes_no(["yes"] * 2 + ["no"] * 4, electorate=6))
    assert words.startswith("rechazada: 2 sí frente a 4 no (33,3")


def test_outcome_notes_read_like_the_stored_text(app):
    result = tally_yes_no(["yes", "yes", "no", "no"], electorate=4)
    note = {"key": "round.rejected_counts", "counts": rw.counts_note(result), "rule": rw.rule_note(result)}
    with app.test_request_context():
        assert rw.outcome_words(note) == ("Rejected (2 yes, 2 no, 0 abstain; turnout 100%): "
                                          "tie 2 yes to 2 no never passes.")
        assert rw.outcome_words({"key": "round.cancelled", "number": 3}) == (
            "Round 3 was cancelled before a decision; the amendment is pending again.")
        assert rw.outcome_words({"key": "elsewhere"}) is None
        assert rw.outcome_words({"key": "round.merged"}) is None  # malformed: the stored text is shown

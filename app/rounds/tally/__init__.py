"""Pure vote counting for Commonwright rounds: ballots in, results out.

Three kinds of count are made here, one module each:

* yes/no questions under a majority rule (:func:`.yes_no.tally_yes_no`): the
  share of yes is taken of the yes and no votes (``majority_of="votes"``) or of
  the whole electorate (``majority_of="electorate"``), optionally with a floor
  of yes votes (``min_yes``);
* yes/no questions under the consent rule (:func:`.consent.tally_consent`):
  accepted when nobody objects; and
* ranked questions between rival amendments and the status quo
  ("keep the current text"), counted with the Schulze method
  (:func:`.ranked.tally_ranked`; the method itself is in :mod:`.schulze`, the
  checking and grouping of ranked ballots in :mod:`.rankings`).

The adoption question of an adoption round (the final vote on the whole
text) is a yes/no question like any other: it is counted by ``tally_yes_no``
or ``tally_consent`` according to the round's decision rule;
:func:`.decision.tally_decision` picks the right one.  The choices and rule
names are in :mod:`.choices`, the checks of the inputs in :mod:`.checks`, and
the arithmetic and wording the counts share in :mod:`.outcome`.

The package depends on the standard library only: no Flask, no database, no
imports from the rest of ``app`` (tests/rounds/test_tally.py checks it).
Every result is a frozen dataclass whose fields are plain, JSON-ready values
(``int``, ``float``, ``bool``, ``str``, ``None``, lists and dicts with ``str``
keys); ``as_dict()`` returns a deep copy as a dict.

Exact arithmetic: quorum, threshold and shares are compared as
:class:`fractions.Fraction`, never as floats, so "quorum 0.3 of 10 voters"
needs exactly 3 voters and "at least 2/3" passes with exactly 2 of 3.
"""

"""Arithmetic and wording shared by the counts: quorum, turnout, threshold, the rule in words."""

from __future__ import annotations

import math
from fractions import Fraction


def quorum_needed(quorum: Fraction, electorate: int) -> int:
    """The smallest number of voters that meets ``quorum`` of ``electorate``."""
    return math.ceil(quorum * electorate)


def quorum_rule(voters: int, electorate: int, needed: int) -> str:
    """The rule in words when the quorum was not met."""
    return f"quorum not met: {voters} of {electorate} voted, {needed} needed"


def turnout_of(voters: int, electorate: int) -> float:
    """``voters / electorate`` as a float; 0.0 for an empty electorate."""
    return voters / electorate if electorate else 0.0


def passes(share: Fraction, threshold: Fraction, strict: bool) -> bool:
    """Whether ``share`` is above ``threshold`` (at least it, when not ``strict``)."""
    return share > threshold if strict else share >= threshold


def comparison_text(share: Fraction, threshold: Fraction, strict: bool, passed: bool) -> str:
    """The comparison in words: "66.7% > 50%", "40% not > 50%"."""
    operator = ">" if strict else ">="
    negation = "" if passed else "not "
    return f"{percent(share)} {negation}{operator} {percent(threshold)}"


def count_of(n: int, noun: str) -> str:
    """"1 elector", "2 electors"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def percent(value: Fraction) -> str:
    """A fraction as a short percentage: 1/2 → "50%", 2/3 → "66.7%"."""
    text = f"{float(value) * 100:.1f}"
    return text.removesuffix(".0") + "%"

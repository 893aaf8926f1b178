"""Validation of what a count is given: options, electorate, quorum, threshold, rules, answers.

Every check raises ``ValueError`` with a message naming the bad value, and returns the value
in the form the counts use (a :class:`fractions.Fraction` for quorum and threshold).
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import Any, Iterable, Sequence

from .choices import MAJORITY_OF

# Floats such as 2/3 are read as the simplest fraction with a denominator up to
# this bound that has exactly the same float value (see exact_fraction).
_MAX_FLOAT_DENOMINATOR = 10**6


def check_options(options: Sequence[str]) -> list[str]:
    """The option keys as a list; they must be distinct, non-empty strings."""
    if isinstance(options, str):
        raise ValueError("options must be a list of option keys, not a string")
    order = list(options)
    for key in order:
        if not isinstance(key, str) or not key:
            raise ValueError(f"option keys must be non-empty strings, got {key!r}")
    duplicates = sorted({key for key in order if order.count(key) > 1})
    if duplicates:
        raise ValueError(f"option {duplicates[0]!r} is listed twice in options")
    return order


def option_order(options: Sequence[str], status_quo: str) -> list[str]:
    """Status quo first, then the other options in the order given."""
    order = check_options(options)
    if not isinstance(status_quo, str) or not status_quo:
        raise ValueError(f"status_quo must be a non-empty string, got {status_quo!r}")
    return [status_quo] + [key for key in order if key != status_quo]


def check_electorate(electorate: int) -> int:
    """The electorate, a whole number, 0 or more."""
    if isinstance(electorate, bool) or not isinstance(electorate, int):
        raise ValueError(f"electorate must be an integer, got {electorate!r}")
    if electorate < 0:
        raise ValueError(f"electorate must not be negative, got {electorate}")
    return electorate


def check_voters(voters: int, electorate: int) -> None:
    """Refuse more voters than the electorate."""
    if voters > electorate:
        raise ValueError(
            f"more voters ({voters}) than the electorate ({electorate})"
        )


def check_quorum(quorum: Any) -> Fraction:
    """The quorum as an exact fraction of the electorate, between 0 and 1."""
    value = exact_fraction(quorum, "quorum")
    if not 0 <= value <= 1:
        raise ValueError(f"quorum must be between 0 and 1, got {quorum!r}")
    return value


def check_majority_of(majority_of: Any) -> str:
    """What the share of yes is taken of: ``"votes"`` or ``"electorate"``."""
    if majority_of not in MAJORITY_OF:
        raise ValueError(
            f"majority_of must be one of {', '.join(MAJORITY_OF)}, got {majority_of!r}"
        )
    return majority_of


def check_min_yes(min_yes: Any) -> int:
    """The floor of yes votes (or consents), a whole number, 0 or more."""
    if isinstance(min_yes, bool) or not isinstance(min_yes, int) or min_yes < 0:
        raise ValueError(f"min_yes must be a whole number, 0 or more, got {min_yes!r}")
    return min_yes


def check_threshold(threshold: Any) -> Fraction:
    """The threshold as an exact fraction, at least 1/2 and below 1."""
    value = exact_fraction(threshold, "threshold")
    if not Fraction(1, 2) <= value < 1:
        raise ValueError(
            f"threshold must be at least 0.5 and below 1, got {threshold!r}"
        )
    return value


def exact_fraction(value: Any, name: str) -> Fraction:
    """Read a number exactly, as ``Fraction(str(value))``.

    A float is first tried as the simplest fraction (denominator up to 10**6)
    with exactly the same float value, so ``2/3`` means two thirds rather than
    0.6666666666666666; ``0.3`` is 3/10 either way.
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        exact = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{name} must be a finite number, got {value!r}") from None
    if isinstance(value, float):
        simple = exact.limit_denominator(_MAX_FLOAT_DENOMINATOR)
        if float(simple) == value:
            return simple
    return exact


def count_answers(choices: Iterable[str], allowed: Sequence[str]) -> list[int]:
    """How many of ``choices`` are each of ``allowed``, in that order; unknown choices are refused."""
    try:
        counts = Counter(choices)
    except TypeError:
        raise ValueError("choices must be an iterable of strings") from None
    unknown = [c for c in counts if c not in allowed]
    if unknown:
        raise ValueError(
            f"unknown choice {unknown[0]!r}; expected one of {', '.join(allowed)}"
        )
    return [counts[choice] for choice in allowed]

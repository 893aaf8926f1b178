"""Ranked ballots checked against the options and grouped: identical ballots counted once.

A ballot is a list of rank levels, best first, each level a list of option keys; a grouped
ballot is a tuple of levels of option indices (each level sorted), with its count.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Mapping, Sequence


def group_ballots(
    ballots: Iterable[Sequence[Sequence[str]]], order: Sequence[str]
) -> Counter[tuple[tuple[int, ...], ...]]:
    """Validate ballots and count identical ones (as rank levels of indices)."""
    try:
        raw_counts = Counter(map(_raw_form, ballots))
    except TypeError:
        raise ValueError(
            "each ballot must be a list of rank levels, each a list of "
            "option keys"
        ) from None
    index = {key: i for i, key in enumerate(order)}
    grouped: Counter[tuple[tuple[int, ...], ...]] = Counter()
    for raw, count in raw_counts.items():
        grouped[_normalise(raw, index)] += count
    return grouped


def _raw_form(ballot: Sequence[Sequence[str]]) -> tuple:
    """A hashable copy of a ballot; string levels are kept for validation."""
    return tuple(
        level if isinstance(level, str) else tuple(level) for level in ballot
    )


def _normalise(raw: tuple, index: Mapping[str, int]) -> tuple[tuple[int, ...], ...]:
    """Turn a raw ballot into sorted index levels, rejecting bad keys."""
    seen: set[int] = set()
    levels = []
    for level in raw:
        if isinstance(level, str):
            raise ValueError(
                f"ballot {_show(raw)}: rank level {level!r} must be a list of "
                "option keys, not a string"
            )
        positions = []
        for key in level:
            position = index.get(key)
            if position is None:
                raise ValueError(f"ballot {_show(raw)}: unknown option {key!r}")
            if position in seen:
                raise ValueError(f"ballot {_show(raw)}: option {key!r} listed twice")
            seen.add(position)
            positions.append(position)
        if positions:
            levels.append(tuple(sorted(positions)))
    return tuple(levels)


def _show(raw: tuple) -> str:
    """A raw ballot as error messages quote it."""
    return repr([level if isinstance(level, str) else list(level) for level in raw])

"""The Schulze method (winning votes): pairwise matrix, strongest paths, ranking."""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from .checks import check_options, option_order
from .rankings import group_ballots


def pairwise_matrix(
    ballots: Iterable[Sequence[Sequence[str]]], options: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Return ``d`` with ``d[x][y]`` = number of ballots ranking x above y.

    Ballots have the same form as for :func:`~.ranked.tally_ranked`; unlisted options
    rank below all listed ones, tied.  The matrix is square over ``options``
    with a zero diagonal.  Raises ``ValueError`` for a malformed ballot or an
    unknown or repeated option.
    """
    order = check_options(options)
    grouped = group_ballots(ballots, order)
    return to_dict(count_pairs(grouped, len(order)), order)


def schulze_strongest_paths(
    d: Mapping[str, Mapping[str, int]], options: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Return the Schulze strongest-path strengths ``p`` for matrix ``d``.

    Link strength is measured by winning votes: the link x→y has strength
    ``d[x][y]`` when ``d[x][y] > d[y][x]`` and does not exist (0) otherwise.
    ``p[x][y]`` is the strength of the widest path from x to y (the largest
    possible weakest link), computed Floyd–Warshall style in O(n³).  The
    diagonal of ``d`` is ignored; the result has a zero diagonal.
    """
    order = check_options(options)
    matrix = [[d[x][y] if x != y else 0 for y in order] for x in order]
    return to_dict(widest_paths(matrix), order)


def schulze_ranking(
    p: Mapping[str, Mapping[str, int]],
    options: Sequence[str],
    status_quo: str,
) -> list[list[str]]:
    """Return the Schulze order of ``options`` as a list of tied levels.

    x is ahead of y when ``p[x][y] > p[y][x]``.  The first level holds the
    options no other option is ahead of (the Schulze winners); each further
    level does the same for the options still left.  Inside a level keys are
    listed in tie-break order: the status quo first, then the other options
    in the order given; so ``ranking[0][0]`` is the winner after
    tie-breaking.  ``status_quo`` may be omitted from ``options``.
    """
    remaining = option_order(options, status_quo)
    levels: list[list[str]] = []
    while remaining:
        level = [x for x in remaining if not _is_beaten(x, remaining, p)]
        if not level:
            raise ValueError("p is not a Schulze path matrix: it has a cycle")
        levels.append(level)
        remaining = [x for x in remaining if x not in level]
    return levels


def schulze_count(
    grouped: Mapping[tuple[tuple[int, ...], ...], int], order: Sequence[str], status_quo: str
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]], list[list[str]]]:
    """(pairwise matrix, strongest paths, Schulze ranking) of ballots grouped by
    :func:`~.rankings.group_ballots` over ``order`` (the status quo first)."""
    d = count_pairs(grouped, len(order))
    pairwise = to_dict(d, order)
    strongest = to_dict(widest_paths(d), order)
    return pairwise, strongest, schulze_ranking(strongest, order, status_quo)


def _is_beaten(x: str, rivals: Sequence[str], p: Mapping[str, Mapping[str, int]]) -> bool:
    """Whether some rival is ahead of ``x`` (has the stronger path)."""
    return any(p[y][x] > p[x][y] for y in rivals if y != x)


def count_pairs(
    grouped: Mapping[tuple[tuple[int, ...], ...], int], n: int
) -> list[list[int]]:
    """d[x][y] = weight of ballots ranking x strictly above y.

    For each distinct ballot, every option in a level beats every option in
    a later level and every unlisted option, i.e. everything still "below".
    """
    d = [[0] * n for _ in range(n)]
    for levels, weight in grouped.items():
        below = set(range(n))
        for level in levels:
            below.difference_update(level)
            for x in level:
                row = d[x]
                for y in below:
                    row[y] += weight
    return d


def widest_paths(d: list[list[int]]) -> list[list[int]]:
    """Schulze strongest paths (winning votes) on an index matrix."""
    n = len(d)
    p = [
        [d[i][j] if i != j and d[i][j] > d[j][i] else 0 for j in range(n)]
        for i in range(n)
    ]
    for i in range(n):
        p_i = p[i]
        for j in range(n):
            p_ji = p[j][i]
            if j == i or p_ji == 0:
                continue
            p_j = p[j]
            for k in range(n):
                if k == i or k == j:
                    continue
                via = p_ji if p_ji < p_i[k] else p_i[k]
                if via > p_j[k]:
                    p_j[k] = via
    return p


def to_dict(matrix: list[list[int]], order: Sequence[str]) -> dict[str, dict[str, int]]:
    """An index matrix as a dict of dicts keyed by the option keys of ``order``."""
    return {
        x: {y: matrix[i][j] for j, y in enumerate(order)}
        for i, x in enumerate(order)
    }

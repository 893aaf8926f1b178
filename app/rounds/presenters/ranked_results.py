"""Results of ranked questions: the Schulze order, the pairwise matrix (bounded on the page,
whole in the CSV), the head-to-head duels with the current text."""
from flask_babel import gettext

from .. import phases
from .amendment_display import option_code, option_label
from .charts import split_bar

#: A ranked question with more options than this shows its top options, not the whole
#: pairwise matrix (201 options would be 40,401 cells); the whole matrix is a CSV download.
MATRIX_LIMIT = 12


def ranked_view(data, amendments, round_):
    """A ranked question's stored result ready for the page: labels, matrix or top options, duels."""
    options = data["question_options"]
    labels = {o["key"]: option_label(o, amendments) for o in options}
    codes = {o["key"]: option_code(o, amendments) for o in options}
    keys = schulze_order(data)
    bounded = len(keys) > MATRIX_LIMIT
    pairwise = data["pairwise"]
    matrix = None if bounded else [
        {"key": x, "label": labels[x], "cells": [
            {"key": y, "value": pairwise[x][y] if x != y else None, "wins": x != y and pairwise[x][y] > pairwise[y][x]}
            for y in keys
        ]}
        for x in keys
    ]
    duels = [
        {"key": key, "label": labels[key], "short": codes[key], "won": pairwise[key][phases.KEEP],
         "lost": pairwise[phases.KEEP][key],
         "split": split_bar(pairwise[key][phases.KEEP], pairwise[phases.KEEP][key],
                            round_.threshold, (gettext("Prefer the amendment"), gettext("Prefer the current text")))}
        for key in keys if key != phases.KEEP
    ]
    accepted = amendments.get(data["accepted_amendment_id"])
    return {
        **data,
        "labels": labels,
        "codes": codes,
        "order": keys,
        "matrix": matrix,
        "top": top_options(data, labels) if bounded else None,
        "duels": duels,
        "levels": [[labels[key] for key in level] for level in data["ranking"]],
        "accepted_amendment": accepted,
        "winner_failed": winner_failed(data),
        "winner_label": labels.get(data["winner"]),
        "amendments": [amendments[o["amendment_id"]] for o in options if o["amendment_id"]],
    }


def winner_failed(data):
    """True when a ranked question's Schulze winner is a rival that did not beat the current text head to head."""
    return (bool(data["voters"]) and data["quorum_met"] and data["winner"] != phases.KEEP
            and data["accepted_amendment_id"] is None)


def schulze_order(data):
    """The option keys of a ranked result, best first (the Schulze ranking, ties in stored order)."""
    return [key for level in data["ranking"] for key in level]


def top_options(data, labels, limit=MATRIX_LIMIT):
    """The first `limit` options of a ranked result with their head-to-head record.

    [{rank, key, label, wins, losses, ties, against}]: rank is the Schulze level (tied options
    share it), wins / losses / ties count the other options beaten, lost to and tied with,
    against is the number of other options. Reads len(options) × limit cells, never the whole matrix.
    """
    keys = schulze_order(data)
    rank = {key: number for number, level in enumerate(data["ranking"], start=1) for key in level}
    pairwise = data["pairwise"]
    rows = []
    for key in keys[:limit]:
        duels = [(pairwise[key][other], pairwise[other][key]) for other in keys if other != key]
        wins = sum(1 for mine, theirs in duels if mine > theirs)
        losses = sum(1 for mine, theirs in duels if mine < theirs)
        rows.append({"rank": rank[key], "key": key, "label": labels.get(key, key), "wins": wins,
                     "losses": losses, "ties": len(duels) - wins - losses, "against": len(duels)})
    return rows


def matrix_table(data, labels):
    """The whole pairwise matrix of a ranked result as rows for a CSV file, in Schulze order.

    A header row (key, option, rank, then every option's key), then one row per option: its key,
    label and Schulze rank, then the number of voters who ranked it above each column's option
    (empty on the diagonal).
    """
    keys = schulze_order(data)
    rank = {key: number for number, level in enumerate(data["ranking"], start=1) for key in level}
    pairwise = data["pairwise"]
    yield ["key", "option", "rank", *keys]
    for x in keys:
        yield [x, labels.get(x, x), rank[x], *("" if x == y else pairwise[x][y] for y in keys)]

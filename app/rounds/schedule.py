"""Deadlines on time with nobody looking: the worker's periodic tick over every open round.

Each round is applied and committed on its own (through the phase authority,
:func:`app.rounds.phases.refresh_round`), so one failing round does not hold back the others.
`flask rounds tick` runs the same function for those who prefer cron.
"""
from typing import NamedTuple

from flask import current_app

from ..core.jobs import periodic
from ..extensions import db
from .services import open_round_ids, tick_round


class Ticked(NamedTuple):
    """What the tick did to one round: its phase before and after, electors reminded, or the error."""

    round_id: int
    before: str | None
    after: str | None
    reminded: int
    error: str | None = None


def tick_open_rounds(now=None):
    """Apply passed deadlines to every open round and send due reminders; a Ticked per round."""
    done = []
    for round_id in open_round_ids():
        try:
            before, after, reminded = tick_round(round_id, now)
            db.session.commit()
        except Exception as error:  # noqa: BLE001 - report, roll back, go on with the next round
            db.session.rollback()
            current_app.logger.exception("round %s: the tick failed, nothing changed", round_id)
            done.append(Ticked(round_id, None, None, 0, str(error)))
            continue
        done.append(Ticked(round_id, before, after, reminded))
    return done


@periodic("rounds.tick", minute="*")
def tick_job():
    """Every minute in the worker: deadlines, closes, reminders (their mail goes through the outbox)."""
    return [t for t in tick_open_rounds() if t.before != t.after or t.reminded or t.error]

"""Small helpers shared by the rounds tests (plain functions, no fixtures)."""
from datetime import timedelta

from app.core.timeutil import utcnow
from app.extensions import db


def set_deadlines(round_id, **offsets):
    """Move a round's deadlines relative to now, e.g. voting_until=-1 (hours; negative = past)."""
    from app.rounds.models import Round

    round_ = db.session.get(Round, round_id)
    for name, hours in offsets.items():
        setattr(round_, name, utcnow() + timedelta(hours=hours))
    db.session.commit()


def ballot_for(round_json, choice="yes", ranking_first=None):
    """Answers for every question of a round: `choice` on yes/no, `ranking_first` on top elsewhere."""
    answers = []
    for question in round_json["questions"]:
        if question["kind"] == "yes_no":
            answers.append({"question": question["id"], "choice": choice})
        else:
            keys = [o["key"] for o in question["options"]]
            first = ranking_first or keys[1]
            answers.append({"question": question["id"], "ranking": [[first]] + [[k] for k in keys if k != first]})
    return answers


def rows(model, **filters):
    """All rows of a model matching filters, ordered by id."""
    return db.session.execute(db.select(model).filter_by(**filters).order_by(model.id)).scalars().all()

"""Child process for the crash tests: closes a round in its own app, optionally pausing before commit.

    python closer.py DATABASE_URL ROUND_ID FACILITATOR_ID MODE PAUSE

MODE 'advance': the facilitator advances the voting round (advance_round); 'deadline': the voting
deadline has passed and refresh_round closes it. PAUSE 'hold': just before the commit (after a
flush, so the database holds the uncommitted rows and locks) print "ready" and sleep until
killed; 'none': commit at once. Prints "go" when the app is built, "done" after the commit.
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main(url, round_id, facilitator_id, mode, pause):
    from sqlalchemy import event

    from app import create_app
    from app.accounts.models import User
    from app.extensions import db
    from app.rounds import phases
    from app.rounds.models import Round

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        session = db.session()
        if pause == "hold":
            @event.listens_for(session, "before_commit")
            def hold(sess):
                sess.flush()
                print("ready", flush=True)
                time.sleep(300)  # the test kills us here

        round_ = db.session.get(Round, int(round_id))
        facilitator = db.session.get(User, int(facilitator_id))
        print("go", flush=True)
        if mode == "advance":
            round_ = phases.advance_round(facilitator, round_)
        else:
            round_ = phases.refresh_round(round_)
        assert round_.phase == "closed", round_.phase
        db.session.commit()
        print("done", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:6])

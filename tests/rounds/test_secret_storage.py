"""Secret ballots are unlinkable in storage: the database's files, not only its live rows.

While a secret round is voting, each participation row (who voted) holds the random key of its
ballot (what was voted), so that the voter can replace it. After the close (or a cancellation)
nothing in the files may link a voter to a ballot: no key known during voting in any heap,
TOAST or index page (live rows, dead row versions or freed space), no transaction id shared by
a participation tuple and a ballot tuple, no row order that follows the voting order.

On PostgreSQL the pages are read with the `pageinspect` extension (the test user is a
superuser); on SQLite the database file itself is read.
"""
import json
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from app.extensions import db
from app.rounds.models import Ballot, Participation, Round

from conftest import is_postgres

from .helpers import rows

LINE3 = (3, 3, "The city loves its commons.\n")
LINE7 = (7, 7, "Reviews are published.\n")
PAIRS = [(a, b) for a in ("yes", "no", "abstain") for b in ("yes", "no", "abstain")]  # 9 distinct ballots
VOTERS = ["admin", "facilitator"] + [f"member{i}" for i in range(7)]
REPLACERS = {0, 3, 5, 8}  # these voters first cast another ballot, then replace it


@pytest.fixture
def pages(app):
    """pages.raw(relation) → [bytes of each block]; pages.heap(relation) → [(lp_flags, xmin, data)]."""
    if not is_postgres(app):
        pytest.skip("reads PostgreSQL pages with pageinspect; on SQLite the file test below runs instead")
    with app.app_context():
        db.session.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        db.session.commit()
    return RawPages(app)


class RawPages:
    """Raw blocks of the ballot and participation tables, their TOAST tables and every index."""

    def __init__(self, app):
        self.app = app

    def _query(self, sql, **params):
        with self.app.app_context():
            result = db.session.execute(text(sql), params).all()
            db.session.rollback()
            return result

    def relations(self):
        tables = ("ballots", "participations")
        toast = [r for (r,) in self._query(
            "SELECT reltoastrelid::regclass::text FROM pg_class "
            "WHERE oid = ANY(CAST(:t AS regclass[])) AND reltoastrelid <> 0", t=list(tables))]
        indexes = [r for (r,) in self._query(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = ANY(CAST(:t AS regclass[]))",
            t=list(tables) + toast)]
        return list(tables) + toast + indexes

    def raw(self, relation):
        blocks = self._query(
            "SELECT get_raw_page(CAST(:r AS text), 'main', n::int) FROM generate_series(0, "
            "pg_relation_size(CAST(:r AS regclass)) / current_setting('block_size')::int - 1) AS n", r=relation)
        return [bytes(block) for (block,) in blocks]

    def heap(self, relation):
        """Every line pointer with storage (live or dead tuples), in physical order."""
        return [(flags, int(xmin), bytes(data or b"")) for flags, xmin, data in self._query(
            "SELECT i.lp_flags, i.t_xmin::text::bigint, i.t_data FROM generate_series(0, "
            "pg_relation_size(CAST(:r AS regclass)) / current_setting('block_size')::int - 1) AS n, "
            "LATERAL heap_page_items(get_raw_page(CAST(:r AS text), 'main', n::int)) AS i "
            "WHERE i.lp_flags = 1 ORDER BY n, i.lp", r=relation)]


def _vote(w, questions):
    """Cast every voter's ballot (some replace a first one); returns the final answers by voter."""
    first, second = (q["id"] for q in questions)
    final = {}
    for index, role in enumerate(VOTERS):
        if index in REPLACERS:
            other = PAIRS[(index + 4) % len(PAIRS)]
            body = [{"question": first, "choice": other[0]}, {"question": second, "choice": other[1]}]
            assert w.api(role).put(f"/api/v1/rounds/{w.round_id}/ballot", json={"answers": body}).status_code == 200
        choice = PAIRS[index]
        body = [{"question": second, "choice": choice[1]}, {"question": first, "choice": choice[0]}]
        assert w.api(role).put(f"/api/v1/rounds/{w.round_id}/ballot", json={"answers": body}).status_code == 200
        final[role] = {str(first): choice[0], str(second): choice[1]}
    mine = w.api(VOTERS[0]).get(f"/api/v1/rounds/{w.round_id}/ballot").json
    assert mine["voted"] is True and mine["sealed"] is False and len(mine["answers"]) == 2
    return final


def _secret_round(world, in_app):
    """A secret round voted on by VOTERS; returns (world, the ballot keys that linked voters, final answers)."""
    w = world(members=7, amendments=[LINE3, LINE7], phase="voting", secret=True)
    questions = w.api("admin").get(f"/api/v1/rounds/{w.round_id}").json["questions"]
    final = _vote(w, questions)
    links = in_app(lambda: [p.ballot_key for p in rows(Participation, round_id=w.round_id)])
    keys = in_app(lambda: [b.key for b in rows(Ballot, round_id=w.round_id)])
    assert len(links) == len(VOTERS) and sorted(links) == sorted(keys)
    return w, links, final


def _end(w, how):
    path = f"/api/v1/rounds/{w.round_id}/{'advance' if how == 'close' else 'cancel'}"
    response = w.api("facilitator").post(path)
    assert response.status_code == 200 and response.json["phase"] == ("closed" if how == "close" else "cancelled")


@pytest.mark.postgres
@pytest.mark.parametrize("how", ["close", "cancel"])
def test_no_page_of_the_ballot_tables_links_a_voter_after_the_round_ends(world, in_app, pages, how):
    w, links, final = _secret_round(world, in_app)
    _end(w, how)

    relations = pages.relations()
    assert {"ballots", "participations", "uq_ballots_round_id_key", "uq_participations_round_id_user_id"} <= set(relations)
    for relation in relations:
        for number, block in enumerate(pages.raw(relation)):
            found = [key for key in links if key.encode() in block]
            assert not found, f"{relation} block {number} still holds {len(found)} ballot keys of the voting"

    ballots, participations = pages.heap("ballots"), pages.heap("participations")
    assert len(ballots) == len(participations) == len(VOTERS), "dead row versions remain"
    shared = {xmin for _, xmin, _ in ballots} & {xmin for _, xmin, _ in participations}
    assert not shared, f"participation and ballot tuples share transaction ids {shared}"

    texts = {role: json.dumps(answers).encode() for role, answers in final.items()}
    physical = [next(role for role, answers in texts.items() if answers in data) for _, _, data in ballots]
    assert sorted(physical) == sorted(VOTERS)
    assert physical != VOTERS  # shuffled at the close (1 chance in 362,880 to come out in voting order)

    mine = w.api(VOTERS[0]).get(f"/api/v1/rounds/{w.round_id}/ballot").json
    assert mine == {"round_id": w.round_id, "voted": True, "sealed": True, "answers": None}


@pytest.mark.postgres
def test_an_old_snapshot_delays_the_scrub_until_flask_rounds_scrub(app, world, in_app, pages):
    """A transaction that began before the close still sees the deleted rows, so VACUUM FULL must
    keep them; the close reports it, and `flask rounds scrub` finishes the job once it ends."""
    w, links, _ = _secret_round(world, in_app)
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as old:
        old.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        old.execute("SELECT 1").fetchone()  # a snapshot, and no lock on the ballot tables
        _end(w, "close")
        assert any(key.encode() in block for key in links for block in pages.raw("ballots"))
        held = app.test_cli_runner().invoke(args=["rounds", "scrub"])
        assert held.exit_code == 1 and "cannot be removed yet" in held.output
        old.rollback()
    done = app.test_cli_runner().invoke(args=["rounds", "scrub"])
    assert done.exit_code == 0, done.output
    assert "no dead row version left" in done.output
    for relation in pages.relations():
        assert not any(key.encode() in block for key in links for block in pages.raw(relation)), relation


def test_the_sqlite_file_holds_no_ballot_key_after_the_close(app, world, in_app):
    if is_postgres(app):
        pytest.skip("reads the SQLite database file; on PostgreSQL the page tests above run instead")
    w, links, _ = _secret_round(world, in_app)
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    before = path.read_bytes() + _sidecars(path)
    assert all(key.encode() in before for key in links)  # the test can see them while voting
    _end(w, "close")
    after = path.read_bytes() + _sidecars(path)
    assert [key for key in links if key.encode() in after] == []
    assert in_app(lambda: db.session.execute(text("PRAGMA secure_delete")).scalar()) == 1
    assert in_app(lambda: db.session.get(Round, w.round_id).phase) == "closed"


def _sidecars(path):
    """The journal or write-ahead log next to the database file, if there is one."""
    return b"".join(p.read_bytes() for p in (path.with_name(path.name + s) for s in ("-journal", "-wal")) if p.exists())

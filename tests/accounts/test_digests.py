"""Mail people can bear: personal notifications at once, the rest in one daily or weekly digest
(as each member chooses), one-click unsubscribe without logging in (issue 15)."""
import re
from datetime import timedelta

import pytest

from app import create_app
from app.accounts import digests
from app.accounts.models import Notification, User
from app.accounts.notifying import notify_user, notify_users
from app.core.mail import build_message
from app.core.outbox import OutboxMail
from app.core.timeutil import utcnow
from app.extensions import db

PUBLIC = "http://127.0.0.1:5000"
DAY, WEEK = timedelta(days=1), timedelta(days=7)


@pytest.fixture
def place(make_user, make_assembly, make_policy):
    """Ann and Bob, members of an assembly with one policy."""
    ann, bob = make_user(name="Ann"), make_user(name="Bob")
    assembly = make_assembly(members=[(ann, "member"), (bob, "member")], name="Veldmar Commons")
    policy = make_policy(assembly, ann, title="Parking pact")
    return ann, bob, assembly, policy


def policy_path(policy, anchor=None):
    return f"/a/{policy.assembly_slug}/p/{policy.slug}" + (f"#{anchor}" if anchor else "")


def round_opened(in_app, policy, *users, message="Voting opened on “Parking pact”."):
    in_app(lambda: notify_users([u.id for u in users], "round", message, policy_path(policy)))


def send(in_app, now=None):
    return in_app(lambda: digests.send_due_digests(now=now))


def digests_to(outbox, user):
    return [(subject, text) for to, subject, text in outbox if to == user.email and "digest" in subject]


def set_user(in_app, user, **values):
    def apply():
        row = db.session.get(User, user.id)
        for name, value in values.items():
            setattr(row, name, value)
    in_app(apply)


def test_a_round_notification_waits_for_the_digest_and_is_digested_exactly_once(in_app, outbox, place):
    ann, bob, assembly, policy = place
    round_opened(in_app, policy, ann, bob)
    assert outbox == []  # not mailed at once
    assert send(in_app) == 2
    subject, text = digests_to(outbox, ann)[0]
    assert subject == "Commonwright: your daily digest (1 notification)"
    assert "Veldmar Commons\n===============" in text
    assert "  Parking pact\n" in text
    assert "Voting opened on “Parking pact”." in text
    assert PUBLIC + policy_path(policy) in text
    assert send(in_app, utcnow() + 2 * DAY) == 0  # nothing new: no mail, however late
    round_opened(in_app, policy, ann, message="Round 2 was cancelled.")
    assert send(in_app) == 0  # ann's last digest was less than a day ago
    assert send(in_app, utcnow() + DAY) == 1
    again = digests_to(outbox, ann)[1][1]
    assert "Round 2 was cancelled." in again and "Voting opened" not in again
    assert len(digests_to(outbox, bob)) == 1


def test_a_digest_groups_by_assembly_and_policy_in_one_mail(in_app, outbox, place, make_policy, make_assembly):
    ann, bob, assembly, policy = place
    other = make_policy(assembly, ann, title="Allotments")
    elsewhere = make_policy(make_assembly(members=[(ann, "member")], name="Another Town"), ann, title="Bridges")
    round_opened(in_app, policy, ann, message="A round on parking.")
    round_opened(in_app, other, ann, message="A round on allotments.")
    round_opened(in_app, elsewhere, ann, message="A round on bridges.")
    in_app(lambda: notify_user(ann.id, "amendment_rival", "A rival amendment.", policy_path(policy, "x")))
    in_app(lambda: notify_user(ann.id, "note", "Something without a link."))
    assert send(in_app) == 1
    [(subject, text)] = digests_to(outbox, ann)
    assert "(5 notifications)" in subject
    order = [text.index(words) for words in ("Another Town", "Bridges", "A round on bridges.", "Veldmar Commons",
                                             "Allotments", "A round on allotments.", "Parking pact",
                                             "A round on parking.", "A rival amendment.", "Elsewhere",
                                             "Something without a link.")]
    assert order == sorted(order)


def test_personal_kinds_are_mailed_at_once_with_a_link_to_the_mail_choices(in_app, outbox, place):
    ann, bob, assembly, policy = place
    set_user(in_app, ann, digest="off")
    in_app(lambda: notify_user(ann.id, "comment.reply", "Bob replied to your comment.", policy_path(policy)))
    [(to, subject, text)] = outbox
    assert to == ann.email and subject == "Commonwright: Bob replied to your comment."
    assert PUBLIC + "/account#mail" in text
    assert send(in_app, utcnow() + WEEK) == 0  # personal kinds never go into a digest


def test_personal_mail_can_be_turned_off_but_not_security_mail(in_app, outbox, place, client):
    ann, bob, assembly, policy = place
    set_user(in_app, ann, mail_personal=False)
    in_app(lambda: notify_user(ann.id, "comment.reply", "Bob replied.", policy_path(policy)))
    assert outbox == []
    client.post("/reset", data={"email": ann.email})
    assert [subject for _, subject, _ in outbox] == ["Reset your Commonwright password"]


def test_weekly_waits_seven_days(in_app, outbox, place):
    ann, bob, assembly, policy = place
    set_user(in_app, ann, digest="weekly")
    round_opened(in_app, policy, ann)
    start = utcnow()
    assert send(in_app, start) == 1  # the first digest comes at once
    round_opened(in_app, policy, ann, message="Round 2 opened.")
    assert send(in_app, start + DAY) == 0
    assert send(in_app, start + 6 * DAY) == 0
    assert send(in_app, start + WEEK) == 1
    assert [s for s, _ in digests_to(outbox, ann)] == ["Commonwright: your weekly digest (1 notification)"] * 2
    assert "You get this digest once a week" in digests_to(outbox, ann)[1][1]


def test_off_never_mails_and_turning_it_back_on_starts_from_now(in_app, outbox, place):
    ann, bob, assembly, policy = place
    in_app(lambda: digests.set_mail_choices(db.session.get(User, ann.id), digest="off"))
    round_opened(in_app, policy, ann, message="While off.")
    assert send(in_app, utcnow() + 30 * DAY) == 0
    in_app(lambda: digests.set_mail_choices(db.session.get(User, ann.id), digest="daily"))
    assert send(in_app) == 0  # what came while off stays on the site
    round_opened(in_app, policy, ann, message="After.")
    assert send(in_app) == 1
    assert "While off." not in digests_to(outbox, ann)[0][1]


def test_what_was_read_on_the_site_is_not_mailed(in_app, outbox, place, login):
    ann, bob, assembly, policy = place
    round_opened(in_app, policy, ann, bob)
    login(ann).post("/notifications")  # mark all read
    assert send(in_app) == 1
    assert digests_to(outbox, ann) == [] and len(digests_to(outbox, bob)) == 1


def test_a_digest_has_one_click_unsubscribe_headers(in_app, outbox, place, app):
    ann, bob, assembly, policy = place
    round_opened(in_app, policy, ann)
    assert send(in_app) == 1
    with app.app_context():
        row = db.session.execute(db.select(OutboxMail)).scalar_one()
        headers = dict(line.split(": ", 1) for line in row.headers.split("\n"))
        link = re.fullmatch(r"<(.+)>", headers["List-Unsubscribe"]).group(1)
        assert link.startswith(PUBLIC + "/unsubscribe/")
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link in row.body and PUBLIC + "/account#mail" in row.body
        message = build_message(row, "assembly@example.org")
        assert message["List-Unsubscribe"] == f"<{link}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        raw = message.as_bytes()  # as the SMTP transport writes it: the link whole, not an encoded word
        assert f"\nList-Unsubscribe: <{link}>\n".encode() in raw.replace(b"\r\n", b"\n")


def digest_statements(seen):
    """The statements of the digest run itself (not of the mail delivery its commit started)."""
    return [s for s in seen if s.lstrip().upper().startswith(("SELECT", "UPDATE", "INSERT"))
            and ("outbox_mail" not in s or s.lstrip().upper().startswith("INSERT"))]


def test_one_batch_of_members_costs_the_same_queries_whatever_its_size(in_app, statements, app, place, make_user):
    ann, bob, assembly, policy = place
    many = [make_user() for _ in range(30)]

    def run():
        with app.app_context():
            count = digests.send_due_digests()
            db.session.commit()
            return count

    round_opened(in_app, policy, ann)
    one, few = statements(run)
    round_opened(in_app, policy, bob, *many)
    thirty_one, more = statements(run)
    assert (one, thirty_one) == (1, 31)
    # due members, their notifications, assembly names, policy titles, INSERT, UPDATE, due members again
    assert len(digest_statements(more)) == len(digest_statements(few)) == 7
    with app.app_context():
        marks = dict(db.session.execute(db.select(User.id, User.digested_through)).all())
        newest = dict(db.session.execute(db.select(Notification.user_id, db.func.max(Notification.id))
                                         .group_by(Notification.user_id)).all())
        assert marks == {user_id: newest.get(user_id, 0) for user_id in marks}


def unsubscribe_link(in_app, outbox, policy, user):
    round_opened(in_app, policy, user)
    send(in_app)
    text = digests_to(outbox, user)[-1][1]
    return re.search(r"http://127\.0\.0\.1:5000(/unsubscribe/\S+)", text).group(1)


def digest_of(app, user):
    with app.app_context():
        return db.session.get(User, user.id).digest


def test_unsubscribe_get_changes_nothing_and_post_works_without_login_or_csrf(app, in_app, outbox, place):
    ann, bob, assembly, policy = place
    path = unsubscribe_link(in_app, outbox, policy, ann)
    csrf_app = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                          WTF_CSRF_ENABLED=True)
    browser = csrf_app.test_client()
    page = browser.get(path)
    assert page.status_code == 200 and "Stop the digests" in page.text and '<form method="post">' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert digest_of(app, ann) == "daily"
    done = browser.post(path, data={"List-Unsubscribe": "One-Click"})  # as RFC 8058 mail clients send it
    assert done.status_code == 200 and "Digests stopped" in done.text
    assert 'href="/account#mail"' in done.text
    assert digest_of(app, ann) == "off" and digest_of(app, bob) == "daily"
    round_opened(in_app, policy, ann, message="After unsubscribing.")
    assert send(in_app, utcnow() + WEEK) == 0
    assert browser.post(path).status_code == 200  # a second click is harmless


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "nonsense", lambda t: t.split(".")[0]])
def test_a_bad_unsubscribe_token_is_refused(app, in_app, outbox, place, client, mangle):
    ann, bob, assembly, policy = place
    token = unsubscribe_link(in_app, outbox, policy, ann).rsplit("/", 1)[1]
    for method in ("GET", "POST"):
        response = client.open(f"/unsubscribe/{mangle(token)}", method=method)
        assert response.status_code == 404 and "not valid" in response.text
    assert digest_of(app, ann) == "daily"


def test_an_unsubscribe_token_of_another_salt_or_an_old_address_is_refused(app, in_app, outbox, place, client):
    ann, bob, assembly, policy = place
    path = unsubscribe_link(in_app, outbox, policy, ann)
    set_user(in_app, ann, email="ann.new@example.org")
    assert client.post(path).status_code == 404
    with app.app_context():
        from app.accounts.services import _reset_serializer
        other_salt = _reset_serializer().dumps({"id": ann.id, "e": "x"})
    assert client.post(f"/unsubscribe/{other_salt}").status_code == 404
    assert digest_of(app, ann) == "daily"


def test_an_expired_unsubscribe_token_is_refused(app, in_app, outbox, place, client, monkeypatch):
    ann, bob, assembly, policy = place
    path = unsubscribe_link(in_app, outbox, policy, ann)
    monkeypatch.setattr(digests, "UNSUBSCRIBE_MAX_AGE", -1)
    assert client.post(path).status_code == 404


def test_the_account_page_saves_the_mail_choices(app, login, place):
    ann, bob, assembly, policy = place
    browser = login(ann)
    page = browser.get("/account").text
    assert 'id="mail"' in page and "Every day (a digest)" in page and "Once a week" in page
    assert "Never — only on the site" in page
    assert re.search(r'<input checked id="digest-0" name="digest" required type="radio" value="daily">', page)
    response = browser.post("/account/mail", data={"digest": "weekly", "mail_personal": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account#mail")
    page = browser.get("/account").text
    assert "a digest of your other notifications comes once a week" in page
    assert re.search(r'<input checked id="digest-1" name="digest" required type="radio" value="weekly">', page)
    browser.post("/account/mail", data={"digest": "off"})  # the box unticked: no personal mail
    with app.app_context():
        user = db.session.get(User, ann.id)
        assert (user.digest, user.mail_personal) == ("off", False)


def test_the_account_form_refuses_an_unknown_choice(app, login, place):
    ann, bob, assembly, policy = place
    response = login(ann).post("/account/mail", data={"digest": "hourly", "mail_personal": "y"})
    assert response.status_code == 422 and "Not a valid choice" in response.text
    assert digest_of(app, ann) == "daily"


def test_the_api_reads_and_changes_the_mail_choices(app, api, place):
    ann, bob, assembly, policy = place
    client = api(ann)
    me = client.get("/api/v1/me").get_json()
    assert (me["digest"], me["mail_personal"], me["name"]) == ("daily", True, "Ann")
    changed = client.patch("/api/v1/me", json={"digest": "weekly", "name": " Ann B. "})
    assert changed.status_code == 200
    assert (changed.get_json()["digest"], changed.get_json()["name"]) == ("weekly", "Ann B.")
    assert client.patch("/api/v1/me", json={"mail_personal": False}).get_json()["mail_personal"] is False
    assert client.get("/api/v1/me").get_json()["digest"] == "weekly"  # a field left out stays
    for body, name in (({"digest": "hourly"}, "digest"), ({"digest": 7}, "digest"),
                       ({"mail_personal": "no"}, "mail_personal"), ({"name": ""}, "name")):
        refused = client.patch("/api/v1/me", json=body)
        assert refused.status_code == 422, body
        assert name in refused.get_json()["error"]["fields"]
    assert "daily" in client.patch("/api/v1/me", json={"digest": "x"}).get_json()["error"]["message"]
    assert api().patch("/api/v1/me", json={"digest": "off"}).status_code == 401
    assert digest_of(app, ann) == "weekly"


def test_the_hourly_job_and_the_command_send_the_due_digests(app, in_app, outbox, place):
    from app.core.jobs import JOBS, run_job

    ann, bob, assembly, policy = place
    function, schedule, _ = JOBS["accounts.digests"]
    assert schedule == {"minute": "7"} and "accounts.digests" in app.extensions["jobs"]
    round_opened(in_app, policy, ann)
    assert in_app(lambda: run_job("accounts.digests")) == 1
    round_opened(in_app, policy, bob)
    result = app.test_cli_runner().invoke(args=["mail", "digests"])
    assert result.exit_code == 0 and result.output == "1 digest(s) queued.\n"
    assert [to for to, subject, _ in outbox] == [ann.email, bob.email]

"""Languages and time zones (issue 17): which language and zone a page speaks, how a member,
a visitor and an assembly choose them, and local deadlines across clock changes."""
import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from werkzeug.datastructures import LanguageAccept

from app.core.i18n import LANGUAGES, choose_locale, choose_timezone, is_timezone, text_language_names
from app.core.timeutil import NonexistentLocalTime, local_to_utc, utc_to_local

CODES = list(LANGUAGES)
MADRID = ZoneInfo("Europe/Madrid")


def html_lang(page):
    return re.search(r'<html lang="([^"]+)" dir="([^"]+)"', page.text).groups()


def accept(header):
    return LanguageAccept([(part.split(";")[0], 1 - i / 10) for i, part in enumerate(header.split(","))])


def test_the_member_s_choice_comes_first_then_the_visitor_s_then_the_browser_then_the_assembly():
    assert choose_locale("de", "fr", accept("es"), "it", CODES) == "de"
    assert choose_locale(None, "fr", accept("es"), "it", CODES) == "fr"
    assert choose_locale(None, None, accept("es-ES,en"), "it", CODES) == "es"  # a region falls back to its language
    assert choose_locale(None, None, accept("ja"), "it", CODES) == "it"
    assert choose_locale(None, None, None, None, CODES) == "en"
    assert choose_locale("xx", "yy", accept("zz"), "ww", CODES) == "en"  # nothing unknown is ever spoken


def test_zones_are_the_member_s_else_the_assembly_s_else_utc():
    assert choose_timezone("America/Sao_Paulo", "Europe/Madrid") == "America/Sao_Paulo"
    assert choose_timezone(None, "Europe/Madrid") == "Europe/Madrid"
    assert choose_timezone("Mars/Olympus", None) == "UTC"
    assert is_timezone("Europe/Lisbon") and not is_timezone("../etc/passwd") and not is_timezone(5)


def test_a_spring_forward_time_is_refused_and_a_fall_back_time_is_the_first():
    with pytest.raises(NonexistentLocalTime):
        local_to_utc(datetime(2026, 3, 29, 2, 30), MADRID)  # 02:00 → 03:00 on the last Sunday of March
    # 02:30 happens twice on 25 October 2026: first in summer time (UTC+2)
    assert local_to_utc(datetime(2026, 10, 25, 2, 30), MADRID) == datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)
    assert local_to_utc(datetime(2026, 10, 25, 12, 0), MADRID) == datetime(2026, 10, 25, 11, 0, tzinfo=timezone.utc)
    assert utc_to_local(datetime(2026, 10, 24, 10, 0, tzinfo=timezone.utc), MADRID) == datetime(2026, 10, 24, 12, 0)


def test_the_page_speaks_the_browser_s_language_and_says_so(client):
    assert html_lang(client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"})) == ("de", "ltr")
    assert html_lang(client.get("/", headers={"Accept-Language": "ja"})) == ("en", "ltr")


def test_a_visitor_chooses_a_language_in_the_footer(client):
    page = client.get("/")
    assert 'href="/language/pt?next=/"' in page.text.replace("&#x2F;", "/").replace("%2F", "/")
    response = client.get("/language/pt?next=/assemblies")
    assert response.status_code == 302 and response.headers["Location"].endswith("/assemblies")
    assert html_lang(client.get("/", headers={"Accept-Language": "de"})) == ("pt", "ltr")  # the choice beats the browser
    assert client.get("/language/xx").status_code == 404
    assert client.get("/language/es?next=https://evil.example/").headers["Location"] in ("/", "http://localhost/")


def test_a_member_chooses_language_and_zone_on_the_account_page(make_user, login):
    user = make_user()
    browser = login(user)
    page = browser.get("/account")
    assert 'id="language"' in page.text and 'name="timezone"' in page.text and "Europe/Madrid" in page.text
    bad = browser.post("/account/language", data={"locale": "xx", "timezone": "Nowhere/City"})
    assert bad.status_code == 422 and "Europe/Madrid" in bad.text
    saved = browser.post("/account/language", data={"locale": "fr", "timezone": "Europe/Paris"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/account#language")
    again = browser.get("/account", headers={"Accept-Language": "de"})
    assert html_lang(again) == ("fr", "ltr")
    assert re.search(r'<option selected value="Europe/Paris">|<option value="Europe/Paris" selected>', again.text)
    cleared = browser.post("/account/language", data={"locale": "", "timezone": ""})
    assert cleared.status_code == 302
    assert html_lang(browser.get("/account", headers={"Accept-Language": "de"})) == ("de", "ltr")


def test_the_api_reads_and_sets_a_member_s_language_and_zone(make_user, api):
    user = make_user()
    client = api(user)
    locales = client.get("/api/v1/locales").json
    assert {entry["code"] for entry in locales} == set(LANGUAGES)
    assert {"code": "es", "name": "Español"} in locales
    me = client.get("/api/v1/me").json
    assert me["locale"] is None and me["timezone"] is None
    changed = client.patch("/api/v1/me", json={"locale": "it", "timezone": "Europe/Rome"})
    assert changed.status_code == 200 and (changed.json["locale"], changed.json["timezone"]) == ("it", "Europe/Rome")
    for body, name in (({"locale": "klingon"}, "locale"), ({"timezone": "Europe/Atlantis"}, "timezone"),
                       ({"locale": ["es"]}, "locale"), ({"timezone": 3}, "timezone")):
        refused = client.patch("/api/v1/me", json=body)
        assert refused.status_code == 422 and name in refused.json["error"]["fields"], body
    assert client.get("/api/v1/me").json["locale"] == "it"  # nothing changed by the refusals
    assert client.patch("/api/v1/me", json={"locale": None}).json["locale"] is None


def test_an_assembly_has_a_default_language_and_zone(make_user, login, api):
    admin = make_user()
    browser = login(admin)
    form = browser.get("/assemblies/new")
    assert 'name="locale"' in form.text and 'name="timezone"' in form.text
    created = browser.post("/assemblies/new", data={"name": "Cooperativa Sur", "locale": "es", "timezone": "Europe/Madrid"})
    assert created.status_code == 302
    slug = created.headers["Location"].rsplit("/", 1)[-1]
    settings = browser.get(f"/a/{slug}/settings")
    assert settings.status_code == 200 and re.search(r'<option selected value="es">|<option value="es" selected>', settings.text)
    client = api(admin)
    info = client.get(f"/api/v1/assemblies/{slug}").json
    assert (info["locale"], info["timezone"]) == ("es", "Europe/Madrid")
    assert client.patch(f"/api/v1/assemblies/{slug}", json={"timezone": "Atlantis/Capital"}).status_code == 422
    changed = client.patch(f"/api/v1/assemblies/{slug}", json={"locale": "pt", "timezone": "Europe/Lisbon"})
    assert changed.status_code == 200 and (changed.json["locale"], changed.json["timezone"]) == ("pt", "Europe/Lisbon")
    # a visitor whose browser asks for none of ours reads the assembly's pages in its language
    public = browser.post(f"/a/{slug}/settings", data={"name": "Cooperativa Sur", "description": "", "is_public": "y",
                                                        "locale": "pt", "timezone": "Europe/Lisbon"})
    assert public.status_code == 302
    visitor = browser.application.test_client()
    assert html_lang(visitor.get(f"/a/{slug}", headers={"Accept-Language": "ja"})) == ("pt", "ltr")


def test_only_admins_change_an_assembly_s_settings(build_world, login):
    w = build_world(members=("admin", "member"), tokens=True)
    assert login(w.users["member"]).get(f"/a/{w.assembly_slug}/settings").status_code == 403
    assert w.api("member").patch(f"/api/v1/assemblies/{w.assembly_slug}", json={"locale": "fr"}).status_code == 403


def test_a_policy_has_the_language_of_its_text(build_world, login):
    w = build_world(members=("admin", "member"), tokens=True)
    client = w.api("member")
    policy = client.get(f"/api/v1/policies/{w.policy_id}").json
    assert (policy["language"], policy["language_chosen"]) == ("en", False)
    assert client.patch(f"/api/v1/policies/{w.policy_id}", json={"language": "tlh"}).status_code == 422
    changed = client.patch(f"/api/v1/policies/{w.policy_id}", json={"language": "ca"})
    assert changed.status_code == 200 and (changed.json["language"], changed.json["language_chosen"]) == ("ca", True)
    page = login(w.users["member"]).get(f"/a/{w.assembly_slug}/p/{w.policy_slug}")
    assert 'class="block-body" lang="ca"' in page.text
    assert html_lang(page)[0] == "en"  # the interface stays in the reader's language
    created = client.post(f"/api/v1/assemblies/{w.assembly_slug}/policies",
                          json={"title": "Pacte", "body": "El municipi.\n", "language": "ca"})
    assert created.status_code == 201 and created.json["language"] == "ca"
    assert "Català" in dict(text_language_names()).values()
    reset = client.patch(f"/api/v1/policies/{w.policy_id}", json={"language": None})
    assert reset.json["language_chosen"] is False


def test_deadlines_are_entered_in_the_reader_s_zone_across_the_october_change(build_world, login, api, app):
    w = build_world(members=("admin", "facilitator", "member"))
    browser = login(w.users["facilitator"])
    assert browser.post("/account/language", data={"locale": "en", "timezone": "Europe/Madrid"}).status_code == 302
    new = browser.get(f"/a/{w.assembly_slug}/p/{w.policy_slug}/rounds/new")
    assert "End of voting (Europe/Madrid)" in new.text
    base = {"threshold_preset": "majority", "strict": "strict", "quorum": "0", "decision": "majority",
            "majority_of": "votes", "min_yes": "0", "kind": "amendments"}
    skipped = browser.post(f"/a/{w.assembly_slug}/p/{w.policy_slug}/rounds/new", data={
        **base, "amending_until": "2027-03-28T02:30", "deliberating_until": "2027-03-30T12:00",
        "voting_until": "2027-04-02T12:00"})
    assert skipped.status_code == 422 and "does not exist in Europe/Madrid" in skipped.text
    # amending ends on Saturday 24 October at noon (summer time), voting on Sunday 1 November at noon (winter time)
    opened = browser.post(f"/a/{w.assembly_slug}/p/{w.policy_slug}/rounds/new", data={
        **base, "amending_until": "2027-10-23T12:00", "deliberating_until": "2027-10-30T12:00",
        "voting_until": "2027-11-01T12:00"})
    assert opened.status_code == 302, opened.text
    from app.extensions import db
    from app.rounds.models import Round

    with app.app_context():
        round_ = db.session.execute(db.select(Round)).scalars().one()
        assert round_.amending_until == datetime(2027, 10, 23, 10, 0, tzinfo=timezone.utc)  # CEST, UTC+2
        assert round_.voting_until == datetime(2027, 11, 1, 11, 0, tzinfo=timezone.utc)  # CET, UTC+1
        round_id = round_.id
    page = browser.get(f"/a/{w.assembly_slug}/p/{w.policy_slug}/rounds/{round_id}").text
    # shown at the same wall-clock hour on both sides of the change, each with its zone's name
    assert "12:00" in page and "CEST" in page and "CET" in page
    # countdowns count to the instant (the page carries it in UTC, with its offset)
    assert 'datetime="2027-11-01T11:00:00+00:00"' in page


def test_the_api_speaks_the_token_owner_s_language(make_user, api):
    user = make_user()
    client = api(user)
    client.patch("/api/v1/me", json={"locale": "es"})
    refused = client.patch("/api/v1/me", json={"timezone": "Europe/Atlantis"})
    assert refused.status_code == 422
    assert refused.json["error"]["fields"]["timezone"] != "Give a time zone by its IANA name, such as Europe/Madrid."
    assert "IANA" in refused.json["error"]["fields"]["timezone"]

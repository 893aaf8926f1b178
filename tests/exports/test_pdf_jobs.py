"""Issue 15, "Large renders as jobs": a cached or small PDF is answered at once; a large one is
typeset by the worker (exports.render_pdf) while the browser shows "Preparing your PDF…" and
the API answers 202 with a Location; one render however many ask; a stopped render can be tried again.

Jobs run at once in tests (JOBS_IMMEDIATE); the tests that look at the waiting record the
queued jobs instead (`queued`) and run them themselves (`work_off`).
"""
import os
import re
import threading
import time

import pytest

from app.core.jobs import run_job
from app.exports import pdf as pdf_module
from app.exports import rendering
from exports.conftest import pdf_text


def page(policy, name="export.pdf", query=""):
    return f"/a/{policy.assembly_slug}/p/{policy.slug}/{name}{query}"


def api_pdf(policy, query=""):
    return f"/api/v1/policies/{policy.id}/export.pdf{query}"


@pytest.fixture
def member(make_user, make_assembly):
    """(user, assembly) of a private assembly with one admin."""
    user = make_user(name="Ada Okafor")
    return user, make_assembly(admin=user, name="Veldmar Commons Assembly")


@pytest.fixture
def large(app, monkeypatch):
    """Every PDF counts as large: none is typeset in the request (EXPORT_PDF_INLINE_KB 0)."""
    monkeypatch.setitem(app.config, "EXPORT_PDF_INLINE_KB", 0)


@pytest.fixture
def queued(monkeypatch):
    """The jobs queued by requests, as (name, args), instead of running them at once."""
    calls = []
    monkeypatch.setattr(rendering, "enqueue", lambda name, *args: calls.append((name, args)))
    return calls


@pytest.fixture
def weasyprint_calls(monkeypatch):
    """The HTML of every WeasyPrint render (pdf.typeset)."""
    calls, real = [], pdf_module.typeset

    def counting(html, fetcher):
        calls.append(html)
        return real(html, fetcher)

    monkeypatch.setattr(pdf_module, "typeset", counting)
    return calls


@pytest.fixture
def work_off(in_app, queued):
    """Run the queued jobs as the worker would (each in an app context), emptying the queue."""

    def run():
        while queued:
            name, args = queued.pop(0)
            in_app(lambda: run_job(name, *args))

    return run


def test_a_small_pdf_is_still_typeset_in_the_request(member, make_policy, login, queued, weasyprint_calls):
    user, assembly = member
    policy = make_policy(assembly, user, title="Small pact")
    response = login(user).get(page(policy))
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert len(weasyprint_calls) == 1 and queued == []


def test_a_cached_pdf_is_answered_at_once_however_large(
        app, member, make_policy, login, api, queued, weasyprint_calls, monkeypatch):
    user, assembly = member
    policy = make_policy(assembly, user, title="Cached pact")
    assert login(user).get(page(policy)).status_code == 200  # small: typeset and cached now
    monkeypatch.setitem(app.config, "EXPORT_PDF_INLINE_KB", 0)  # every PDF large from now on
    browser, client = login(user).get(page(policy)), api(user).get(api_pdf(policy))
    for response in (browser, client):
        assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
        assert response.get_data().startswith(b"%PDF-")
    assert len(weasyprint_calls) == 1 and queued == []


def test_a_large_pdf_is_prepared_by_the_worker_then_served(
        member, make_policy, login, api, large, queued, work_off, weasyprint_calls):
    user, assembly = member
    policy = make_policy(assembly, user, title="Large pact")
    browser, client = login(user), api(user)

    waiting = browser.get(page(policy))
    assert waiting.status_code == 202 and waiting.mimetype == "text/html"
    assert "Preparing your PDF…" in waiting.text
    assert re.search(r'<p role="status">Waiting for its turn…</p>', waiting.text)
    poll = page(policy, query="?wait=1")
    assert f'<meta http-equiv="refresh" content="3;url={poll}">' in waiting.text  # reloads itself, no script
    assert f'href="{poll}">Check now</a>' in waiting.text
    assert f'href="/a/{policy.assembly_slug}/p/{policy.slug}"' in waiting.text  # back to the policy

    pending = client.get(api_pdf(policy))
    assert pending.status_code == 202 and pending.get_json() == {"status": "pending", "state": "queued"}
    location = pending.headers["Location"]
    assert location == api_pdf(policy, "?wait=1") and pending.headers["Retry-After"] == "3"
    assert client.get(location).status_code == 202  # a poll while it waits
    assert weasyprint_calls == [] and len(queued) == 1 and queued[0][0] == "exports.render_pdf"

    work_off()
    assert len(weasyprint_calls) == 1
    done = client.get(location)
    assert done.status_code == 200 and done.headers["Content-Type"] == "application/pdf"
    assert "Large pact" in pdf_text(done.get_data(), "-f", "1", "-l", "1")
    ready = browser.get(page(policy, query="?revision=1&wait=1"))
    assert ready.status_code == 200 and "Your PDF is ready" in ready.text
    assert f'content="0;url={page(policy, query="?revision=1")}"' in ready.text  # starts the download
    assert browser.get(page(policy, query="?revision=1")).get_data() == done.get_data()
    assert len(weasyprint_calls) == 1 and queued == []


def test_the_page_says_when_the_worker_has_started(member, make_policy, login, large, queued, work_off,
                                                   monkeypatch, export_cache):
    user, assembly = member
    policy = make_policy(assembly, user, title="Slow pact")
    browser = login(user)
    browser.get(page(policy))
    marker = next(export_cache.glob("policy-*/*.pending"))
    seen, real = [], pdf_module.typeset

    def looking(html, fetcher):
        seen.append(marker.read_text())
        return real(html, fetcher)

    monkeypatch.setattr(pdf_module, "typeset", looking)
    marker.write_text("rendering")  # as the worker writes it when it takes the job
    started = browser.get(page(policy, query="?revision=1&wait=1"))
    assert started.status_code == 202 and '<p role="status">Typesetting now…</p>' in started.text
    work_off()
    assert seen == ["rendering"] and not marker.exists()  # the marker is gone with the render


def test_ten_readers_asking_for_one_large_pdf_queue_one_render(
        make_user, make_assembly, make_policy, login, api, large, queued, work_off, weasyprint_calls):
    user, readers = make_user(), [make_user() for _ in range(9)]
    assembly = make_assembly(admin=user, members=[(reader, "member") for reader in readers])
    policy = make_policy(assembly, user, title="Popular pact")
    answers = [login(user).get(page(policy)).status_code]
    answers += [api(reader).get(api_pdf(policy)).status_code for reader in readers]
    assert answers == [202] * 10 and len(queued) == 1
    other = api(user).get(api_pdf(policy, "?paper=letter"))  # other options: another PDF, another job
    assert other.status_code == 202 and len(queued) == 2
    work_off()
    assert len(weasyprint_calls) == 2
    assert [api(reader).get(api_pdf(policy)).status_code for reader in readers] == [200] * 9


def test_concurrent_claims_of_one_pdf_let_exactly_one_queue_it(tmp_path):
    cache = pdf_module.PdfCache(tmp_path)
    path = cache.path(7, "revision-r1-a4-11pt-annex", "f" * 20)
    barrier, results = threading.Barrier(10), []

    def claim():
        barrier.wait()
        results.append(cache.claim(path, stale_after=600))

    threads = [threading.Thread(target=claim) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 9 + [True]
    assert cache.read_marker(path)[0] == "queued"


def test_a_render_the_worker_stops_on_says_so_and_can_be_tried_again(
        member, make_policy, login, api, large, queued, work_off, monkeypatch, export_cache):
    user, assembly = member
    policy = make_policy(assembly, user, title="Unlucky pact")
    browser, client = login(user), api(user)
    browser.get(page(policy))
    real = pdf_module.typeset
    monkeypatch.setattr(pdf_module, "typeset", lambda html, fetcher: (_ for _ in ()).throw(OSError("disk full")))
    work_off()  # not the document's fault: nothing cached, the marker says failed

    assert not list(export_cache.glob("policy-*/*.failed"))
    stopped = browser.get(page(policy, query="?revision=1&wait=1"))
    assert stopped.status_code == 503 and "could not be prepared" in stopped.text
    assert '<p role="status">The server stopped before your PDF was ready' in stopped.text
    retry = page(policy, query="?revision=1&amp;retry=1")
    assert f'href="{retry}">Try again</a>' in stopped.text and "http-equiv" not in stopped.text  # no loop
    from_api = client.get(api_pdf(policy))
    assert from_api.status_code == 503 and from_api.get_json()["error"]["code"] == "export_interrupted"
    assert from_api.get_json()["retry"] == api_pdf(policy, "?retry=1") and queued == []

    monkeypatch.setattr(pdf_module, "typeset", real)
    again = browser.get(page(policy, query="?revision=1&retry=1"))
    assert again.status_code == 303 and again.headers["Location"].endswith("?revision=1&wait=1")
    assert len(queued) == 1  # queued again; reloading the waiting page does not queue more
    assert browser.get(again.headers["Location"]).status_code == 202 and len(queued) == 1
    work_off()
    assert client.get(api_pdf(policy)).status_code == 200


def test_a_render_nobody_finished_in_time_is_offered_again(
        member, make_policy, login, api, large, queued, export_cache):
    user, assembly = member
    policy = make_policy(assembly, user, title="Forgotten pact")
    client = api(user)
    assert client.get(api_pdf(policy)).status_code == 202
    marker = next(export_cache.glob("policy-*/*.pending"))
    old = time.time() - 601  # EXPORT_PDF_JOB_TIMEOUT is 600 s: a worker killed, or none running
    os.utime(marker, (old, old))
    assert client.get(api_pdf(policy)).status_code == 503 and len(queued) == 1
    assert client.get(api_pdf(policy, "?retry=1")).status_code == 202 and len(queued) == 2


def test_a_document_the_worker_cannot_typeset_answers_422_from_its_cached_failure(
        member, make_policy, login, large, queued, work_off, monkeypatch):
    user, assembly = member
    policy = make_policy(assembly, user, title="Broken pact")
    browser = login(user)
    browser.get(page(policy))
    monkeypatch.setattr(pdf_module, "typeset", lambda html, fetcher: (_ for _ in ()).throw(AssertionError("bad")))
    work_off()
    for url in (page(policy, query="?revision=1&wait=1"), page(policy)):
        failed = browser.get(url)
        assert failed.status_code == 422 and "could not be typeset" in failed.text
        assert page(policy, "export.md", "?revision=1") in failed.text
    assert queued == []


def test_an_absurd_size_is_refused_at_once_without_queueing(app, member, make_policy, api, large, queued,
                                                            weasyprint_calls, monkeypatch):
    user, assembly = member
    policy = make_policy(assembly, user, title="Huge pact")
    monkeypatch.setitem(app.config, "EXPORT_PDF_MAX_KB", 1)
    refused = api(user).get(api_pdf(policy))
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "export_too_large"
    assert queued == [] and weasyprint_calls == []


def test_a_poll_never_starts_a_render(member, make_policy, login, api, large, queued):
    user, assembly = member
    policy = make_policy(assembly, user, title="Unasked pact")
    browser = login(user).get(page(policy, query="?revision=1&wait=1"))
    assert browser.status_code == 303 and browser.headers["Location"].endswith("export.pdf?revision=1")
    client = api(user).get(api_pdf(policy, "?wait=1"))
    assert client.status_code == 303 and client.headers["Location"] == api_pdf(policy)
    assert queued == []


def test_polls_are_not_counted_by_the_pdf_rate_limit(app, member, make_policy, api, large, queued, export_cache):
    from app import create_app
    from conftest import ApiClient

    user, assembly = member
    policy = make_policy(assembly, user, title="Watched pact")
    limited = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                         EXPORT_CACHE_DIR=str(export_cache), EXPORT_PDF_INLINE_KB=0).test_client()
    client = ApiClient(limited, api(user).token)
    assert client.get(api_pdf(policy)).status_code == 202
    assert {client.get(api_pdf(policy, "?wait=1")).status_code for _ in range(40)} == {202}
    assert len(queued) == 1


def test_with_an_immediate_queue_the_next_request_gets_the_file(member, make_policy, login, large, export_cache):
    user, assembly = member
    policy = make_policy(assembly, user, title="Compared pact")
    browser = login(user)
    assert browser.get(page(policy, "compare.pdf")).status_code == 202  # queued: run at once by JOBS_IMMEDIATE
    done = browser.get(page(policy, "compare.pdf"))
    assert done.status_code == 200 and done.get_data().startswith(b"%PDF-")
    assert not list(export_cache.glob("policy-*/*.pending"))


def test_a_policy_changed_while_its_pdf_waits_gets_the_new_pdf(member, make_policy, api, in_app, large, queued,
                                                               work_off, export_cache):
    from app.accounts.models import User
    from app.extensions import db
    from app.policies.models import Policy
    from app.policies.services import update_policy_details

    user, assembly = member
    policy = make_policy(assembly, user, title="Old title")
    client = api(user)
    assert client.get(api_pdf(policy)).status_code == 202
    in_app(lambda: update_policy_details(db.session.get(User, user.id), db.session.get(Policy, policy.id),
                                         "New title", "", []))
    work_off()  # the worker prepares it again from the database: the new title, a new file name
    assert not list(export_cache.glob("policy-*/*.pending")) and queued == []
    done = client.get(api_pdf(policy))
    assert done.status_code == 200 and "New title" in pdf_text(done.get_data(), "-f", "1", "-l", "1")


def test_a_full_queue_asks_to_come_back_instead_of_growing(app, member, make_policy, login, api, large, queued,
                                                           work_off, monkeypatch):
    user, assembly = member
    policy = make_policy(assembly, user, title="Busy pact")
    monkeypatch.setitem(app.config, "EXPORT_PDF_MAX_QUEUED", 1)
    browser, client = login(user), api(user)
    assert client.get(api_pdf(policy, "?paper=letter")).status_code == 202
    busy = client.get(api_pdf(policy))
    assert busy.status_code == 503 and busy.get_json()["error"]["code"] == "export_busy"
    assert busy.headers["Retry-After"] == "60"
    page_busy = browser.get(page(policy))
    assert page_busy.status_code == 503 and "cannot be prepared right now" in page_busy.text
    assert page_busy.headers["Retry-After"] == "60" and 'role="status"' in page_busy.text
    assert client.get(api_pdf(policy, "?paper=letter&wait=1")).status_code == 202  # the queued one still waits
    assert len(queued) == 1
    work_off()
    assert client.get(api_pdf(policy)).status_code == 202 and len(queued) == 1  # room again

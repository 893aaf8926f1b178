"""Issue 12, finding 8: diff pages no longer amplify their input.

Two 900 KB revisions gave a 41 MB diff page, recomputed on every request, for anonymous readers of
public assemblies. Now unchanged runs are collapsed into links to the reading view, long diffs are
paged (diffing.ROWS_PER_PAGE rows, plain ?page= links), each side of a row is cut to
diffing.ROW_MAX_CHARS characters with a note, and the computed diff is cached per revision pair."""
import re

import pytest

from app.core import diffing
from app.policies import services

PAGE_BUDGET = 2 * 1024 * 1024


def _line(i, word):
    return f"Sentence {i} of the long pact says {word} about the commons, the members and the rules.\n"


def _save(in_app, author, policy, body):
    """Save `body` as the next revision of `policy` (based on revision 1)."""
    from app.accounts.models import User
    from app.extensions import db
    from app.policies.models import Policy

    in_app(lambda: services.save_revision(db.session.get(User, author.id), db.session.get(Policy, policy.id), body, 1, "m"))


@pytest.fixture
def long_policy(in_app, make_user, make_assembly, make_policy):
    """A public policy whose revisions 1 and 2 are ~900 KB and differ on every 10th line."""
    author = make_user()
    assembly = make_assembly(admin=author, public=True)
    old = "".join(_line(i, "much") for i in range(10_000))
    new = "".join(_line(i, "little" if i % 10 == 0 else "much") for i in range(10_000))
    assert len(old) > 850_000
    policy = make_policy(assembly, author, body=old)
    _save(in_app, author, policy, new)
    policy.author = author
    return policy


def diff_url(policy, **args):
    query = "&".join(f"{key}={value}" for key, value in {"from": 1, "to": 2, **args}.items())
    return f"/a/{policy.assembly_slug}/p/{policy.slug}/diff?{query}"


@pytest.fixture(autouse=True)
def empty_diff_cache():
    services._diff_cache.clear()
    yield
    services._diff_cache.clear()


def test_page_of_two_900_kb_revisions_stays_under_budget_and_is_paged(client, long_policy):
    response = client.get(diff_url(long_policy))
    assert response.status_code == 200
    assert len(response.data) < PAGE_BUDGET
    html = response.text
    # 1,000 changed lines, each with 3 lines of context either side and a "3 unchanged lines" row
    # before the next: 8,000 rows, 400 a page.
    assert "Page 1 of 20." in html
    assert 'rel="next"' in html and 'rel="prev"' not in html
    # Collapsed context: unchanged runs are links to the full reading view of revision 2.
    skip = re.search(r'<a href="([^"]+)">… 3 unchanged lines …</a>', html)
    assert skip and "revision=2" in skip.group(1) and "#L" in skip.group(1)


def test_page_links_work_without_javascript(client, long_policy):
    first = client.get(diff_url(long_policy)).text
    next_url = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(next_url)
    assert second.status_code == 200 and "Page 2 of " in second.text
    assert 'rel="prev"' in second.text
    assert len(second.data) < PAGE_BUDGET
    # The layout toggle keeps the page, and a page past the end shows the last one.
    toggle = re.search(r'<a href="([^"]+)" data-layout="inline"', second.text).group(1)
    assert "page=2" in toggle
    last = client.get(diff_url(long_policy, page=10_000)).text
    pages = re.search(r"Page (\d+) of (\d+)\.", last).groups()
    assert pages[0] == pages[1]


def test_second_request_uses_the_cache(client, long_policy, monkeypatch):
    calls = []
    original = diffing.side_by_side
    monkeypatch.setattr(diffing, "side_by_side", lambda *a, **k: calls.append(1) or original(*a, **k))
    client.get(diff_url(long_policy))
    client.get(diff_url(long_policy, view="inline"))
    client.get(diff_url(long_policy, page=2))
    assert len(calls) == 1


def test_one_huge_changed_line_is_cut_with_a_note(client, in_app, make_user, make_assembly, make_policy):
    author = make_user()
    assembly = make_assembly(admin=author, public=True)
    policy = make_policy(assembly, author, body="Short line.\n" + "word " * 180_000 + "\n")
    _save(in_app, author, policy, "Short line.\n" + "verb " * 180_000 + "\n")
    response = client.get(diff_url(policy))
    assert response.status_code == 200 and len(response.data) < PAGE_BUDGET
    assert "Line 2 is too long to show in full here" in response.text


def test_clip_row_and_page_of_rows():
    rows = diffing.side_by_side("a\n" * 5, "b\n" * 5)
    page, number, pages = diffing.page_of_rows(rows, 2, per_page=2)
    assert (len(page), number, pages) == (2, 2, 3)
    assert diffing.page_of_rows([], 5)[1:] == (1, 1)
    long = diffing.Row("replace", 1, "x" * 50, 1, "y" * 50, (("delete", "x" * 50), ("insert", "y" * 50)))
    cut = diffing.clip_row(long, limit=10)
    assert cut.clipped and cut.old_text == "x" * 10 and cut.words == (("delete", "x" * 10), ("insert", "y" * 10))
    same = diffing.Row("equal", 1, "short", 1, "short")
    assert diffing.clip_row(same) is same


def test_api_diff_still_answers_in_full(api, long_policy):
    response = api(long_policy.author).get(f"/api/v1/policies/{long_policy.id}/diff?from=1&to=2")
    assert response.status_code == 200
    assert "-Sentence 0 of the long pact says much" in response.json["unified"]
    assert len(response.json["hunks"]) >= 1


def test_diff_pages_are_rate_limited_per_address(app, make_user, make_assembly, make_policy, in_app):
    from app import create_app

    author = make_user()
    assembly = make_assembly(admin=author, public=True)
    policy = make_policy(assembly, author)
    _save(in_app, author, policy, "# Sample policy\n\nThe city loves commons.\n")
    limited = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://").test_client()
    statuses = [limited.get(diff_url(policy)).status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120 and statuses[120] == 429


def test_the_api_diff_is_rate_limited_too(app, make_user, make_assembly, make_policy, in_app, api):
    from app import create_app
    from conftest import ApiClient

    author = make_user()
    assembly = make_assembly(admin=author)
    policy = make_policy(assembly, author)
    _save(in_app, author, policy, "# Sample policy\n\nThe city loves commons.\n")
    limited = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://").test_client()
    client = ApiClient(limited, api(author).token)
    statuses = [client.get(f"/api/v1/policies/{policy.id}/diff?from=1&to=2").status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120 and statuses[120] == 429

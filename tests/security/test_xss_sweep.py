"""XSS sweep: every payload of tests/xss_payloads.txt is stored, through the JSON API, in every
user-controlled field (display name, assembly name and description, policy title, summary, tags
and body, revision message, comment body, amendment replacement and rationale), then every HTML
page of the app that shows them (GET routes taken from the URL map, filled with the real ids) is
fetched and checked by a page-level checker: nothing the app did not write itself may execute.

Payloads are processed in chunks; payload i of a chunk gets its own assembly, author, policy,
revision, comment (with a reply by the next author, which sends a notification and an e-mail),
amendment and round (voted and closed, so results and report pages exist). Also checked: the
notification pages, reflected query parameters, the e-mails (plain text only) and the Markdown
export (not served as HTML, nosniff)."""
import html as html_lib
import json
import re
import unicodedata
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from app.core.textlines import split_lines
from app.core.timeutil import utcnow
from xss import load_payloads

PAYLOADS = load_payloads()
CHUNK = 12
CHUNKS = [PAYLOADS[i:i + CHUNK] for i in range(0, len(PAYLOADS), CHUNK)]
OBJECT_PARAMS = {"slug", "policy_slug", "comment_id", "amendment_id", "round_id"}
NOT_HTML = ("/export.md", "/export.pdf", "/compare.pdf")
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset", "background", "ping"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
ALWAYS_BAD_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
RAW_SCRIPT = re.compile(r"<script\b[^>]*>[^<]*(alert|eval|prompt|confirm)", re.I)
SWEPT_FIELDS = {"display name", "assembly name", "assembly description", "policy title", "policy summary",
                "policy tags", "policy body", "revision message", "comment body", "reply body",
                "amendment replacement", "amendment rationale"}
STATS = {"payloads": set(), "pages": 0, "fields": set(), "statuses": {}}


def _iso(delta):
    return (utcnow() + delta).isoformat()


def _squash(value):
    """What a lenient browser could read as a URL: entities decoded, whitespace/controls gone."""
    for _ in range(3):
        value = html_lib.unescape(value)
    return "".join(ch for ch in value if not (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"))).lower()


class PageChecker(HTMLParser):
    """Flags anything executable in a whole page of the app (which legitimately has its own
    forms, script files and SVG charts, but no inline scripts or handlers)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.stack, self.in_script = [], [], None

    def _tag(self, tag, attrs, closed):
        attrs = [(name.lower(), value or "") for name, value in attrs]
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            elif name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in URL_ATTRS and _squash(value).startswith(BAD_SCHEMES):
                self.problems.append(f"{name}={value!r} on <{tag}>")
        values = dict(attrs)
        if tag in ALWAYS_BAD_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in values:
            self.problems.append(f"<meta http-equiv={values['http-equiv']!r}>")
        if tag == "form" and re.match(r"^(https?:)?//", _squash(values.get("action", ""))):
            self.problems.append(f"<form> posting off-site to {values['action']!r}")
        if tag == "script":
            is_data = values.get("type") == "application/json" and "src" not in values
            if not is_data and not values.get("src", "").startswith("/static/"):
                self.problems.append(f"<script> not from /static/: {values!r}")
            if "svg" in self.stack or "math" in self.stack:
                self.problems.append("<script> inside <svg>/<math>")
            if not closed:
                self.in_script = "data" if is_data else tag
        if not closed and tag not in {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "col", "area"}:
            self.stack.append(tag)

    def handle_starttag(self, tag, attrs):
        self._tag(tag, attrs, closed=False)

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs, closed=True)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass
        if tag == "script":
            self.in_script = None

    def handle_data(self, data):
        if self.in_script == "data":
            self._check_data_block(data)
        elif self.in_script and data.strip():
            self.problems.append(f"inline script content {data.strip()[:60]!r}")

    def _check_data_block(self, data):
        """A JSON data block is never run, but it must be JSON and hold no raw '<' that could
        close it early (Jinja's tojson writes it as \\u003c)."""
        try:
            json.loads(data)
        except ValueError:
            self.problems.append(f"data block is not JSON: {data.strip()[:60]!r}")
        if "<" in data:
            self.problems.append("data block holds a raw '<'")


def page_problems(source, payloads=()):
    checker = PageChecker()
    checker.feed(source)
    checker.close()
    problems = list(checker.problems)
    if RAW_SCRIPT.search(source):
        problems.append(f"raw script in source: {RAW_SCRIPT.search(source).group(0)[:80]!r}")
    for payload in payloads:
        # A payload carrying markup must never come back verbatim (escaped or sanitised: changed).
        if re.search(r"<[a-zA-Z!/]", payload) and len(payload) > 8 and payload in source:
            problems.append(f"payload echoed verbatim: {payload[:60]!r}")
    return problems


def test_page_checker_catches_what_it_should():
    for bad in ("<img src=x onerror=alert(1)>", '<a href=" jav&#x09;ascript:alert(1)">x</a>',
                "<script>alert(1)</script>", "<iframe src=//x></iframe>", '<meta http-equiv="refresh" content="0;url=x">',
                "<svg><script>alert(1)</script></svg>", '<form action="https://evil.example/"></form>',
                '<object data="data:text/html,x"></object>', '<script src="//evil.example/x.js"></script>'):
        assert page_problems(bad), bad
    fine = ('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><script src="/static/js/a.js" nonce="n"></script>'
            '<svg viewBox="0 0 1 1"><rect class="bar"></rect></svg><form action="/a/x" method="post"></form>')
    assert page_problems(fine) == []


def _ok(response, what):
    assert response.status_code in (200, 201), f"{what}: {response.status_code} {response.get_data(as_text=True)[:300]}"
    return response.json


def _build(api, make_user, payloads):
    """One assembly per payload, everything in it carrying the payload; returns (admin, targets)."""
    admin = make_user(name="Sweep Admin")
    admin_api = api(admin)
    authors = [make_user(name=(p.replace("\0", "").strip()[:80] or "blank")) for p in payloads]
    apis = [api(a) for a in authors]
    targets = []
    for i, original in enumerate(payloads):
        STATS["payloads"].add(original)
        payload = original.replace("\0", "")  # the API refuses NUL characters (422): store the rest
        slug = f"xss-{len(STATS['payloads'])}"
        _ok(admin_api.post("/api/v1/assemblies", json={"name": payload.strip()[:120] or "blank", "slug": slug,
                                                        "description": payload}), "assembly")
        for other in {i, (i + 1) % len(payloads)}:
            _ok(admin_api.post(f"/api/v1/assemblies/{slug}/members", json={"email": authors[other].email,
                                                                            "role": "member"}), "member")
        author, client, replier = authors[i], apis[i], apis[(i + 1) % len(payloads)]
        body = f"# {payload}\n\n{payload}\nThe city supports commons.\nIt funds a Commons Office.\n"
        response = client.post(f"/api/v1/assemblies/{slug}/policies", json={
            "title": payload.strip()[:200] or "blank", "summary": payload, "body": body, "tags": [payload[:40]]})
        if response.status_code == 422:  # tags are words: the payload may be refused there
            response = client.post(f"/api/v1/assemblies/{slug}/policies", json={
                "title": payload.strip()[:200] or "blank", "summary": payload, "body": body})
        policy = _ok(response, "policy")
        pid = policy["id"]
        _ok(client.post(f"/api/v1/policies/{pid}/revisions", json={
            "body": body + f"Added: {payload}\n", "base": 1, "message": payload[:500]}), "revision")
        comment = _ok(client.post(f"/api/v1/policies/{pid}/comments", json={
            "revision": 2, "line_start": 3, "line_end": 4, "body": payload}), "comment")
        _ok(replier.post(f"/api/v1/policies/{pid}/comments", json={"parent_id": comment["id"], "body": payload}), "reply")
        round_ = _ok(admin_api.post(f"/api/v1/policies/{pid}/rounds", json={
            "amending_until": _iso(timedelta(hours=1)), "deliberating_until": _iso(timedelta(hours=2)),
            "voting_until": _iso(timedelta(hours=3))}), "round")
        line = split_lines(body).index("The city supports commons.") + 1  # a payload may hold blank lines
        amendment = _ok(client.post(f"/api/v1/policies/{pid}/amendments", json={
            "revision": 2, "line_start": line, "line_end": line, "replacement": payload, "rationale": payload}),
            "amendment")
        _ok(admin_api.post(f"/api/v1/rounds/{round_['id']}/advance"), "advance")
        voting = _ok(admin_api.post(f"/api/v1/rounds/{round_['id']}/advance"), "advance")
        answers = [{"question": q["id"], "choice": "yes"} if q["kind"] == "yes_no"
                   else {"question": q["id"], "ranking": [[o["key"]] for o in q.get("options", [])]}
                   for q in voting["questions"]]
        _ok(client.put(f"/api/v1/rounds/{round_['id']}/ballot", json={"answers": answers}), "ballot")
        targets.append({"payload": payload, "author": author, "round_id": round_["id"], "values": {
            "slug": slug, "policy_slug": policy["slug"], "comment_id": comment["id"],
            "amendment_id": amendment["id"], "round_id": round_["id"]}})
    STATS["fields"].update(SWEPT_FIELDS)
    return admin, admin_api, targets


def _pages(app, values):
    for rule in app.url_map.iter_rules():
        params = set(rule.arguments)
        if rule.endpoint == "static" or rule.rule.startswith("/api/") or "GET" not in rule.methods:
            continue
        if not params or not params <= OBJECT_PARAMS or rule.rule.endswith(NOT_HTML):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)
        if path.endswith("/diff"):
            path += "?from=1&to=2"
        yield rule.rule, path


def _check(browser, path, payloads, failures, statuses=(200,)):
    response = browser.get(path)
    STATS["pages"] += 1
    STATS["statuses"][response.status_code] = STATS["statuses"].get(response.status_code, 0) + 1
    if response.status_code >= 500 or (statuses and response.status_code not in statuses and response.status_code >= 400
                                       and response.status_code != 409):
        failures.append(f"GET {path} → {response.status_code}")
    if "html" in response.content_type:
        for problem in page_problems(response.get_data(as_text=True), payloads):
            failures.append(f"GET {path}: {problem}")
    return response


@pytest.mark.parametrize("chunk", range(len(CHUNKS)))
def test_stored_payloads_never_execute(app, api, make_user, login, outbox, chunk):
    mails = outbox
    payloads = CHUNKS[chunk]
    admin, admin_api, targets = _build(api, make_user, payloads)
    browser, failures = login(admin), []
    for path in ("/assemblies", "/notifications", "/account", "/"):
        _check(browser, path, payloads, failures)
    # Pages while the rounds are in voting (ballot forms show the amendments), as each author.
    for target in targets:
        author_browser = login(target["author"])
        values = target["values"]
        base = f"/a/{values['slug']}/p/{values['policy_slug']}/rounds/{values['round_id']}"
        policy = f"/a/{values['slug']}/p/{values['policy_slug']}"
        for path in (base, base + "/ballot", base + "/ballot/receipt", "/notifications", "/assemblies",
                     f"{policy}/comments/{values['comment_id']}/edit", f"{policy}/comments/{values['comment_id']}/delete",
                     f"{policy}/amendments/{values['amendment_id']}/edit"):
            _check(author_browser, path, payloads, failures, statuses=None)
    for target in targets:
        _ok(admin_api.post(f"/api/v1/rounds/{target['round_id']}/advance"), "close")
    for target in targets:
        values = target["values"]
        for query in ("", f"?q={target['payload']}", f"?tag={target['payload']}"):
            _check(browser, f"/a/{values['slug']}{query}", payloads, failures, statuses=None)
        for _rule, path in _pages(app, values):
            _check(browser, path, payloads, failures, statuses=None)
        # Positive control: the payload really is on the pages (escaped), so the sweep saw it.
        members = browser.get(f"/a/{values['slug']}/members").get_data(as_text=True)
        if str(escape(target["author"].name)) not in members:
            failures.append(f"members page of {values['slug']} does not show the escaped name {target['author'].name!r}")
        md = browser.get(f"/a/{values['slug']}/p/{values['policy_slug']}/export.md")
        STATS["pages"] += 1
        if md.status_code != 200 or "html" in md.content_type or not md.content_type.startswith("text/markdown") \
                or md.headers.get("X-Content-Type-Options") != "nosniff":
            failures.append(f"export.md: {md.status_code} {md.content_type} nosniff={md.headers.get('X-Content-Type-Options')}")
    # E-mails: plain text only, one-line subjects (no header injection).
    assert mails, "the replies should have sent notification e-mails"
    for (to, _, _), message in zip(mails, mails.messages):
        if message.get_content_type() != "text/plain" or message.is_multipart():
            failures.append(f"mail to {to} is {message.get_content_type()}")
        if "\n" in message["Subject"] or "\r" in message["Subject"]:
            failures.append(f"mail subject spans lines: {message['Subject']!r}")
        if message["To"] != to:
            failures.append(f"mail recipient changed: {message['To']!r}")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(dict.fromkeys(failures))


def test_report_sweep_size(app):
    """The sweep had its full size (runs last in this module): every payload of the chunks that ran
    in this process (all of them in a plain run) stored in all the fields, and exactly the page
    loads the sweep makes for them, none a server error: per chunk the 4 top pages, per payload
    8 pages in voting, 3 assembly pages with queries, every object page of the URL map and the
    Markdown export. Prints the size too."""
    ran = [chunk for chunk in CHUNKS if STATS["payloads"] & set(chunk)]
    if not ran:
        pytest.skip("no sweep chunk ran in this process (deselected, or on another xdist worker)")
    swept = [payload for chunk in ran for payload in chunk]
    routes = [rule for rule, _path in _pages(app, dict.fromkeys(OBJECT_PARAMS, 1))]
    assert {name for rule in routes for name in re.findall(r"<(?:\w+:)?(\w+)>", rule)} == OBJECT_PARAMS
    assert STATS["payloads"] == set(swept) and STATS["fields"] == SWEPT_FIELDS
    assert STATS["pages"] == 4 * len(ran) + len(swept) * (8 + 3 + len(routes) + 1)
    assert sum(STATS["statuses"].values()) == STATS["pages"] - len(swept)  # the exports are counted apart
    assert not [status for status in STATS["statuses"] if status >= 500]
    print(f"\nXSS sweep: {len(STATS['payloads'])} payloads × {len(STATS['fields'])} fields, "
          f"{STATS['pages']} page loads checked, statuses {STATS['statuses']}")

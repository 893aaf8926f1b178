"""Seeding shared by the accessibility, keyboard and no-JavaScript browser tests (plain
functions, built through the services like tests/rounds/conftest.py), and two page checks
(ACC_NAME, LANDMARKS) that run in the browser.

`core_loop_world(app, make_user, make_assembly, make_policy)` builds one assembly with:

- "Commons pact": a round on it closed (amendment #1 on line 3 accepted → revision 2), a
  pending amendment on revision 2, and a comment thread with a reply on revision 2;
- "Office pact": a round in voting with one yes/no question (line 3) and one ranked question
  (rivals on lines 4 and 4–5).
"""
from datetime import timedelta
from types import SimpleNamespace

BODY = (
    "# Commons pact\n"
    "\n"
    "The city supports commons.\n"
    "It funds a Commons Office.\n"
    "The office has two staff.\n"
    "It reviews the pact yearly.\n"
)
RIVALS = [(3, 3, "The city loves its commons.\n"), (4, 4, "It funds two offices.\n"), (4, 5, "It funds one office.\n")]


def core_loop_world(app, make_user, make_assembly, make_policy, closed=True, voting=True):
    from app.accounts.models import User
    from app.amendments.services import propose_amendment
    from app.comments.services import create_comment, reply_to_comment
    from app.core.timeutil import utcnow
    from app.extensions import db
    from app.policies.models import Policy
    from app.rounds import ballots, phases, services

    admin, member = make_user(name="Ada Admin"), make_user(name="Mia Member")
    assembly = make_assembly(admin=admin, members=[(member, "member")], name="Veldmar Commons")
    pact = make_policy(assembly, admin, title="Commons pact", body=BODY)
    office = make_policy(assembly, admin, title="Office pact", body=BODY.replace("Commons pact", "Office pact"))
    out = SimpleNamespace(admin=admin, member=member, assembly=assembly, pact=pact, office=office)
    def get(user):
        return db.session.get(User, user.id)

    with app.app_context():
        now = utcnow()
        deadlines = (now + timedelta(days=1), now + timedelta(days=2), now + timedelta(days=3))
        policy = db.session.get(Policy, pact.id)
        if closed:
            round_ = services.create_round(get(admin), policy, *deadlines)
            merged = propose_amendment(get(member), policy, 1, 3, 3, "The city loves its commons.\n", "Warmer.")
            round_ = phases.advance_round(get(admin), phases.advance_round(get(admin), round_))
            answers = [{"question": q.id, "choice": "yes"} for q in round_.questions]
            ballots.cast_ballot(get(member), round_, answers)
            ballots.cast_ballot(get(admin), round_, answers)
            round_ = phases.advance_round(get(admin), round_)
            out.closed_round, out.merged_amendment = round_.id, merged.id
        head = policy.head_number
        out.pending_amendment = propose_amendment(
            get(member), policy, head, 5, 5, "The office has three staff.\n", "More hands.").id
        thread = create_comment(get(member), policy, head, 4, 4, "Who runs the **office**?", "question")
        reply_to_comment(get(admin), thread, "The assembly does.")
        out.thread = thread.id
        if voting:
            other = db.session.get(Policy, office.id)
            round_ = services.create_round(get(admin), other, *deadlines)
            out.rival_amendments = [
                propose_amendment(get(member), other, 1, s, e, text, "Why not.").id for s, e, text in RIVALS]
            round_ = phases.advance_round(get(admin), phases.advance_round(get(admin), round_))
            out.voting_round = round_.id
        db.session.commit()
    base = f"/a/{assembly.slug}/p/{pact.slug}"
    out.pact_path, out.office_path = base, f"/a/{assembly.slug}/p/{office.slug}"
    return out


def log_in(page, user):
    """Log in through the form (page.fill/click; the keyboard walk logs in by keyboard itself),
    finding its fields by name so that it works in every language."""
    page.goto("/login")
    page.locator("input[name=email]").fill(user.email)
    page.locator("input[name=password]").fill(user.password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/assemblies")


# The accessible name of the focused element, close enough to the browser's for matching.
ACC_NAME = """el => {
  const clean = s => (s || '').replace(/\\s+/g, ' ').trim();
  if (el.getAttribute('aria-label')) return clean(el.getAttribute('aria-label'));
  const by = el.getAttribute('aria-labelledby');
  if (by) return clean(by.split(/\\s+/).map(id => (document.getElementById(id) || {}).textContent || '').join(' '));
  if (el.labels && el.labels.length) return clean(Array.from(el.labels).map(l => l.textContent).join(' '));
  if (['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) return clean(el.getAttribute('title') || el.getAttribute('placeholder'));
  return clean(el.textContent || el.getAttribute('title') || el.value);
}"""

LANDMARKS = f"""() => {{
  const problems = [];
  const count = sel => document.querySelectorAll(sel).length;
  if (count('main, [role=main]') !== 1) problems.push('main landmarks: ' + count('main, [role=main]'));
  if (!document.querySelector('body > header nav[aria-label]')) problems.push('no labelled nav in the header');
  if (count('body > header') !== 1) problems.push('banner header: ' + count('body > header'));
  if (count('body > footer') !== 1) problems.push('contentinfo footer: ' + count('body > footer'));
  const name = {ACC_NAME};
  const controls = 'input:not([type=hidden]), select, textarea, button, [role=textbox], [role=combobox]';
  for (const el of document.querySelectorAll(controls)) {{
    if (!el.getClientRects().length || el.closest('[aria-hidden=true], [inert]')) continue;
    if (!name(el)) problems.push('control without a name: ' + el.outerHTML.slice(0, 120));
  }}
  return problems;
}}"""

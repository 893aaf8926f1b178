"""The demo deliberation that `flask demo` adds to the demo assembly, built only through services.

Two of the seed policies get a life of their own:

* the Partner State Framework: line comments with different stances (one answered and
  resolved), three amendments (two of them rivals on the same line), co-signed, and a round in
  its voting phase, so a demo user can vote at once;
* the Urban Commons Pact: a round that is already closed, with a ballot from every demo user,
  so its results, charts and consultation report can be read (one amendment was merged).

Everything is idempotent: a policy that has a round is left as its deliberation made it, both
by the seeding here and by the re-import of the library (which never overwrites a text changed
in the app).
"""
from datetime import timedelta

from .accounts.services import find_user_by_email
from .amendments.services import cosign_amendment, propose_amendment
from .comments.services import create_comment, reply_to_comment, resolve_thread
from .core import textlines
from .core.errors import AppError
from .core.timeutil import utcnow
from .extensions import db
from .policies.models import Policy
from .policies.services import get_revision
from .rounds.models import Round
from .rounds.ballots import cast_ballot
from .rounds.phases import advance_round, option_key
from .rounds.services import create_round

VOTING_POLICY = "partner-state-framework"
CLOSED_POLICY = "urban-commons-pact"


def find_policy(assembly, slug):
    """The assembly's policy with this slug, or None."""
    query = db.select(Policy).filter_by(assembly_id=assembly.id, slug=slug)
    return db.session.execute(query).scalar_one_or_none()


def has_round(policy):
    """True when any round (open, closed or cancelled) was ever opened on the policy."""
    return db.session.execute(db.select(Round.id).filter_by(policy_id=policy.id).limit(1)).first() is not None


# ---------------------------------------------------------------------------
# Seeding the deliberation
# ---------------------------------------------------------------------------


def seed_deliberation(assembly, emails):
    """Add the demo deliberation to the demo assembly; returns lines describing what was done.

    `emails` are the demo users' e-mails in the order admin, facilitator, member, member.
    Each of the two policies is seeded only when it exists and has never had a round, so a
    second run adds nothing.
    """
    people = demo_people(emails)
    notes = []
    for slug, seed in ((VOTING_POLICY, seed_voting_round), (CLOSED_POLICY, seed_closed_round)):
        policy = find_policy(assembly, slug)
        if policy is None:
            notes.append(f"{slug}: not in the library, no deliberation added.")
        elif has_round(policy):
            notes.append(f"{policy.title}: deliberation already there, nothing added.")
        else:
            notes.append(seed_safely(seed, policy, people))
    return notes


def seed_safely(seed, policy, people):
    """Run one seeding function in a savepoint; if the policy's text no longer has the lines
    it expects (an edited library), undo that policy's part and say so instead of failing."""
    try:
        with db.session.begin_nested():
            return seed(policy, people)
    except (LookupError, AppError) as error:
        message = getattr(error, "message", None) or str(error)
        return f"{policy.title}: no deliberation added ({message})."


def demo_people(emails):
    """The demo users by first name (ada, bruno, chloe, dmitri)."""
    names = ("ada", "bruno", "chloe", "dmitri")
    return dict(zip(names, (find_user_by_email(email) for email in emails)))


def line_of(policy, start):
    """The number of the first line of the policy's head revision that starts with `start`."""
    lines = textlines.split_lines(get_revision(policy, policy.head_number).body)
    for number, line in enumerate(lines, start=1):
        if line.startswith(start):
            return number
    raise LookupError(f"{policy.slug}: no line starts with {start!r}.")


def deadlines(amending_days, deliberating_days, voting_days):
    """The three deadlines of a round, that many days from now."""
    now = utcnow()
    return [now + timedelta(days=days) for days in (amending_days, deliberating_days, voting_days)]


def amend(author, policy, start, replacement, rationale, cosigners=(), title=""):
    """Propose replacing the line that starts with `start`, and co-sign it by `cosigners`."""
    number = line_of(policy, start)
    amendment = propose_amendment(author, policy, policy.head_number, number, number, replacement, rationale,
                                  title=title)
    for user in cosigners:
        cosign_amendment(user, amendment)
    return amendment


def comment(author, policy, start, body, stance, end=None):
    """Comment on the line that starts with `start` (through the line starting with `end`)."""
    first = line_of(policy, start)
    last = line_of(policy, end) if end else first
    return create_comment(author, policy, policy.head_number, first, last, body, stance)


def vote_for(round_, voter, choices):
    """Cast `voter`'s ballot: `choices` maps an amendment (yes/no) or a tuple of rivals (ranked).

    A yes/no amendment maps to 'yes', 'no' or 'abstain'; a tuple of rival amendments maps to
    a ranking of those amendments and None (keep the current text), best first.
    """
    answers = []
    for question in round_.questions:
        if question.kind == "yes_no":
            choice = next(c for a, c in choices.items() if not isinstance(a, tuple) and a.id == question.amendment_id)
            answers.append({"question": question.id, "choice": choice})
        else:
            ranking = next(r for group, r in choices.items() if isinstance(group, tuple))
            keys = ["keep" if amendment is None else option_key(amendment) for amendment in ranking]
            answers.append({"question": question.id, "ranking": [[key] for key in keys]})
    return cast_ballot(voter, round_, answers)


# ---------------------------------------------------------------------------
# The Partner State Framework: comments, amendments, a round open for voting
# ---------------------------------------------------------------------------


def seed_voting_round(policy, people):
    """Comments, three co-signed amendments (two rivals) and a round now in its voting phase."""
    comments = seed_comments(policy, people)
    round_ = create_round(people["bruno"], policy, *deadlines(1, 2, 9), quorum=0.5)
    amendments = seed_voting_amendments(policy, people)
    round_ = advance_round(people["bruno"], round_)  # amending -> deliberating
    round_ = advance_round(people["bruno"], round_)  # deliberating -> voting
    staffing = tuple(amendments[:2])
    vote_for(round_, people["dmitri"], {staffing: (amendments[1], None, amendments[0]), amendments[2]: "no"})
    return (f"{policy.title}: {comments} comments, {len(amendments)} amendments, "
            f"round {round_.id} {round_.phase} until {round_.voting_until:%Y-%m-%d %H:%M} UTC.")


def seed_comments(policy, people):
    """Line comments with different stances, one reply, one resolved thread; returns how many."""
    ada, bruno, chloe, dmitri = (people[name] for name in ("ada", "bruno", "chloe", "dmitri"))
    comment(chloe, policy, "The City will establish a Commons Office within six months",
            "Six months is realistic if the budget line for the Office is voted together with this framework.",
            "support")
    question = comment(dmitri, policy, "The Office will start with five full-time posts",
                       "Who sits on the panel that hires the coordinator? The framework does not say.", "question")
    reply_to_comment(bruno, question,
                     "The Commons Assembly names two of the five panel members; the hiring rules are in the "
                     "staff regulation, which we can link from here.")
    resolve_thread(dmitri, question)
    comment(dmitri, policy, "Staff will spend at least 30% of their working time",
            "A fixed quota will be met on paper and ignored in practice. Ask for a yearly account of the work "
            "done in neighbourhoods instead.", "oppose")
    comment(ada, policy, "The Office reports to the Deputy Mayor for Participation",
            "Reporting to a single Deputy Mayor goes against the **non-capture** principle of Section 2: "
            "the Office should report to the Council as a whole.", "objection",
            end="Its coordinator may be dismissed only after a hearing")
    comment(chloe, policy, "4. **Openness by default**",
            "Should we name the licences (CC BY-SA for texts, a free software licence for code)?", "comment")
    return 6


def seed_voting_amendments(policy, people):
    """Two rival amendments on the staffing line and one on neighbourhood time, all co-signed."""
    ada, bruno, chloe, dmitri = (people[name] for name in ("ada", "bruno", "chloe", "dmitri"))
    posts = "The Office will start with five full-time posts"
    larger = amend(
        chloe, policy, posts,
        "The Office will start with seven full-time posts: a coordinator, two partnership facilitators, "
        "two neighbourhood organisers, one legal adviser and one data steward.",
        "Five people cannot cover twelve districts; neighbourhood organisers make the 30% rule possible.",
        cosigners=[ada], title="Seven posts from the start",
    )
    phased = amend(
        dmitri, policy, posts,
        "The Office will start with three full-time posts: a coordinator, one partnership facilitator and "
        "one legal adviser, and grow to five after its first yearly review.",
        "Start small, show results, then grow: a phased start is easier to fund in the first budget.",
        cosigners=[bruno], title="Start with three posts, grow to five",
    )
    time = amend(
        ada, policy, "Staff will spend at least 30% of their working time",
        "Staff will spend at least 40% of their working time in neighbourhoods rather than at City Hall, "
        "and the Office will publish a yearly account of that work.",
        "More presence in the districts, and a public account answers the worry that a quota stays on paper.",
        cosigners=[chloe], title="40% of the time in neighbourhoods",
    )
    return [larger, phased, time]


# ---------------------------------------------------------------------------
# The Urban Commons Pact: a round voted on and closed
# ---------------------------------------------------------------------------


def seed_closed_round(policy, people):
    """A round with a ranked question and two yes/no questions, voted by everyone, then closed."""
    bruno = people["bruno"]
    round_ = create_round(bruno, policy, *deadlines(1, 2, 3), quorum=0.5)
    amendments = seed_closed_amendments(policy, people)
    round_ = advance_round(bruno, round_)  # amending -> deliberating
    round_ = advance_round(bruno, round_)  # deliberating -> voting
    cast_closed_ballots(round_, people, amendments)
    round_ = advance_round(bruno, round_)  # voting -> closed: count, merge
    return (f"{policy.title}: {len(amendments)} amendments, round {round_.number} {round_.phase} "
            f"with 4 ballots (revision {round_.new_revision_number} merged the accepted amendments).")


def seed_closed_amendments(policy, people):
    """Reply time (yes/no), tacit approval (yes/no) and two rivals on the cap on pacts (ranked)."""
    ada, bruno, chloe, dmitri = (people[name] for name in ("ada", "bruno", "chloe", "dmitri"))
    reply = amend(
        chloe, policy, "The Pact Desk must reply within 20 days.",
        "The Pact Desk must reply within 15 working days.",
        "Neighbours plan around the seasons; three weeks of silence loses a planting window.",
        cosigners=[dmitri], title="Reply within 15 working days",
    )
    tacit = amend(
        ada, policy, "If it does not reply within that time",
        "If it does not reply within that time, the proposers may ask the head of the department, "
        "who must decide within 10 days.",
        "Tacit approval puts the risk on the neighbours when something goes wrong; a named decision-maker is safer.",
        cosigners=[bruno], title="No tacit approval",
    )
    cap = "No person or group may hold more than five active pacts"
    fewer = amend(
        dmitri, policy, cap,
        "No person or group may hold more than three active pacts at the same time, so that care remains "
        "widely shared.",
        "Three is enough for any informal group, and it leaves room for newcomers.",
        title="At most three pacts each",
    )
    schools = amend(
        bruno, policy, cap,
        "No person or group may hold more than five active pacts at the same time, except schools, which may "
        "hold up to ten for their own grounds and the streets around them.",
        "Schools look after many small spaces at once; the general cap would stop their best work.",
        cosigners=[chloe], title="Up to ten pacts for schools",
    )
    return {"reply": reply, "tacit": tacit, "fewer": fewer, "schools": schools}


def cast_closed_ballots(round_, people, amendments):
    """One ballot per demo user: the reply time passes, tacit approval stays, schools get ten pacts."""
    reply, tacit, fewer, schools = (amendments[key] for key in ("reply", "tacit", "fewer", "schools"))
    rivals = (fewer, schools)
    ballots = {
        "ada": {reply: "yes", tacit: "yes", rivals: (schools, fewer, None)},
        "bruno": {reply: "yes", tacit: "no", rivals: (schools, None, fewer)},
        "chloe": {reply: "yes", tacit: "abstain", rivals: (fewer, schools, None)},
        "dmitri": {reply: "no", tacit: "no", rivals: (None, schools, fewer)},
    }
    for name, choices in ballots.items():
        vote_for(round_, people[name], choices)

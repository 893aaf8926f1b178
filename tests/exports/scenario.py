"""A policy that went through a round: amendments proposed, voted on (open or secret), merged.

Used by the export tests and the export benchmark. Runs inside an app context; only flushes
and commits through the services, like a real round.
"""
from datetime import timedelta

from app.accounts.models import User
from app.amendments.services import propose_amendment
from app.core.timeutil import utcnow
from app.extensions import db
from app.policies.models import Policy
from app.rounds import ballots, phases
from app.rounds import services as rounds

#: Words with accents and non-Latin letters that every PDF must keep (fonts must cover them).
WORDS = {
    "fr": "coopérative d’habitants à Besançon, œuvre commune",
    "de": "Gemeingüter für Straßenfeste in Köln",
    "es": "la señora Núñez, cooperación y pequeña huerta",
    "el": "Κοινά αγαθά και συνέλευση πολιτών",
    "pl": "Łódź: spółdzielnia źródeł żywności",
}

POLICY_BODY = """# Veldmar Commons Pact

## 1. Purpose

The City of Veldmar recognises urban commons as shared resources governed by their users.
This pact sets out how residents and the City care for them together.
Partners include the {fr}.

## 2. Principles

- Commons are open to every resident.
- Decisions are taken by those who care for the commons.
- Solidarity with the {de}.

### 2.1 Languages

Texts are published in the languages of the neighbourhood: {es}; {el}; {pl}.

## 3. Commitments

The City funds a Commons Office with two staff.
The City reviews this pact every two years.

| Commitment | Budget |
|---|---|
| Commons Office | €120,000 |
| Neighbourhood fund | €80,000 |
""".format(**WORDS)


def _user(user_ns):
    return db.session.get(User, user_ns.id)


def run_round(policy_id, facilitator, voters, secret=False, proposals=None):
    """Open a round on the policy, propose amendments, vote and close it; returns the round id.

    `proposals`: [(author, line_start, line_end, replacement, rationale)]; `voters`:
    [(user, {proposal index: 'yes' | 'no' | 'abstain' | ranking})] where a ranking is a list of
    levels of proposal indexes (or 'keep'). Users are namespaces from make_user.
    """
    policy = db.session.get(Policy, policy_id)
    now = utcnow()
    round_ = rounds.create_round(_user(facilitator), policy, now + timedelta(days=1), now + timedelta(days=2),
                                 now + timedelta(days=3), quorum=0, threshold=0.5, secret=secret)
    amendments = [
        propose_amendment(_user(author), policy, policy.head_number, start, end, text, why)
        for author, start, end, text, why in proposals or []
    ]
    round_ = phases.advance_round(_user(facilitator), round_)
    round_ = phases.advance_round(_user(facilitator), round_)
    for voter, choices in voters:
        answers = _answers(round_, amendments, choices)
        if answers:
            ballots.cast_ballot(_user(voter), round_, answers)
    round_ = phases.advance_round(_user(facilitator), round_)
    db.session.commit()
    return round_.id


def _answers(round_, amendments, choices):
    by_amendment = {q.amendment_id: q for q in round_.questions if q.kind == "yes_no"}
    ranked = [q for q in round_.questions if q.kind == "ranked"]
    answers = []
    for index, choice in choices.items():
        if index == "ranked":
            keys = {i: f"a{amendments[i].id}" for i in range(len(amendments))}
            ranking = [[keys.get(i, "keep") for i in level] for level in choice]
            answers.append({"question": ranked[0].id, "ranking": ranking})
        else:
            answers.append({"question": by_amendment[amendments[index].id].id, "choice": choice})
    return answers


def seed_policy_after_round(make_user, make_assembly, make_policy, in_app, secret=False):
    """A private assembly of four, a multilingual policy and one closed round that merged two amendments.

    Proposals (in order): Chloé's (line 21, yes/no, accepted), Dmitri's (line 22, ranked, wins),
    Bruno's (line 5, yes/no, rejected), Ada's (line 22, ranked, loses). Returns a dict.
    """
    ada, bruno = make_user(name="Ada Okafor"), make_user(name="Bruno Lefèvre")
    chloe, dmitri = make_user(name="Chloé Martín"), make_user(name="Dmitri Nowak")
    assembly = make_assembly(admin=ada, members=[(bruno, "facilitator"), (chloe, "member"), (dmitri, "member")],
                             name="Veldmar Commons Assembly")
    policy = make_policy(assembly, ada, title="Veldmar Commons Pact", body=POLICY_BODY,
                         tags=("commons", "urban"), summary="How residents and the City care for urban commons together.")
    proposals = [
        (chloe, 21, 21, "The City funds a Commons Office with three staff.", "Two people cannot serve every district."),
        (dmitri, 22, 22, "The City reviews this pact every year, with the assembly.", "Yearly reviews keep it alive."),
        (bruno, 5, 5, "The City of Veldmar recognises urban commons.", "Shorter is clearer."),
        (ada, 22, 22, "The City reviews this pact every three years.", "Reviews take time."),
    ]
    votes = [
        (ada, {0: "yes", 2: "no", "ranked": [[1], ["keep"], [3]]}),
        (bruno, {0: "yes", 2: "yes", "ranked": [[1], [3], ["keep"]]}),
        (chloe, {0: "yes", 2: "no", "ranked": [[1]]}),
        (dmitri, {0: "no", 2: "abstain", "ranked": [[3], [1], ["keep"]]}),
    ]
    round_id = in_app(run_round, policy.id, bruno, votes, secret=secret, proposals=proposals)
    return {"users": (ada, bruno, chloe, dmitri), "assembly": assembly, "policy": policy, "round_id": round_id}

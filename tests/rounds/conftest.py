"""Fixtures for rounds: a whole assembly with a policy, amendments and a round in any phase.

`world(...)` is build_world (tests/conftest.py) in the rounds' shape: admin, facilitator,
member0 … member<n-1>, a late joiner and an outsider, all with API tokens (`w.api(role)`).
"""
import pytest

BODY = (
    "# Commons pact\n"
    "\n"
    "The city supports commons.\n"
    "It funds a Commons Office.\n"
    "The office has two staff.\n"
    "It reviews the pact yearly.\n"
    "Reviews are public.\n"
    "Members may propose changes.\n"
)
ROUND_NAMES = {"outsider": "Otto Outsider"}


@pytest.fixture
def world(build_world):
    """world(members=2, amendments=[(start, end, replacement)], phase='amending', public=True, extra_voters=0, **rules)."""

    def build(members=2, amendments=(), phase="amending", public=True, extra_voters=0, **rules):
        people = ("admin", "facilitator", *(f"member{i}" for i in range(members)), "late", "outsider")
        return build_world(people, names=ROUND_NAMES, public=public, assembly_name="Veldmar Commons", author="admin",
                           body=BODY, policy={"summary": "", "tags": None}, round=phase, rules=rules,
                           amendments=amendments, voters=extra_voters, tokens=True)

    return build

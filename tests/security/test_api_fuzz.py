"""API fuzzing with schemathesis: every operation of the app's own OpenAPI document
(/api/v1/openapi.json) is called with generated requests, as a member (the admin) of a seeded
assembly holding one object of every kind. Each response must not be a server error and, when
its status is documented, must match the documented schema.

Path parameters are mostly pinned to the seeded objects (otherwise nearly every case would be a
404); one example in four keeps the generated value so unknown ids are fuzzed too. The run is
bounded (MAX_EXAMPLES per operation, derandomised) so CI is stable and fast."""
import os
import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from security.test_authorization_sweep import _target

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
# Operations that would end the fuzzing identity; covered by the API tests.
SKIP = {("DELETE", "/api/v1/tokens/current")}


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def seeded(api, make_user, make_assembly):
    """An assembly with a policy (2 revisions), a comment, an amendment and a round (amending);
    returns (bearer token of its admin, path parameter values)."""
    admin, values = _target(api, make_user, make_assembly, public=False, voting=False)
    return api(admin).token, {**values, "number": 2}


def _fuzz(operation, token, values, counter):
    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def run(case):
        counter[0] += 1
        for name in list(case.path_parameters or {}):
            if name in values and zlib.crc32(repr(case.path_parameters[name]).encode()) % 4 != 0:
                case.path_parameters[name] = values[name]
        response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                               checks=[not_a_server_error, response_schema_conformance])
        counter[1][response.status_code] = counter[1].get(response.status_code, 0) + 1

    run()


# Schemathesis' WSGI client drops file responses (a PDF download) without closing them; the
# files are closed by the garbage collector, which Python reports as an unclosed file.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_every_api_operation_survives_fuzzing(api_schema, seeded):
    """(The schemathesis pytest plugin's lazy fixture loader does not work with pytest 9, so the
    operations are iterated here; a failure in one does not hide the others.)"""
    token, values = seeded
    failures, operations, counter = [], 0, [0, {}]
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        operations += 1
        try:
            _fuzz(operation, token, values, counter)
        except Exception as error:  # noqa: BLE001 - collect every operation's failure
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    print(f"\nfuzzed {operations} operations with {counter[0]} cases, statuses {dict(sorted(counter[1].items()))}")
    assert operations >= 30, "the document should describe the whole API"
    assert not failures, "\n\n".join(failures)

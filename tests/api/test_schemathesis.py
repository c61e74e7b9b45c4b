"""Schemathesis against the OpenAPI document: generated requests to every JSON operation never get a 500.

The back-office user's token is sent with every case, so bodies reach validation and the handlers
rather than stopping at 401; ``not_a_server_error`` is the check here (conformance of documented
answers is covered by the hand-written API tests).
"""
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.conftest import Api


@schemathesis.serializer("application/offset+octet-stream", "application/pdf", "text/csv", "application/geo+json")
def as_bytes(ctx, value):
    """Raw bodies (blob chunks, PDFs, grid files): whatever was generated, as bytes."""
    return value if isinstance(value, bytes) else str(value).encode()


SKIP = ("/api/auth/token",)       # would lock the test user out with the log-in rate limit
EXAMPLES = 25


def test_no_generated_request_gets_a_500(app, client):
    token = Api(client).token("bo_cz", "pda-schemathesis")
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    checked = []
    for operation in operations:
        if operation.path in SKIP:
            continue

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def call(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])

        call()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 25, checked

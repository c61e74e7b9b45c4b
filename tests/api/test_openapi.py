"""The OpenAPI document is generated from the schemas and covers every route."""
import re

import pytest


def test_openapi_is_public_and_lists_the_api(client):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path in ["/api/auth/token", "/api/tickets", "/api/tickets/{ticket_id}", "/api/tickets/{ticket_id}/commands",
                 "/api/devices", "/api/devices/{device_id}", "/api/policies", "/api/policies/{pack_id}",
                 "/api/calendar/{year}"]:
        assert path in spec["paths"], path
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    ticket = spec["components"]["schemas"]["Ticket"]["properties"]
    assert {"stage", "version", "deadlines", "stage_history"} <= set(ticket)


def test_every_flask_route_is_documented(app, client):
    spec = client.get("/api/openapi.json").json
    documented = {path.replace("{", "<").replace("}", ">") for path in spec["paths"]}
    api_rules = {re.sub(r"<[^:>]+:", "<", rule.rule) for rule in app.url_map.iter_rules()
                 if rule.rule.startswith("/api/") and rule.rule not in ("/api/openapi.json", "/api/docs")}
    assert api_rules <= documented


def test_docs_page_renders_from_the_spec(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/tickets/{ticket_id}/commands" in page and "/problems/illegal-command" in page


@pytest.mark.parametrize("path", ["/api/policies", "/api/policies/changzhou-2020"])
def test_policies_are_public(client, path):
    assert client.get(path).status_code == 200

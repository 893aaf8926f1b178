"""API: GET /api/v1/policies/{id}/export.md, /export.pdf and /compare.pdf (API.md, "Export")."""
import pytest
import yaml

from exports.conftest import pdf_text


@pytest.fixture
def seeded_api(after_round, api):
    seeded = after_round()
    return seeded, api(seeded["users"][2]), f"/api/v1/policies/{seeded['policy'].id}"


def test_markdown_export(seeded_api):
    seeded, client, base = seeded_api
    response = client.get(f"{base}/export.md?revision=2")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.get_data(as_text=True)
    meta = yaml.safe_load(text[4:text.index("\n---\n\n", 4)])
    assert meta["policy_id"] == seeded["policy"].id and meta["revision"] == 2
    assert [m["round"] for m in meta["amendments"]] == [seeded["round_id"]] * 2
    assert client.get(f"{base}/export.md").get_data() == response.get_data()  # default: the head


def test_pdf_export_and_comparison(seeded_api):
    _, client, base = seeded_api
    response = client.get(f"{base}/export.pdf?revision=1")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert "Veldmar Commons Pact" in pdf_text(response.get_data(), "-f", "1", "-l", "1")
    compared = client.get(f"{base}/compare.pdf?from=1&to=2")
    assert compared.status_code == 200 and compared.get_data().startswith(b"%PDF-")


def test_errors(seeded_api, api, make_user):
    seeded, client, base = seeded_api
    assert api().get(f"{base}/export.md").status_code == 401
    assert api(make_user()).get(f"{base}/export.pdf").status_code == 404  # not a member: not found
    assert client.get("/api/v1/policies/999999/export.md").status_code == 404
    missing = client.get(f"{base}/export.pdf?revision=7")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    assert client.get(f"{base}/export.docx").status_code == 404
    bad = client.get(f"{base}/export.pdf?font_size=99&paper=a3")
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"font_size", "paper"}
    assert client.get(f"{base}/export.md?revision=-1").status_code == 422
    assert client.get(f"{base}/compare.pdf?from=1&to=2&context=-1").json["error"]["fields"] == {
        "context": "'context' must be from 0 to 50."}


def test_openapi_describes_the_exports(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("export.md", "export.pdf", "compare.pdf"):
        operation = paths[f"/api/v1/policies/{{policy_id}}/{path}"]["get"]
        assert operation["security"] == [{"bearer": []}]
        assert {"404", "422", "401"} <= set(operation["responses"])
    names = [p["name"] for p in paths["/api/v1/policies/{policy_id}/compare.pdf"]["get"]["parameters"]]
    assert names == ["policy_id", "from", "to", "paper", "font_size", "context", "wait", "retry"]

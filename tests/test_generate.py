"""`mock-server generate`: reproducible, valid fixture files of realistic data."""

from __future__ import annotations

import yaml

from mock_server.cli import main
from mock_server.testing import BizzlinkAuth

WRITABLE = ("active", "addressCity", "addressCountry", "addressPostalCode", "addressStreet",
            "billingModel", "companyName", "contactEmail", "contactName", "contactPhone",
            "tenantCode")


def test_generate_is_reproducible_byte_for_byte(tmp_path):
    a, b, c = tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml"
    assert main(["generate", "--seed", "7", "--bizzlink-tenants", "40", "-o", str(a)]) == 0
    assert main(["generate", "--seed", "7", "--bizzlink-tenants", "40", "-o", str(b)]) == 0
    assert main(["generate", "--seed", "8", "--bizzlink-tenants", "40", "-o", str(c)]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    doc = yaml.safe_load(a.read_text())
    children = [t for t in doc["bizzlink"]["tenants"]]
    assert len(children) == 40 + 2 + 3 + 3 + 4
    codes = [t["attributes"]["tenantCode"] for t in children]
    emails = [t["attributes"]["contactEmail"] for t in children]
    assert len(set(codes)) == len(codes)
    assert len(set(emails)) >= len(emails) - 2


def test_generated_records_pass_the_apis_own_validation(client, tmp_path):
    out = tmp_path / "gen.yaml"
    assert main(["generate", "--seed", "11", "--bizzlink-tenants", "30", "--quiet",
                 "-o", str(out)]) == 0
    doc = yaml.safe_load(out.read_text())
    resp = client.post("/_sandbox/fixtures", content=out.read_text(),
                       headers={"Content-Type": "application/yaml"})
    assert resp.status_code == 200, resp.text
    accounts = {a["id"]: a for a in doc["bizzlink"]["accounts"]}
    for tenant in doc["bizzlink"]["tenants"]:
        owner = accounts[tenant["partner"]]
        auth = BizzlinkAuth(owner["token"], owner["hmacSecret"])
        attrs = {k: v for k, v in tenant["attributes"].items() if k in WRITABLE}
        resp = client.patch(f"/bizzlink/tenants/{tenant['id']}", auth=auth,
                            json={"data": {"type": "tenants", "attributes": attrs}})
        assert resp.status_code == 200, (attrs, resp.text)


def test_fixture_schema_command_prints_the_schema(capsys):
    assert main(["fixture-schema"]) == 0
    schema = yaml.safe_load(capsys.readouterr().out)
    assert "bizzlink" in schema["properties"]


def test_every_api_generates_reproducibly(tmp_path):
    from mock_server.apis import all_apis

    outputs = []
    for name in ("a.yaml", "b.yaml"):
        args = ["generate", "--seed", "9", "--quiet", "-o", str(tmp_path / name)]
        for api in all_apis():
            if api.generate_option:
                args += [f"--{api.generate_option}", "15"]
        assert main(args) == 0
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]


def test_every_api_generates_records_that_load(client, tmp_path):
    from mock_server.apis import all_apis

    out = tmp_path / "all.yaml"
    options = [f"--{a.generate_option}" for a in all_apis() if a.generate_option]
    args = ["generate", "--seed", "5", "--quiet", "-o", str(out)]
    for option in options:
        args += [option, "25"]
    assert main(args) == 0
    resp = client.post("/_sandbox/fixtures", content=out.read_text(),
                       headers={"Content-Type": "application/yaml"})
    assert resp.status_code == 200, resp.text
    assert len(resp.json()["loaded"]) == len(options)


def test_a_big_world_generated_at_start_up_is_served_as_generated():
    """Start-up generation keeps long record lists compressed and builds sandboxes from
    them one record at a time: what is served (in any sandbox, and after a reset) is
    exactly the generated document."""
    from mock_server.apis import all_apis
    from mock_server.app import create_app
    from mock_server.config import Config
    from mock_server.documents import PackedDocument
    from mock_server.fixtures import load_fixture_file
    from mock_server.generate import generate_document

    LIST = {"bizzlink": "tenants", "wallet": "tenants", "roomle": "tenants",
            "pigello": "connections"}
    counts = {a.name: PackedDocument.LAZY_AT + 50 for a in all_apis() if a.generate_option}
    config = Config(generate=counts, max_body_bytes=64 << 20)
    base = load_fixture_file(config.fixtures)
    expected = generate_document(base, counts, int(base.get("seed", 1)), None)
    app = create_app(config)
    with app.test_client() as c:
        # The reference: the same document loaded whole through the control plane.
        resp = c.post("/_sandbox/fixtures", json=expected, headers={"X-Sandbox-Id": "eager"})
        assert resp.status_code == 200, resp.text
        reference = c.get("/_sandbox/state", headers={"X-Sandbox-Id": "eager"}).json()
        states = []
        for sandbox in ("default", "other", "default"):
            resp = c.get("/_sandbox/state", headers={"X-Sandbox-Id": sandbox})
            assert resp.status_code == 200, resp.text
            states.append(resp.json())
            assert c.post("/_sandbox/reset", headers={"X-Sandbox-Id": sandbox}).status_code == 204
    for api in counts:
        assert len(reference[api][LIST[api]]) > PackedDocument.LAZY_AT
        for state in states:
            assert state[api] == reference[api], api

"""Generated Bizzlink child tenants (docs/fixtures.md, docs/bizzlink.md): spread
round-robin over the partners under their active billing models, per-country addresses
and phone numbers, plausible e-mail addresses, unique codes."""

from __future__ import annotations

import re

import pytest
import yaml

from mock_server.cli import main

PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{2,31}$")          # the spec's contactPhone pattern
PREFIX = {"DE": "+49 ", "FR": "+33 ", "NL": "+31 ", "GB": "+44 "}
P1 = "11111111-1111-4111-8111-111111111111"
P2 = "22222222-2222-4222-8222-222222222222"
CUSTOMER = "33333333-3333-4333-8333-333333333333"


def _account(id_: str, token: str, role: str = "partner", **extra) -> dict:
    return {"id": id_, "name": f"Account {token}", "role": role, "token": token,
            "hmacSecret": f"{token}-secret", **extra}


def _generate(tmp_path, base: dict, count: int) -> dict:
    (tmp_path / "base.yaml").write_text(yaml.safe_dump({"version": 1, "seed": 9, **base}))
    out = tmp_path / "out.yaml"
    assert main(["generate", "--fixtures", str(tmp_path / "base.yaml"), "--seed", "9",
                 "--bizzlink-tenants", str(count), "--quiet", "-o", str(out)]) == 0
    return yaml.safe_load(out.read_text())["bizzlink"]


def test_generated_attributes_follow_the_tenant_country(tmp_path):
    section = _generate(tmp_path, {"bizzlink": {
        "generatedLegalEntities": False, "createdAt": "2026-02-03T04:05:06Z",
        "accounts": [_account(P1, "gen-token-1", subscriptions=["SEATS", "FLOW"])]}}, 40)
    tenants = [t["attributes"] for t in section["tenants"]]
    assert len(tenants) == 40
    assert {t["addressCountry"] for t in tenants} == set(PREFIX)
    codes = [t["tenantCode"].upper() for t in tenants]
    assert len(set(codes)) == len(codes)
    assert 30 < sum(t["active"] for t in tenants) < 40   # about nine in ten are active
    assert {t["createdAt"] for t in tenants} == {"2026-02-03T04:05:06Z"}
    assert len({t["contactEmail"].partition("@")[0] for t in tenants}) > 30
    for t in tenants:
        assert t["contactPhone"].startswith("+"), t
        assert PHONE.match(t["contactPhone"]), t
        local, _, domain = t["contactEmail"].partition("@")
        assert re.fullmatch(r"[a-z0-9.]+", local), t
        assert re.fullmatch(r"[a-z0-9]{1,20}\.example", domain), t
        assert t["contactName"] and t["companyName"] and t["addressCity"], t
        assert "\n" not in t["addressStreet"], t
    for country, prefix in PREFIX.items():             # numbers read in the tenant's country
        assert any(t["contactPhone"].startswith(prefix) for t in tenants
                   if t["addressCountry"] == country), country
    # company names are longer than 20 letters often enough to see the domain cut short
    assert any(len(t["contactEmail"].partition("@")[2]) == len("x" * 20 + ".example")
               for t in tenants)


def test_generated_children_are_spread_round_robin_over_the_partners(tmp_path):
    section = _generate(tmp_path, {"bizzlink": {"generatedLegalEntities": False, "accounts": [
        _account(P1, "gen-token-1", subscriptions=["SEATS"]),
        _account(CUSTOMER, "gen-token-3", role="tenant"),
        _account(P2, "gen-token-2", subscriptions=["FLOW", {"billingModel": "SEATS",
                                                             "active": False}])]}}, 7)
    owners = [t["partner"] for t in section["tenants"]]
    assert owners == [P1, P2, P1, P2, P1, P2, P1]
    models = {t["partner"]: {t["attributes"]["billingModel"]} for t in section["tenants"]}
    assert models == {P1: {"SEATS"}, P2: {"FLOW"}}


def test_the_progress_bar_counts_every_generated_tenant(tmp_path, capsys):
    """docs/fixtures.md: a progress bar is shown for 1,000 records or more."""
    (tmp_path / "base.yaml").write_text(yaml.safe_dump({"version": 1, "bizzlink": {
        "generatedLegalEntities": False, "accounts": [_account(P1, "gen-token-1")]}}))
    out = tmp_path / "out.yaml"
    capsys.readouterr()
    assert main(["generate", "--fixtures", str(tmp_path / "base.yaml"),
                 "--bizzlink-tenants", "1000", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.endswith(f"\rbizzlink   [{'#' * 30}] 1000/1000\n"), err[-200:]
    assert err.count("1000/1000") == 1 and "1001/" not in err
    tenants = [t["attributes"] for t in yaml.safe_load(out.read_text())["bizzlink"]["tenants"]]
    assert len(tenants) == 1000
    assert all(PHONE.match(t["contactPhone"]) for t in tenants)
    # a Faker number phonenumbers cannot read becomes the provider's example number
    assert any(t["contactPhone"] == "+352 123 456" for t in tenants)


def test_generating_tenants_without_a_partner_is_refused_in_words(tmp_path):
    """`serve --bizzlink-tenants N` with no partner account: the load error names why."""
    from mock_server.apis import all_apis
    from mock_server.config import Config
    from mock_server.fixtures import FixtureError
    from mock_server.runtime import Runtime

    (tmp_path / "base.yaml").write_text(yaml.safe_dump({"version": 1, "bizzlink": {
        "accounts": [_account(CUSTOMER, "gen-token-3", role="tenant")]}}))
    runtime = Runtime(Config(fixtures=tmp_path / "base.yaml", generate={"bizzlink": 2}),
                      all_apis())
    with pytest.raises(FixtureError):
        runtime.load()
    assert runtime.load_error == ("bizzlink: generating tenants needs at least one "
                                  "partner account")
    assert not runtime.ready
    alone = Runtime(Config(fixtures=tmp_path / "base.yaml"), all_apis())
    alone.load()                                       # nothing to generate: fine
    assert alone.ready and alone.load_error is None

"""``format: email`` answers what email-validator answers, for every address, whether
the shortcut for plain local parts on domains already accepted (validation.py) is
taken or not; and through HTTP, a rejected address is still rejected after the same
domain was accepted."""

from __future__ import annotations

import pytest
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server import validation
from mock_server.validation import FORMAT_CHECKER

DOMAINS = ["example.com", "bench.example", "Sub.Example.ORG", "x.test", "localhost",
           "a..b.com", "-bad.com", "xn--nxasmq6b.com", "ünïcode.de", "com", "a.b.c.d.e.f.io",
           "x" * 70 + ".com", "bad_domain.com", "trailing.dot.com.", "[127.0.0.1]"]
LOCAL = st.text(alphabet="abcXYZ019_+-.!#$%&'*/=?^`{|}~\"@ é", min_size=0, max_size=70)


def library_says(address: str) -> bool:
    """email-validator on the address, with the sandbox's reading of reserved names."""
    label = address.rpartition("@")[2].rstrip(".").rsplit(".", 1)[-1].lower()
    if label in SPECIAL_USE_DOMAIN_NAMES or label == "example":
        address += ".example"
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@pytest.fixture(autouse=True)
def _fresh_domains(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "_KNOWN_DOMAINS", {})


@settings(max_examples=400, deadline=None)
@given(local=LOCAL, domain=st.sampled_from(DOMAINS), warm=st.booleans())
def test_the_sandbox_answers_what_email_validator_answers(local, domain, warm):
    if warm:  # the domain accepted once before, as after an earlier request
        FORMAT_CHECKER.conforms(f"someone@{domain}", "email")
    address = f"{local}@{domain}"
    assert FORMAT_CHECKER.conforms(address, "email") == library_says(address), address


@pytest.mark.parametrize("address", [
    ".lead@example.com", "trail.@example.com", "two..dots@example.com", "@example.com",
    "sp ace@example.com", "x@" + "a" * 250 + ".com",
    "quoted\"@example.com", "a@b@example.com"])
def test_a_bad_address_is_bad_after_its_domain_was_accepted(address):
    assert FORMAT_CHECKER.conforms("fine@example.com", "email")
    assert not FORMAT_CHECKER.conforms(address, "email")
    assert not library_says(address)


def test_through_http_a_bad_address_on_a_known_domain_is_refused(client):
    def register(email: str) -> int:
        return client.post("/api/v1/tenants/register", json={
            "tenant": {"name": f"Mail {email[:20]}", "email": email,
                       "phoneNumber": "030 901820", "country": {"code": "DE"}},
            "tenantAdmin": {"fullName": "Admin", "email": f"admin.{len(email)}@mail.example.com",
                            "password": "pw-123456", "keyDuration": 1, "duration": "DAYS"},
        }).status_code

    assert register("first@mail.example.com") == 201
    assert register("two..dots@mail.example.com") == 400
    assert register("second@mail.example.com") == 201

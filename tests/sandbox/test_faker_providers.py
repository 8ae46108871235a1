"""The sandbox's Fakers load only the providers the APIs call (``FAKER_PROVIDERS``):
they draw exactly what a Faker with every provider draws from the same seed, so a
seeded world is the same as with a full Faker (and a Faker upgrade that makes one of
those providers call another one shows here)."""

from __future__ import annotations

import pytest
from faker import Faker

from mock_server.sandbox import new_faker

LOCALES = ["de_DE", "fr_FR", "nl_NL", "en_GB", "it_IT", "es_ES"]
# Every Faker method the APIs call (grep "fake\." in mock_server/apis).
METHODS = ["company", "first_name", "last_name", "name", "city", "postcode",
           "street_address", "address", "phone_number"]


@pytest.mark.parametrize("locale", [*LOCALES, "sv_SE"])
def test_each_method_draws_what_a_full_faker_draws(locale):
    ours, full = new_faker(locale), Faker(locale)
    ours.seed_instance(7)
    full.seed_instance(7)
    for method in METHODS:
        for _ in range(200):
            assert getattr(ours, method)() == getattr(full, method)(), method


def test_the_many_locale_faker_picks_locales_as_a_full_one_does():
    ours, full = new_faker(LOCALES), Faker(LOCALES)
    ours.seed_instance(3)
    full.seed_instance(3)
    assert [ours.company() for _ in range(300)] == [full.company() for _ in range(300)]
    assert [ours[loc].name() for loc in LOCALES] == [full[loc].name() for loc in LOCALES]

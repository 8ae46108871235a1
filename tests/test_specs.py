"""Every spec in openapi/ is a valid OpenAPI document, and every API's spec is mounted."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from mock_server.apis import all_apis
from mock_server.config import SPEC_DIR

SPECS = sorted(Path(SPEC_DIR).glob("*.yaml"))


def test_there_are_specs():
    assert {p.name for p in SPECS} >= {"bizzlink.yaml", "sandbox.yaml"}


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_spec_is_valid_openapi(path):
    validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_spec_passes_connexions_own_check(path):
    """The app adds its specs without Connexion's meta-schema check (start-up time,
    see speedups.trusted_specs): the check is made here instead, and it can fail."""
    from connexion.exceptions import InvalidSpecification
    from connexion.spec import Specification

    Specification.from_dict(yaml.safe_load(path.read_text(encoding="utf-8")))
    broken = yaml.safe_load(path.read_text(encoding="utf-8"))
    path_item = next(iter(broken["paths"].values()))
    operation = next(v for k, v in path_item.items() if k in {"get", "post", "patch", "put",
                                                             "delete"})
    operation["responses"] = "not a mapping"
    with pytest.raises(InvalidSpecification):
        Specification.from_dict(broken)


def test_specs_added_by_the_app_skip_only_that_check():
    from connexion.spec import Specification

    from mock_server.speedups import trusted_specs

    original = Specification._validate_spec
    with trusted_specs():
        assert Specification._validate_spec != original
    assert Specification._validate_spec == original


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_operation_ids_are_unique_and_declare_errors(path):
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    seen = set()
    for item in spec["paths"].values():
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete", "head"}:
                continue
            assert op["operationId"] not in seen
            seen.add(op["operationId"])
            codes = set(op["responses"])
            assert codes & {"default", "400", "401", "403", "404", "422"}, op["operationId"]


def test_every_spec_is_mounted():
    mounted = {api.spec for api in all_apis()}
    assert mounted == {p.name for p in SPECS}

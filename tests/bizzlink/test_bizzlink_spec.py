"""The Bizzlink spec's shape where client generators care (issue 17)."""

from __future__ import annotations

from mock_server.yaml_io import spec_document

METHODS = ("get", "post", "patch", "delete")


def test_each_request_body_offers_one_media_type():
    """Two media types with one schema break openapi-python-client's import (issue 17);
    plain application/json is still accepted by the server (test_bizzlink_jsonapi)."""
    spec = spec_document("bizzlink.yaml")
    bodies = [(path, method, op["requestBody"]) for path, item in spec["paths"].items()
              for method, op in item.items() if method in METHODS and "requestBody" in op]
    assert len(bodies) == 5
    for path, method, body in bodies:
        assert list(body["content"]) == ["application/vnd.api+json"], (path, method)


def test_every_operation_answers_jsonapi_errors_only():
    spec = spec_document("bizzlink.yaml")
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            for status, resp in op["responses"].items():
                if "$ref" in resp:
                    continue
                for media_type in resp.get("content", {}):
                    assert media_type == "application/vnd.api+json", (path, method, status)

"""Pigello's auth.py pinned through HTTP: the slash redirect's Location as Django builds it."""

from __future__ import annotations

import pytest

from tests.pigello.helpers import BASE


@pytest.mark.parametrize("path", [f"{BASE}/tenant/a(b)", f"{BASE}/subtenant/it's!*~",
                                  f"{BASE}/subtenanttenantconnection/x:y@z$,+&"])
def test_redirect_keeps_the_characters_django_leaves_unescaped(pg, path):
    # Django's APPEND_SLASH answers escape_uri_path(path) + "/": sub-delimiters stay as
    # they are (safe "/:@&+$,-_.!~*'()"); they are never percent-encoded on the way.
    resp = pg("GET", path, follow_redirects=False)
    assert resp.status_code == 301, resp.text
    assert resp.headers["location"] == path + "/"
    assert resp.content == b""

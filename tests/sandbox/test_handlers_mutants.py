"""Control-plane handler behaviour that the mutation run of mock_server/control/handlers.py
found unpinned (docs/development.md, "Mutation testing")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def test_resetting_the_clock_answers_200_with_the_real_time(client):
    assert client.post("/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"}).status_code == 200
    before = datetime.now(UTC)
    resp = client.delete("/_sandbox/clock")
    after = datetime.now(UTC)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["frozen"] is False
    now = datetime.fromisoformat(body["now"].replace("Z", "+00:00"))
    assert before - timedelta(milliseconds=1) <= now <= after
    assert client.get("/_sandbox/clock").json()["frozen"] is False

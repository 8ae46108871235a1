"""What `mock-server drift` sends and where: only named hosts, never the sandbox's
secrets, bounded in count, rate and time. The other server is an httpx mock transport
here, so that every request the replay makes is seen."""

from __future__ import annotations

import json

import httpx
import pytest

from mock_server.apis.bizzlink.signing import verify
from mock_server.cli import main
from mock_server.drift import DriftError, Options, Replayer

CREDS = {
    "bizzlink": {"token": "their_token", "hmacSecret": "their_secret"},
    "wallet": {"headers": {"X-API-KEY": "their_wallet_key"},
               "bodySecrets": {"tenantAdmin.password": "their-passw0rd"}},
}


def entry(i: int, method: str, path: str, status: int = 200, **over) -> dict:
    api = over.pop("api", "bizzlink" if path.startswith("/bizzlink") else "wallet")
    return {"id": i, "api": api, "operationId": None, "method": method, "path": path,
            "query": "", "status": status, "dropped": False, "body": None,
            "responseBody": {}, "headers": {"authorization": "***", "x-api-key": "***",
                                            "x-bizzlink-signature": "***",
                                            "x-sandbox-id": "mine", "host": "sandbox"},
            **over}


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={})


def replay(entries, *, clock=None, **options):
    seen = Recorder()
    kwargs = {"clock": clock, "sleep": clock.sleep} if clock else {}
    replayer = Replayer(Options(against="https://other.example/root", credentials=CREDS,
                                **options), transport=httpx.MockTransport(seen), **kwargs)
    try:
        return replayer.run(entries), seen.requests
    finally:
        replayer.close()


def test_only_the_named_host_and_only_its_credentials():
    entries = [entry(1, "GET", "/bizzlink/tenants", query="page%5Bsize%5D=5"),
               entry(2, "GET", "//evil.example/bizzlink/tenants", api="bizzlink"),
               entry(3, "POST", "/api/v1/tenants/register", status=201,
                     body={"tenantAdmin": {"password": "***", "fullName": "A"}})]
    report, sent = replay(entries, bases={"wallet": "https://wallet.other.example/v1"})
    assert [str(r.url) for r in sent] == [
        "https://other.example/root/bizzlink/tenants?page%5Bsize%5D=5",
        "https://other.example/root//evil.example/bizzlink/tenants",
        "https://wallet.other.example/v1/tenants/register"]
    for request in sent:
        assert "***" not in str(request.headers) and "mine" not in str(request.headers)
        assert "x-sandbox-id" not in request.headers
    first = sent[0]
    assert first.headers["authorization"] == "Bearer their_token"
    assert verify("their_secret", first.headers["x-bizzlink-signature"], "GET",
                  "/root/bizzlink/tenants?page%5Bsize%5D=5", b"")
    assert sent[2].headers["x-api-key"] == "their_wallet_key"
    assert json.loads(sent[2].content)["tenantAdmin"]["password"] == "their-passw0rd"
    assert report["replayed"] == 3


def test_a_path_that_could_leave_the_base_is_skipped_and_nothing_is_sent():
    report, sent = replay([entry(1, "GET", "@evil.example/x")])
    assert sent == [] and "cannot replay path" in report["calls"][0]["skipped"]


def test_calls_without_credentials_or_with_masked_members_are_skipped():
    entries = [entry(1, "GET", "/v2/tenants"),
               entry(2, "POST", "/api/v1/tenants/register", body={"apiKey": "***"}),
               entry(3, "GET", "/bizzlink/tenants", headers={"x-sandbox-fault": "status=503"}),
               entry(4, "GET", "/bizzlink/tenants", status=None, dropped=True)]
    entries[0]["api"] = "roomle"
    report, sent = replay(entries)
    assert sent == []
    reasons = [c["skipped"] for c in report["calls"]]
    assert "no credentials for roomle" in reasons[0]
    assert "wallet.bodySecrets" in reasons[1]
    assert "X-Sandbox-Fault" in reasons[2] and "dropped" in reasons[3]


def test_a_call_the_sandbox_refused_with_401_is_sent_with_credentials_nobody_accepts():
    entries = [entry(1, "GET", "/api/v1/tenants", status=401),
               entry(2, "GET", "/api/v1/tenants", status=200, headers={})]
    _, sent = replay(entries)
    assert sent[0].headers["x-api-key"] == "drift-invalid-credential"
    assert "x-api-key" not in sent[1].headers  # not sent to us, not sent to them


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_count_rate_and_time_bounds():
    entries = [entry(i, "GET", "/api/v1/tenants") for i in range(1, 11)]
    report, sent = replay(entries, max_calls=4, rate=0)
    assert len(sent) == 4 and report["stopped"] == "--max-calls 4 reached"
    clock = FakeClock()
    report, sent = replay(entries, rate=2, max_time=2.0, clock=clock)
    assert clock.slept == [0.5, 0.5, 0.5, 0.5]
    assert len(sent) == 5 and report["stopped"] == "--max-time 2 s reached"


def test_bad_options_and_files_exit_2(tmp_path, capsys):
    journal = tmp_path / "journal.json"
    journal.write_text("{not json")
    assert main(["drift", "--journal", str(journal), "--against", "http://127.0.0.1:9"]) == 2
    assert "cannot read the journal" in capsys.readouterr().err
    journal.write_text(json.dumps({"requests": []}))
    assert main(["drift", "--journal", str(journal), "--against", "ftp://x"]) == 2
    assert "not an http(s) base URL" in capsys.readouterr().err
    assert main(["drift", "--journal", str(journal), "--against", "http://127.0.0.1:9",
                 "--base", "nope=http://x", "-o", "-"]) == 2
    assert main(["drift", "--journal", str(journal), "-o", "-"]) == 2
    assert "name the other server" in capsys.readouterr().err
    with pytest.raises(DriftError):
        Replayer(Options(against="http://x", bases={"nope": "http://y"}))


def test_with_bases_only_other_apis_are_not_sent_anywhere():
    seen = Recorder()
    replayer = Replayer(Options(against=None, bases={"wallet": "https://wallet.other.example"},
                                credentials=CREDS), transport=httpx.MockTransport(seen))
    report = replayer.run([entry(1, "GET", "/bizzlink/tenants"),
                           entry(2, "GET", "/api/v1/tenants")])
    replayer.close()
    assert [str(r.url) for r in seen.requests] == ["https://wallet.other.example/tenants"]
    assert report["calls"][0]["skipped"] == "no --base for bizzlink (and no --against)"


def test_a_saved_journal_with_nothing_to_replay_is_no_drift(tmp_path, capsys):
    journal = tmp_path / "journal.json"
    journal.write_text(json.dumps([]))
    out = tmp_path / "report.json"
    assert main(["drift", "--journal", str(journal), "--against", "http://127.0.0.1:9",
                 "-o", str(out)]) == 0
    assert json.loads(out.read_text())["replayed"] == 0


def test_a_call_no_operation_matched_is_compared_by_status_only():
    report, sent = replay([entry(1, "GET", "/api/v1/tenants/nothing-here", status=404,
                                 responseBody={"statusCode": 404, "message": "Not Found",
                                               "data": None})])
    assert len(sent) == 1
    assert report["calls"][0]["theirs"] == 200
    assert [d["kind"] for d in report["calls"][0]["differences"]] == ["status"]

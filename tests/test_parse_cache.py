"""The parse cache of the YAML files shipped with the package (specs, fixture schemas):
what it returns is always the file's parse, whatever state the cache is in, and a
server whose cache is corrupt serves its specs as they are."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mock_server.apis import all_apis
from mock_server.config import SPEC_DIR
from mock_server.serving import ServerProcess
from mock_server.yaml_io import cache_dir, load_data_file, load_yaml

DOC = "name: first\nitems: [1, 2.5, true, null, '2026-01-01']\nwhen: 2026-01-01\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return cache_dir()


def entries(cache: Path) -> list[Path]:
    return sorted(cache.iterdir()) if cache.is_dir() else []


def test_a_parse_is_kept_and_used_again_while_the_bytes_are_the_same(tmp_path, cache):
    path = tmp_path / "doc.yaml"
    path.write_text(DOC, encoding="utf-8")
    first = load_data_file(path)
    assert first == load_yaml(DOC)
    assert [p.suffix for p in entries(cache)] == [".pickle"]  # one entry, no temp file
    assert load_data_file(path) == first
    path.write_text(DOC.replace("first", "other"), encoding="utf-8")  # same size, new bytes
    assert load_data_file(path)["name"] == "other"
    assert len(entries(cache)) == 1  # the file's entry was replaced, not added to


@pytest.mark.parametrize("junk", [b"", b"not a pickle", b"\x80\x05K\x01.", b"\x80\x05N."])
def test_a_corrupt_or_foreign_entry_is_parsed_again_and_mended(tmp_path, cache, junk):
    path = tmp_path / "doc.yaml"
    path.write_text(DOC, encoding="utf-8")
    load_data_file(path)
    [entry] = entries(cache)
    entry.write_bytes(junk)
    assert load_data_file(path) == load_yaml(DOC)
    assert entry.read_bytes() != junk


def test_a_cache_that_cannot_be_written_changes_nothing(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file: no folder can be made in it
    path = tmp_path / "doc.yaml"
    path.write_text(DOC, encoding="utf-8")
    assert load_data_file(path) == load_yaml(DOC)
    assert load_data_file(path) == load_yaml(DOC)


def test_bad_yaml_is_an_error_whatever_the_cache_holds(tmp_path, cache):
    path = tmp_path / "doc.yaml"
    path.write_text("a: [\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(Exception, match="expected"):
            load_data_file(path)
    assert entries(cache) == []


def test_a_server_whose_cache_is_corrupt_serves_every_spec_as_written(tmp_path, cache):
    for api in all_apis():  # fill the cache, then spoil every entry
        load_data_file(SPEC_DIR / api.spec)
    spoilt = entries(cache)
    assert spoilt
    for entry in spoilt:
        entry.write_bytes(b"\x80\x05K\x01.")
    with ServerProcess() as server:
        for api in all_apis():
            served = httpx.get(f"{server.url}{api.base_path}/openapi.json").json()
            written = load_yaml((SPEC_DIR / api.spec).read_text(encoding="utf-8"))
            assert served["paths"].keys() == written["paths"].keys(), api.name
            assert served["info"] == written["info"], api.name
    assert all(entry.read_bytes() != b"\x80\x05K\x01." for entry in spoilt)

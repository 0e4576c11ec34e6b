"""The pinned document store: lock file, tamper detection, atomic writes, online fill, CLI."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from czmc import DocumentLoaderError, DocumentStore, DocumentStoreError, jsonld, schema
from czmc.cli import main
from czmc.documents import LOCK_FILE, MAX_DEPTH, MAX_DOCUMENT_BYTES, parse_document
from czmc.http import HttpsFetcher, OfflineFetcher
from tests._servers import LOOPBACK, Running, json_route, respond, serve, status

EXT_URL = "https://example.org/profile/context.json"
SCHEMA_URL = "https://example.org/profile/schema.json"
EXT_CONTEXT = {"@context": {"@protected": True, "ectsPoints": "https://example.org/profile#ectsPoints"}}
EXT_BYTES = json.dumps(EXT_CONTEXT, indent=2).encode()
PROFILE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["ectsPoints"],
    "properties": {"ectsPoints": {"type": "number", "minimum": 0}},
}


def code_of(error: pytest.ExceptionInfo[DocumentStoreError]) -> str:
    return error.value.code


@pytest.fixture
def store(tmp_path: Path) -> DocumentStore:
    return DocumentStore(tmp_path / "store")


def credential(**extra: Any) -> dict[str, Any]:
    return {
        "@context": [jsonld.VC_CONTEXT, jsonld.OB_CONTEXT, EXT_URL],
        "id": "urn:uuid:0c5d1b2e-5d0e-4a39-8f53-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example", "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "ectsPoints": 5,
            "achievement": {
                "id": "https://issuer.example/a",
                "type": ["Achievement"],
                "name": "A",
                "description": "D",
                "criteria": {"narrative": "N"},
            },
        },
        **extra,
    }


# --- adding and reading ----------------------------------------------------------------------


def test_add_pins_by_hash_and_reads_back(store: DocumentStore) -> None:
    assert store.list() == []  # a store that does not exist yet is empty
    pinned = store.add(EXT_URL, EXT_BYTES, source="file:ext.json")
    assert pinned.file == f"{pinned.sha256}.json"
    assert (store.path / pinned.file).read_bytes() == EXT_BYTES
    assert (store.path / pinned.file).stat().st_mode & 0o777 == 0o644
    assert store.get(EXT_URL) == EXT_BYTES
    assert store.list() == [pinned]
    lock = json.loads((store.path / LOCK_FILE).read_text(encoding="utf-8"))
    assert lock["version"] == 1
    assert lock["documents"][EXT_URL] == {k: v for k, v in pinned.to_json().items() if k != "url"}
    assert store.add(EXT_URL, EXT_BYTES) == pinned  # the same bytes again: nothing changes
    assert sorted(p.name for p in store.path.iterdir()) == sorted([pinned.file, LOCK_FILE])  # no temporaries


def test_a_url_pinned_to_other_bytes_is_a_conflict(store: DocumentStore) -> None:
    store.add(EXT_URL, EXT_BYTES)
    with pytest.raises(DocumentStoreError) as caught:
        store.add(EXT_URL, EXT_BYTES + b"\n")
    assert code_of(caught) == "documents.conflict"
    assert store.get(EXT_URL) == EXT_BYTES


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/c.json",
        "file:///etc/passwd",
        "https://example.org/c.json#frag",
        "https://user:pw@example.org/c.json",
        "https:///nohost",
        "https://example.org/a b",
        "../c.json",
        "",
    ],
)
def test_only_https_urls_are_pinned(store: DocumentStore, url: str) -> None:
    with pytest.raises(DocumentStoreError) as caught:
        store.add(url, EXT_BYTES)
    assert code_of(caught) == "documents.invalid_url"
    assert not store.path.exists()


@pytest.mark.parametrize("url", [jsonld.OB_CONTEXT, jsonld.VC_V1_CONTEXT, next(iter(schema.SCHEMAS))])
def test_bundled_urls_are_not_pinned(store: DocumentStore, url: str) -> None:
    with pytest.raises(DocumentStoreError) as caught:
        store.add(url, EXT_BYTES)
    assert code_of(caught) == "documents.bundled"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not json", "is not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"a": NaN}', "is not JSON"),
        (b'{"a": "\xff"}', "is not JSON"),
        (b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1), "nested more than"),
        (b'{"a": "' + b"x" * MAX_DOCUMENT_BYTES + b'"}', "at most"),
        (b"[" * 100_000 + b"]" * 100_000, "is not JSON"),
    ],
)
def test_documents_must_be_bounded_json_objects(store: DocumentStore, data: bytes, reason: str) -> None:
    with pytest.raises(DocumentStoreError) as caught:
        store.add(EXT_URL, data)
    assert code_of(caught) == "documents.invalid_document"
    assert reason in caught.value.message
    assert store.list() == []


def test_depth_limit_is_exact() -> None:
    deepest = b'{"a":' * (MAX_DEPTH - 1) + b"{}" + b"}" * (MAX_DEPTH - 1)
    assert isinstance(parse_document(EXT_URL, deepest), dict)


@settings(max_examples=200)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_parse_document_accepts_objects_or_raises_its_own_error(data: bytes) -> None:
    try:
        parsed: Any = parse_document(EXT_URL, data)
    except DocumentStoreError as error:
        parsed = error.code
    assert isinstance(parsed, dict) or parsed == "documents.invalid_document"


# --- tampering and path tricks ----------------------------------------------------------------


def test_a_changed_file_is_refused_on_every_read(store: DocumentStore) -> None:
    pinned = store.add(EXT_URL, EXT_BYTES)
    assert store.get(EXT_URL) == EXT_BYTES
    (store.path / pinned.file).write_bytes(EXT_BYTES.replace(b"ectsPoints", b"ectsP0ints"))
    for read in (store.get, store.loader):
        with pytest.raises(DocumentStoreError) as caught:
            read(EXT_URL)
        assert code_of(caught) == "documents.tampered"
        assert EXT_URL in caught.value.message
        assert pinned.sha256 in caught.value.message
        assert "found " in caught.value.message
    with pytest.raises(DocumentStoreError) as caught:
        jsonld.undefined_terms(credential(), loader=store.loader)
    assert code_of(caught) == "documents.tampered"  # JSON-LD processing names the real reason


def test_a_removed_file_is_refused(store: DocumentStore) -> None:
    pinned = store.add(EXT_URL, EXT_BYTES)
    (store.path / pinned.file).unlink()
    with pytest.raises(DocumentStoreError) as caught:
        store.get(EXT_URL)
    assert code_of(caught) == "documents.tampered"


@pytest.mark.parametrize(
    "change",
    [
        lambda entry: entry.update(file="../../outside.json"),
        lambda entry: entry.update(file="/etc/passwd"),
        lambda entry: entry.update(sha256="0" * 64),  # file no longer <sha256>.json
        lambda entry: entry.update(kind="script"),
        lambda entry: entry.update(extra="x"),
        lambda entry: entry.pop("added"),
    ],
)
def test_a_changed_lock_entry_is_refused(store: DocumentStore, change: Any) -> None:
    store.add(EXT_URL, EXT_BYTES)
    lock = json.loads(store.lock_path.read_text(encoding="utf-8"))
    change(lock["documents"][EXT_URL])
    store.lock_path.write_text(json.dumps(lock), encoding="utf-8")
    with pytest.raises(DocumentStoreError) as caught:
        store.get(EXT_URL)
    assert code_of(caught) == "documents.lock"


@pytest.mark.parametrize("text", ["not json", "[]", '{"version": 2, "documents": {}}', '{"version": 1}'])
def test_an_unreadable_lock_file_is_refused(store: DocumentStore, text: str) -> None:
    store.path.mkdir()
    store.lock_path.write_text(text, encoding="utf-8")
    with pytest.raises(DocumentStoreError) as caught:
        store.list()
    assert code_of(caught) == "documents.lock"


def test_a_file_the_store_did_not_write_is_never_replaced(store: DocumentStore) -> None:
    import hashlib

    name = hashlib.sha256(EXT_BYTES).hexdigest() + ".json"
    store.path.mkdir()
    (store.path / name).write_bytes(b"someone else's file")
    with pytest.raises(DocumentStoreError) as caught:
        store.add(EXT_URL, EXT_BYTES)
    assert code_of(caught) == "documents.file_exists"
    assert (store.path / name).read_bytes() == b"someone else's file"
    assert sorted(p.name for p in store.path.iterdir()) == [name]  # no lock, no temporaries


def test_a_symlink_in_place_of_a_pinned_file_is_not_adopted(store: DocumentStore, tmp_path: Path) -> None:
    import hashlib

    name = hashlib.sha256(EXT_BYTES).hexdigest() + ".json"
    outside = tmp_path / "outside.json"
    outside.write_bytes(EXT_BYTES)
    store.path.mkdir()
    (store.path / name).symlink_to(outside)
    with pytest.raises(DocumentStoreError) as caught:
        store.add(EXT_URL, EXT_BYTES)
    assert code_of(caught) == "documents.file_exists"


def test_an_identical_file_already_there_is_adopted(store: DocumentStore) -> None:
    import hashlib

    store.path.mkdir()
    (store.path / (hashlib.sha256(EXT_BYTES).hexdigest() + ".json")).write_bytes(EXT_BYTES)
    assert store.add(EXT_URL, EXT_BYTES).sha256 == hashlib.sha256(EXT_BYTES).hexdigest()


def test_the_lock_file_is_replaced_atomically(store: DocumentStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.add(EXT_URL, EXT_BYTES)
    before = store.lock_path.read_bytes()

    def crash(*args: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.add(SCHEMA_URL, json.dumps(PROFILE_SCHEMA).encode(), kind="schema")
    assert store.lock_path.read_bytes() == before  # the old lock, whole
    assert not [p for p in store.path.iterdir() if p.name.startswith(".tmp-")]


def _add_many(path: str, prefix: str) -> None:
    store = DocumentStore(path)
    for index in range(25):
        store.add(f"https://example.org/{prefix}/{index}.json", json.dumps({"n": f"{prefix}{index}"}).encode())


def test_concurrent_writers_lose_no_entry(store: DocumentStore) -> None:
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        pool.starmap(_add_many, [(str(store.path), name) for name in ("a", "b", "c")])
    pinned = store.list()
    assert len(pinned) == 75
    for entry in pinned:
        store.verify(entry)
    assert not [p for p in store.path.iterdir() if p.name.startswith(".tmp-")]


# --- serving: offline, loader, schemas ----------------------------------------------------------


def test_offline_store_refuses_what_is_not_pinned(store: DocumentStore) -> None:
    with pytest.raises(DocumentStoreError) as caught:
        store.loader(EXT_URL)
    assert code_of(caught) == "documents.not_pinned"
    assert isinstance(caught.value, DocumentLoaderError)
    assert store.loader(jsonld.OB_CONTEXT)["document"] == jsonld.bundled_document(jsonld.OB_CONTEXT)
    with pytest.raises(DocumentLoaderError):
        jsonld.undefined_terms(credential())  # the default loader stays offline and bundled-only


def test_pinned_extension_context_defines_its_terms(store: DocumentStore) -> None:
    store.add(EXT_URL, EXT_BYTES)
    assert jsonld.undefined_terms(credential(), loader=store.loader) == []
    issues = jsonld.undefined_terms(credential(colour="red"), loader=store.loader)
    assert [(i.code, i.path) for i in issues] == [("jsonld.undefined_term", "/colour")]


def test_pinned_schemas_are_checked(store: DocumentStore) -> None:
    store.add(SCHEMA_URL, json.dumps(PROFILE_SCHEMA).encode(), kind="schema")
    named = credential(credentialSchema=[{"id": SCHEMA_URL, "type": "JsonSchema"}])
    subject_fails = {**named, "ectsPoints": -1}
    assert schema.schemas_for(named)[1][0].code == "schema.unavailable"  # without the store
    assert [i.code for i in schema.iter_issues(named, resolve_schema=store.schema)] == ["schema.required"]
    assert not schema.is_valid(named, resolve_schema=store.schema)
    assert [i.code for i in schema.iter_issues(subject_fails, resolve_schema=store.schema)] == ["schema.minimum"]
    good = {**named, "ectsPoints": 5}
    assert list(schema.iter_issues(good, resolve_schema=store.schema)) == []
    assert schema.is_valid(good, resolve_schema=store.schema)
    other = credential(credentialSchema=[{"id": "https://example.org/missing.json", "type": "JsonSchema"}])
    issues = list(schema.iter_issues(other, resolve_schema=store.schema))
    assert [i.code for i in issues] == ["schema.unavailable"]
    assert "documents.not_pinned" in issues[0].message


def test_a_pinned_document_that_is_no_schema_is_reported(store: DocumentStore) -> None:
    store.add(SCHEMA_URL, b'{"type": 12}', kind="schema")
    named = credential(credentialSchema=[{"id": SCHEMA_URL, "type": "JsonSchema"}])
    issues = list(schema.iter_issues(named, resolve_schema=store.schema))
    assert [i.code for i in issues] == ["schema.unavailable"]
    assert "not a valid JSON Schema" in issues[0].message


# --- online fill through a real HTTPS server -----------------------------------------------


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serve(tls=True, directory=tmp_path_factory.mktemp("tls")) as running:
        yield running


@pytest.fixture
def site(https_server: Running) -> Running:
    https_server.site.routes.clear()
    https_server.site.hits.clear()
    return https_server


@pytest.fixture
def online(tmp_path: Path, https_server: Running) -> Iterator[DocumentStore]:
    with HttpsFetcher(
        timeout=2.0, max_bytes=64 * 1024, ca_bundle=https_server.ca_bundle, allow_networks=LOOPBACK
    ) as fetcher:
        yield DocumentStore(tmp_path / "online", fetcher=fetcher)


def test_online_fill_pins_on_first_use_and_reports_it(site: Running, online: DocumentStore) -> None:
    site.site.routes["/ctx.json"] = respond(200, EXT_BYTES)
    site.site.routes["/schema.json"] = json_route(PROFILE_SCHEMA)
    url = site.url("/ctx.json")
    assert online.get(url) == EXT_BYTES
    assert online.schema(site.url("/schema.json")) == PROFILE_SCHEMA
    assert [(p.url, p.kind, p.source) for p in online.fetched] == [
        (url, "context", "online"),
        (site.url("/schema.json"), "schema", "online"),
    ]
    assert site.site.headers["/ctx.json"]["Accept"] == "application/ld+json, application/json"
    assert site.site.headers["/schema.json"]["Accept"] == "application/schema+json, application/json"
    assert online.get(url) == EXT_BYTES  # served from the store now
    assert site.site.hits["/ctx.json"] == 1
    offline = DocumentStore(online.path)  # what was pinned serves later runs without a network
    assert offline.get(url) == EXT_BYTES
    assert offline.fetched == []


@pytest.mark.parametrize(
    ("route", "code"),
    [
        (status(404), "documents.fetch"),
        (respond(200, b"x" * (64 * 1024 + 1)), "documents.fetch"),
        (respond(200, b"<html>not json</html>"), "documents.invalid_document"),
    ],
)
def test_online_fill_refusals_pin_nothing(site: Running, online: DocumentStore, route: Any, code: str) -> None:
    site.site.routes["/bad.json"] = route
    with pytest.raises(DocumentStoreError) as caught:
        online.get(site.url("/bad.json"))
    assert code_of(caught) == code
    assert online.list() == []
    assert online.fetched == []


def test_online_fill_is_https_only(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "s", fetcher=OfflineFetcher())
    with pytest.raises(DocumentStoreError) as caught:
        store.get("http://example.org/ctx.json")
    assert code_of(caught) == "documents.invalid_url"
    with pytest.raises(DocumentStoreError) as caught:
        store.get("https://example.org/ctx.json")
    assert code_of(caught) == "documents.fetch"  # the offline fetcher refused


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_add_and_list(tmp_path: Path) -> None:
    runner = CliRunner()
    source = tmp_path / "ext.json"
    source.write_bytes(EXT_BYTES)
    store_dir = tmp_path / "docs"
    added = runner.invoke(main, ["documents", "add", EXT_URL, str(source), "--store", str(store_dir)])
    assert added.exit_code == 0, added.output
    assert EXT_URL in added.output
    listed = runner.invoke(main, ["documents", "list", "--store", str(store_dir), "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(r["url"], r["kind"], r["state"], r["source"]) for r in rows] == [
        (EXT_URL, "context", "ok", "file:ext.json")
    ]
    text = runner.invoke(main, ["documents", "list"], env={"CZMC_DOCUMENTS": str(store_dir)})
    assert text.exit_code == 0
    assert text.output.startswith("ok ")
    assert EXT_URL in text.output
    schema_file = tmp_path / "s.json"
    schema_file.write_text(json.dumps(PROFILE_SCHEMA), encoding="utf-8")
    added = runner.invoke(
        main,
        ["documents", "add", SCHEMA_URL, str(schema_file), "--kind", "schema"],
        env={"CZMC_DOCUMENTS": str(store_dir)},
    )
    assert added.exit_code == 0, added.output
    assert DocumentStore(store_dir).schema(SCHEMA_URL) == PROFILE_SCHEMA


def test_cli_reports_tampering_and_refusals(tmp_path: Path) -> None:
    runner = CliRunner()
    store = DocumentStore(tmp_path / "docs")
    pinned = store.add(EXT_URL, EXT_BYTES)
    (store.path / pinned.file).write_bytes(b"{}")
    listed = runner.invoke(main, ["documents", "list", "--store", str(store.path)])
    assert listed.exit_code == 1
    assert listed.stdout.startswith("tampered")
    assert "documents.tampered" in listed.stderr
    source = tmp_path / "x.json"
    source.write_bytes(b"[]")
    refused = runner.invoke(main, ["documents", "add", EXT_URL + "2", str(source), "--store", str(store.path)])
    assert refused.exit_code == 1
    assert "documents.invalid_document" in refused.stderr
    refused = runner.invoke(main, ["documents", "add", "http://x.org/c", str(source), "--store", str(store.path)])
    assert refused.exit_code == 1
    assert "documents.invalid_url" in refused.stderr
    empty = runner.invoke(main, ["documents", "list", "--store", str(tmp_path / "none")])
    assert empty.exit_code == 0
    assert "no documents pinned" in empty.output

"""The issuance registry on a real SQLite file and a real PostgreSQL server: issuing, status
changes with history, publishing, the revocation round trip, and bad input that changes nothing."""

from __future__ import annotations

import copy
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from czmc import MicroCredential, SigningError, _b64, jws, ob3, vcjwt, verification
from czmc.did import DefaultResolver, did_key, did_web_document
from czmc.errors import RegistryError
from czmc.keys import Key
from czmc.registry import CredentialState, Registry, _permute, default_status_url, open_registry
from czmc.status import MIN_ENTRIES, StatusChecker, StatusPurpose, StatusState, decode_list, get_bit
from tests._postgres import PostgresServer
from tests.conftest import FULL

ISSUER = "did:web:cuni.cz"
NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def key() -> Key:
    generated = Key.generate()
    return generated.with_kid(f"{ISSUER}#{generated.public.thumbprint}")


@pytest.fixture(scope="module")
def resolver(key: Key) -> DefaultResolver:
    return DefaultResolver(documents=[did_web_document(ISSUER, [(key.kid, key.public)])])


@pytest.fixture
def registry(target: str) -> Iterator[Registry]:
    with open_registry(target) as opened:
        yield opened


def credential(number: int = 0, issuer: str = ISSUER, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(FULL)
    data["issuer"]["id"] = issuer
    data["id"] = f"urn:uuid:00000000-0000-4000-8000-{number:012d}"
    data.update(changes)
    return ob3.to_credential(MicroCredential.model_validate(data))


def verify(token: str, resolver: DefaultResolver, lists: list[str]) -> verification.VerificationResult:
    return verification.verify(token, resolver=resolver, now=NOW, status=StatusChecker(lists=lists))


def published(out: Path) -> list[str]:
    return [path.read_text() for path in sorted(out.rglob("*.jwt"))]


def snapshot(registry: Registry) -> list[dict[str, Any]]:
    return [record.to_dict() for record in registry.records()]


def test_issue_records_everything(registry: Registry, key: Key) -> None:
    record, created = registry.issue(credential(), key, actor="registrar@cuni.cz")
    assert created
    assert record.id == "urn:uuid:00000000-0000-4000-8000-000000000000"
    assert record.issuer == ISSUER
    assert record.learner == FULL["learner"]["id"]
    assert record.achievement == FULL["achievement"]["id"]
    assert record.achievement_name == FULL["achievement"]["title"]["cs"]
    assert record.state is CredentialState.ACTIVE
    assert record.purpose is StatusPurpose.REVOCATION
    assert record.list_url == "https://cuni.cz/status/revocation/1.jwt"
    assert 0 <= record.index < MIN_ENTRIES
    assert [(event.action, event.actor) for event in record.history] == [("issued", "registrar@cuni.cz")]
    payload = jws.parse(record.token).payload
    assert payload["credentialStatus"] == {
        "id": f"{record.list_url}#{record.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(record.index),
        "statusListCredential": record.list_url,
    }
    assert registry.get(record.id) == record
    assert registry.count() == {CredentialState.ACTIVE: 1, CredentialState.SUSPENDED: 0, CredentialState.REVOKED: 0}


def test_learner_is_recorded_as_issued(registry: Registry, key: Key) -> None:
    """Without a subject id, the registry keeps the hashed e-mail identifier, never the address."""
    data = copy.deepcopy(FULL)
    data["issuer"]["id"] = ISSUER
    del data["learner"]["id"]
    mc = MicroCredential.model_validate(data)
    record, _ = registry.issue_microcredential(mc, key, format=vcjwt.Format.VC_JOSE_COSE)
    assert record.learner.startswith("emailAddress:sha256$")
    assert FULL["learner"]["email"].lower() not in str(record.to_dict()).lower()


def test_revocation_round_trip(registry: Registry, key: Key, resolver: DefaultResolver, tmp_path: Path) -> None:
    record, _ = registry.issue(credential(), key)
    other, _ = registry.issue(credential(1), key)
    out = tmp_path / "site"
    lists = registry.publish(out, key, now=NOW)
    assert [(item.url, item.set_bits) for item in lists] == [(record.list_url, 0)]
    assert lists[0].path == out / "revocation" / "1.jwt"
    result = verify(record.token, resolver, published(out))
    assert result.valid, result.failures
    assert result.check("status").message

    registry.revoke(record.id, reason="plagiarism confirmed by the disciplinary committee", actor="dean")
    registry.publish(out, key, now=NOW)
    result = verify(record.token, resolver, published(out))
    assert not result.valid
    assert result.status is not None
    assert result.status.state is StatusState.REVOKED
    assert result.check("status").code == "status.revoked"
    assert verify(other.token, resolver, published(out)).valid

    history = registry.get(record.id).history
    assert [(event.action, event.state, event.actor, event.reason) for event in history] == [
        ("issued", CredentialState.ACTIVE, history[0].actor, None),
        ("revoked", CredentialState.REVOKED, "dean", "plagiarism confirmed by the disciplinary committee"),
    ]


def test_suspension_round_trip(registry: Registry, key: Key, resolver: DefaultResolver, tmp_path: Path) -> None:
    record, _ = registry.issue(credential(), key, purpose="suspension")
    assert record.list_url == "https://cuni.cz/status/suspension/1.jwt"
    out = tmp_path / "site"
    registry.suspend(record.id, reason="appeal pending")
    registry.publish(out, key, now=NOW)
    result = verify(record.token, resolver, published(out))
    assert result.status is not None
    assert result.status.state is StatusState.SUSPENDED
    assert not result.valid

    registry.reinstate(record.id, reason="appeal upheld")
    registry.publish(out, key, now=NOW)
    assert verify(record.token, resolver, published(out)).valid
    assert [event.action for event in registry.get(record.id).history] == ["issued", "suspended", "reinstated"]


def test_revoking_a_suspension_entry_keeps_it_suspended_for_good(
    registry: Registry, key: Key, resolver: DefaultResolver, tmp_path: Path
) -> None:
    record, _ = registry.issue(credential(), key, purpose=StatusPurpose.SUSPENSION)
    registry.suspend(record.id, reason="investigation")
    registry.revoke(record.id, reason="fraud")
    registry.publish(tmp_path, key, now=NOW)
    result = verify(record.token, resolver, published(tmp_path))
    assert result.status is not None
    assert result.status.state is StatusState.SUSPENDED
    with pytest.raises(RegistryError) as caught:
        registry.reinstate(record.id, reason="mistake")
    assert caught.value.code == "registry.already_revoked"


@pytest.mark.parametrize(
    ("setup", "action", "code"),
    [
        ([], ("revoke", "urn:uuid:unknown"), "registry.unknown_credential"),
        ([("revoke", "first")], ("revoke", None), "registry.already_revoked"),
        ([], ("suspend", None), "registry.cannot_suspend"),
        ([], ("reinstate", None), "registry.not_suspended"),
        ([], ("revoke_blank", None), "registry.reason"),
    ],
)
def test_refused_changes_change_nothing(
    registry: Registry, key: Key, setup: list[tuple[str, str]], action: tuple[str, str | None], code: str
) -> None:
    record, _ = registry.issue(credential(), key)
    for name, reason in setup:
        getattr(registry, name)(record.id, reason=reason)
    before = snapshot(registry)
    name, credential_id = action
    reason = "" if name == "revoke_blank" else "because"
    with pytest.raises(RegistryError) as caught:
        getattr(registry, name.removesuffix("_blank"))(credential_id or record.id, reason=reason)
    assert caught.value.code == code
    assert caught.value.message
    assert snapshot(registry) == before


def test_failed_signing_leaves_no_trace(registry: Registry, key: Key) -> None:
    """A key another issuer's kid: refused before anything is allocated or recorded."""
    registry.issue(credential(), key)
    lists = registry.status_lists()
    before = snapshot(registry)
    stranger = key.with_kid("did:web:muni.cz#key-1")
    with pytest.raises(SigningError):
        registry.issue(credential(1), stranger)
    assert snapshot(registry) == before
    assert registry.status_lists() == lists


def test_signing_failure_inside_the_transaction_rolls_everything_back(registry: Registry, key: Key) -> None:
    """OB 3.0 JWTs need a subject id: signing fails after the slot was taken, and nothing stays,
    not even the issuer's first status list."""
    data = copy.deepcopy(FULL)
    data["issuer"]["id"] = ISSUER
    del data["learner"]["id"]
    anonymous = ob3.to_credential(MicroCredential.model_validate(data))
    with pytest.raises(SigningError):
        registry.issue(anonymous, key)
    assert snapshot(registry) == []
    assert registry.status_lists() == []
    assert registry.issuers() == []
    record, _ = registry.issue(credential(), key)  # and the next credential is issued normally
    assert registry.status_lists()[0].allocated == 1
    assert registry.get(record.id) == record


def test_idempotency_key_returns_the_first_record(registry: Registry, key: Key) -> None:
    first, created = registry.issue(credential(), key, idempotency_key="run-1/learner-1")
    again, created_again = registry.issue(credential(5), key, idempotency_key="run-1/learner-1")
    assert created
    assert not created_again
    assert again == first
    assert registry.status_lists()[0].allocated == 1
    data = copy.deepcopy(FULL)
    data["issuer"]["id"] = ISSUER
    data["achievement"]["id"] = "https://cuni.cz/mc/OTHER"
    other = ob3.to_credential(MicroCredential.model_validate(data))
    with pytest.raises(RegistryError) as caught:
        registry.issue(other, key, idempotency_key="run-1/learner-1")
    assert caught.value.code == "registry.idempotency_conflict"


def test_duplicate_ids_and_existing_status_are_refused(registry: Registry, key: Key) -> None:
    registry.issue(credential(), key)
    with pytest.raises(RegistryError) as caught:
        registry.issue(credential(), key)
    assert caught.value.code == "registry.duplicate_id"
    with pytest.raises(RegistryError) as caught:
        registry.issue({**credential(2), "credentialStatus": {"id": "x", "type": "y"}}, key)
    assert caught.value.code == "registry.has_status"
    assert len(snapshot(registry)) == 1


def test_status_url_is_derived_or_required(registry: Registry) -> None:
    assert default_status_url("did:web:cuni.cz") == "https://cuni.cz/status"
    assert default_status_url("did:web:example.com%3A8443:unit:a") == "https://example.com:8443/unit/a/status"
    assert default_status_url("https://skola.example.cz/profile") == "https://skola.example.cz/status"
    assert default_status_url("did:key:z6Mk") is None
    key = Key.generate()
    issuer = did_key(key.public)
    with pytest.raises(RegistryError) as caught:
        registry.issue(credential(issuer=issuer), vcjwt.bind_key(key, issuer))
    assert caught.value.code == "registry.status_url"
    record, _ = registry.issue(
        credential(issuer=issuer), vcjwt.bind_key(key, issuer), status_url="https://status.example.cz/lists/"
    )
    assert record.list_url == "https://status.example.cz/lists/revocation/1.jwt"
    with pytest.raises(RegistryError) as caught:
        registry.issue(credential(3, issuer=issuer), vcjwt.bind_key(key, issuer), status_url="https://elsewhere.cz")
    assert caught.value.code == "registry.status_url_conflict"
    with pytest.raises(RegistryError) as caught:
        registry.register_issuer("did:web:x.cz", "http://x.cz/status")
    assert caught.value.code == "registry.status_url"
    with pytest.raises(RegistryError) as caught:
        registry.register_issuer("did:web:x.cz", list_size=MIN_ENTRIES + 8)
    assert caught.value.code == "registry.list_size"


def test_a_full_list_rolls_over_to_the_next(registry: Registry, key: Key, tmp_path: Path) -> None:
    first, _ = registry.issue(credential(0), key)
    with registry._transaction(write=True) as db:  # fill list 1 but for one slot, without 131,070 signatures
        db.execute("UPDATE czmc_status_lists SET allocated = ?", (MIN_ENTRIES - 1,))
    last, _ = registry.issue(credential(1), key)
    overflow, _ = registry.issue(credential(2), key)
    assert last.list_url == first.list_url == "https://cuni.cz/status/revocation/1.jwt"
    assert overflow.list_url == "https://cuni.cz/status/revocation/2.jwt"
    assert [(info.number, info.allocated) for info in registry.status_lists()] == [(1, MIN_ENTRIES), (2, 1)]
    registry.revoke(overflow.id, reason="r")
    published = registry.publish(tmp_path, key, now=NOW)
    assert [(item.path.relative_to(tmp_path).as_posix(), item.set_bits) for item in published] == [
        ("revocation/1.jwt", 0),
        ("revocation/2.jwt", 1),
    ]


def test_publish_never_unrevokes(target: str, registry: Registry, key: Key, tmp_path: Path) -> None:
    """A registry that lost a revocation (an old backup) must not publish it away."""
    record, _ = registry.issue(credential(0), key)
    registry.revoke(record.id, reason="fraud")
    site = tmp_path / "site"
    registry.publish(site, key, now=NOW)
    before = (site / "revocation" / "1.jwt").read_bytes()
    with registry._transaction(write=True) as db:  # what restoring yesterday's backup would do
        db.execute("UPDATE czmc_credentials SET state = 'active'")
    with pytest.raises(RegistryError) as caught:
        registry.publish(site, key, now=NOW)
    assert caught.value.code == "registry.would_unrevoke"
    assert "1 credential" in caught.value.message
    assert (site / "revocation" / "1.jwt").read_bytes() == before
    registry.publish(tmp_path / "elsewhere", key, now=NOW)  # a fresh directory has nothing to compare with


def test_permutation_is_a_keyed_shuffle() -> None:
    seed = os.urandom(32)
    indexes = {_permute(slot, MIN_ENTRIES, seed, b"revocation:1") for slot in range(MIN_ENTRIES)}
    assert indexes == set(range(MIN_ENTRIES))  # a permutation: every slot its own index
    first_slots = [_permute(slot, MIN_ENTRIES, seed, b"revocation:1") for slot in range(64)]
    assert first_slots != sorted(first_slots)  # not sequential
    assert first_slots != [_permute(slot, MIN_ENTRIES, seed, b"suspension:1") for slot in range(64)]
    assert first_slots != [_permute(slot, MIN_ENTRIES, seed, b"revocation:2") for slot in range(64)]
    bigger = 2 * MIN_ENTRIES
    assert sorted(_permute(slot, bigger, seed, b"revocation:1") for slot in range(bigger)) == list(range(bigger))


def test_publish_sets_exactly_the_right_bits(registry: Registry, key: Key, tmp_path: Path) -> None:
    records = [registry.issue(credential(n), key, purpose="suspension" if n % 2 else None)[0] for n in range(6)]
    registry.revoke(records[0].id, reason="r")
    registry.revoke(records[1].id, reason="r")  # suspension entry: its bit is set too
    registry.suspend(records[3].id, reason="s")
    registry.suspend(records[5].id, reason="s")
    registry.reinstate(records[5].id, reason="s")
    lists = {item.purpose: item for item in registry.publish(tmp_path, key, now=NOW, valid_for=timedelta(days=1))}
    assert {purpose: item.set_bits for purpose, item in lists.items()} == {
        StatusPurpose.REVOCATION: 1,
        StatusPurpose.SUSPENSION: 2,
    }
    for purpose, item in lists.items():
        payload = jws.parse(item.path.read_text().strip()).payload
        assert payload["validUntil"] == "2025-06-02T00:00:00Z"
        bits = decode_list(payload["credentialSubject"]["encodedList"])
        now_records = [registry.get(record.id) for record in records]
        expected = {r.index for r in now_records if r.purpose is purpose and r.state is not CredentialState.ACTIVE}
        assert {i for i in range(len(bits) * 8) if get_bit(bits, i)} == expected


def test_records_and_export(registry: Registry, key: Key) -> None:
    ids = [registry.issue(credential(n), key)[0].id for n in range(7)]
    registry.revoke(ids[2], reason="r")
    assert [record.id for record in registry.records(chunk=3)] == ids
    assert [record.id for record in registry.records(state="revoked")] == [ids[2]]
    assert [record.id for record in registry.records(issuer="did:web:other.cz")] == []
    exported = next(iter(registry.records())).to_dict(token=False)
    assert "token" not in exported
    assert exported["statusListIndex"] >= 0
    assert repr(registry.get(ids[0])).startswith("Record(id=")


def test_publish_refuses_a_key_of_another_issuer(registry: Registry, key: Key, tmp_path: Path) -> None:
    registry.issue(credential(), key)
    stranger = Key.generate()
    with pytest.raises(SigningError):
        registry.publish(tmp_path / "site", stranger.with_kid("did:web:muni.cz#k"), now=NOW)
    assert not (tmp_path / "site").exists()


def test_sqlite_file_is_private_and_reopens(tmp_path: Path, key: Key, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "nested" / "registry.db"
    with open_registry(path) as registry:
        record, _ = registry.issue(credential(), key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with open_registry(f"sqlite:///{path}") as registry:  # sqlite:////absolute, as SQLAlchemy has it
        assert registry.get(record.id) == record
    monkeypatch.chdir(tmp_path)
    with open_registry("sqlite:///nested/registry.db") as registry:  # and sqlite:///relative
        assert registry.get(record.id) == record


def test_postgres_name_shows_no_credentials(postgres_server: PostgresServer) -> None:
    url = postgres_server.new_database().replace("czmc@", "czmc:secret@") + "?application_name=x"
    with open_registry(url) as registry:
        assert "secret" not in repr(registry)
        assert "czmc" not in registry.name.split("/")[2]
        assert registry.name.startswith("postgresql://127.0.0.1:")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "registry.db"
    open_registry(path).close()
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE czmc_settings SET value = '99' WHERE name = 'schema_version'")
    with pytest.raises(RegistryError) as caught:
        open_registry(path)
    assert caught.value.code == "registry.too_new"


def test_bad_targets(tmp_path: Path) -> None:
    with pytest.raises(RegistryError) as caught:
        open_registry("mysql://db/registry")
    assert caught.value.code == "registry.target"
    (tmp_path / "not-a-db").write_text("hello, this is not SQLite" * 100)
    with pytest.raises(RegistryError) as caught:
        open_registry(tmp_path / "not-a-db")
    assert caught.value.code == "registry.database"


def _expected(state: CredentialState, purpose: StatusPurpose, action: str) -> CredentialState | str:
    """The reference model of status changes: the new state, or the refusal's code."""
    if state is CredentialState.REVOKED:
        return "registry.already_revoked"
    if action == "revoke":
        return CredentialState.REVOKED
    if action == "suspend":
        if purpose is StatusPurpose.REVOCATION:
            return "registry.cannot_suspend"
        return "registry.already_suspended" if state is CredentialState.SUSPENDED else CredentialState.SUSPENDED
    return CredentialState.ACTIVE if state is CredentialState.SUSPENDED else "registry.not_suspended"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    actions=st.lists(
        st.tuples(st.integers(min_value=0, max_value=3), st.sampled_from(["revoke", "suspend", "reinstate"])),
        max_size=16,
    )
)
def test_status_changes_follow_the_model_and_publish_matches(
    key: Key, resolver: DefaultResolver, actions: list[tuple[int, str]]
) -> None:
    with tempfile.TemporaryDirectory() as scratch, open_registry(Path(scratch) / "r.db") as registry:
        records = [
            registry.issue(credential(n), key, purpose="suspension" if n % 2 else "revocation")[0] for n in range(4)
        ]
        states = {record.id: CredentialState.ACTIVE for record in records}
        for number, action in actions:
            record = records[number]
            expected = _expected(states[record.id], record.purpose, action)
            if isinstance(expected, CredentialState):
                assert getattr(registry, action)(record.id, reason="r").state is expected
                states[record.id] = expected
            else:
                with pytest.raises(RegistryError) as caught:
                    getattr(registry, action)(record.id, reason="r")
                assert caught.value.code == expected
        assert {record.id: record.state for record in registry.records()} == states
        registry.publish(Path(scratch) / "site", key, now=NOW)
        lists = published(Path(scratch) / "site")
        for record in records:
            result = verify(record.token, resolver, lists)
            assert result.status is not None
            state = states[record.id]
            if state is CredentialState.ACTIVE:
                assert result.status.state is StatusState.VALID
            elif record.purpose is StatusPurpose.REVOCATION:
                assert result.status.state is StatusState.REVOKED
            else:
                assert result.status.state is StatusState.SUSPENDED


def test_a_corrupted_or_foreign_list_is_a_clear_unknown(
    registry: Registry, key: Key, resolver: DefaultResolver, tmp_path: Path
) -> None:
    record, _ = registry.issue(credential(), key)
    (published,) = registry.publish(tmp_path, key, now=NOW)
    token = published.path.read_text().strip()
    header, _, signature = token.split(".")
    payload = jws.parse(token).payload
    tampered = (
        f"{header}.{_b64.encode(json.dumps({**payload, 'validFrom': '2020-01-01T00:00:00Z'}).encode())}.{signature}"
    )
    subject = {**payload["credentialSubject"], "encodedList": payload["credentialSubject"]["encodedList"][:-6]}
    corrupted = vcjwt.sign({**payload, "credentialSubject": subject}, key, format=vcjwt.Format.VC_JOSE_COSE)
    stranger = Key.generate()
    stranger = stranger.with_kid(f"did:web:muni.cz#{stranger.public.thumbprint}")
    foreign = vcjwt.sign({**payload, "issuer": "did:web:muni.cz"}, stranger, format=vcjwt.Format.VC_JOSE_COSE)
    both = DefaultResolver(
        documents=[
            did_web_document(ISSUER, [(key.kid, key.public)]),
            did_web_document("did:web:muni.cz", [(stranger.kid, stranger.public)]),
        ]
    )
    before = snapshot(registry)
    cases = ((tampered, "status.list_unverified"), (corrupted, "status.list_invalid"), (foreign, "status.list_issuer"))
    for bad, code in cases:
        result = verification.verify(record.token, resolver=both, now=NOW, status=StatusChecker(lists=[bad]))
        assert not result.valid
        assert result.status is not None
        assert result.status.state is StatusState.UNKNOWN
        assert result.check("status").code == code
    assert verify(record.token, resolver, [token]).valid
    assert snapshot(registry) == before


def test_opening_without_create_refuses_a_missing_registry(target: str, tmp_path: Path) -> None:
    with pytest.raises(RegistryError) as caught:
        open_registry(target, create=False)
    assert caught.value.code == "registry.not_found"
    assert not (tmp_path / "registry.db").exists()
    open_registry(target).close()
    open_registry(target, create=False).close()


def test_issue_many_is_all_or_nothing(registry: Registry, key: Key) -> None:
    first, _ = registry.issue(credential(0), key, idempotency_key="k0")
    issued = registry.issue_many([(credential(0), "k0"), (credential(1), "k1"), (credential(2), None)], key)
    assert [created for _, created in issued] == [False, True, True]
    assert issued[0][0] == first
    assert len({record.index for record, _ in issued}) == 3
    before, lists = snapshot(registry), registry.status_lists()
    with pytest.raises(RegistryError) as caught:  # the third repeats the second's id: nothing of the call stays
        registry.issue_many([(credential(3), None), (credential(4), None), (credential(4), None)], key)
    assert caught.value.code == "registry.duplicate_id"
    assert snapshot(registry) == before
    assert registry.status_lists() == lists

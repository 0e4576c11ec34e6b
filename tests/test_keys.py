"""Keys: generation, JWK/PEM round trips, strict public-key import, signatures, safe files."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from czmc import InvalidKeyError
from czmc import _b64 as b64
from czmc.keys import Algorithm, Key, PublicKey, _ed25519_has_small_order, generate, load

ALGS = [Algorithm.EDDSA, Algorithm.ES256, Algorithm.RS256, Algorithm.PS256]


@pytest.fixture(scope="module")
def keys() -> dict[Algorithm, Key]:
    return {alg: Key.generate(alg, rsa_bits=2048) for alg in ALGS}


@pytest.mark.parametrize("alg", ALGS)
def test_sign_verify_and_round_trips(keys: dict[Algorithm, Key], alg: Algorithm) -> None:
    key = keys[alg]
    signature = key.sign(b"payload")
    assert key.public.verify(alg, b"payload", signature)
    assert not key.public.verify(alg, b"payloaD", signature)
    assert not key.public.verify(alg, b"payload", signature[:-1] + bytes([signature[-1] ^ 1]))
    assert PublicKey.from_jwk(key.public.jwk()) == key.public
    restored = Key.from_jwk(key.private_jwk())
    assert (restored.public, restored.alg, restored.kid) == (key.public, alg, key.kid)
    encrypted = key.private_pem(b"secret")
    assert b"ENCRYPTED" in encrypted
    assert Key.from_pem(encrypted, password=b"secret", alg=alg).public == key.public


def test_raw_signature_formats(keys: dict[Algorithm, Key]) -> None:
    assert len(keys[Algorithm.EDDSA].sign(b"x")) == 64
    assert len(keys[Algorithm.ES256].sign(b"x")) == 64  # r || s, not DER
    assert len(keys[Algorithm.RS256].sign(b"x")) == 256


def test_thumbprint_is_rfc7638() -> None:
    # RFC 7638 section 3.1 example key and thumbprint.
    jwk = {
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",  # noqa: E501
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert PublicKey.from_jwk(jwk).thumbprint == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_repr_and_errors_never_show_private_material(keys: dict[Algorithm, Key], tmp_path: Path) -> None:
    for key in keys.values():
        private = key.private_jwk()
        for text in (repr(key), str(key)):
            assert private["d"] not in text
            assert key.kid in text
    broken = dict(keys[Algorithm.EDDSA].private_jwk(), x=keys[Algorithm.ES256].public.jwk()["x"])
    with pytest.raises(InvalidKeyError) as caught:
        Key.from_jwk(broken)
    assert broken["d"] not in str(caught.value)


def test_key_files_are_0600_and_never_overwritten(keys: dict[Algorithm, Key], tmp_path: Path) -> None:
    key = keys[Algorithm.ES256]
    path = key.save(tmp_path / "issuer.jwk")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load(path).public == key.public
    other = Key.generate(Algorithm.ES256)
    with pytest.raises(InvalidKeyError) as caught:
        other.save(path)
    assert caught.value.code == "key.exists"
    assert load(path).public == key.public
    other.save(path, overwrite=True)
    assert load(path).public == other.public
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    pem = key.save(tmp_path / "issuer.pem", fmt="pem", password=b"pw")
    assert stat.S_IMODE(os.stat(pem).st_mode) == 0o600
    assert load(pem, password=b"pw").public == key.public
    with pytest.raises(InvalidKeyError) as wrong:
        load(pem, password=b"nope")
    assert wrong.value.code == "key.pem"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issuer.jwk", "issuer.pem"]


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda j: {**j, "d": "AAAA"}, "key.private_in_public"),
        (lambda j: {**j, "crv": "P-384"}, "key.type"),
        (lambda j: {**j, "kty": "oct"}, "key.type"),
        (lambda j: {**j, "x": j["x"] + "="}, "key.jwk"),
        (lambda j: {**j, "x": j["x"][:-2]}, "key.jwk"),
        (lambda j: {**j, "extra": 1}, "key.jwk"),
        (lambda j: {**j, "x": 5}, "key.jwk"),
    ],
)
def test_public_jwk_import_is_strict(keys: dict[Algorithm, Key], mutate, code: str) -> None:
    with pytest.raises(InvalidKeyError) as caught:
        PublicKey.from_jwk(mutate(keys[Algorithm.EDDSA].public.jwk()))
    assert caught.value.code == code


def test_off_curve_p256_point_is_refused(keys: dict[Algorithm, Key]) -> None:
    jwk = keys[Algorithm.ES256].public.jwk()
    y = bytearray(b64.decode(jwk["y"]))
    y[-1] ^= 1
    with pytest.raises(InvalidKeyError) as caught:
        PublicKey.from_jwk({**jwk, "y": b64.encode(bytes(y))})
    assert caught.value.code == "key.invalid_point"


@pytest.mark.parametrize(
    "point",
    [
        "00" * 32,
        "01" + "00" * 31,
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "ec" + "ff" * 30 + "7f",
        "ed" + "ff" * 30 + "7f",
        "ee" + "ff" * 30 + "7f",
    ],
)
def test_small_order_ed25519_points_are_refused(point: str) -> None:
    raw = bytes.fromhex(point)
    assert _ed25519_has_small_order(raw)
    with pytest.raises(InvalidKeyError) as caught:
        PublicKey.from_jwk({"kty": "OKP", "crv": "Ed25519", "x": b64.encode(raw)})
    assert caught.value.code in {"key.weak", "key.invalid_point"}


def test_generated_ed25519_keys_are_not_small_order() -> None:
    for _ in range(50):
        assert not _ed25519_has_small_order(generate("EdDSA").public.raw)


def test_small_rsa_keys_and_wrong_algorithms_are_refused(keys: dict[Algorithm, Key]) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    with pytest.raises(InvalidKeyError) as small:
        PublicKey(rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key())
    assert small.value.code == "key.rsa_size"
    with pytest.raises(InvalidKeyError) as mismatch:
        Key.from_jwk(keys[Algorithm.EDDSA].private_jwk(), alg="ES256")
    assert mismatch.value.code == "key.alg_mismatch"
    assert not keys[Algorithm.EDDSA].public.verify(Algorithm.ES256, b"x", keys[Algorithm.EDDSA].sign(b"x"))


def test_keys_cannot_be_pickled(keys: dict[Algorithm, Key]) -> None:
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(keys[Algorithm.EDDSA])


def test_jwk_with_descriptive_members_and_kid(keys: dict[Algorithm, Key]) -> None:
    jwk = keys[Algorithm.ES256].public.jwk(kid="did:web:x.cz#k1", alg=Algorithm.ES256)
    assert jwk["alg"] == "ES256"
    assert PublicKey.from_jwk({**jwk, "use": "sig", "key_ops": ["verify"]}) == keys[Algorithm.ES256].public
    assert json.loads(json.dumps(jwk)) == jwk
    with pytest.raises(InvalidKeyError):
        keys[Algorithm.ES256].public.jwk(alg=Algorithm.EDDSA)


def test_public_jwk_convenience(keys: dict[Algorithm, Key]) -> None:
    key = keys[Algorithm.EDDSA]
    assert key.public_jwk() == {**key.public.jwk(), "kid": key.kid, "alg": "EdDSA"}


def test_an_empty_password_is_refused(keys: dict[Algorithm, Key]) -> None:
    with pytest.raises(InvalidKeyError) as caught:
        keys[Algorithm.EDDSA].private_pem(b"")
    assert caught.value.code == "key.password"

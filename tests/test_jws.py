"""Strict compact JWS parsing and base64url, including property tests."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from czmc import _b64 as b64
from czmc import jws
from czmc.keys import Key


@given(st.binary(max_size=300))
def test_base64url_round_trip(data: bytes) -> None:
    encoded = b64.encode(data)
    assert "=" not in encoded
    assert b64.decode(encoded) == data


@given(st.text(max_size=40))
def test_decoder_accepts_only_canonical_encodings(text: str) -> None:
    try:
        data = b64.decode(text)
    except ValueError:
        return
    assert b64.encode(data) == text


@pytest.mark.parametrize("bad", ["YQ==", "Y Q", "YQ\n", "Y+8", "Y/8", "YR", "Y", "é"])
def test_decoder_refusals(bad: str) -> None:
    with pytest.raises(ValueError, match="not base64url"):
        b64.decode(bad)


def _token(header: object, payload: object, signature: bytes = b"sig") -> str:
    def part(value: object) -> str:
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        return b64.encode(raw)

    return f"{part(header)}.{part(payload)}.{b64.encode(signature)}"


def test_parse_good_token() -> None:
    parsed = jws.parse(_token({"alg": "EdDSA"}, {"a": 1}))
    assert parsed.header == {"alg": "EdDSA"}
    assert parsed.payload == {"a": 1}
    assert parsed.signature == b"sig"


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("a.b", "jws.syntax"),
        ("a.b.c.d", "jws.syntax"),
        (_token({"alg": "none"}, {"a": 1}).rsplit(".", 1)[0] + ".", "jws.syntax"),
        (_token({"alg": "EdDSA"}, {"a": 1}) + "=", "jws.base64url"),
        (_token({"alg": "EdDSA"}, {"a": 1}).replace(".", " .", 1), "jws.base64url"),
        (_token({"alg": "EdDSA"}, b'{"a": 1, "a": 2}'), "jws.duplicate_member"),
        (_token(b'{"alg": "EdDSA", "alg": "none"}', {"a": 1}), "jws.duplicate_member"),
        (_token({"alg": "EdDSA"}, [1, 2]), "jws.json"),
        (_token({"alg": "EdDSA"}, b'{"a": NaN}'), "jws.json"),
        (_token({"alg": "EdDSA"}, b"\xff\xfe"), "jws.encoding"),
        (_token({"alg": "EdDSA", "crit": ["b64"]}, {"a": 1}), "jws.crit"),
        (_token({"alg": "EdDSA"}, b'{"a":' + b"[" * 5000 + b"]" * 5000 + b"}"), "jws.too_deep"),
        (_token({"alg": "EdDSA"}, b'{"a":' + b"[" * 70 + b"]" * 70 + b', "b": 1 }'), "jws.too_deep"),
        ("é." + _token({"alg": "EdDSA"}, {"a": 1}), "jws.syntax"),
    ],
)
def test_parse_refusals(token: str, code: str) -> None:
    with pytest.raises(jws.JwsError) as caught:
        jws.parse(token)
    assert caught.value.code == code


def test_size_limit() -> None:
    token = _token({"alg": "EdDSA"}, {"a": "x" * 1000})
    with pytest.raises(jws.JwsError) as caught:
        jws.parse(token, max_bytes=500)
    assert caught.value.code == "jws.too_large"


def test_standard_base64_alphabet_is_refused() -> None:
    header = base64.b64encode(b'{"alg":"EdDSA","x":"\xfb\xff"}').decode().rstrip("=")
    assert "+" in header or "/" in header
    with pytest.raises(jws.JwsError):
        jws.parse(f"{header}.{b64.encode(b'{}')}.{b64.encode(b'x')}")


def test_sign_produces_a_parsable_verifiable_token() -> None:
    key = Key.generate()
    token = jws.sign(jws.encode_header({"alg": "EdDSA", "kid": key.kid}), {"iss": "x", "n": "ž"}, key)
    parsed = jws.parse(token)
    assert parsed.payload == {"iss": "x", "n": "ž"}
    assert key.public.verify(key.alg, parsed.signing_input, parsed.signature)


json_objects = st.dictionaries(
    st.text(max_size=8),
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.text(max_size=10),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
        max_leaves=15,
    ),
    max_size=6,
)


@given(json_objects)
def test_parse_round_trips_any_payload(payload: dict[str, object]) -> None:
    for separators in ((",", ":"), (", ", ": ")):
        raw = json.dumps(payload, separators=separators, ensure_ascii=False).encode()
        assert jws.parse(_token({"alg": "EdDSA"}, raw)).payload == payload


@pytest.mark.parametrize("depth", [300, 900, 5000])
def test_deep_payloads_never_crash_the_parser(depth: int) -> None:
    payload = b'{"a":' + b"[" * depth + b"]" * depth + b"}"
    with pytest.raises(jws.JwsError) as caught:
        jws.parse(_token({"alg": "EdDSA"}, payload))
    assert caught.value.code == "jws.too_deep"


def test_compact_payloads_orjson_round_trips_are_not_counted() -> None:
    payload = b'{"a":' + b"[" * 100 + b"]" * 100 + b"}"
    assert "a" in jws.parse(_token({"alg": "EdDSA"}, payload)).payload

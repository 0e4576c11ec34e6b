"""Signing keys for credentials: Ed25519 (EdDSA), P-256 (ES256) and RSA (RS256, PS256).

A :class:`Key` holds a private key and signs; a :class:`PublicKey` verifies. Keys load from
and save to JWK (RFC 7517) and PEM; public keys import strictly: the JWK's members must be
exactly right, EC points must lie on the curve, Ed25519 points of small order are refused,
RSA moduli have at least 2048 bits. ``kid`` defaults to the RFC 7638 JWK thumbprint.

Private key material never appears in ``repr``, ``str`` or error messages, and key files
are written with mode 0600 and never overwritten unless asked.

Signatures are computed directly with ``cryptography`` (JWS raw formats: Ed25519's 64
bytes, ES256's ``r || s``); ``jwcrypto`` reads and writes JWK and PEM.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from czmc import _b64
from czmc.errors import InvalidKeyError

__all__ = [
    "Algorithm",
    "Key",
    "PublicKey",
    "generate",
    "load",
]

MIN_RSA_BITS = 2048

Kind = Literal["Ed25519", "P-256", "RSA"]


class Algorithm(StrEnum):
    """JWS algorithms czmc signs and verifies with. There is no ``none`` and no HMAC."""

    EDDSA = "EdDSA"
    ES256 = "ES256"
    RS256 = "RS256"
    PS256 = "PS256"

    @property
    def kind(self) -> Kind:
        """The key type the algorithm needs."""
        return _KIND_OF[self]


_KIND_OF: dict[Algorithm, Kind] = {
    Algorithm.EDDSA: "Ed25519",
    Algorithm.ES256: "P-256",
    Algorithm.RS256: "RSA",
    Algorithm.PS256: "RSA",
}
_ALGORITHMS_OF: dict[Kind, frozenset[Algorithm]] = {
    "Ed25519": frozenset({Algorithm.EDDSA}),
    "P-256": frozenset({Algorithm.ES256}),
    "RSA": frozenset({Algorithm.RS256, Algorithm.PS256}),
}
_PUBLIC_MEMBERS: dict[Kind, tuple[str, ...]] = {
    "Ed25519": ("crv", "kty", "x"),
    "P-256": ("crv", "kty", "x", "y"),
    "RSA": ("e", "kty", "n"),
}
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
# JWK members that describe a key without changing it (RFC 7517 4.2-4.9, CID "alg").
_DESCRIPTIVE_MEMBERS = frozenset({"kid", "alg", "use", "key_ops", "x5c", "x5t", "x5t#S256", "x5u", "ext"})
_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)  # RFC 7518 3.5: salt = hash size

# --- Ed25519 small-order points --------------------------------------------------------

_P = 2**255 - 19
_D = (-121665 * pow(121666, _P - 2, _P)) % _P


def _ed25519_has_small_order(encoded: bytes) -> bool:
    """Whether a 32-byte Ed25519 point encoding is invalid, non-canonical or of order <= 8.

    Such keys let anyone forge signatures that verify under some implementations; RFC 8032
    verifiers that check [8]R == [8](sB - kA) accept them, so czmc refuses them on import.
    """
    y = int.from_bytes(encoded, "little") & ((1 << 255) - 1)
    sign = encoded[31] >> 7
    if y >= _P:
        return True
    x2 = (y * y - 1) * pow(_D * y * y + 1, -1, _P) % _P
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * pow(2, (_P - 1) // 4, _P) % _P
    if (x * x - x2) % _P or (x == 0 and sign):
        return True
    if x & 1 != sign:
        x = _P - x
    # Multiply by the cofactor 8: three doublings in projective coordinates (a = -1).
    px, py, pz = x, y, 1
    for _ in range(3):
        b, c, d = (px + py) ** 2 % _P, px * px % _P, py * py % _P
        f = (d - c) % _P
        j = (f - 2 * pz * pz) % _P
        px, py, pz = (b - c - d) * j % _P, f * (-c - d) % _P, f * j % _P
    return px == 0 and py == pz


# --- public keys ----------------------------------------------------------------------------

_PublicType = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey


def _kind_of(key: _PublicType) -> Kind:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ec.EllipticCurvePublicKey):
        if isinstance(key.curve, ec.SECP256R1):
            return "P-256"
        raise InvalidKeyError("key.curve", f"EC curve {key.curve.name} is not supported; use P-256 (ES256)")
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise InvalidKeyError("key.rsa_size", f"RSA keys need at least {MIN_RSA_BITS} bits, got {key.key_size}")
        return "RSA"
    raise InvalidKeyError("key.type", f"{type(key).__name__} keys are not supported (Ed25519, P-256 or RSA)")


def _uint(value: int, length: int | None = None) -> str:
    size = length or max(1, (value.bit_length() + 7) // 8)
    return _b64.encode(value.to_bytes(size, "big"))


def _public_members(key: _PublicType, kind: Kind) -> dict[str, str]:
    if kind == "Ed25519":
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"crv": "Ed25519", "kty": "OKP", "x": _b64.encode(raw)}
    if kind == "P-256":
        point = cast(ec.EllipticCurvePublicKey, key).public_numbers()
        return {"crv": "P-256", "kty": "EC", "x": _uint(point.x, 32), "y": _uint(point.y, 32)}
    modulus = cast(rsa.RSAPublicKey, key).public_numbers()
    return {"e": _uint(modulus.e), "kty": "RSA", "n": _uint(modulus.n)}


class PublicKey:
    """A public key that verifies JWS signatures; equal keys have equal thumbprints."""

    __slots__ = ("_key", "_members", "kind", "thumbprint")

    def __init__(self, key: _PublicType) -> None:
        self.kind: Kind = _kind_of(key)
        self._key = key
        self._members = _public_members(key, self.kind)
        canonical = json.dumps(self._members, separators=(",", ":"), sort_keys=True).encode()
        self.thumbprint: str = _b64.encode(hashlib.sha256(canonical).digest())
        """RFC 7638 JWK thumbprint (SHA-256, base64url)."""
        if self.kind == "Ed25519" and _ed25519_has_small_order(_b64.decode(self._members["x"])):
            raise InvalidKeyError("key.weak", "Ed25519 public key is a small-order or non-canonical point")

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> PublicKey:
        """Import a public JWK strictly (exact members, canonical base64url, valid point).

        Raises :class:`~czmc.errors.InvalidKeyError` naming the member at fault.
        """
        if not isinstance(jwk, Mapping):
            raise InvalidKeyError("key.jwk", "a JWK must be a JSON object")
        private = sorted(_PRIVATE_MEMBERS & set(jwk))
        if private:
            raise InvalidKeyError("key.private_in_public", f"a public JWK must not contain private members {private}")
        kind = _jwk_kind(jwk)
        unknown = sorted(set(jwk) - set(_PUBLIC_MEMBERS[kind]) - _DESCRIPTIVE_MEMBERS)
        if unknown:
            raise InvalidKeyError("key.jwk", f"unexpected JWK members {unknown}")
        try:
            values = {
                name: _b64.decode(_string(jwk, name)) for name in _PUBLIC_MEMBERS[kind] if name not in ("kty", "crv")
            }
        except ValueError as error:
            raise InvalidKeyError("key.jwk", f"JWK member is not canonical base64url: {error}") from None
        key: _PublicType
        try:
            if kind == "Ed25519":
                if len(values["x"]) != 32:
                    raise InvalidKeyError("key.jwk", "Ed25519 'x' must be 32 bytes")
                key = ed25519.Ed25519PublicKey.from_public_bytes(values["x"])
            elif kind == "P-256":
                if len(values["x"]) != 32 or len(values["y"]) != 32:
                    raise InvalidKeyError("key.jwk", "P-256 'x' and 'y' must be 32 bytes each")
                key = ec.EllipticCurvePublicNumbers(
                    int.from_bytes(values["x"], "big"), int.from_bytes(values["y"], "big"), ec.SECP256R1()
                ).public_key()
            else:
                n, e = (int.from_bytes(values[name], "big") for name in ("n", "e"))
                if values["n"][:1] == b"\0" or values["e"][:1] == b"\0":
                    raise InvalidKeyError("key.jwk", "RSA 'n' and 'e' must not have leading zero bytes")
                if e < 3 or e % 2 == 0:
                    raise InvalidKeyError("key.jwk", "RSA public exponent must be odd and at least 3")
                key = rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError as error:
            raise InvalidKeyError("key.invalid_point", f"not a valid {kind} public key: {error}") from None
        return cls(key)

    @property
    def algorithms(self) -> frozenset[Algorithm]:
        """The JWS algorithms this key may verify."""
        return _ALGORITHMS_OF[self.kind]

    def jwk(self, *, kid: str | None = None, alg: Algorithm | None = None) -> dict[str, str]:
        """The public JWK (never a private member)."""
        members = dict(self._members)
        if alg is not None:
            if alg not in self.algorithms:
                raise InvalidKeyError("key.alg_mismatch", f"{alg} cannot be used with a {self.kind} key")
            members["alg"] = alg.value
        if kid is not None:
            members["kid"] = kid
        return members

    @property
    def raw(self) -> bytes:
        """Ed25519: the 32-byte key; P-256: the 33-byte compressed point; RSA: DER SubjectPublicKeyInfo."""
        if self.kind == "Ed25519":
            return self._key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if self.kind == "P-256":
            return self._key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
        return self._key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

    def pem(self) -> bytes:
        """The key as a PEM SubjectPublicKeyInfo."""
        return self._key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def verify(self, alg: Algorithm, data: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (JWS raw format) signs ``data`` under ``alg`` with this key."""
        if alg not in self.algorithms:
            return False
        key = self._key
        try:
            if alg is Algorithm.EDDSA:
                cast(ed25519.Ed25519PublicKey, key).verify(signature, data)
            elif alg is Algorithm.ES256:
                if len(signature) != 64:
                    return False
                r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
                cast(ec.EllipticCurvePublicKey, key).verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
            else:
                rsa_key = cast(rsa.RSAPublicKey, key)
                if len(signature) != (rsa_key.key_size + 7) // 8:
                    return False
                scheme = padding.PKCS1v15() if alg is Algorithm.RS256 else _PSS
                rsa_key.verify(signature, data, scheme, hashes.SHA256())
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PublicKey) and other.thumbprint == self.thumbprint

    def __hash__(self) -> int:
        return hash(self.thumbprint)

    def __repr__(self) -> str:
        return f"PublicKey({self.kind}, thumbprint={self.thumbprint!r})"


def _string(jwk: Mapping[str, Any], name: str) -> str:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise InvalidKeyError("key.jwk", f"JWK member {name!r} must be a string")
    return value


def _jwk_kind(jwk: Mapping[str, Any]) -> Kind:
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        return "Ed25519"
    if kty == "EC" and crv == "P-256":
        return "P-256"
    if kty == "RSA" and crv is None:
        return "RSA"
    raise InvalidKeyError("key.type", f"unsupported JWK kty={kty!r} crv={crv!r} (OKP/Ed25519, EC/P-256 or RSA)")


# --- private keys ---------------------------------------------------------------------------

_PrivateType = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class Key:
    """A private signing key with its algorithm and key id.

    ``repr`` shows the algorithm and key id only. Use :meth:`private_jwk`,
    :meth:`private_pem` or :meth:`save` to export the private key, deliberately.
    """

    __slots__ = ("_private", "alg", "kid", "public")

    def __init__(self, private: _PrivateType, alg: Algorithm | str | None = None, kid: str | None = None) -> None:
        self._private = private
        self.public = PublicKey(private.public_key())
        default = {"Ed25519": Algorithm.EDDSA, "P-256": Algorithm.ES256, "RSA": Algorithm.RS256}[self.public.kind]
        chosen = Algorithm(alg) if alg is not None else default
        if chosen not in self.public.algorithms:
            raise InvalidKeyError("key.alg_mismatch", f"{chosen} cannot be used with a {self.public.kind} key")
        self.alg: Algorithm = chosen
        self.kid: str = kid or self.public.thumbprint

    @classmethod
    def generate(cls, alg: Algorithm | str = Algorithm.EDDSA, *, rsa_bits: int = 3072) -> Key:
        """A new random key for ``alg``."""
        chosen = Algorithm(alg)
        private: _PrivateType
        if chosen is Algorithm.EDDSA:
            private = ed25519.Ed25519PrivateKey.generate()
        elif chosen is Algorithm.ES256:
            private = ec.generate_private_key(ec.SECP256R1())
        else:
            if rsa_bits < MIN_RSA_BITS:
                raise InvalidKeyError("key.rsa_size", f"RSA keys need at least {MIN_RSA_BITS} bits, got {rsa_bits}")
            private = rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
        return cls(private, chosen)

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any], *, alg: Algorithm | str | None = None) -> Key:
        """Import a private JWK; ``alg`` defaults to the JWK's ``alg`` or the key type's."""
        if not isinstance(jwk, Mapping) or "d" not in jwk:
            raise InvalidKeyError("key.not_private", "the JWK holds no private key ('d' is missing)")
        public = PublicKey.from_jwk({name: value for name, value in jwk.items() if name not in _PRIVATE_MEMBERS})
        from jwcrypto import jwk as _jwk  # noqa: PLC0415 - jwcrypto (~15 ms to import) only for private JWKs

        try:
            imported = _jwk.JWK(**dict(jwk))
            private = imported.get_op_key("sign")
        except Exception as error:  # jwcrypto raises several types; none may carry key bytes out
            raise InvalidKeyError("key.jwk", f"cannot import the private JWK ({type(error).__name__})") from None
        kid = jwk.get("kid")
        key = cls(private, alg or jwk.get("alg"), kid if isinstance(kid, str) else None)
        if key.public != public:
            raise InvalidKeyError("key.inconsistent", "the JWK's public members do not belong to its private key")
        return key

    @classmethod
    def from_pem(cls, data: bytes, *, password: bytes | None = None, alg: Algorithm | str | None = None) -> Key:
        """Import a PEM private key (PKCS#8, or traditional), optionally encrypted."""
        try:
            private = serialization.load_pem_private_key(data, password=password)
        except (ValueError, TypeError) as error:
            reason = "wrong or missing password" if "password" in str(error).lower() else "not a PEM private key"
            raise InvalidKeyError("key.pem", f"cannot read the PEM key: {reason}") from None
        if not isinstance(private, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
            raise InvalidKeyError(
                "key.type", f"{type(private).__name__} keys are not supported (Ed25519, P-256 or RSA)"
            )
        return cls(private, alg)

    def public_jwk(self) -> dict[str, str]:
        """The public JWK with this key's ``kid`` and ``alg``: safe to publish."""
        return self.public.jwk(kid=self.kid, alg=self.alg)

    def with_kid(self, kid: str) -> Key:
        """The same key under another key id (e.g. the DID URL of its verification method)."""
        if kid == self.kid:
            return self
        # The key material is unchanged: reuse its checked public key instead of deriving it again.
        copy = object.__new__(Key)
        copy._private, copy.alg, copy.public, copy.kid = self._private, self.alg, self.public, kid
        return copy

    def sign(self, data: bytes) -> bytes:
        """The JWS signature of ``data`` (raw format for ``alg``)."""
        key = self._private
        if self.alg is Algorithm.EDDSA:
            return cast(ed25519.Ed25519PrivateKey, key).sign(data)
        if self.alg is Algorithm.ES256:
            der = cast(ec.EllipticCurvePrivateKey, key).sign(data, ec.ECDSA(hashes.SHA256()))
            r, s = decode_dss_signature(der)
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        scheme = padding.PKCS1v15() if self.alg is Algorithm.RS256 else _PSS
        return cast(rsa.RSAPrivateKey, key).sign(data, scheme, hashes.SHA256())

    def private_jwk(self) -> dict[str, str]:
        """The private key as a JWK, with ``kid`` and ``alg``. Handle with care."""
        from jwcrypto import jwk as _jwk  # noqa: PLC0415 - see from_jwk

        exported = _jwk.JWK.from_pyca(self._private).export_private(as_dict=True)
        members: dict[str, str] = {name: value for name, value in exported.items() if name != "kid"}
        return {**members, "kid": self.kid, "alg": self.alg.value}

    def private_pem(self, password: bytes | None = None) -> bytes:
        """The private key as PKCS#8 PEM, encrypted if a password is given. Handle with care."""
        if password is not None and not password:
            raise InvalidKeyError("key.password", "an empty password would leave the key unencrypted; give a real one")
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        )
        return self._private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)

    def save(
        self,
        path: str | Path,
        *,
        fmt: Literal["jwk", "pem"] = "jwk",
        password: bytes | None = None,
        overwrite: bool = False,
    ) -> Path:
        """Write the private key to ``path`` with mode 0600, atomically.

        Refuses to replace an existing file unless ``overwrite``. Raises
        :class:`~czmc.errors.InvalidKeyError` (``key.exists``) in that case.
        """
        target = Path(path)
        if fmt == "jwk":
            if password is not None:
                raise InvalidKeyError("key.password", "JWK files are not encrypted; use fmt='pem' with a password")
            content = (json.dumps(self.private_jwk(), indent=2) + "\n").encode()
        else:
            content = self.private_pem(password)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            os.fchmod(handle, 0o600)
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            if overwrite:
                os.replace(temporary, target)
            else:
                try:
                    os.link(temporary, target)  # atomic and fails if the target exists
                except FileExistsError:
                    raise InvalidKeyError("key.exists", f"{target} exists; refusing to overwrite a key file") from None
                os.unlink(temporary)
        finally:
            Path(temporary).unlink(missing_ok=True)
        return target

    def __repr__(self) -> str:
        return f"Key(alg={self.alg.value!r}, kid={self.kid!r})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("czmc.keys.Key cannot be pickled; load it from its file in each process")


def generate(alg: Algorithm | str = Algorithm.EDDSA) -> Key:
    """A new random signing key: ``czmc.keys.generate("EdDSA")``."""
    return Key.generate(alg)


def load(path: str | Path, *, password: bytes | None = None, alg: Algorithm | str | None = None) -> Key:
    """Load a private key from a JWK (JSON) or PEM file."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as error:
        raise InvalidKeyError("key.unreadable", f"cannot read key file {file}: {error.strerror or error}") from None
    if data.lstrip().startswith(b"{"):
        try:
            parsed = json.loads(data)
        except ValueError:
            raise InvalidKeyError("key.jwk", f"{file} is not valid JSON") from None
        return Key.from_jwk(parsed, alg=alg)
    return Key.from_pem(data, password=password, alg=alg)

"""Key handling: password KDF, sealing to a public key, AES-256-GCM wrapping, recovery keys.

Each account holds an X25519 key pair. The private half is wrapped with a key derived from
the account's password (scrypt); the database key is sealed to the public half. An
administrator can therefore seal a new database key to every account (``admin rekey``,
adding a user, resetting a password) without knowing anyone's password, and a password
change only re-wraps that account's private key.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

KEY_BYTES = 32
NONCE_BYTES = 12


class DecryptError(Exception):
    """A wrapped or sealed value did not authenticate (wrong key, or altered data)."""


@dataclass(frozen=True)
class KdfParams:
    """scrypt cost. The production default follows current guidance (N=2^17, r=8, p=1: 128 MiB)."""

    n: int = 2**17
    r: int = 8
    p: int = 1

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KdfParams:
        return cls(n=int(data["n"]), r=int(data["r"]), p=int(data["p"]))


PRODUCTION_KDF = KdfParams()


def random_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def derive_password_key(password: str, salt: bytes, params: KdfParams) -> bytes:
    kdf = Scrypt(salt=salt, length=KEY_BYTES, n=params.n, r=params.r, p=params.p)
    return kdf.derive(password.encode("utf-8"))


def wrap(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unwrap(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < NONCE_BYTES + 16:
        raise DecryptError("wrapped value too short")
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise DecryptError("wrapped value did not authenticate") from exc


def _seal_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes, aad: bytes) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=ephemeral_public + recipient_public, info=aad
    )
    return hkdf.derive(shared)


def public_bytes(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes_raw()


def seal(recipient_public: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt to a public key: ephemeral X25519 + HKDF-SHA256 + AES-256-GCM."""
    ephemeral = X25519PrivateKey.generate()
    eph_pub = public_bytes(ephemeral)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    return eph_pub + wrap(_seal_key(shared, eph_pub, recipient_public, aad), plaintext, aad)


def open_sealed(private: X25519PrivateKey, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < 32 + NONCE_BYTES + 16:
        raise DecryptError("sealed value too short")
    eph_pub = blob[:32]
    shared = private.exchange(X25519PublicKey.from_public_bytes(eph_pub))
    return unwrap(_seal_key(shared, eph_pub, public_bytes(private), aad), blob[32:], aad)


def private_from_bytes(raw: bytes) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(raw)


def derive_subkey(key: bytes, purpose: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode("ascii"))
    return hkdf.derive(key)


def signing_key(account_private: bytes) -> Ed25519PrivateKey:
    """The account's signing key, derived from its private key (which only its password unwraps)."""
    return Ed25519PrivateKey.from_private_bytes(derive_subkey(account_private, "consultscribe signing"))


def signing_public(account_private: bytes) -> bytes:
    return signing_key(account_private).public_key().public_bytes_raw()


def verify_signature(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def format_recovery_key(raw: bytes) -> str:
    """52 base32 characters in groups of four, easy to copy onto paper."""
    text = base64.b32encode(raw).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned += "=" * (-len(cleaned) % 8)
    try:
        raw = base64.b32decode(cleaned)
    except ValueError as exc:
        raise DecryptError("not a recovery key") from exc
    if len(raw) != KEY_BYTES:
        raise DecryptError("not a recovery key")
    return raw

"""``keys.json``: the per-account key slots that unlock the database key.

Nothing here is secret in clear: every slot holds the account's public key, its private
key wrapped with a password-derived key, and the database key sealed to the public key.
The recovery slot holds the database key sealed to the recovery key's public half. The
file is replaced atomically (write, fsync, rename) so a crash leaves the old or the new one.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.files import atomic_write as atomic_write
from desktop.core.files import fsync_dir as fsync_dir
from desktop.storage import crypto
from desktop.storage.crypto import KdfParams

FORMAT = 1


@dataclass
class Slot:
    username: str
    public: bytes
    salt: bytes
    kdf: KdfParams
    wrapped_private: bytes
    sealed_db_key: bytes
    signing_public: bytes = b""  # Ed25519, derived from the private key: checks this account's signatures
    previous_signing: list[bytes] = field(default_factory=list)  # before a password reset made new keys

    def to_dict(self) -> dict[str, Any]:
        return {
            "public": crypto.b64(self.public),
            "salt": crypto.b64(self.salt),
            "kdf": self.kdf.to_dict(),
            "wrapped_private": crypto.b64(self.wrapped_private),
            "sealed_db_key": crypto.b64(self.sealed_db_key),
            "signing_public": crypto.b64(self.signing_public),
            "previous_signing": [crypto.b64(k) for k in self.previous_signing],
        }

    @classmethod
    def from_dict(cls, username: str, data: dict[str, Any]) -> Slot:
        return cls(
            username=username,
            public=crypto.unb64(data["public"]),
            salt=crypto.unb64(data["salt"]),
            kdf=KdfParams.from_dict(data["kdf"]),
            wrapped_private=crypto.unb64(data["wrapped_private"]),
            sealed_db_key=crypto.unb64(data["sealed_db_key"]),
            signing_public=crypto.unb64(data.get("signing_public", "")),
            previous_signing=[crypto.unb64(k) for k in data.get("previous_signing", [])],
        )


@dataclass
class KeyFile:
    store_id: str
    kdf: KdfParams
    slots: dict[str, Slot] = field(default_factory=dict)
    recovery_public: bytes = b""
    recovery_sealed: bytes = b""
    inbox_public: bytes = (
        b""  # failed sign-ins are sealed to this key (its private half comes from the db key)
    )

    # -- associated data binds every wrapped value to this store and slot
    def _aad(self, kind: str, name: str = "") -> bytes:
        return f"consultscribe:{self.store_id}:{kind}:{name}".encode()

    @classmethod
    def new(cls, kdf: KdfParams) -> KeyFile:
        return cls(store_id=secrets.token_hex(16), kdf=kdf)

    def set_password(
        self, username: str, password: str, db_key: bytes, private_raw: bytes | None = None
    ) -> bytes:
        """(Re)create the account's slot: its key pair (``private_raw``, else a new one), wrapped with
        the password, and the sealed db key. A new key pair keeps the old signing key's public half
        so the account's earlier signatures still check. Returns the private key (raw).
        """
        old = self.slots.get(username)
        private = (
            crypto.private_from_bytes(private_raw) if private_raw else crypto.X25519PrivateKey.generate()
        )
        public = crypto.public_bytes(private)
        salt = secrets.token_bytes(16)
        wrapping = crypto.derive_password_key(password, salt, self.kdf)
        self.slots[username] = Slot(
            username=username,
            public=public,
            salt=salt,
            kdf=self.kdf,
            wrapped_private=crypto.wrap(
                wrapping, private.private_bytes_raw(), self._aad("private", username)
            ),
            sealed_db_key=crypto.seal(public, db_key, self._aad("db", username)),
            signing_public=crypto.signing_public(private.private_bytes_raw()),
        )
        if old is not None:
            kept = [*old.previous_signing, old.signing_public]
            slot = self.slots[username]
            slot.previous_signing = [k for k in dict.fromkeys(kept) if k and k != slot.signing_public]
        return private.private_bytes_raw()

    def unlock(self, username: str, password: str) -> bytes:
        """The database key, or :class:`crypto.DecryptError` (unknown user or wrong password)."""
        return self.unlock_account(username, password)[0]

    def unlock_account(self, username: str, password: str) -> tuple[bytes, bytes]:
        """The database key and the account's private key (raw), or :class:`crypto.DecryptError`."""
        slot = self.slots.get(username)
        if slot is None:
            # Spend the same time as a real attempt so the answer does not reveal which names exist.
            crypto.derive_password_key(password, b"\0" * 16, self.kdf)
            raise crypto.DecryptError("no such account")
        wrapping = crypto.derive_password_key(password, slot.salt, slot.kdf)
        raw = crypto.unwrap(wrapping, slot.wrapped_private, self._aad("private", username))
        private = crypto.private_from_bytes(raw)
        return crypto.open_sealed(private, slot.sealed_db_key, self._aad("db", username)), raw

    def set_recovery(self, recovery_raw: bytes, db_key: bytes) -> None:
        private = crypto.private_from_bytes(recovery_raw)
        self.recovery_public = crypto.public_bytes(private)
        self.recovery_sealed = crypto.seal(self.recovery_public, db_key, self._aad("db", "*recovery*"))

    def unlock_recovery(self, recovery_raw: bytes) -> bytes:
        private = crypto.private_from_bytes(recovery_raw)
        return crypto.open_sealed(private, self.recovery_sealed, self._aad("db", "*recovery*"))

    def reseal_all(self, db_key: bytes) -> None:
        """Seal a new database key to every account and to the recovery key (``admin rekey``)."""
        for name, slot in self.slots.items():
            slot.sealed_db_key = crypto.seal(slot.public, db_key, self._aad("db", name))
        if self.recovery_public:
            self.recovery_sealed = crypto.seal(self.recovery_public, db_key, self._aad("db", "*recovery*"))
        self.set_inbox(db_key)

    def set_inbox(self, db_key: bytes) -> None:
        self.inbox_public = crypto.public_bytes(inbox_private(db_key))

    def remove(self, username: str) -> None:
        self.slots.pop(username, None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "store_id": self.store_id,
            "kdf": self.kdf.to_dict(),
            "slots": {name: slot.to_dict() for name, slot in sorted(self.slots.items())},
            "recovery": {
                "public": crypto.b64(self.recovery_public),
                "sealed_db_key": crypto.b64(self.recovery_sealed),
            },
            "inbox_public": crypto.b64(self.inbox_public),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KeyFile:
        if int(data.get("format", 0)) != FORMAT:
            raise ValueError("unknown key file format")
        return cls(
            store_id=str(data["store_id"]),
            kdf=KdfParams.from_dict(data["kdf"]),
            slots={name: Slot.from_dict(name, s) for name, s in data["slots"].items()},
            recovery_public=crypto.unb64(data["recovery"]["public"]),
            recovery_sealed=crypto.unb64(data["recovery"]["sealed_db_key"]),
            inbox_public=crypto.unb64(data["inbox_public"]),
        )

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def save(self, path: Path) -> None:
        atomic_write(path, json.dumps(self.to_dict(), indent=1).encode("utf-8"))


def inbox_private(db_key: bytes) -> crypto.X25519PrivateKey:
    return crypto.private_from_bytes(crypto.derive_subkey(db_key, "consultscribe audit inbox"))

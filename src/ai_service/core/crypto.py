"""Sealing secrets at rest: libsodium AEAD (XChaCha20-Poly1305) under a keyring.

`INTEGRATION_CONFIG_KEY` is a list `keyid:base64key,...`: the first key seals, every key opens.
A sealed value reads `keyid:base64(nonce + ciphertext)`, so it names the key it needs, and its
associated data (never stored with it) binds it to one place: copied anywhere else it does not open.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

import nacl.encoding
import nacl.exceptions
import nacl.hash
import nacl.secret

from ai_service.config import MIN_SECRET_BYTES

_ENTRY = re.compile(r"^([A-Za-z0-9_.-]{1,32}):([A-Za-z0-9+/_=-]+)$")
_SEALED = re.compile(r"^([A-Za-z0-9_.-]{1,32}):([A-Za-z0-9+/=]+)$")
_KDF_PERSON = b"aisvc-vault-v1"
PLAIN_KEY_ID = "default"


class KeyringError(ValueError):
    """INTEGRATION_CONFIG_KEY cannot be used; the message says why, never the key."""


class KeyUnavailable(Exception):
    """The value was sealed with a key the keyring no longer holds."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"sealed with key '{key_id}', which INTEGRATION_CONFIG_KEY no longer "
                         "holds: add that key back, or enter the secret again")
        self.key_id = key_id


class SealBroken(Exception):
    """The value does not open: tampered with, truncated, or moved from its place."""


def _decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    if "-" in text or "_" in text:
        return base64.urlsafe_b64decode(padded)
    return base64.b64decode(padded, validate=True)


def _derive(material: bytes) -> bytes:
    """A 32-byte key: exactly 32 random bytes are used as they are, anything longer is hashed."""
    if len(material) == nacl.secret.Aead.KEY_SIZE:
        return material
    return nacl.hash.blake2b(material, digest_size=32, person=_KDF_PERSON,
                             encoder=nacl.encoding.RawEncoder)


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, nacl.secret.Aead]
    primary: str

    @classmethod
    def parse(cls, value: str) -> Keyring:
        entries = [e.strip() for e in value.split(",") if e.strip()]
        if not entries:
            raise KeyringError("INTEGRATION_CONFIG_KEY is empty")
        matches = [_ENTRY.match(e) for e in entries]
        if not all(matches):
            if len(entries) > 1:
                raise KeyringError("INTEGRATION_CONFIG_KEY: write each key as keyid:base64key, "
                                   "separated by commas")
            # One plain secret (e.g. `openssl rand -base64 48`): a keyring of one.
            material = entries[0].encode()
            if len(material) < MIN_SECRET_BYTES:
                raise KeyringError(f"INTEGRATION_CONFIG_KEY is shorter than {MIN_SECRET_BYTES} "
                                   "bytes")
            return cls({PLAIN_KEY_ID: nacl.secret.Aead(_derive(material))}, PLAIN_KEY_ID)
        keys: dict[str, nacl.secret.Aead] = {}
        for match in matches:
            assert match is not None
            key_id, encoded = match.groups()
            if key_id in keys:
                raise KeyringError(f"INTEGRATION_CONFIG_KEY names key '{key_id}' twice")
            try:
                material = _decode(encoded)
            except (binascii.Error, ValueError):
                raise KeyringError(f"INTEGRATION_CONFIG_KEY: key '{key_id}' is not valid "
                                   "base64") from None
            if len(material) < MIN_SECRET_BYTES:
                raise KeyringError(f"INTEGRATION_CONFIG_KEY: key '{key_id}' has "
                                   f"{len(material)} bytes, at least {MIN_SECRET_BYTES} are "
                                   "required")
            keys[key_id] = nacl.secret.Aead(_derive(material))
        return cls(keys, matches[0].group(1))  # type: ignore[union-attr]

    def seal(self, plaintext: str, aad: bytes) -> str:
        sealed = self.keys[self.primary].encrypt(plaintext.encode(), aad)
        return f"{self.primary}:{base64.b64encode(bytes(sealed)).decode()}"

    def open(self, sealed: str, aad: bytes) -> str:
        key_id, payload = self._split(sealed)
        box = self.keys.get(key_id)
        if box is None:
            raise KeyUnavailable(key_id)
        try:
            return box.decrypt(payload, aad).decode()
        except (nacl.exceptions.CryptoError, UnicodeDecodeError):
            raise SealBroken("the sealed value does not open here") from None

    def needs_reseal(self, sealed: str) -> bool:
        return self.key_id(sealed) != self.primary

    def key_id(self, sealed: str) -> str:
        return self._split(sealed)[0]

    def _split(self, sealed: str) -> tuple[str, bytes]:
        match = _SEALED.match(sealed)
        if not match:
            raise SealBroken("not a sealed value")
        try:
            return match.group(1), base64.b64decode(match.group(2), validate=True)
        except (binascii.Error, ValueError):
            raise SealBroken("not a sealed value") from None

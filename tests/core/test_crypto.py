"""The keyring that seals integration secrets: parsing, sealing, binding, rotation support."""

from __future__ import annotations

import base64
import secrets

import pytest

from ai_service.core.crypto import (
    PLAIN_KEY_ID,
    Keyring,
    KeyringError,
    KeyUnavailable,
    SealBroken,
)


def key(key_id: str, size: int = 32) -> str:
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(size)).decode()}"


def test_the_first_key_seals_and_every_key_opens() -> None:
    old, new = key("k1"), key("k2")
    before = Keyring.parse(old)
    sealed = before.seal("sk-secret-value", b"place")
    assert sealed.startswith("k1:")
    assert "sk-secret-value" not in sealed

    after = Keyring.parse(f"{new},{old}")
    assert after.primary == "k2"
    assert after.open(sealed, b"place") == "sk-secret-value"
    assert after.needs_reseal(sealed)
    assert after.seal("x" * 20, b"place").startswith("k2:")
    assert not after.needs_reseal(after.seal("x" * 20, b"place"))


def test_a_sealed_value_opens_only_in_its_place() -> None:
    ring = Keyring.parse(key("k1"))
    sealed = ring.seal("sk-secret-value", b"user:1|OPENAI|apiKey")
    with pytest.raises(SealBroken):
        ring.open(sealed, b"user:2|OPENAI|apiKey")
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(SealBroken):
        ring.open(tampered, b"user:1|OPENAI|apiKey")
    with pytest.raises(SealBroken):
        ring.open("not sealed at all", b"")


def test_two_seals_of_one_value_differ() -> None:
    ring = Keyring.parse(key("k1"))
    assert ring.seal("same", b"a") != ring.seal("same", b"a")  # a fresh nonce each time


def test_a_missing_key_is_named() -> None:
    sealed = Keyring.parse(key("old")).seal("sk-very-private", b"a")
    with pytest.raises(KeyUnavailable) as caught:
        Keyring.parse(key("new")).open(sealed, b"a")
    assert caught.value.key_id == "old"
    assert "'old'" in str(caught.value)
    assert "sk-very-private" not in str(caught.value)


def test_a_plain_secret_is_a_keyring_of_one() -> None:
    plain = base64.b64encode(secrets.token_bytes(48)).decode()
    ring = Keyring.parse(plain)
    assert ring.primary == PLAIN_KEY_ID
    assert ring.open(ring.seal("v", b"a"), b"a") == "v"
    # The same material always gives the same key: a restart opens what was sealed before.
    assert Keyring.parse(plain).open(ring.seal("v", b"a"), b"a") == "v"


@pytest.mark.parametrize(("value", "message"), [
    ("", "empty"),
    ("short", "shorter than 32"),
    (f"k1:{base64.b64encode(b'x' * 16).decode()}", "'k1' has 16 bytes"),
    (f"{key('k1')},{key('k1')}", "twice"),
    (f"{key('k1')},not-a-key", "keyid:base64key"),
    ("k1:" + "A" * 20 + "=" + "A" * 23, "not valid base64"),
])
def test_a_bad_keyring_says_why_without_the_key(value: str, message: str) -> None:
    with pytest.raises(KeyringError) as caught:
        Keyring.parse(value)
    assert message in str(caught.value)
    for part in value.split(","):
        if ":" in part:
            assert part.split(":", 1)[1] not in str(caught.value)

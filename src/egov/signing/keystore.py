"""Encryption at rest for server-held key material (PKCS#12 blobs in SigningCertificate.key_material).

The key-encryption key is:

* ``EGOV_KEYSTORE_KEY`` from the environment if set (any string; recommended in production so
  that rotating ``SECRET_KEY`` does not make stored keys unreadable, and so that a leaked
  database plus a leaked ``SECRET_KEY`` is not enough), otherwise
* derived from ``settings.SECRET_KEY``.

Either way the secret goes through HKDF-SHA256 (info ``egov.signing.keystore.v1``) to a 256-bit
AES-GCM key. A blob is ``b"EGK1" + 12-byte nonce + ciphertext-with-tag``; the record id (or any
other context) can be bound as associated data so a blob cannot be moved to another record.
Private keys must be protected by the holder (NĐ 130/2018 Điều 79; Luật Giao dịch điện tử 2023).
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"EGK1"
ENV_VAR = "EGOV_KEYSTORE_KEY"
_INFO = b"egov.signing.keystore.v1"


class KeystoreError(Exception):
    """The blob is damaged, or was encrypted with another key or context."""


def _secret() -> bytes:
    env = os.environ.get(ENV_VAR)
    if env:
        return env.encode()
    from django.conf import settings

    if not settings.SECRET_KEY:
        raise KeystoreError("no SECRET_KEY or EGOV_KEYSTORE_KEY to protect key material")
    return settings.SECRET_KEY.encode()


def derive_key(secret: bytes | str | None = None) -> bytes:
    """The AES-256 key derived from ``secret`` (default: the configured secret)."""
    if secret is None:
        secret = _secret()
    elif isinstance(secret, str):
        secret = secret.encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)


def encrypt(plaintext: bytes, *, context: bytes = b"", secret: bytes | str | None = None) -> bytes:
    nonce = os.urandom(12)
    return MAGIC + nonce + AESGCM(derive_key(secret)).encrypt(nonce, plaintext, context or None)


def decrypt(blob: bytes, *, context: bytes = b"", secret: bytes | str | None = None) -> bytes:
    blob = bytes(blob)
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 12 + 16:
        raise KeystoreError("not an eGov keystore blob")
    nonce, ciphertext = blob[4:16], blob[16:]
    try:
        return AESGCM(derive_key(secret)).decrypt(nonce, ciphertext, context or None)
    except InvalidTag as exc:
        raise KeystoreError("key material cannot be decrypted (wrong key or tampered)") from exc
